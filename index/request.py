"""One search, as an object: its index generation, time budget and memo, passed explicitly.

A SearchRequest is made per search (SearchIndex.search) and holds what the parts of that
search share: the generation it reads (searcher, engine, columns and lexicon, so that a
suggestion scores against the same index as the hits), the Budget of SEARCH_TIME_LIMIT_MS
and the memo of words already answered. Nothing of it outlives the search, and no state
lives in the thread (refs #16). Matching and scoring run on numpy arrays in engine.py;
facet values are per-document integer arrays counted in bulk over the matching set (refs #6).
"""
from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np

from . import analysis, rank, synonyms
from .budget import Budget
from .engine import Node, terms as term_node
from .errors import QueryError
from .generation import Generation
from .highlight import explain, make_snippet, snippet_spans
from .query import Clause, ParsedQuery
from .results import SearchHit, SearchResult
from .schema import FACETS
from .words import (W_DNR, W_EXACT, W_PARAGRAPH, W_STEM, wanted_terms, word_node,
                    word_terms)

MAX_EXPANSION = 64          # terms a prefix or fuzzy word may expand to
MIN_EXPANSION = 8           # terms a prefix expands to even when the time is up
FACET_LIMIT = 12
YEAR = re.compile(r"(?:19|20)\d\d")
W_SYNONYM = 0.5           # an abbreviation's expansion beside the abbreviation typed
MIN_CORRECTED = 5         # shorter words have too many neighbours to guess between
LONG_WORD = 8             # from this length two edits, below it one (as Lucene's AUTO)
MAX_CORRECTIONS = 3       # spellings a word that finds nothing is read as
W_CORRECTED = 0.7         # their weight beside a word typed right
MAX_SUGGEST_WORDS = 4       # 'Menade du …?' only for short queries (refs #7)
TIMED_OUT = ("Sökningen tog för lång tid och avbröts; träfflistan kan vara ofullständig. "
             "Förfina gärna sökningen med fler ord eller ett filter.")


class SearchRequest:
    """One search over one generation, within one budget."""

    def __init__(self, generation: Generation, budget: Budget):
        self.generation = generation
        self.searcher, self.engine = generation.searcher, generation.engine
        self.columns = generation.columns
        self.lexicon = generation.lexicon     # as at the start: the whole search uses one
        self.budget = budget
        self.memo: dict = {}      # a word's answer, shared by the parts of this search
        self.corrected: dict[str, str] = {}    # a word that found nothing -> its nearest

    # --- the whole search ----------------------------------------------------------------
    def run(self, parsed: ParsedQuery, text: str, filters, page: int, page_size: int,
            sort: str, date_from: str, date_to: str) -> SearchResult:
        """Top hits of one page with snippets, total and facet counts."""
        engine = self.engine
        parsed = self.resolved(parsed)
        filters = {k: list(v) for k, v in (filters or {}).items() if v}
        for name, values in parsed.filters.items():
            filters.setdefault(name, []).extend(values)
        date_from = parsed.date_from or date_from
        date_to = parsed.date_to or date_to
        page = max(1, page)
        result = SearchResult(query=text, total=0, hits=[], facets={}, page=page,
                              page_size=page_size)
        scope = self.filter_mask(filters, date_from, date_to)
        if parsed.negations:
            scope &= ~engine.evaluate(Node("or", children=[
                self.clause_node(c) for c in parsed.negations]))[0]
        if parsed.empty:
            if not filters and not (date_from or date_to):
                return result
            result.mode = "browse"
            sort = "newest" if sort == "relevance" else sort
            scores = np.zeros(engine.size, dtype=np.float32)
            found = (scope, scores, np.zeros(engine.size, dtype=bool), scores)
        else:
            found = self._match(parsed, scope, result)
        matched, scores, partial, partial_scores = found
        result.total_all = int(matched.sum())
        result.total = result.total_all + int(partial.sum())
        result.facets = self.facets(matched if result.total_all else partial, filters)
        wanted = wanted_terms(parsed)
        memo: dict = {}          # word -> how it matched, shared by the hits of this page
        for docnum, score, how in self._ranked(found, result.total_all, page, page_size, sort):
            result.hits.append(self.hit(docnum, score, wanted, how, memo))
        if (result.total < 3 or self.corrected) and not parsed.empty \
                and not self.budget.late():
            result.suggestion = self.suggest(parsed, result.total_all)
        if self.budget.cut:
            result.timed_out = True
            result.notice = f"{result.notice} {TIMED_OUT}".strip()
        return result

    def _match(self, parsed: ParsedQuery, scope: np.ndarray, result: SearchResult) -> tuple:
        """(units with every word, their scores, units with only some, the scores of both)."""
        engine = self.engine
        matched, scores = scope.copy(), np.zeros(engine.size, dtype=np.float32)
        for node in [self.group_node(g) for g in parsed.groups]:
            mask, s = self.evaluate(node)
            matched &= mask
            scores += s
        loose = self.loose_nodes(parsed)
        partial = np.zeros(engine.size, dtype=bool)
        partial_scores = scores
        if len(loose) > 1:
            # refs #14: units with only some of the words (or a phrase's words apart)
            # are ranked with those with all of them, by a coordination factor
            answers = [self.evaluate(node) for node in loose]
            either, partial_scores = rank.coordinated(
                [a[0] for a in answers], [a[1] for a in answers], matched, scores, scope)
            partial = either & ~matched
            if not matched.any() and partial.any():
                result.mode = "some"
                # refs #17: no count here, so no plural to get wrong; the heading counts
                result.notice = ("Ingen träff innehöll alla orden. Det som visas innehåller "
                                 "några av dem.")
        return matched, scores, partial, partial_scores

    def _ranked(self, found: tuple, total_all: int, page: int, page_size: int,
                sort: str) -> list[tuple[int, float, str]]:
        """(docnum, score, 'all' or 'some') of the page's hits."""
        matched, scores, partial, partial_scores = found
        offset, end = (page - 1) * page_size, page * page_size
        prior = self.columns.prior
        if partial.any():
            final = partial_scores * prior
            top = self.top(matched | partial, final, end, sort)
            return [(d, float(final[d]), "all" if matched[d] else "some") for d in top[offset:]]
        if offset < total_all:
            final = scores * prior
            top = self.top(matched, final, end, sort)
            return [(d, float(final[d]), "all") for d in top[offset:]]
        return []

    def evaluate(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """engine.evaluate with this search's memo."""
        return self.engine.evaluate(node, self.memo)

    # --- building queries ----------------------------------------------------------------
    def group_node(self, group: list[Clause]) -> Node:
        nodes = [self.clause_node(c) for c in group]
        return nodes[0] if len(nodes) == 1 else Node("or", children=nodes)

    def resolved(self, parsed: ParsedQuery) -> ParsedQuery:
        """refs #14: a case number typed with a lower-case prefix ('ks 2024 744') is read as
        one when the index holds that case, else as the words typed ('budget 2024 15')."""
        if not any(c.words for g in parsed.groups for c in g):
            return parsed
        groups = []
        for group in parsed.groups:
            clause = group[0]
            if len(group) == 1 and clause.kind == "dnr" and clause.words \
                    and not self.engine.doc_frequency("dnr", clause.value):
                groups += [[Clause("word", w)] for w in clause.words]
            else:
                groups.append(group)
        return replace(parsed, groups=groups)

    def clause_node(self, clause: Clause) -> Node:
        if clause.kind == "word":
            return self.spelled_node(clause.value)
        if clause.kind == "phrase":
            return self.phrase_node(clause.value)
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
            words = self.expanded(clause.value, prefix=clause.kind == "prefix")
            return term_node(*[("text", w, W_EXACT) for w in words])
        raise QueryError("Okänd del av sökningen.")

    def spelled_node(self, word: str) -> Node:
        """A word as typed; one that finds nothing at all, in any form or part, also finds
        the index's words nearest in spelling ('narkotikapoltik' → 'narkotikapolitik'),
        weighed below a word typed right (refs #14). A word of the index is never
        corrected, and nothing is when the time is short."""
        if YEAR.fullmatch(word):
            return self.year_node(word)
        restore = self.lexicon.restore if self.lexicon is not None else None
        node = word_node(word, restore)
        longs = synonyms.expansions(word)
        if longs:      # 'IFO' also finds 'individ- och familjeomsorg' (index/synonyms.py)
            spelled_out = Node("or", boost=W_SYNONYM, children=[
                Node("and", children=[word_node(w) for w in words]) for words in longs])
            return Node("or", children=[node, spelled_out], key=("abbreviation", word))
        if len(word) < MIN_CORRECTED or not word.isalpha() or self.budget.late() \
                or self.evaluate(node)[0].any():
            return node
        distance = 1 if len(word) < LONG_WORD else 2
        options = self.lexicon.similar(word, distance, MAX_CORRECTIONS) if self.lexicon else []
        if not options:
            return node
        self.corrected[word] = options[0]
        nearest = Node("or", boost=W_CORRECTED, children=[word_node(o) for o in options])
        return Node("or", children=[node, nearest], key=("spelled", word))

    def year_node(self, year: str) -> Node:
        """A year typed among the words ('lex Sarah 2026') also finds the units of that
        year's meetings and documents, scored as one mention of a term that common would
        be; a unit that also names the year in its text gets both (refs #14)."""
        dates = self.columns.dates
        dated = np.flatnonzero((dates >= year) & (dates < str(int(year) + 1)) & self.engine.alive)
        typed = word_node(year)
        if not len(dated):
            return typed
        idf = math.log(self.engine.count / (len(dated) + 1)) + 1.0
        scores = np.full(len(dated), W_STEM * max(idf, 0.0), dtype=np.float32)
        return Node("or", children=[typed, Node("docs", docs=(dated, scores))],
                    key=("year", year))

    def phrase_node(self, words: list[str]) -> Node:
        """Each word in any of its forms, in order ("godkänner delårsrapporten" also matches
        "godkände delårsrapport"), scored as its words are (text, title, decision).

        Positions are checked only for units that hold every word (engine.phrase_docs), the
        one slow path of a search; SEARCH_TIME_LIMIT_MS stops it, and the page says so."""
        forms = [[term for term, _ in word_terms(word)] for word in words]
        docs, complete = self.engine.phrase_docs("text", forms, self.budget.deadline)
        if not complete:
            self.budget.cut = True
        _, scores = self.evaluate(Node("and", children=[word_node(w) for w in words]))
        return Node("docs", docs=(docs, scores[docs] if len(docs) else scores[:0]))

    def loose_nodes(self, parsed: ParsedQuery) -> list[Node]:
        """Every word on its own, phrases taken apart: the query for partial matches."""
        loose = []
        for group in parsed.groups:
            for clause in group:
                if clause.kind == "phrase":
                    loose += [word_node(w) for w in clause.value]
                else:
                    loose.append(self.clause_node(clause))
        return loose

    def expanded(self, word: str, prefix: bool) -> list[str]:
        """ord* and ord~, capped so a short prefix cannot expand to the whole vocabulary,
        and stopped by the time limit (a prefix still gets its first MIN_EXPANSION terms)."""
        budget = self.budget
        if prefix:
            found = []
            for term in self.searcher.expand_prefix("text", word):
                found.append(term)
                if len(found) >= MAX_EXPANSION or \
                        (len(found) >= MIN_EXPANSION and budget.late()):
                    break
            return found
        if budget.late():
            return [word]
        return list(dict.fromkeys([word] + self.corrections(word, MAX_EXPANSION // 4)))

    def corrections(self, word: str, limit: int) -> list[str]:
        """Frequent words of the index within edit distance 1–2, nearest and most frequent
        first (index/suggest.py; none while the generation's lexicon is being built)."""
        if self.lexicon is None:
            return []
        return self.lexicon.similar(word, 2 if len(word) > 4 else 1, limit)

    # --- narrowing, ranking, counting ----------------------------------------------------
    def filter_mask(self, filters, date_from, date_to) -> np.ndarray:
        engine, columns = self.engine, self.columns
        mask = engine.alive.copy()
        for name, values in filters.items():
            if name in ("dnr", "paragraph"):
                nodes = [self.clause_node(Clause(name, v.replace(" ", "") if name == "paragraph"
                                                 else v)) for v in values]
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
                    wanted.update(i for i, v in enumerate(vocab)
                                  if v and folded in analysis.fold(v))
            mask &= np.isin(columns.codes[name], np.fromiter(wanted, dtype=np.int32))
        if date_from or date_to:
            dates = columns.dates
            low, high = date_from or "0000", (date_to or "9999") + "\uffff"
            mask &= (dates >= low) & (dates <= high) & (dates != "")
        return mask

    def top(self, mask: np.ndarray, scores: np.ndarray, limit: int, sort: str) -> list[int]:
        """The first `limit` documents of the mask, by score or by date (ties by docnum)."""
        columns = self.columns
        ids = np.flatnonzero(mask)
        if not len(ids) or limit <= 0:
            return []
        if sort in ("newest", "oldest"):
            order_rank = columns.date_rank[ids].astype(np.int64)
            if sort == "newest":
                order_rank = -order_rank
            order_rank[columns.dates[ids] == ""] = len(columns.dates) + 1      # undated last
            order = np.lexsort((ids, -scores[ids], order_rank))
            return [int(d) for d in ids[order[:limit]]]
        s = scores[ids]
        if len(ids) > limit:
            part = np.argpartition(-s, limit - 1)[:limit]
        else:
            part = np.arange(len(ids))
        order = part[np.lexsort((ids[part], -s[part]))]
        return [int(d) for d in ids[order]]

    def facets(self, matched: np.ndarray, filters) -> dict[str, list[dict]]:
        columns = self.columns
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

    # --- what is shown -------------------------------------------------------------------
    def hit(self, docnum: int, score: float, wanted, mode: str, memo: dict | None = None,
            timed: bool = True) -> SearchHit:
        """A hit with its snippet; out of time (when timed), the snippet stays unmarked."""
        stored = self.searcher.stored_fields(docnum)
        text = stored.get("text") or ""
        memo = {} if memo is None else memo
        if timed and self.budget.late():
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
            matched=explain(title_spans + spans), dnr=list(stored.get("dnr_display") or []),
            label=stored.get("label") or None)

    def suggest(self, parsed: ParsedQuery, total: int) -> str:
        """'Menade du …?' from the index's own vocabulary, offered only when it finds more
        (counted in this search's generation), or always for a word that found nothing and
        was searched for in its nearest spelling as well (spelled_node)."""
        if len(parsed.groups) > MAX_SUGGEST_WORDS:
            return ""   # each unknown word costs a spelling search; long queries get none
        words, changed, known = [], False, False
        for group in parsed.groups:
            clause = group[0]
            if clause.kind != "word" or len(group) > 1:
                return ""
            word = clause.value
            if word in self.corrected:      # already searched for as well: say which word
                words.append(self.corrected[word])
                changed = known = True
                continue
            if all(self.searcher.doc_frequency("text", t) == 0 for t, _ in word_terms(word)):
                options = self.corrections(word, 1)
                if options:
                    word, changed = options[0], True
            words.append(word)
        if not changed:
            return ""
        if known:
            return " ".join(words)
        found = self.engine.evaluate(Node("and", children=[word_node(w) for w in words]))[0]
        return " ".join(words) if int(found.sum()) > total else ""
