"""Vectorised matching and BM25F scoring over Whoosh's postings (refs #6).

Whoosh stores the postings; matching and scoring happen here on numpy arrays: each term's
postings are read once per index generation (from the side arrays index/segment.py writes
beside a segment for frequent terms, else block by block from Whoosh) and cached, a
query is a small tree of term sets combined with array operations, and counts, facets and
the top hits come from the same dense score vector. This replaces Whoosh's per-posting
Python matchers, which made a query with facets cost hundreds of milliseconds at 100k units.
"""
from __future__ import annotations

import math
import os
import pickle
import threading
import time
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

B, K1 = 0.6, 1.2
CACHE_POSTINGS = 20_000_000        # postings kept in the term cache (about 160 MB at most)
PHRASE_CACHE = 512                 # phrase answers kept per index generation
POS_BITS = 24                      # (document, position) keys: doc << POS_BITS | position
POS_MASK = (1 << POS_BITS) - 1


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

    def __init__(self, searcher, folder=None):
        self.searcher = searcher
        reader = searcher.reader()
        # (doc offset, segment reader, side postings or None) per segment
        subs = list(zip(reader.readers, reader.doc_offsets)) if hasattr(reader, "readers") \
            else [(reader, 0)]
        self.segments = [(offset, sub, _SidePostings.load(folder, sub)) for sub, offset in subs]
        for _, sub, _ in self.segments:
            if sub.doc_count_all():
                sub.stored_fields(0)   # reads the segment's stored-field offsets now, once,
                                       # not on the first hit a search shows from it
        self.size = searcher.doc_count_all()
        self.alive = np.zeros(self.size, dtype=bool)
        for offset, sub, _ in self.segments:     # a document at a time only where deleted
            if sub.has_deletions():
                self.alive[np.fromiter(sub.all_doc_ids(), dtype=np.int64) + offset] = True
            else:
                self.alive[offset:offset + sub.doc_count_all()] = True
        self.count = int(self.alive.sum())
        self.lengths: dict[str, np.ndarray] = {}
        self.average: dict[str, float] = {}
        for name in ("text", "title", "decision"):
            lengths = np.zeros(self.size, dtype=np.float32)
            for offset, sub, side in self.segments:
                count = sub.doc_count_all()
                if side is not None:
                    lengths[offset:offset + count] = side.columns["lengths"][name]
                else:    # a segment of Whoosh's own writer: one document at a time
                    lengths[offset:offset + count] = np.fromiter(
                        (sub.doc_field_length(d, name, 0) or 0 for d in range(count)),
                        dtype=np.float32, count=count)
            lengths = np.nan_to_num(lengths)
            self.lengths[name] = lengths
            self.average[name] = float(lengths[self.alive].mean()) if self.count else 1.0
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._phrases: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.answers: OrderedDict[tuple, object] = OrderedDict()  # whole searches (search.py)
        self._cached = 0
        self._lock = threading.Lock()

    def release_columns(self) -> None:
        """Drop the per-document values loaded from the side files once lengths (here) and
        facet codes (search._Columns) hold them as arrays: lists of Python objects, hundreds
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
        is frequent enough to have them, else from Whoosh's postings blocks."""
        ids: list = []
        weights: list = []
        key = (name, text.encode("utf-8"))
        for offset, sub, side in self.segments:
            if side is not None:
                found = side.get(key)
                if found is not None:
                    ids.append(found[0].astype(np.int64) + offset)
                    weights.append(found[1])
                    continue
                if side.lacks(key):
                    continue
            try:
                matcher = sub.postings(name, text)
            except Exception:  # TermNotFound, or a field without postings
                continue
            leaf_ids, leaf_weights = _leaf_arrays(matcher)
            ids.append(np.asarray(leaf_ids, dtype=np.int64) + offset)
            weights.append(np.asarray(leaf_weights, dtype=np.float32))
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
        arrays, rare terms' from Whoosh's blocks, for candidates only. Cached per index
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
                    keys = _union(parts)
                else:                 # the others: which keys one of their forms meets
                    met = np.zeros(len(keys), dtype=bool)
                    for part in parts:
                        met |= _found(keys, part)
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
        for offset, sub, side in self.segments:
            found = side.position_keys(key, offset, wanted) if side is not None else None
            if found is not None:
                parts.append(found)
                continue
            if side is not None and side.lacks(key):
                continue
            try:
                matcher = sub.postings(name, text)
            except Exception:  # TermNotFound
                continue
            pairs = []
            for doc, positions in _leaf_positions(matcher, offset, wanted):
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


def unique(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-d array, sorted, without np.unique: numpy 2.4's takes ~2 s for two
    million int64 keys, a sort and a look at neighbours ~30 ms. The stable sort (timsort)
    merges already sorted runs, such as sorted arrays put end to end."""
    values = np.sort(values, kind="stable")
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """The keys of sorted arrays together, once each."""
    if len(parts) < 2:
        return parts[0] if parts else np.zeros(0, dtype=np.int64)
    return unique(np.concatenate(parts))


def _found(wanted: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Which wanted keys are in `found` (sorted), as a mask: a binary search each."""
    if not len(found) or not len(wanted):
        return np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(found, wanted), len(found) - 1)
    return found[at] == wanted


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices of the ranges [start, start + length), one after another, as one array."""
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)


def _leaf_positions(leaf, offset: int, wanted: np.ndarray):
    """(docnum, positions) of one segment's matcher for the wanted documents only."""
    decode = leaf.format.decode_positions if hasattr(leaf, "format") else None
    if decode and hasattr(leaf, "_read_ids") and hasattr(leaf, "_next_block"):
        while not leaf._atend and leaf.is_active():
            leaf._read_ids()
            hits = [i for i, d in enumerate(leaf._ids) if wanted[d + offset]]
            if hits:
                leaf._read_values()
                for i in hits:
                    yield leaf._ids[i] + offset, decode(leaf._values[i])
            leaf._next_block()
        return
    while leaf.is_active():    # inlined lists and deletion filters
        doc = leaf.id() + offset
        if wanted[doc]:
            yield doc, leaf.value_as("positions")
        leaf.next()


class _FileArray:
    """A one-dimensional .npy file read a slice at a time with pread, not memory-mapped:
    a term's postings are copied out of the kernel's page cache when a search needs them
    and freed after (or kept in Engine's bounded term cache), so the search process's own
    memory does not grow with the pages of an archive-sized index (see store._IndexFile)."""

    def __init__(self, path: str):
        self._file = open(path, "rb")          # closed with this object
        version = np.lib.format.read_magic(self._file)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
            else np.lib.format.read_array_header_2_0
        shape, _, self.dtype = read_header(self._file)
        self.length = shape[0]
        self._start = self._file.tell()

    def slice(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(0, start), min(stop, self.length)
        if stop <= start:
            return np.zeros(0, dtype=self.dtype)
        size = self.dtype.itemsize
        data = os.pread(self._file.fileno(), (stop - start) * size, self._start + start * size)
        return np.frombuffer(data, dtype=self.dtype)


class _SidePostings:
    """The side arrays index/segment.py wrote for a segment's frequent terms."""

    def __init__(self, ids: _FileArray, weights: _FileArray, terms,
                 pos_offsets: _FileArray, positions: _FileArray, columns: dict,
                 inline: np.ndarray | None = None):
        from .segment import TermTable, inline_hash   # segment.py imports this module
        self.ids, self.weights = ids, weights
        # a TermTable (or, in builds before it, a plain dict): (field, term) -> span
        self.terms = TermTable(**terms) if "hashes" in terms else terms
        self.pos_offsets, self.positions = pos_offsets, positions
        self.columns = columns      # {'columns': {name: [value per doc]}, 'lengths': {...}}
        # sorted inline_hash() of the other terms (newer builds), as a memoryview for bisect
        self._inline = None if inline is None else \
            memoryview(np.ascontiguousarray(inline, dtype=np.uint32))
        self._raw, self._inline_hash = TermTable.raw, inline_hash

    @classmethod
    def load(cls, folder, sub) -> "_SidePostings | None":
        from .segment import COLUMNS_FILE, SIDE_FILES
        segment = getattr(sub, "_segment", None)
        if folder is None or segment is None:
            return None
        ids, weights, terms, pos_offsets, positions, inline = (
            os.path.join(str(folder), segment.segment_id() + ext) for ext in SIDE_FILES)
        columns = os.path.join(str(folder), segment.segment_id() + COLUMNS_FILE)
        needed = (ids, weights, terms, pos_offsets, positions, columns)
        if not all(os.path.exists(p) for p in needed):
            return None          # written by Whoosh's own writer (an update, a merge)
        with open(terms, "rb") as f:
            terms = pickle.load(f)
        with open(columns, "rb") as f:
            columns = pickle.load(f)
        ids, weights, pos_offsets, positions = (
            _FileArray(p) for p in (ids, weights, pos_offsets, positions))
        inline = np.load(inline) if os.path.exists(inline) else None
        return cls(ids, weights, terms, pos_offsets, positions, columns, inline)

    def lacks(self, key: tuple[str, bytes]) -> bool:
        """After get() found no side arrays for the term: True when the segment surely has
        no such term (not inlined either)."""
        inline = self._inline
        if inline is None:
            return False
        h = self._inline_hash(self._raw(key))
        i = bisect_left(inline, h)
        return i >= len(inline) or inline[i] != h

    def get(self, key: tuple[str, bytes]):
        span = self.terms.get(key)
        if span is None:
            return None
        return self.ids.slice(*span), self.weights.slice(*span)

    def position_keys(self, key: tuple[str, bytes], offset: int, wanted: np.ndarray):
        """(doc << POS_BITS | position) of a term in the wanted documents, or None when the
        term has no side arrays here."""
        span = self.terms.get(key)
        if span is None:
            return None
        docs = self.ids.slice(*span).astype(np.int64) + offset
        keep = np.flatnonzero(wanted[docs])
        if not len(keep):
            return np.zeros(0, dtype=np.int64)
        offsets = self.pos_offsets.slice(span[0], span[1] + 1).astype(np.int64)
        starts = offsets[keep]
        lengths = offsets[keep + 1] - starts
        first = int(starts[0])    # only the stretch of positions the candidates span is read
        stretch = self.positions.slice(first, int(starts[-1] + lengths[-1]))
        positions = stretch[ranges(starts - first, lengths)].astype(np.int64)
        return (np.repeat(docs[keep], lengths) << POS_BITS) | positions


def _leaf_arrays(leaf) -> tuple[list, list]:
    """All ids and weights of one segment's matcher, a block at a time where possible."""
    ids: list = []
    weights: list = []
    if hasattr(leaf, "_read_ids") and hasattr(leaf, "_next_block"):
        while not leaf._atend and leaf.is_active():
            leaf._read_ids()
            leaf._read_weights()
            ids.extend(leaf._ids[leaf._i:])
            weights.extend(leaf._weights[leaf._i:])
            leaf._next_block()
        return ids, weights
    while leaf.is_active():   # deletion filters and in-memory matchers: one posting at a time
        ids.append(leaf.id())
        weights.append(leaf.weight())
        leaf.next()
    return ids, weights
