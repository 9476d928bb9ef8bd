"""Vectorised matching and BM25F scoring over the backend's postings (refs #6).

The backend stores the postings; matching and scoring happen here on numpy arrays: each
term's postings are read once per index generation (from the side files index/sidefiles.py
defines, for frequent terms, else block by block from the backend) and cached, a query is a
small tree of term sets combined with array operations, and counts, facets and the top hits
come from the same dense score vector. This replaces Whoosh's per-posting Python matchers,
which made a query with facets cost hundreds of milliseconds at 100k units.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .arrays import found_in, ranges, union, unique  # noqa: F401  (ranges, unique: old names)
from .backend import BM25_B as B, BM25_K1 as K1, Searcher
from .sidefiles import POS_BITS, POS_MASK, SidePostings

CACHE_POSTINGS = 20_000_000        # postings kept in the term cache (about 160 MB at most)
PHRASE_CACHE = 512                 # phrase answers kept per index generation


@dataclass
class Node:
    """A query tree node: 'terms' (any of, scores summed), 'and', 'or', 'not' or 'docs'."""
    kind: str
    terms: list[tuple[str, str, float]] = field(default_factory=list)   # (field, term, boost)
    children: list["Node"] = field(default_factory=list)
    boost: float = 1.0
    docs: tuple | None = None         # ('docs' nodes): (docnums, scores) computed elsewhere
    key: tuple | None = None          # names what the node means, for a search's memo


def terms(*triples: tuple[str, str, float]) -> Node:
    return Node("terms", terms=list(triples))


class Engine:
    """Postings, field lengths and live documents of one searcher, as numpy arrays."""

    def __init__(self, searcher: Searcher, folder=None):
        self.searcher = searcher
        # (doc offset, segment, side files or None) per segment
        self.segments = [(seg.offset, seg, SidePostings.load(folder, seg.id))
                         for seg in searcher.segments]
        for _, seg, _ in self.segments:
            seg.prefetch_stored()
        self.size = searcher.doc_count_all()
        self.alive = np.zeros(self.size, dtype=bool)
        for offset, seg, _ in self.segments:     # a document at a time only where deleted
            live = seg.live_ids()
            if live is not None:
                self.alive[live + offset] = True
            else:
                self.alive[offset:offset + seg.doc_count] = True
        self.count = int(self.alive.sum())
        self.lengths: dict[str, np.ndarray] = {}
        self.average: dict[str, float] = {}
        for name in ("text", "title", "decision"):
            lengths = np.zeros(self.size, dtype=np.float32)
            for offset, seg, side in self.segments:
                lengths[offset:offset + seg.doc_count] = side.columns["lengths"][name] \
                    if side is not None else seg.field_lengths(name)
            lengths = np.nan_to_num(lengths)
            self.lengths[name] = lengths
            self.average[name] = float(lengths[self.alive].mean()) if self.count else 1.0
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._phrases: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    def release_columns(self) -> None:
        """Drop the per-document values loaded from the side files once lengths (here) and
        facet codes (generation.Columns) hold them as arrays: lists of Python objects, hundreds
        of megabytes at a million units."""
        for _, _, side in self.segments:
            if side is not None:
                side.columns = None

    # --- postings ----------------------------------------------------------------------
    def postings(self, name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F contributions) of a term in live documents; cached per generation
        (the contributions are fixed by the generation: term frequency, document length,
        the term's document frequency)."""
        key = (name, text)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        ids, weights = self._read(name, text)
        if len(ids):
            keep = self.alive[ids]
            if not keep.all():
                ids, weights = ids[keep], weights[keep]
        scores = self._bm25(name, ids, weights)
        with self._lock:
            self._cache[key] = (ids, scores)
            self._cached += len(ids)
            while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
                _, (old, _) = self._cache.popitem(last=False)
                self._cached -= len(old)
        return ids, scores

    def _read(self, name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's postings over all segments: from a segment's side arrays when the term
        is frequent enough to have them, else from the backend's postings blocks."""
        ids: list = []
        weights: list = []
        key = (name, text.encode("utf-8"))
        for offset, seg, side in self.segments:
            if side is not None:
                found = side.get(key)
                if found is not None:
                    ids.append(found[0].astype(np.int64) + offset)
                    weights.append(found[1])
                    continue
                if side.lacks(key):
                    continue
            found = seg.postings(name, text)
            if found is None:
                continue
            ids.append(np.asarray(found[0], dtype=np.int64) + offset)
            weights.append(np.asarray(found[1], dtype=np.float32))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids), np.concatenate(weights)

    # --- phrases ------------------------------------------------------------------------
    def phrase_docs(self, name: str, forms: list[list[str]], deadline: float = float("inf")
                    ) -> tuple[np.ndarray, bool]:
        """Documents where a word of forms[0], then one of forms[1], … stand next to each other.

        Candidates come from the postings arrays (every word present). Positions are then
        compared as (document, position) keys in numpy: word n's keys less n must meet for
        every word, the rarest word first. Frequent terms' positions come from the side
        arrays, rare terms' from the backend's blocks, for candidates only. Cached per index
        generation. Returns (docnums, complete): complete is False when the deadline cut
        the check short.
        """
        key = (name, tuple(tuple(f) for f in forms))
        with self._lock:
            hit = self._phrases.get(key)
            if hit is not None:
                self._phrases.move_to_end(key)
                return hit, True
        wanted = self.alive.copy()
        sizes = []              # postings per word, all its forms
        for word_forms in forms:
            present = np.zeros(self.size, dtype=bool)
            size = 0
            for term in word_forms:
                ids = self.postings(name, term)[0]
                present[ids] = True
                size += len(ids)
            wanted &= present
            sizes.append(size)
        if len(forms) > 1 and wanted.any():
            # word i of the phrase stands at its start + i: keys shifted back by i must meet
            # for every word. The rarest word goes first, so the common ones' positions are
            # read only in the few documents still in question.
            keys = None
            for i in sorted(range(len(forms)), key=sizes.__getitem__):
                parts = []
                for term in forms[i]:
                    if time.perf_counter() > deadline:
                        return np.zeros(0, dtype=np.int64), False
                    parts.append(self._position_keys(name, term, wanted))
                # each part is sorted (segments in order, documents and positions ascending);
                # shifted back by i, a key is where the phrase would start
                parts = [p[(p & POS_MASK) >= i] - i for p in parts if len(p)]
                if keys is None:      # the rarest word: its forms' keys together
                    keys = union(parts)
                else:                 # the others: which keys one of their forms meets
                    met = np.zeros(len(keys), dtype=bool)
                    for part in parts:
                        met |= found_in(keys, part)
                    keys = keys[met]
                wanted = np.zeros(self.size, dtype=bool)
                wanted[keys >> POS_BITS] = True
                if not len(keys):
                    break
        docs = np.flatnonzero(wanted)
        with self._lock:
            self._phrases[key] = docs
            while len(self._phrases) > PHRASE_CACHE:
                self._phrases.popitem(last=False)
        return docs, True

    def _position_keys(self, name: str, text: str, wanted: np.ndarray) -> np.ndarray:
        """(doc << POS_BITS | position) of a term in the wanted documents, over all segments."""
        key = (name, text.encode("utf-8"))
        parts = [np.zeros(0, dtype=np.int64)]
        for offset, seg, side in self.segments:
            found = side.position_keys(key, offset, wanted) if side is not None else None
            if found is not None:
                parts.append(found)
                continue
            if side is not None and side.lacks(key):
                continue
            pairs = []
            for doc, positions in seg.positions(name, text, offset, wanted):
                pairs.extend((doc << POS_BITS) | p for p in positions)
            parts.append(np.asarray(pairs, dtype=np.int64))
        return np.concatenate(parts)

    def doc_frequency(self, name: str, text: str) -> int:
        return len(self.postings(name, text)[0])

    # --- scoring -----------------------------------------------------------------------
    def term_scores(self, name: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """A term's documents and its BM25F contribution to each, times the boost."""
        ids, scores = self.postings(name, text)
        return ids, (scores * boost).astype(np.float32, copy=False)

    def _bm25(self, name: str, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """BM25F contribution of one term (Whoosh's formula and idf, so scores compare)."""
        if not len(ids):
            return tf
        idf = math.log(self.count / (len(ids) + 1)) + 1.0
        if name in self.lengths:
            norm = (1 - B) + B * self.lengths[name][ids] / max(self.average[name], 1e-6)
            return idf * (tf * (K1 + 1)) / (tf + K1 * norm)
        # keyword fields (dnr, paragraph): no length normalisation
        return idf * (tf * (K1 + 1)) / (tf + K1)

    def evaluate(self, node: Node, memo: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(mask, scores) over all documents for a query tree.

        `memo` (node key -> answer) lets the parts of one search share a word's answer: the
        words of a query are scored with all of them, again for the units with only some,
        and once more around a phrase. Callers must not change the arrays returned."""
        if memo is not None and node.key is not None:
            found = memo.get(node.key)
            if found is None:
                found = memo[node.key] = self._evaluate(node, memo)
            return found
        return self._evaluate(node, memo)

    def _evaluate(self, node: Node, memo: dict | None) -> tuple[np.ndarray, np.ndarray]:
        n = self.size
        if node.kind == "terms":
            mask = np.zeros(n, dtype=bool)
            scores = np.zeros(n, dtype=np.float32)
            for name, text, boost in node.terms:
                ids, s = self.term_scores(name, text, boost)
                if len(ids):
                    scores[ids] += s
                    mask[ids] = True
        elif node.kind == "docs":
            mask = np.zeros(n, dtype=bool)
            scores = np.zeros(n, dtype=np.float32)
            ids, s = node.docs
            if len(ids):
                mask[ids] = True
                scores[ids] += s
        elif node.kind in ("and", "or"):
            parts = [self.evaluate(child, memo) for child in node.children]
            if not parts:
                return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float32)
            mask = parts[0][0].copy()
            scores = parts[0][1].copy()
            for m, s in parts[1:]:
                mask = (mask & m) if node.kind == "and" else (mask | m)
                scores += s
            if node.kind == "and":
                scores[~mask] = 0
        elif node.kind == "not":
            mask, scores = self.evaluate(node.children[0], memo)
            for child in node.children[1:]:
                mask = mask & ~self.evaluate(child, memo)[0]
            scores = np.where(mask, scores, 0).astype(np.float32)
        else:
            raise ValueError(node.kind)
        if node.boost != 1.0:
            scores = scores * node.boost
        return mask & self.alive, scores
