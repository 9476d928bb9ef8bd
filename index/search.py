"""Searching: query → a tree of term sets, top hits with snippets, total and facet counts.

Matching and scoring run on numpy arrays in engine.py; facet values are compact
per-document integer arrays, rebuilt once per index generation and counted in bulk over
the matching set (refs #6): Whoosh's own matchers and `groupedby` facets are the slow spots.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh.scoring import BM25F

from . import analysis, rank
from .budget import Budget
from .engine import Engine, Node, terms as term_node, unique
from .errors import IndexDamaged, IndexMissing, QueryError
from .highlight import HIGHLIGHT_CHARS, explain, highlight_html, make_snippet, snippet_spans
from .query import Clause, ParsedQuery, parse_query
from .schema import FACET_FIELDS, FACETS
from .store import DAMAGED, current_dir, damage, open_current
from .suggest import Lexicon, build_lexicon

# Field weights: exact form > stem > compound part > folded letters; title, decision and
# case number count more than body text (refs #3).
W_EXACT, W_STEM, W_PART, W_FOLDED = 1.6, 1.0, 0.6, 0.45
W_TITLE, W_DECISION, W_DNR, W_PARAGRAPH = 2.2, 0.8, 6.0, 4.0     # multipliers / weights
MAX_EXPANSION = 64          # terms a prefix or fuzzy word may expand to
MIN_EXPANSION = 8           # terms a prefix expands to even when the time is up
MLT_CHARS = 20_000          # text 'Liknande ärenden' reads of a unit (refs #13: 50 MB units)
FACET_LIMIT = 12
MAX_SUGGEST_WORDS = 4       # 'Menade du …?' only for short queries (refs #7)
ANSWER_CACHE = 256          # whole answers kept per index generation: a search repeated, a
                            # page reloaded, a shared link opened by a whole team
TIME_LIMIT_MS = 2000        # default SEARCH_TIME_LIMIT_MS: the whole search stops here (refs #7, #13)
TIMED_OUT = ("Sökningen tog för lång tid och avbröts; träfflistan kan vara ofullständig. "
             "Förfina gärna sökningen med fler ord eller ett filter.")


@dataclass
class SearchHit:
    id: str
    url: str
    source: str
    organisation: str
    body: str
    meeting: str
    meeting_label: str
    date: str
    kind: str
    paragraph: str | None
    page: int | None
    title: str
    snippet: str
    score: float
    unit: str
    match: str = "all"                        # 'all' words, or only 'some' (ranked OR)
    matched: list[dict] = field(default_factory=list)
    dnr: list[str] = field(default_factory=list)   # the item's case numbers as written


@dataclass
class SearchResult:
    query: str
    total: int                                # hits with all words + hits with some
    hits: list[SearchHit]
    facets: dict[str, list[dict]]
    page: int = 1
    page_size: int = 10
    mode: str = "all"                         # 'all', 'some' (fallback), 'browse' (no words)
    notice: str = ""
    suggestion: str = ""
    elapsed_ms: float = 0.0
    total_all: int = 0                        # hits with every word (what facets count)
    timed_out: bool = False                   # SEARCH_TIME_LIMIT_MS cut some work short


class _Columns:
    """Per-document facet codes and dates for one searcher generation.

    Segments of a rebuild carry these values in a side file (index/segment.py); others are
    read one document at a time through Whoosh's column readers."""

    def __init__(self, engine: Engine):
        self.values: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name in FACETS:
            column = self._column(engine, FACET_FIELDS[name])
            vocab: dict[str, int] = {}
            codes = np.fromiter((vocab.setdefault(v, len(vocab)) for v in column),
                                dtype=np.int32, count=len(column))
            self.values[name] = list(vocab)
            self.codes[name] = codes
        self.dates = np.array(self._column(engine, "date"), dtype="<U10")
        # each date's place among all dates: sorting hits by date compares these numbers
        self.date_rank = np.searchsorted(unique(self.dates), self.dates).astype(np.int32)
        self.prior = rank.unit_prior(self.codes["kind"], self.values["kind"],
                                     self.codes["item"], self.values["item"])

    @staticmethod
    def _column(engine: Engine, name: str) -> list[str]:
        values: list[str] = []
        for _, sub, side in engine.segments:
            if side is not None and side.columns is not None:
                values.extend(side.columns["columns"][name])
                continue
            try:
                values.extend(sub.column_reader(name))
            except NotImplementedError:  # an empty segment has no columns
                values.extend([""] * sub.doc_count_all())
        return values


class SearchIndex:
    """The serving index of one data directory; thread-safe, reopens after a reindex."""

    def __init__(self, data_dir, time_limit_ms: int = TIME_LIMIT_MS):
        self.data_dir = data_dir
        self.time_limit_ms = time_limit_ms
        self._local = threading.local()      # this thread's search: its budget
        self._lock = threading.Lock()
        self._searcher = None
        self._path = None
        self._columns: _Columns | None = None
        self._engine: Engine | None = None
        self._lexicon: Lexicon | None = None
        self._checked = 0.0

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def _current(self):
        """A searcher on the newest committed index (checked at most once a second)."""
        with self._lock:
            now = time.monotonic()
            if self._searcher is not None and now - self._checked < 1.0:
                return self._searcher, self._columns, self._engine
            self._checked = now
            path = current_dir(self.data_dir)
            if damage(path):      # refs #13: a file deleted or cut short under a running server
                self._checked = 0.0
                raise IndexDamaged(DAMAGED)
            if self._searcher is not None and path == self._path and self._searcher.up_to_date():
                return self._searcher, self._columns, self._engine
            ix, path = open_current(self.data_dir)
            old = self._searcher
            self._searcher = ix.searcher(weighting=BM25F(B=0.6, K1=1.2))
            self._path = path
            self._engine = Engine(self._searcher, path)
            self._columns = _Columns(self._engine)
            self._engine.release_columns()
            self._lexicon = self._open_lexicon(self._searcher, path)
            # the old searcher may still be in use by another thread; it is dropped, not closed
            del old
            return self._searcher, self._columns, self._engine

    def _open_lexicon(self, searcher, path) -> Lexicon | None:
        """The suggestion lexicon written with this index generation (index/suggest.py).

        An index written without one (an older build, a killed update) gets it built in a
        background thread: searches meanwhile offer no suggestions, instead of one of them
        paying seconds for it."""
        generation = searcher.reader().generation()
        lexicon = Lexicon.load(path, generation)
        if lexicon is None:
            threading.Thread(target=self._build_lexicon, args=(searcher, path, generation),
                             daemon=True, name="paragraf-lexicon").start()
        return lexicon

    def _build_lexicon(self, searcher, path, generation: int) -> None:
        try:
            lexicon = build_lexicon(searcher.reader())
        except Exception:     # a damaged or vanished index: searches report that themselves
            return
        try:
            lexicon.save(path, generation)
        except OSError:       # a read-only data directory: keep it in memory only
            pass
        with self._lock:
            if self._searcher is searcher:
                self._lexicon = lexicon

    def lexicon(self) -> Lexicon | None:
        """The current generation's lexicon, once loaded or built."""
        self._current()
        return self._lexicon

    def health(self) -> str | None:
        """Why this index cannot serve searches now (Swedish), or None when it can."""
        try:
            self._current()
        except (IndexMissing, IndexDamaged) as exc:
            return str(exc)
        except Exception:             # a file that cannot be read while opening
            self._checked = 0.0
            return DAMAGED
        return None

    # ---------------------------------------------------------------------------------
    def search(self, text: str, *, filters: dict[str, list[str]] | None = None, page: int = 1,
               page_size: int = 10, sort: str = "relevance", date_from: str = "",
               date_to: str = "") -> SearchResult:
        """The full search the web page does: top hits with snippets, total, facets.

        Answers are kept per index generation (ANSWER_CACHE), except those cut short by
        the time limit."""
        started = time.perf_counter()
        self._local.budget = Budget(self.time_limit_ms)
        parsed = parse_query(text)
        try:
            return self._answer(parsed, text, filters, page, page_size, sort, date_from,
                                date_to, started)
        except (QueryError, IndexMissing, IndexDamaged):
            raise
        except Exception as exc:      # a damaged file read while searching (refs #13)
            self._checked = 0.0
            raise IndexDamaged(DAMAGED) from exc

    def _answer(self, parsed: ParsedQuery, text: str, filters, page: int, page_size: int,
                sort: str, date_from: str, date_to: str, started: float) -> SearchResult:
        budget = self._local.budget
        searcher, columns, engine = self._current()
        key = (text, tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items() if v)),
               page, page_size, sort, date_from, date_to)
        answers = engine.answers
        with self._lock:
            kept = answers.get(key)
            if kept is not None:
                answers.move_to_end(key)
        if kept is not None:
            return replace(kept, elapsed_ms=round((time.perf_counter() - started) * 1000, 1))
        try:
            result = self._search(parsed, text, filters, page, page_size, sort, date_from,
                                  date_to, searcher, columns, engine)
        finally:
            self._local.memo = None     # whole-archive arrays: not kept between searches
        result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        # not kept: answers cut short, and those that would have asked for a suggestion
        # while the generation's lexicon is still being built
        if not result.timed_out and not budget.cut and \
                (self._lexicon is not None or result.total >= 3):
            with self._lock:
                answers[key] = result
                while len(answers) > ANSWER_CACHE:
                    answers.popitem(last=False)
        return replace(result)

    def _search(self, parsed: ParsedQuery, text: str, filters, page: int, page_size: int,
                sort: str, date_from: str, date_to: str, searcher, columns: _Columns,
                engine: Engine) -> SearchResult:
        self._local.engine = engine
        self._local.memo = {}       # a word's answer, shared by the parts of this search
        parsed = self._resolved(parsed, engine)
        filters = {k: list(v) for k, v in (filters or {}).items() if v}
        for name, values in parsed.filters.items():
            filters.setdefault(name, []).extend(values)
        date_from = parsed.date_from or date_from
        date_to = parsed.date_to or date_to
        page = max(1, page)
        result = SearchResult(query=text, total=0, hits=[], facets={}, page=page,
                              page_size=page_size)
        scope = self._filter_mask(filters, date_from, date_to, columns, engine)
        if parsed.negations:
            scope &= ~engine.evaluate(Node("or", children=[
                self._clause_node(c, searcher) for c in parsed.negations]))[0]
        if parsed.empty:
            if not filters and not (date_from or date_to):
                return result
            result.mode = "browse"
            sort = "newest" if sort == "relevance" else sort
            matched, scores = scope, np.zeros(engine.size, dtype=np.float32)
            partial, partial_scores = np.zeros(engine.size, dtype=bool), scores
        else:
            evaluate = lambda node: engine.evaluate(node, self._local.memo)  # noqa: E731
            groups = [self._group_node(g, searcher) for g in parsed.groups]
            matched, scores = scope.copy(), np.zeros(engine.size, dtype=np.float32)
            for node in groups:
                mask, s = evaluate(node)
                matched &= mask
                scores += s
            loose = self._loose_nodes(parsed, searcher)
            partial = np.zeros(engine.size, dtype=bool)
            partial_scores = scores
            if len(loose) > 1:
                # refs #14: units with only some of the words (or a phrase's words apart)
                # are ranked with those with all of them, by a coordination factor
                answers = [evaluate(node) for node in loose]
                either, partial_scores = rank.coordinated(
                    [a[0] for a in answers], [a[1] for a in answers], matched, scores, scope)
                partial = either & ~matched
                if not matched.any() and partial.any():
                    result.mode = "some"
                    result.notice = ("Ingen träff innehöll alla orden. Visar träffar som "
                                     "innehåller några av dem.")
        result.total_all = int(matched.sum())
        result.total = result.total_all + int(partial.sum())
        result.facets = self._facets(columns, matched if result.total_all else partial, filters)
        wanted = self._wanted_terms(parsed)
        offset, end = (page - 1) * page_size, page * page_size
        ranked: list[tuple[int, float, str]] = []
        if partial.any():
            final = partial_scores * columns.prior
            top = self._top(matched | partial, final, columns, end, sort)
            ranked += [(d, float(final[d]), "all" if matched[d] else "some")
                       for d in top[offset:]]
        elif offset < result.total_all:
            final = scores * columns.prior
            top = self._top(matched, final, columns, end, sort)
            ranked += [(d, float(final[d]), "all") for d in top[offset:]]
        memo: dict = {}          # word -> how it matched, shared by the hits of this page
        budget = self._local.budget
        for docnum, score, how in ranked:
            result.hits.append(self._hit(searcher, docnum, score, wanted, how, memo, budget))
        if result.total < 3 and not parsed.empty and not budget.late():
            result.suggestion = self._suggest(searcher, parsed, result.total_all)
        if budget.cut:
            result.timed_out = True
            result.notice = f"{result.notice} {TIMED_OUT}".strip()
        return result

    # --- building queries ----------------------------------------------------------------
    @staticmethod
    def _resolved(parsed: ParsedQuery, engine: Engine) -> ParsedQuery:
        """refs #14: a case number typed with a lower-case prefix ('ks 2024 744') is read as
        one when the index holds that case, else as the words typed ('budget 2024 15')."""
        if not any(c.words for g in parsed.groups for c in g):
            return parsed
        groups = []
        for group in parsed.groups:
            clause = group[0]
            if len(group) == 1 and clause.kind == "dnr" and clause.words \
                    and not engine.doc_frequency("dnr", clause.value):
                groups += [[Clause("word", w)] for w in clause.words]
            else:
                groups.append(group)
        return replace(parsed, groups=groups)

    def _group_node(self, group: list[Clause], searcher) -> Node:
        nodes = [self._clause_node(c, searcher) for c in group]
        return nodes[0] if len(nodes) == 1 else Node("or", children=nodes)

    def _clause_node(self, clause: Clause, searcher) -> Node:
        if clause.kind == "word":
            return word_node(clause.value)
        if clause.kind == "phrase":
            return self._phrase_node(clause.value, self._local.engine)
        if clause.kind == "dnr":
            from archive import dnr_key
            key = dnr_key(clause.value) or clause.value.lower()
            pairs = [("dnr", key, W_DNR)]
            if not key[0].isdigit():
                pairs.append(("dnr", key.split("-", 1)[1], W_DNR / 3))
            return term_node(*pairs)
        if clause.kind == "paragraph":
            return term_node(("paragraph", clause.value, W_PARAGRAPH))
        if clause.kind in ("prefix", "fuzzy"):
            words = self._expanded(searcher, clause.value, prefix=clause.kind == "prefix")
            return term_node(*[("text", w, W_EXACT) for w in words])
        raise QueryError("Okänd del av sökningen.")

    def _budget(self) -> Budget:
        budget = getattr(self._local, "budget", None)
        return budget if budget is not None else Budget(self.time_limit_ms)

    def _phrase_node(self, words: list[str], engine: Engine) -> Node:
        """Each word in any of its forms, in order ("godkänner delårsrapporten" also matches
        "godkände delårsrapport"), scored as its words are (text, title, decision).

        Positions are checked only for units that hold every word (engine.phrase_docs), the
        one slow path of a search; SEARCH_TIME_LIMIT_MS stops it, and the page says so."""
        forms = [[term for term, _ in word_terms(word)] for word in words]
        budget = self._budget()
        docs, complete = engine.phrase_docs("text", forms, budget.deadline)
        if not complete:
            budget.cut = True
        _, scores = engine.evaluate(Node("and", children=[word_node(w) for w in words]),
                                    getattr(self._local, "memo", None))
        return Node("docs", docs=(docs, scores[docs] if len(docs) else scores[:0]))

    def _loose_nodes(self, parsed: ParsedQuery, searcher) -> list[Node]:
        """Every word on its own, phrases taken apart: the query for partial matches."""
        loose = []
        for group in parsed.groups:
            for clause in group:
                if clause.kind == "phrase":
                    loose += [word_node(w) for w in clause.value]
                else:
                    loose.append(self._clause_node(clause, searcher))
        return loose

    def _expanded(self, searcher, word: str, prefix: bool) -> list[str]:
        """ord* and ord~, capped so a short prefix cannot expand to the whole vocabulary,
        and stopped by the time limit (a prefix still gets its first MIN_EXPANSION terms)."""
        budget = self._budget()
        if prefix:
            found = []
            for term in searcher.reader().expand_prefix("text", word):
                found.append(term.decode() if isinstance(term, bytes) else term)
                if len(found) >= MAX_EXPANSION or \
                        (len(found) >= MIN_EXPANSION and budget.late()):
                    break
            return found
        if budget.late():
            return [word]
        return list(dict.fromkeys([word] + self._corrections(word, MAX_EXPANSION // 4)))

    def _corrections(self, word: str, limit: int) -> list[str]:
        """Frequent words of the index within edit distance 1–2, nearest and most frequent
        first (index/suggest.py; none while the generation's lexicon is being built)."""
        lexicon = self._lexicon
        if lexicon is None:
            return []
        return lexicon.similar(word, 2 if len(word) > 4 else 1, limit)

    def _filter_mask(self, filters, date_from, date_to, columns: _Columns,
                     engine: Engine) -> np.ndarray:
        mask = engine.alive.copy()
        for name, values in filters.items():
            if name in ("dnr", "paragraph"):
                nodes = [self._clause_node(Clause(name, v.replace(" ", "") if name == "paragraph"
                                                  else v), None) for v in values]
                mask &= engine.evaluate(Node("or", children=nodes))[0]
                continue
            if name not in FACETS:
                continue
            vocab = columns.values.get(name, [])
            wanted: set[int] = set()
            for value in values:
                if value in vocab:
                    wanted.add(vocab.index(value))
                else:  # typed filters ("organ:valnämnden") match loosely on the vocabulary
                    folded = analysis.fold(value)
                    wanted.update(i for i, v in enumerate(vocab) if v and folded in analysis.fold(v))
            mask &= np.isin(columns.codes[name], np.fromiter(wanted, dtype=np.int32))
        if date_from or date_to:
            dates = columns.dates
            low, high = date_from or "0000", (date_to or "9999") + "\uffff"
            mask &= (dates >= low) & (dates <= high) & (dates != "")
        return mask

    @staticmethod
    def _top(mask: np.ndarray, scores: np.ndarray, columns: _Columns, limit: int,
             sort: str) -> list[int]:
        """The first `limit` documents of the mask, by score or by date (ties by docnum)."""
        ids = np.flatnonzero(mask)
        if not len(ids) or limit <= 0:
            return []
        if sort in ("newest", "oldest"):
            rank = columns.date_rank[ids].astype(np.int64)
            if sort == "newest":
                rank = -rank
            rank[columns.dates[ids] == ""] = len(columns.dates) + 1      # undated last
            order = np.lexsort((ids, -scores[ids], rank))
            return [int(d) for d in ids[order[:limit]]]
        s = scores[ids]
        if len(ids) > limit:
            part = np.argpartition(-s, limit - 1)[:limit]
        else:
            part = np.arange(len(ids))
        order = part[np.lexsort((ids[part], -s[part]))]
        return [int(d) for d in ids[order]]

    def _facets(self, columns: _Columns, matched: np.ndarray, filters) -> dict[str, list[dict]]:
        out = {}
        ids = np.flatnonzero(matched)     # once: gathering by ids beats a mask five times over
        for name in FACETS:
            codes = columns.codes[name]
            values = columns.values[name]
            counts = np.bincount(codes[ids], minlength=len(values))
            shown = np.flatnonzero(counts)
            if len(shown) > FACET_LIMIT + 1:     # a meeting facet has thousands of values:
                k = len(shown) - FACET_LIMIT - 1  # keep those as frequent as the 13th (one
                least = np.partition(counts[shown], k)[k]   # value may be empty), ties too
                shown = shown[counts[shown] >= least]
            order = shown[np.lexsort((shown, -counts[shown]))]   # most first, then by code
            rows = []
            selected = set(filters.get(name, []))
            for code in order:
                if len(rows) >= FACET_LIMIT:
                    break
                if values[code]:
                    rows.append({"value": values[code], "count": int(counts[code]),
                                 "selected": values[code] in selected})
            if name == "year":
                rows.sort(key=lambda r: r["value"], reverse=True)
            out[name] = rows
        return out

    @staticmethod
    def _wanted_terms(parsed: ParsedQuery) -> dict[str, set[str]]:
        wanted = {"exact": set(), "stem": set(), "folded": set()}
        for group in parsed.groups:
            for clause in group:
                words = clause.value if isinstance(clause.value, list) else [clause.value]
                if clause.kind not in ("word", "phrase", "prefix", "fuzzy"):
                    continue
                for word in words:
                    terms = analysis.query_terms(word)
                    wanted["exact"].add(word)
                    wanted["stem"].update(terms["stem"])
                    wanted["folded"].update(terms["folded"])
        return wanted

    def _hit(self, searcher, docnum: int, score: float, wanted, mode: str,
             memo: dict | None = None, budget: Budget | None = None) -> SearchHit:
        stored = searcher.stored_fields(docnum)
        text = stored.get("text") or ""
        memo = {} if memo is None else memo
        if budget is not None and budget.late():
            spans, title_spans = [], []      # out of time: the snippet unmarked (refs #13)
        else:   # bounded by the snippet window, not the unit's length (refs #13)
            spans = snippet_spans(text, wanted, memo)
            title_spans = snippet_spans(stored.get("title") or "", wanted, memo)
        return SearchHit(
            id=stored["id"], url=stored["url"], source=stored.get("source", ""),
            organisation=stored.get("organisation", ""), body=stored.get("body", ""),
            meeting=stored.get("meeting", ""), meeting_label=stored.get("meeting_label", ""),
            date=stored.get("date", ""), kind=stored.get("kind", ""),
            paragraph=stored.get("label") if (stored.get("label") or "").startswith("§") else None,
            page=stored.get("page"), title=stored.get("title", ""),
            snippet=make_snippet(text, spans), score=round(float(score), 4),
            unit=stored.get("unit", ""), match="some" if mode == "some" else "all",
            matched=explain(title_spans + spans), dnr=list(stored.get("dnr_display") or []))

    def _suggest(self, searcher, parsed: ParsedQuery, total: int) -> str:
        """'Menade du …?' from the index's own vocabulary, offered only when it finds more."""
        if len(parsed.groups) > MAX_SUGGEST_WORDS:
            return ""   # each unknown word costs a spelling search; long queries get none
        words, changed = [], False
        for group in parsed.groups:
            clause = group[0]
            if clause.kind != "word" or len(group) > 1:
                return ""
            word = clause.value
            if all(searcher.doc_frequency("text", t) == 0 for t, _ in word_terms(word)):
                options = self._corrections(word, 1)
                if options:
                    word, changed = options[0], True
            words.append(word)
        if not changed:
            return ""
        _, _, engine = self._current()
        found = int(engine.evaluate(Node("and", children=[word_node(w) for w in words]))[0].sum())
        return " ".join(words) if found > total else ""

    def more_like_this(self, unit_id: str, limit: int = 5) -> list[SearchHit]:
        """'Liknande ärenden': units sharing the most distinctive stems of this one."""
        searcher, columns, engine = self._current()
        docnum = searcher.document_number(id=unit_id)
        if docnum is None:
            return []
        text = (searcher.stored_fields(docnum).get("text") or "")[:MLT_CHARS]
        counts = Counter(t for _, t, _, _ in analysis.analyze(text)
                         if len(t) > 4 and t[0] == analysis.STEM)
        scored = [(tf * searcher.idf("text", term), term) for term, tf in counts.items()
                  if engine.doc_frequency("text", term) > 1]
        keywords = [term for _, term in sorted(scored, reverse=True)[:12]]
        if not keywords:
            return []
        mask, scores = engine.evaluate(term_node(*[("text", k, 1.0) for k in keywords]))
        mask[docnum] = False
        wanted = {"exact": set(), "stem": {k[1:] for k in keywords}, "folded": set()}
        return [self._hit(searcher, d, float(scores[d]), wanted, "some")
                for d in self._top(mask, scores, columns, limit, "relevance")]

    def stats(self) -> dict:
        searcher, _, _ = self._current()
        return {"units": searcher.doc_count(), "path": str(self._path)}


def highlight_query(text: str, query_text: str, id_prefix: str = "traff",
                    limit: int = HIGHLIGHT_CHARS) -> tuple[str, int]:
    """`text` as safe HTML with every form of the query's words marked (item pages, refs #4)
    in its first `limit` characters (refs #13: a page's cost is bounded)."""
    try:
        parsed = parse_query(query_text)
    except QueryError:
        return highlight_html(text, {"exact": set(), "stem": set(), "folded": set()}, id_prefix,
                              limit)
    return highlight_html(text, SearchIndex._wanted_terms(parsed), id_prefix, limit)


def word_terms(word: str) -> list[tuple[str, float]]:
    """The merged-field terms one query word matches, each with its weight (refs #3).

    The word as written weighs most; its stem (as a word, or marked '^' in inflected or
    compound words) next; folded forms ('~' where å/ä/ö were folded away, or plain where
    the text itself lacks them) least.
    """
    terms = analysis.query_terms(word)
    whole, stem = terms["exact"][0], terms["stem"][0]
    out: dict[str, float] = {whole: W_EXACT + (W_STEM if whole == stem else 0.0)}
    out.setdefault(analysis.STEM + stem, W_STEM)
    out.setdefault(stem, W_STEM)
    # refs #14: a word typed without å/ä/ö that the lexicon does not know ("valnamnden") is
    # a word with them typed plainly: its folded forms weigh as the word and its stem would
    # (a known word, or one typed with å/ä/ö: folded forms weigh least)
    bare = (whole.isalpha() and analysis.fold(whole) == whole
            and not analysis.is_known_word(whole))
    for folded in terms["folded"]:
        weight = W_FOLDED
        if bare:   # mirror the weights of the word as written and of its stem
            weight = out[whole] if folded == whole else W_STEM
        for term in (analysis.FOLD + folded, folded, analysis.STEM + folded):
            out[term] = max(out.get(term, 0.0), weight)
    return list(out.items())


def word_node(word: str) -> Node:
    """One query word in the text, title and decision fields, plus its compound parts."""
    triples = []
    for term, weight in word_terms(word):
        triples += [("text", term, weight), ("title", term, weight * W_TITLE),
                    ("decision", term, weight * W_DECISION)]
    node = term_node(*triples)
    node.key = ("word", word)
    parts = analysis.query_terms(word)["parts"]
    if len(parts) > 1:
        # a compound typed whole also finds its parts written apart ("avfallstaxa" ~ "taxa för avfall")
        together = Node("and", boost=W_PART, children=[
            term_node(("text", analysis.STEM + p, 1.0), ("text", p, 1.0),
                      ("title", analysis.STEM + p, 1.0), ("title", p, 1.0),
                      ("text", analysis.FOLD + analysis.fold(p), W_FOLDED)) for p in parts])
        node = Node("or", children=[node, together], key=("word+parts", word))
    return node
