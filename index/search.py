"""The serving index of a data directory: the newest generation, opened once and shared by
threads, and a SearchRequest per search (index/request.py) that reads one generation only.

Whole answers are kept per generation (ANSWER_CACHE); a generation written without its
suggestion lexicon gets one built in the background.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace

from . import analysis
from .budget import Budget
from .engine import terms as term_node
from .errors import IndexDamaged, IndexMissing, QueryError
from .generation import Columns as _Columns, Generation  # noqa: F401  (_Columns: old name)
from .highlight import HIGHLIGHT_CHARS, highlight_html
from .query import ParsedQuery, parse_query
from .request import (FACET_LIMIT, MAX_EXPANSION, MAX_SUGGEST_WORDS,  # noqa: F401
                      MIN_EXPANSION, TIMED_OUT, SearchRequest)
from .results import SearchHit, SearchResult
from .store import DAMAGED, current_dir, damage, open_current
from .suggest import build_lexicon
from .words import (W_DECISION, W_DNR, W_EXACT, W_FOLDED, W_PARAGRAPH,  # noqa: F401
                    W_PART, W_STEM, W_TITLE, wanted_terms, word_node, word_terms)

__all__ = ["SearchHit", "SearchIndex", "SearchResult", "highlight_query", "word_node",
           "word_terms"]

MLT_CHARS = 20_000          # text 'Liknande ärenden' reads of a unit (refs #13: 50 MB units)
ANSWER_CACHE = 256          # whole answers kept per index generation: a search repeated, a
                            # page reloaded, a shared link opened by a whole team
TIME_LIMIT_MS = 2000        # default SEARCH_TIME_LIMIT_MS: the whole search stops here (refs #7, #13)


class SearchIndex:
    """The serving index of one data directory; thread-safe, reopens after a reindex."""

    def __init__(self, data_dir, time_limit_ms: int = TIME_LIMIT_MS):
        self.data_dir = data_dir
        self.time_limit_ms = time_limit_ms
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._checked = 0.0

    def close(self) -> None:
        with self._lock:
            if self._generation is not None:
                self._generation.searcher.close()
                self._generation = None

    def generation(self) -> Generation:
        """The newest committed generation (checked at most once a second)."""
        with self._lock:
            now = time.monotonic()
            current = self._generation
            if current is not None and now - self._checked < 1.0:
                return current
            self._checked = now
            path = current_dir(self.data_dir)
            if damage(path):      # refs #13: a file deleted or cut short under a running server
                self._checked = 0.0
                raise IndexDamaged(DAMAGED)
            if current is not None and path == current.path and current.up_to_date():
                return current
            ix, path = open_current(self.data_dir)
            # the old generation may still be in use by another thread: dropped, not closed
            self._generation = generation = Generation(ix, path)
            if generation.lexicon is None:
                threading.Thread(target=self._build_lexicon, args=(generation,), daemon=True,
                                 name="paragraf-lexicon").start()
            return generation

    @staticmethod
    def _build_lexicon(generation: Generation) -> None:
        """The suggestion lexicon of a generation written without one (an older build, a
        killed update): searches meanwhile offer no suggestions, instead of one of them
        paying seconds for it (index/suggest.py)."""
        try:
            lexicon = build_lexicon(generation.searcher.reader())
        except Exception:     # a damaged or vanished index: searches report that themselves
            return
        try:
            lexicon.save(generation.path, generation.number)
        except OSError:       # a read-only data directory: keep it in memory only
            pass
        generation.lexicon = lexicon

    def lexicon(self):
        """The current generation's lexicon, once loaded or built."""
        return self.generation().lexicon

    def health(self) -> str | None:
        """Why this index cannot serve searches now (Swedish), or None when it can."""
        try:
            self.generation()
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
        budget = Budget(self.time_limit_ms)
        parsed = parse_query(text)
        try:
            return self._answer(parsed, text, filters, page, page_size, sort, date_from,
                                date_to, started, budget)
        except (QueryError, IndexMissing, IndexDamaged):
            raise
        except Exception as exc:      # a damaged file read while searching (refs #13)
            self._checked = 0.0
            raise IndexDamaged(DAMAGED) from exc

    def _answer(self, parsed: ParsedQuery, text: str, filters, page: int, page_size: int,
                sort: str, date_from: str, date_to: str, started: float,
                budget: Budget) -> SearchResult:
        generation = self.generation()
        key = (text, tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items() if v)),
               page, page_size, sort, date_from, date_to)
        answers = generation.answers
        with self._lock:
            kept = answers.get(key)
            if kept is not None:
                answers.move_to_end(key)
        if kept is not None:
            return replace(kept, elapsed_ms=round((time.perf_counter() - started) * 1000, 1))
        request = SearchRequest(generation, budget)
        result = request.run(parsed, text, filters, page, page_size, sort, date_from, date_to)
        result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        # not kept: answers cut short, and those that would have asked for a suggestion
        # while the generation's lexicon is still being built
        if not result.timed_out and not budget.cut and \
                (request.lexicon is not None or result.total >= 3):
            with self._lock:
                answers[key] = result
                while len(answers) > ANSWER_CACHE:
                    answers.popitem(last=False)
        return replace(result)

    def more_like_this(self, unit_id: str, limit: int = 5) -> list[SearchHit]:
        """'Liknande ärenden': units sharing the most distinctive stems of this one."""
        request = SearchRequest(self.generation(), Budget(self.time_limit_ms))
        searcher, engine = request.searcher, request.engine
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
        return [request.hit(d, float(scores[d]), wanted, "some", timed=False)
                for d in request.top(mask, scores, limit, "relevance")]

    def stats(self) -> dict:
        generation = self.generation()
        return {"units": generation.searcher.doc_count(), "path": str(generation.path)}


def highlight_query(text: str, query_text: str, id_prefix: str = "traff",
                    limit: int = HIGHLIGHT_CHARS) -> tuple[str, int]:
    """`text` as safe HTML with every form of the query's words marked (item pages, refs #4)
    in its first `limit` characters (refs #13: a page's cost is bounded)."""
    try:
        parsed = parse_query(query_text)
    except QueryError:
        return highlight_html(text, {"exact": set(), "stem": set(), "folded": set()}, id_prefix,
                              limit)
    return highlight_html(text, wanted_terms(parsed), id_prefix, limit)
