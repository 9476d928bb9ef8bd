"""Searching: query → Whoosh query, top hits with snippets, total and facet counts.

Facet values are kept as compact per-document integer arrays, rebuilt once per index
generation, and counted in bulk over the matching set with numpy (refs #6): Whoosh's own
`groupedby` facets are the known slow spot.
"""
from __future__ import annotations

import threading
from collections import Counter
import time
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from . import analysis
from .errors import QueryError
from .highlight import explain, highlight_html, make_snippet, match_forms
from .query import Clause, ParsedQuery, parse_query
from .schema import FACET_FIELDS, FACETS
from .store import current_dir, open_current

# Field weights: exact form > stem > compound part > folded letters; title, decision and
# case number count more than body text (refs #3).
W_EXACT, W_STEM, W_PART, W_FOLDED = 1.6, 1.0, 0.6, 0.45
W_TITLE, W_DECISION, W_DNR, W_PARAGRAPH = 2.2, 0.8, 6.0, 4.0     # multipliers / weights
MAX_EXPANSION = 64          # terms a prefix or fuzzy word may expand to
FACET_LIMIT = 12


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


class _Columns:
    """Per-document facet codes for one searcher generation."""

    def __init__(self, searcher):
        reader = searcher.reader()
        self.values: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name in FACETS:
            try:
                column = list(reader.column_reader(FACET_FIELDS[name]))
            except NotImplementedError:  # an empty index has no columns
                column = []
            vocab: dict[str, int] = {}
            codes = np.fromiter((vocab.setdefault(v, len(vocab)) for v in column),
                                dtype=np.int32, count=len(column))
            self.values[name] = list(vocab)
            self.codes[name] = codes


class SearchIndex:
    """The serving index of one data directory; thread-safe, reopens after a reindex."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._searcher = None
        self._path = None
        self._columns: _Columns | None = None
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
                return self._searcher, self._columns
            self._checked = now
            path = current_dir(self.data_dir)
            if self._searcher is not None and path == self._path and self._searcher.up_to_date():
                return self._searcher, self._columns
            ix, path = open_current(self.data_dir)
            old = self._searcher
            self._searcher = ix.searcher(weighting=BM25F(B=0.6, K1=1.2))
            self._path = path
            self._columns = _Columns(self._searcher)
            # the old searcher may still be in use by another thread; it is dropped, not closed
            del old
            return self._searcher, self._columns

    # ---------------------------------------------------------------------------------
    def search(self, text: str, *, filters: dict[str, list[str]] | None = None, page: int = 1,
               page_size: int = 10, sort: str = "relevance", date_from: str = "",
               date_to: str = "") -> SearchResult:
        """The full search the web page does: top hits with snippets, total, facets."""
        started = time.perf_counter()
        parsed = parse_query(text)
        searcher, columns = self._current()
        filters = {k: list(v) for k, v in (filters or {}).items() if v}
        for name, values in parsed.filters.items():
            filters.setdefault(name, []).extend(values)
        date_from = parsed.date_from or date_from
        date_to = parsed.date_to or date_to
        restrict = self._filter_query(filters, date_from, date_to, columns)
        negation = self._negation(parsed, searcher)
        page = max(1, page)
        result = SearchResult(query=text, total=0, hits=[], facets={}, page=page,
                              page_size=page_size)
        if parsed.empty:
            if restrict is None and not filters:
                return result
            main, result.mode = wq.Every(), "browse"
            sort = "newest" if sort == "relevance" else sort
        else:
            groups = [self._group_query(g, searcher) for g in parsed.groups]
            main = wq.And(groups) if len(groups) > 1 else groups[0]
        full = self._scoped(main, restrict, negation)
        matched = self._docnums(searcher, full)
        partial_q, partial = None, np.zeros(0, dtype=np.int64)
        loose = self._loose_clauses(parsed, searcher)
        if len(loose) > 1:
            # refs #3: units with only some of the words (or a phrase's words apart) follow
            # those with all of them
            partial_q = self._scoped(wq.AndNot(wq.Or(loose), main), restrict, negation)
            partial = self._docnums(searcher, partial_q)
            if not len(matched):
                result.mode = "some"
                result.notice = ("Ingen träff innehöll alla orden. Visar träffar som innehåller "
                                 "några av dem.")
        result.total_all = int(len(matched))
        result.total = int(len(matched) + len(partial))
        result.facets = self._facets(columns, matched if len(matched) else partial, filters)
        wanted = self._wanted_terms(parsed)
        offset, end = (page - 1) * page_size, page * page_size
        ranked: list[tuple[int, float, str]] = []
        if offset < len(matched):
            ranked += [(d, sc, "all") for d, sc in self._top(searcher, full, end, sort)[offset:]]
        if len(ranked) < page_size and len(partial) and end > len(matched):
            skip = max(0, offset - len(matched))
            top = self._top(searcher, partial_q, skip + page_size - len(ranked), sort)
            ranked += [(d, sc, "some") for d, sc in top[skip:]]
        for docnum, score, how in ranked:
            result.hits.append(self._hit(searcher, docnum, score, wanted, how))
        if result.total < 3 and not parsed.empty:
            result.suggestion = self._suggest(searcher, parsed, result.total_all)
        result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return result

    # --- building queries ----------------------------------------------------------------
    def _group_query(self, group: list[Clause], searcher):
        subs = [self._clause_query(c, searcher) for c in group]
        subs = [s for s in subs if s is not None]
        if not subs:
            return wq.NullQuery
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def _clause_query(self, clause: Clause, searcher):
        if clause.kind == "word":
            return word_query(clause.value)
        if clause.kind == "phrase":
            words = clause.value
            # each word in any of its forms, in order: "godkänner delårsrapporten" also
            # matches "godkände delårsrapport"; the exact wording scores highest
            sequence = wq.Sequence([wq.Or([wq.Term("text", t, boost=w) for t, w in word_terms(x)])
                                    for x in words])
            title = wq.And([wq.Or([wq.Term("title", t, boost=w * W_TITLE)
                                   for t, w in word_terms(x)]) for x in words])
            return wq.AndMaybe(sequence, title)
        if clause.kind == "dnr":
            from archive import dnr_key
            key = dnr_key(clause.value) or clause.value.lower()
            alts = [wq.Term("dnr", key, boost=W_DNR)]
            if not key[0].isdigit():
                alts.append(wq.Term("dnr", key.split("-", 1)[1], boost=W_DNR / 3))
            return wq.Or(alts)
        if clause.kind == "paragraph":
            return wq.Term("paragraph", clause.value, boost=W_PARAGRAPH)
        if clause.kind == "prefix":
            return self._expanded(searcher, clause.value, prefix=True)
        if clause.kind == "fuzzy":
            return self._expanded(searcher, clause.value, prefix=False)
        raise QueryError("Okänd del av sökningen.")

    def _loose_clauses(self, parsed: ParsedQuery, searcher) -> list:
        """Every word on its own, phrases taken apart: the query for partial matches."""
        loose = []
        for group in parsed.groups:
            for clause in group:
                if clause.kind == "phrase":
                    loose += [word_query(w) for w in clause.value]
                else:
                    loose.append(self._clause_query(clause, searcher))
        return loose

    def _expanded(self, searcher, word: str, prefix: bool):
        """ord* and ord~, capped so a short prefix cannot expand to the whole vocabulary."""
        reader = searcher.reader()
        if prefix:
            terms = []
            for term in reader.expand_prefix("text", word):
                terms.append(term.decode() if isinstance(term, bytes) else term)
                if len(terms) >= MAX_EXPANSION:
                    break
        else:
            terms = [word] + self._corrections(searcher, word, MAX_EXPANSION // 4)
        if not terms:
            return wq.NullQuery
        return wq.Or([wq.Term("text", t, boost=W_EXACT) for t in dict.fromkeys(terms)])

    @staticmethod
    def _corrections(searcher, word: str, limit: int) -> list[str]:
        """Words of the index within edit distance 1–2 (marked stems and folds left out)."""
        corrector = searcher.corrector("text")
        found = corrector.suggest(word, limit=limit * 3, maxdist=2 if len(word) > 4 else 1)
        return [t for t in found if t[:1] not in (analysis.STEM, analysis.FOLD)][:limit]

    def _negation(self, parsed: ParsedQuery, searcher):
        subs = [self._clause_query(c, searcher) for c in parsed.negations]
        subs = [s for s in subs if s is not None]
        return wq.Or(subs) if subs else None

    def _filter_query(self, filters, date_from, date_to, columns: _Columns):
        parts = []
        for name, values in filters.items():
            if name == "dnr":
                parts.append(wq.Or([self._clause_query(Clause("dnr", v), None) for v in values]))
                continue
            if name == "paragraph":
                parts.append(wq.Or([wq.Term("paragraph", v.replace(" ", "")) for v in values]))
                continue
            if name not in FACETS:
                continue
            terms = []
            vocab = columns.values.get(name, [])
            for value in values:
                if value in vocab:
                    terms.append(value)
                else:  # typed filters ("organ:valnämnden") match loosely on the vocabulary
                    wanted = analysis.fold(value)
                    terms.extend(v for v in vocab if v and wanted in analysis.fold(v))
            field_name = FACET_FIELDS[name]
            parts.append(wq.Or([wq.Term(field_name, t) for t in terms]) if terms else wq.NullQuery)
        if date_from or date_to:
            parts.append(wq.TermRange("date", date_from or "0000", (date_to or "9999") + "\uffff",
                                      constantscore=True))
        if not parts:
            return None
        return wq.ConstantScoreQuery(wq.And(parts) if len(parts) > 1 else parts[0], score=0.0)

    @staticmethod
    def _scoped(main, restrict, negation):
        full = wq.And([main, restrict]) if restrict is not None else main
        return wq.AndNot(full, negation) if negation is not None else full

    # --- running ----------------------------------------------------------------------------
    @staticmethod
    def _docnums(searcher, q) -> np.ndarray:
        return np.fromiter(searcher.docs_for_query(q), dtype=np.int64)

    @staticmethod
    def _top(searcher, q, limit: int, sort: str):
        if sort in ("newest", "oldest"):
            results = searcher.search(q, limit=limit, sortedby="date", reverse=sort == "newest")
        else:
            results = searcher.search(q, limit=limit)
        # when sorting by date, Whoosh puts the sort key where the score would be
        return [(hit.docnum, hit.score if isinstance(hit.score, (int, float)) else 0.0)
                for hit in results]

    def _facets(self, columns: _Columns, matched: np.ndarray, filters) -> dict[str, list[dict]]:
        out = {}
        for name in FACETS:
            codes = columns.codes[name]
            values = columns.values[name]
            counts = np.bincount(codes[matched], minlength=len(values)) if len(matched) else \
                np.zeros(len(values), dtype=np.int64)
            order = np.argsort(-counts, kind="stable")
            rows = []
            selected = set(filters.get(name, []))
            for code in order:
                if counts[code] == 0 or len(rows) >= FACET_LIMIT:
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

    def _hit(self, searcher, docnum: int, score: float, wanted, mode: str) -> SearchHit:
        stored = searcher.stored_fields(docnum)
        text = stored.get("text") or ""
        spans = match_forms(text, wanted)
        title_spans = match_forms(stored.get("title") or "", wanted)
        return SearchHit(
            id=stored["id"], url=stored["url"], source=stored.get("source", ""),
            organisation=stored.get("organisation", ""), body=stored.get("body", ""),
            meeting=stored.get("meeting", ""), meeting_label=stored.get("meeting_label", ""),
            date=stored.get("date", ""), kind=stored.get("kind", ""),
            paragraph=stored.get("label") if (stored.get("label") or "").startswith("§") else None,
            page=stored.get("page"), title=stored.get("title", ""),
            snippet=make_snippet(text, spans), score=round(float(score), 4),
            unit=stored.get("unit", ""), match="some" if mode == "some" else "all",
            matched=explain(title_spans + spans))

    def _suggest(self, searcher, parsed: ParsedQuery, total: int) -> str:
        """'Menade du …?' from the index's own vocabulary, offered only when it finds more."""
        words, changed = [], False
        for group in parsed.groups:
            clause = group[0]
            if clause.kind != "word" or len(group) > 1:
                return ""
            word = clause.value
            if all(searcher.doc_frequency("text", t) == 0 for t, _ in word_terms(word)):
                options = self._corrections(searcher, word, 1)
                if options:
                    word, changed = options[0], True
            words.append(word)
        if not changed:
            return ""
        found = len(self._docnums(searcher, wq.And([word_query(w) for w in words])))
        return " ".join(words) if found > total else ""

    def more_like_this(self, unit_id: str, limit: int = 5) -> list[SearchHit]:
        """'Liknande ärenden': items sharing the most distinctive terms of this one."""
        searcher, _ = self._current()
        docnum = searcher.document_number(id=unit_id)
        if docnum is None:
            return []
        text = searcher.stored_fields(docnum).get("text") or ""
        counts = Counter(t for _, t, _, _ in analysis.analyze(text)
                         if len(t) > 4 and t[0] == analysis.STEM)
        scored = [(tf * searcher.idf("text", term), term) for term, tf in counts.items()
                  if searcher.doc_frequency("text", term) > 1]
        keywords = [term for _, term in sorted(scored, reverse=True)[:12]]
        if not keywords:
            return []
        q = wq.AndNot(wq.Or([wq.Term("text", k) for k in keywords]), wq.Term("id", unit_id))
        wanted = {"exact": set(), "stem": {k[1:] for k in keywords}, "folded": set()}
        return [self._hit(searcher, hit.docnum, hit.score, wanted, "some")
                for hit in searcher.search(q, limit=limit)]

    def stats(self) -> dict:
        searcher, _ = self._current()
        return {"units": searcher.doc_count(), "path": str(self._path)}


def highlight_query(text: str, query_text: str, id_prefix: str = "traff") -> tuple[str, int]:
    """`text` as safe HTML with every form of the query's words marked (item pages, refs #4)."""
    try:
        parsed = parse_query(query_text)
    except QueryError:
        return highlight_html(text, {"exact": set(), "stem": set(), "folded": set()}, id_prefix)
    return highlight_html(text, SearchIndex._wanted_terms(parsed), id_prefix)


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
    for folded in terms["folded"]:
        for term in (analysis.FOLD + folded, folded, analysis.STEM + folded):
            out.setdefault(term, W_FOLDED)
    return list(out.items())


def word_query(word: str):
    """One query word in the text, title and decision fields, plus its compound parts."""
    subs = []
    for term, weight in word_terms(word):
        subs += [wq.Term("text", term, boost=weight),
                 wq.Term("title", term, boost=weight * W_TITLE),
                 wq.Term("decision", term, boost=weight * W_DECISION)]
    parts = analysis.query_terms(word)["parts"]
    if len(parts) > 1:
        # a compound typed whole also finds its parts written apart ("avfallstaxa" ~ "taxa för avfall")
        subs.append(wq.And([wq.Or([wq.Term("text", analysis.STEM + p), wq.Term("text", p),
                                   wq.Term("title", analysis.STEM + p)])
                            for p in parts], boost=W_PART))
    return wq.Or(subs)
