"""A bulk writer of index segments for rebuilds and updates (refs #5, #6).

The backend's own writer sends every posting through a pool: one pickled tuple per posting,
an external sort on disk and a heap merge, then one Python call per posting into the
postings writer. At 100,000 items that is ~27 million postings and several minutes.
This writer keeps a segment's postings in memory as flat arrays and sorts them once with
numpy. For the Swedish text fields it keeps even less: one word id per token, each word
analysed once per segment, and the (term, document, position) rows are expanded from those
ids in bulk when the segment is written. backend.TermWriter then writes terms and postings
in the backend's own bytes, and stored fields, field lengths and columns go through its
per-document writer (backend.BulkSegmentBase), so the segments are ordinary ones, read by
the backend and by engine.py like any other; tests/test_index_build.py compares them with
the backend's writer. Beside each segment go its side files (index/sidefiles.py).
"""
from __future__ import annotations

from array import array

import numpy as np

from . import analysis
from .arrays import ranges, unique
from .backend import (BLOCK_COMPRESSION, BulkSegmentBase, encode_frequency,  # noqa: F401
                      encode_positions, quantized_lengths)
from .sidefiles import (COLUMN_FIELDS, INLINE, INLINE_POSTINGS, LENGTH_FIELDS,  # noqa: F401
                        SIDE_FILES, IDS, POS_OFFSETS, POSITIONS, WEIGHTS, TermTable,
                        inline_hash, term_key, write_side_files)
from . import sidefiles


class BulkSegmentWriter(BulkSegmentBase):
    """One new segment of an index; finish() returns it for a commit of several segments."""

    def __init__(self, ix):
        super().__init__(ix)
        self._other = _FieldPostings()           # postings of every other field
        self._columns: dict[str, list[str]] = {name: [] for name in COLUMN_FIELDS}
        self._lengths: dict[str, dict[int, int]] = {}
        self._swedish = {name: _WordPostings(positions)
                         for name, positions in self.word_fields.items()}
        self._side = None

    # what BulkSegmentBase hands over, document by document
    def add_words(self, name: str, value: str, docnum: int, boost: float) -> int:
        return self._swedish[name].add(value, docnum, boost)

    def add_term(self, name: str, tbytes: bytes, docnum: int, weight: float, vbytes: bytes):
        self._other.add(name, tbytes, docnum, weight, vbytes)

    def field_length(self, name: str, docnum: int, length: int) -> None:
        self._lengths.setdefault(name, {})[docnum] = length

    def document_added(self, fields: dict) -> None:
        for name, values in self._columns.items():
            values.append(fields.get(name) or "")

    # and when the segment is finished
    def write_postings(self, writer) -> None:
        """Write every field's terms and postings; keep the side arrays of the frequent
        terms for segment_written()."""
        lengths = self._doc_lengths()
        runs = self._other.runs(self.value_size, self.docnum)
        runs.update({name: words.run(self.docnum)
                     for name, words in self._swedish.items() if words.docs})
        self._other = self._swedish = None
        side = _SideArrays()
        for name in sorted(runs):
            run = runs[name]
            if not run.terms:
                continue            # only empty values: no postings, as the backend's writer
            writer.write_field(name, run, lengths.get(name), INLINE_POSTINGS)
            side.add(name, run)
        self._side = side

    def segment_written(self, folder: str, segment_id: str) -> None:
        """The segment's side files: <segment id>.pgf_* (index/sidefiles.py)."""
        lengths = self._doc_lengths()
        stored = {name: quantized_lengths(lengths.get(name, [0] * self.docnum))
                  for name in LENGTH_FIELDS}
        arrays, terms = self._side.arrays()
        self._side = None
        write_side_files(folder, segment_id, arrays, terms, self._columns, stored)

    def _doc_lengths(self) -> dict[str, list[int]]:
        return {name: [by_doc.get(d, 0) for d in range(self.docnum)]
                for name, by_doc in self._lengths.items()}


class _SideArrays:
    """The side arrays of a segment's frequent terms, gathered field by field."""

    def __init__(self):
        self.ids, self.weights, self.terms, self.counts, self.positions = [], [], {}, [], []
        self.inline: list[int] = []
        self.done = 0

    def add(self, name: str, run: "_Run") -> None:
        counts = np.diff(run.bounds)
        self.inline += [inline_hash(term_key(name, run.terms[n]))
                        for n in np.flatnonzero(counts < sidefiles.SIDE_MIN_POSTINGS).tolist()]
        big = np.flatnonzero(counts >= sidefiles.SIDE_MIN_POSTINGS)
        if not len(big):
            return
        starts, sizes = run.bounds[big], counts[big]
        picked = ranges(starts, sizes)
        self.ids.append(run.docs[picked])
        self.weights.append(run.weights[picked])
        spans = np.concatenate([[0], np.cumsum(sizes)]) + self.done
        for k, n in enumerate(big.tolist()):
            self.terms[(name, run.terms[n])] = (int(spans[k]), int(spans[k + 1]))
        self.done = int(spans[-1])
        freqs, positions = run.positions(picked)
        self.counts.append(freqs)
        self.positions.append(positions)

    def arrays(self) -> tuple[dict[int, np.ndarray], dict]:
        """({side file index: array}, {(field, term): span})."""
        inline = unique(np.asarray(self.inline, dtype=np.uint32))
        if not self.ids:
            return ({IDS: np.zeros(0, np.uint32), WEIGHTS: np.zeros(0, np.float32),
                     POS_OFFSETS: np.zeros(1, np.uint32), POSITIONS: np.zeros(0, np.uint32),
                     INLINE: inline}, {})
        counts = np.concatenate(self.counts).astype(np.int64)
        return ({IDS: np.concatenate(self.ids).astype(np.uint32),
                 WEIGHTS: np.concatenate(self.weights).astype(np.float32),
                 POS_OFFSETS: np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32),
                 POSITIONS: np.concatenate(self.positions).astype(np.uint32),
                 INLINE: inline}, self.terms)


class _Run:
    """One field's postings in writing order: by term (bytes), then by document.

    terms[n] has postings bounds[n]..bounds[n + 1] of docs and weights (float64: the backend keeps
    the exact maximum in a block's header, float32 weights in the block); values(lo, hi) gives
    their encoded values (None where the format has none), positions(indices) the position
    counts and positions of some postings, for the side arrays."""

    def __init__(self, terms: list[bytes], bounds: np.ndarray, docs: np.ndarray,
                 weights: np.ndarray, values, positions):
        self.terms, self.bounds, self.docs, self.weights = terms, bounds, docs, weights
        self.values, self.positions = values, positions


class _FieldPostings:
    """Postings of the fields without Swedish analysis, one at a time (a few per document)."""

    def __init__(self):
        self._term_ids: dict[tuple[str, bytes], int] = {}
        self._term_keys: list[tuple[str, bytes]] = []
        self._terms = array("I")
        self._docs = array("I")
        self._weights = array("d")
        self._values: list[bytes] = []

    def add(self, fieldname: str, tbytes: bytes, docnum: int, weight: float, vbytes: bytes):
        key = (fieldname, tbytes)
        term = self._term_ids.get(key)
        if term is None:
            term = self._term_ids[key] = len(self._term_keys)
            self._term_keys.append(key)
        self._terms.append(term)
        self._docs.append(docnum)
        self._weights.append(weight)
        self._values.append(vbytes)

    def runs(self, value_size, doc_count: int) -> dict[str, _Run]:
        if not self._term_keys:
            return {}
        by_key = sorted(range(len(self._term_keys)), key=self._term_keys.__getitem__)
        keys = [self._term_keys[i] for i in by_key]       # by field name, then term bytes
        rank = np.empty(len(keys), dtype=np.int64)
        rank[by_key] = np.arange(len(keys))
        ranked = rank[np.frombuffer(self._terms, dtype=np.uint32)]
        docs = np.frombuffer(self._docs, dtype=np.uint32)
        order = np.argsort(ranked * doc_count + docs, kind="stable")
        bounds = np.searchsorted(ranked[order], np.arange(len(keys) + 1))
        docs, weights = docs[order], np.frombuffer(self._weights, dtype=np.float64)[order]
        values = self._values
        runs = {}
        field_starts = [n for n in range(len(keys)) if n == 0 or keys[n][0] != keys[n - 1][0]]
        for a, b in zip(field_starts, field_starts[1:] + [len(keys)]):
            name = keys[a][0]
            lo, hi = int(bounds[a]), int(bounds[b])
            fixed = value_size(name)
            chunk = order[lo:hi]

            def field_values(i, j, chunk=chunk, fixed=fixed):
                return None if fixed == 0 else [values[k] for k in chunk[i:j].tolist()]

            runs[name] = _Run([t for _, t in keys[a:b]], bounds[a:b + 1] - lo, docs[lo:hi],
                              weights[lo:hi], field_values, _no_positions)
        return runs


def _no_positions(picked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """_Run.positions of a field without positions: no counts, no positions."""
    return np.zeros(len(picked), np.int64), np.zeros(0, np.uint32)


class _WordPostings:
    """A Swedish text field's postings, kept as one word id per token.

    Each distinct token text (or the term tuple of a position with shared-hyphen
    expansions) is analysed once per segment into term ids; run() expands the tokens into
    (term, document, position) rows with numpy and sorts them into postings."""

    def __init__(self, positions: bool):
        self.has_positions = positions
        self._word_ids: dict = {}                   # token text or term tuple -> word id
        self._term_ids: dict[str, int] = {}
        self._term_list: list[str] = []
        self._word_terms = array("I")               # term ids of word 0, word 1, ...
        self._word_start = array("I", [0])          # word w: _word_terms[start[w]:start[w+1]]
        self._term_counts: list[int] = []           # per word: how many terms
        self._tokens = array("I")                   # per token: word id
        self.docs = array("I")                      # per document with this field: docnum,
        self._sizes = array("I")                    # its token count
        self._boosts = array("d")                   # and its weight per occurrence

    def add(self, value: str, docnum: int, boost: float) -> int:
        """Add one document's text; returns the field length (terms over all positions)."""
        keys = analysis.position_terms(value)
        get = self._word_ids.get
        ids = [get(key) for key in keys]
        if None in ids:
            ids = [self._new_word(key) if wid is None else wid for key, wid in zip(keys, ids)]
        self._tokens.extend(ids)
        self.docs.append(docnum)
        self._sizes.append(len(ids))
        self._boosts.append(boost)
        return sum(map(self._term_counts.__getitem__, ids))

    def _new_word(self, key) -> int:
        wid = self._word_ids.get(key)
        if wid is not None:             # seen earlier in the same document
            return wid
        terms = analysis.word_terms(key) if isinstance(key, str) else key
        tids = self._term_ids
        for term in terms:
            tid = tids.get(term)
            if tid is None:
                tid = tids[term] = len(self._term_list)
                self._term_list.append(term)
            self._word_terms.append(tid)
        self._word_start.append(len(self._word_terms))
        wid = self._word_ids[key] = len(self._term_counts)
        self._term_counts.append(len(terms))
        return wid

    def run(self, doc_count: int) -> _Run:
        key, positions = self._sorted_rows(doc_count)
        first = np.flatnonzero(np.diff(key, prepend=-1))     # each (term, document) pair
        freqs = np.diff(np.append(first, len(key)))
        term_rank, docs = np.divmod(key[first], doc_count)
        del key
        boosts = np.zeros(doc_count, dtype=np.float64)
        boosts[np.frombuffer(self.docs, dtype=np.uint32)] = np.frombuffer(self._boosts)
        weights = freqs * boosts[docs]
        bounds = np.searchsorted(term_rank, np.arange(len(self._encoded) + 1))
        terms_sorted = [self._encoded[i] for i in self._by_bytes]
        values = _WordValues(freqs, positions, first, self.has_positions)
        return _Run(terms_sorted, bounds, docs.astype(np.uint32), weights, values.encoded,
                    values.picked if self.has_positions else _no_positions)

    def _sorted_rows(self, doc_count: int) -> tuple[np.ndarray, np.ndarray]:
        """The (term, document, position) rows of every token, sorted: the key term rank *
        doc_count + document of each, and its position."""
        words = np.frombuffer(self._tokens, dtype=np.uint32).astype(np.int64)
        sizes = np.frombuffer(self._sizes, dtype=np.uint32).astype(np.int64)
        token_docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), sizes)
        token_pos = np.arange(len(words)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        counts = np.asarray(self._term_counts, dtype=np.int64)[words]
        rows = ranges(np.frombuffer(self._word_start, dtype=np.uint32)[words].astype(np.int64),
                      counts)
        terms = np.frombuffer(self._word_terms, dtype=np.uint32)[rows]
        token = np.repeat(np.arange(len(words)), counts)
        del rows, words
        self._encoded = encoded = [t.encode("utf-8") for t in self._term_list]
        self._by_bytes = by_bytes = sorted(range(len(encoded)), key=encoded.__getitem__)
        rank = np.empty(len(encoded), dtype=np.int64)
        rank[by_bytes] = np.arange(len(encoded))
        # by term, document and position: with the position in the key every key is
        # unique, so numpy's quicksort serves (a stable sort of the pairs is ~2x slower)
        key = rank[terms] * doc_count + token_docs[token]
        del terms
        span = int(token_pos.max()) + 1 if len(token_pos) else 1
        if len(key) and int(key.max()) < (1 << 62) // span:
            order = np.argsort(key * span + token_pos[token])
        else:
            order = np.argsort(key, kind="stable")
        return key[order], token_pos[token[order]]


class _WordValues:
    """The encoded values of a Swedish text field's postings (what the backend's Frequency or
    Positions format writes), and the positions of some postings for the side arrays."""

    def __init__(self, freqs: np.ndarray, positions: np.ndarray, first: np.ndarray,
                 has_positions: bool):
        self.freqs, self.positions, self.first = freqs, positions, first
        self.has_positions = has_positions
        # positions as the format writes them: the first, then deltas
        self.deltas = np.diff(positions, prepend=0)
        self.deltas[first] = positions[first]

    def encoded(self, lo: int, hi: int) -> list[bytes]:
        f = self.freqs[lo:hi]
        if not self.has_positions:
            return _FREQUENCIES[f].tolist() if f.max() < 256 \
                else [encode_frequency(n) for n in f.tolist()]
        # one position (most postings): a table of encoded values; more: the deltas encoded
        first = self.first
        firsts = self.positions[first[lo:hi]]
        out = _one_positions(int(firsts.max()) + 1)[firsts].tolist()
        multi = np.flatnonzero(f > 1)
        if len(multi):
            start = int(first[lo])
            d = self.deltas[start:start + int(f.sum())].tolist()
            offsets = (first[lo:hi][multi] - start).tolist()
            for i, at, n in zip(multi.tolist(), offsets, f[multi].tolist()):
                out[i] = encode_positions(d[at:at + n])
        return out

    def picked(self, picked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = self.freqs[picked]
        return n, self.positions[ranges(self.first[picked], n)].astype(np.uint32)


_ONE_POSITION = np.array([encode_positions([p]) for p in range(4096)], dtype=object)
_FREQUENCIES = np.array([encode_frequency(n) for n in range(256)], dtype=object)


def _one_positions(size: int) -> np.ndarray:
    """encode_positions([p]) for every p below size, as an array to index."""
    global _ONE_POSITION
    if size > len(_ONE_POSITION):
        _ONE_POSITION = np.array([encode_positions([p]) for p in range(max(size, 2 * len(
            _ONE_POSITION)))], dtype=object)
    return _ONE_POSITION
