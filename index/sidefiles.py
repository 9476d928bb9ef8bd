"""The side files of a segment: a format we own, written by segment.py, read by engine.py.

Beside each segment of the bulk writer lie `<segment id><ext>` files (SIDE_FILES, COLUMNS_FILE):
the postings of its frequent terms as flat arrays, a table of those terms (TermTable), hashes of
its other terms (inline_hash), and the per-document values a searcher needs in bulk when it
opens (facet columns, dates, the field lengths BM25F uses). Reading them is a slice of an
array where the backend's reader would decode blocks in Python (refs #6).

FORMAT_VERSION is part of the index fingerprint (schema.analysis_fingerprint): bump it on any
change of what the writer puts into a segment, here or in segment.py or the backend's term
writer, and `flask reindex --if-needed` rebuilds. There are no readers of older versions: the
index is disposable, a rebuild replaces it.
"""
from __future__ import annotations

import os
import pickle
import zlib
from bisect import bisect_left
from hashlib import md5

import numpy as np

from .arrays import ranges

FORMAT_VERSION = 1

# Terms with this many postings or fewer are stored inside the term table, not as a block of
# the postings file: most terms of a real archive's vocabulary are that rare.
INLINE_POSTINGS = 8
# Terms with at least this many postings also get their documents, weights and positions as
# side arrays, which engine.py reads instead of unpickling the backend's blocks; the backend
# deletes them with the segment (they carry its id), and ignores them otherwise. Every term
# not inlined has them: a first search reading a mid-frequency term from the blocks in every
# segment took most of a cold query's time (refs #6).
SIDE_MIN_POSTINGS = INLINE_POSTINGS + 1
SIDE_FILES = (".pgf_ids.npy", ".pgf_weights.npy", ".pgf_terms.pickle", ".pgf_posoff.npy",
              ".pgf_pos.npy", ".pgf_inline.npy")
IDS, WEIGHTS, TERMS, POS_OFFSETS, POSITIONS, INLINE = range(len(SIDE_FILES))
COLUMNS_FILE = ".pgf_columns.pickle"
COLUMN_FIELDS = ("organisation", "body", "meeting_label", "item", "kind", "year", "date")
LENGTH_FIELDS = ("text", "title", "decision")
POS_BITS = 24                      # (document, position) keys: doc << POS_BITS | position
POS_MASK = (1 << POS_BITS) - 1


def term_key(field: str, term: bytes) -> bytes:
    """The raw key of a (field, term bytes) pair in TermTable and inline_hash."""
    return field.encode("utf-8") + b"\0" + term


def _crc32x2(raw: bytes) -> int:
    return zlib.crc32(raw) << 32 | zlib.crc32(raw, 0x9E3779B9)


def inline_hash(key: bytes) -> int:
    """32 bits of a term_key(): INLINE holds those of a segment's terms without side arrays,
    sorted, so a reader knows which terms to look up in the backend's term table (a lookup
    costs ~50 µs; a rare term is absent from most segments)."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[:4], "little")


class TermTable:
    """{(field, term bytes): (start, end)} of a segment's side arrays, as four arrays: the
    keys' 64-bit hashes in order, their spans, and the keys themselves for a check. A Python
    dict of the same held ~200 bytes a term; a searcher keeps one per segment (refs #6)."""

    def __init__(self, hashes: np.ndarray, spans: np.ndarray, blob: bytes, offsets: np.ndarray):
        self.hashes, self.spans, self.blob, self.offsets = hashes, spans, blob, offsets
        self._sorted = memoryview(np.ascontiguousarray(hashes, dtype=np.uint64))   # for bisect

    @classmethod
    def build(cls, terms: dict[tuple[str, bytes], tuple[int, int]]) -> "TermTable":
        raw = [term_key(*key) for key in terms]
        hashes = np.array([_crc32x2(r) for r in raw], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        ordered = [raw[i] for i in order.tolist()]
        spans = np.array(list(terms.values()), dtype=np.int64).reshape(-1, 2)[order]
        offsets = np.concatenate([[0], np.cumsum([len(r) for r in ordered], dtype=np.int64)])
        return cls(hashes[order], spans, b"".join(ordered), offsets.astype(np.int64))

    def state(self) -> dict:
        return {"hashes": self.hashes, "spans": self.spans, "blob": self.blob,
                "offsets": self.offsets}

    def get(self, key: tuple[str, bytes]) -> tuple[int, int] | None:
        raw = term_key(*key)
        h = _crc32x2(raw)
        hashes = self._sorted
        i = bisect_left(hashes, h)
        while i < len(hashes) and hashes[i] == h:
            if self.blob[int(self.offsets[i]):int(self.offsets[i + 1])] == raw:
                return int(self.spans[i, 0]), int(self.spans[i, 1])
            i += 1
        return None

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self):
        for i in range(len(self.hashes)):
            field, _, term = self.blob[self.offsets[i]:self.offsets[i + 1]].partition(b"\0")
            yield field.decode("utf-8"), term


def side_paths(folder, segment_id: str) -> tuple[list[str], str]:
    """The paths of a segment's SIDE_FILES and of its COLUMNS_FILE."""
    base = os.path.join(str(folder), segment_id)
    return [base + ext for ext in SIDE_FILES], base + COLUMNS_FILE


def write_side_files(folder, segment_id: str, arrays: dict[int, np.ndarray],
                     terms: dict[tuple[str, bytes], tuple[int, int]],
                     columns: dict[str, list[str]], lengths: dict[str, np.ndarray]) -> None:
    """Write a segment's side files: `arrays` by index (IDS, WEIGHTS, POS_OFFSETS, POSITIONS,
    INLINE), the frequent terms' spans in them, the columns and the lengths BM25F sees."""
    paths, columns_path = side_paths(folder, segment_id)
    for n, values in arrays.items():
        np.save(paths[n], values)
    with open(columns_path, "wb") as out:
        pickle.dump({"columns": columns, "lengths": lengths}, out,
                    protocol=pickle.HIGHEST_PROTOCOL)
    # the term table last: a segment's side files count only once it exists
    with open(paths[TERMS], "wb") as out:
        pickle.dump(TermTable.build(terms).state(), out, protocol=pickle.HIGHEST_PROTOCOL)


class FileArray:
    """A one-dimensional .npy file read a slice at a time with pread, not memory-mapped:
    a term's postings are copied out of the kernel's page cache when a search needs them
    and freed after (or kept in Engine's bounded term cache), so the search process's own
    memory does not grow with the pages of an archive-sized index (see backend.IndexFile)."""

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


class SidePostings:
    """The side files of one segment, opened for searching."""

    def __init__(self, ids: FileArray, weights: FileArray, terms: TermTable,
                 pos_offsets: FileArray, positions: FileArray, columns: dict,
                 inline: np.ndarray):
        self.ids, self.weights, self.terms = ids, weights, terms
        self.pos_offsets, self.positions = pos_offsets, positions
        self.columns = columns      # {'columns': {name: [value per doc]}, 'lengths': {...}}
        # sorted inline_hash() of the other terms, as a memoryview for bisect
        self._inline = memoryview(np.ascontiguousarray(inline, dtype=np.uint32))

    @classmethod
    def load(cls, folder, segment_id: str | None) -> "SidePostings | None":
        """The side files of a segment, or None when it has none (written by the backend's
        own writer: a merge)."""
        if folder is None or segment_id is None:
            return None
        paths, columns_path = side_paths(folder, segment_id)
        if not all(os.path.exists(p) for p in paths + [columns_path]):
            return None
        with open(paths[TERMS], "rb") as f:
            terms = TermTable(**pickle.load(f))
        with open(columns_path, "rb") as f:
            columns = pickle.load(f)
        ids, weights, pos_offsets, positions = (
            FileArray(paths[n]) for n in (IDS, WEIGHTS, POS_OFFSETS, POSITIONS))
        return cls(ids, weights, terms, pos_offsets, positions, columns,
                   np.load(paths[INLINE]))

    def lacks(self, key: tuple[str, bytes]) -> bool:
        """After get() found no side arrays for the term: True when the segment surely has
        no such term (not inlined either)."""
        inline = self._inline
        h = inline_hash(term_key(*key))
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
