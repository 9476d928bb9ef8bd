"""A bulk writer of Whoosh segments for full rebuilds (refs #5, #6).

Whoosh's SegmentWriter sends every posting through a pool: one pickled tuple per posting,
an external sort on disk and a heap merge, then one Python call per posting into the
postings writer. At 100,000 items that is ~27 million postings and several minutes.
This writer keeps a segment's postings in memory as flat arrays and sorts them once with
numpy. For the Swedish text fields it keeps even less: one word id per token, each word
analysed once per segment, and the (term, document, position) rows are expanded from those
ids in bulk when the segment is written. Terms and their postings are then written in the
bytes of Whoosh's W3 codec (the term table, blocks, inlined short lists) without its
per-term calls. Stored fields, field lengths and columns still go through Whoosh's
per-document writer, so the files are ordinary Whoosh 2.7 segments, read by Whoosh and by
engine.py like any other; tests/test_index_build.py compares them with Whoosh's writer.
"""
from __future__ import annotations

import os
import pickle
import zlib
from array import array
from bisect import bisect_left
from hashlib import md5
from pickle import dumps

import numpy as np

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as HASH_LENGTHS
from whoosh.analysis import IDTokenizer
from whoosh.fields import ID
from whoosh.formats import Existence, Frequency, Positions
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from . import analysis
from .engine import ranges, unique
from .schema import SwedishAnalyzer


# Terms with this many postings or fewer are stored inside the term table, not as a block of
# the postings file: most terms of a real archive's vocabulary are that rare.
INLINE_POSTINGS = 8
# Terms with at least this many postings also get their documents, weights and positions as
# flat arrays beside the segment (SIDE_FILES), which engine.py maps instead of unpickling
# Whoosh's blocks; Whoosh deletes them with the segment (they carry its id), and ignores them
# otherwise. Every term not inlined has them: a first search reading a mid-frequency term
# from Whoosh's blocks in every segment took most of a cold query's time (refs #6).
SIDE_MIN_POSTINGS = INLINE_POSTINGS + 1
LIST_WINDOW = 200_000   # postings turned into Python lists at a time while writing
# zlib level of the postings blocks (Whoosh's codec uses 3; readers take any level)
BLOCK_COMPRESSION = 1
SIDE_FILES = (".pgf_ids.npy", ".pgf_weights.npy", ".pgf_terms.pickle", ".pgf_posoff.npy",
              ".pgf_pos.npy", ".pgf_inline.npy")
# Per-document values a searcher needs in bulk when it opens (facet columns, dates, the field
# lengths BM25F uses), so that opening does not walk every document through Whoosh's readers.
COLUMNS_FILE = ".pgf_columns.pickle"
COLUMN_FIELDS = ("organisation", "body", "meeting_label", "item", "kind", "year", "date")
LENGTH_FIELDS = ("text", "title", "decision")

# W3TermInfo's header: flags, weight, doc freq, min/max length byte, max weight, first and
# last id (then the inlined postings, or the extent of the blocks)
_TERMINFO = W3TermInfo._struct


class BulkSegmentWriter(SegmentWriter):
    """One new segment of an index; finish() returns it for a commit of several segments."""

    def __init__(self, ix):
        # compound=False: Whoosh opens a compound segment file by copying each part into a
        # BytesIO, so a searcher on 1 GB of compound segments holds 1.4 GB in memory
        super().__init__(ix, _lk=False, compound=False)
        self._other = _FieldPostings()           # postings of every other field
        self._columns: dict[str, list[str]] = {name: [] for name in COLUMN_FIELDS}
        self._lengths: dict[str, dict[int, int]] = {}
        self._plain_ids = {name for name, field in self.schema.items()
                           if type(field) is ID and type(field.analyzer) is IDTokenizer
                           and type(field.format) is Existence}
        self._swedish = {name: _WordPostings(type(field.format) is Positions)
                         for name, field in self.schema.items()
                         if isinstance(getattr(field, "analyzer", None), SwedishAnalyzer)
                         and field.analyzer.kind == "text"
                         and type(field.format) in (Positions, Frequency)}

    def add_document(self, **fields):
        """As SegmentWriter.add_document, with postings kept in the in-memory arrays."""
        self._check_state()
        pdw = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    if name in self._swedish:
                        length = self._swedish[name].add(value, docnum,
                                                         field.format.field_boost * boost)
                    elif name in self._plain_ids and isinstance(value, str):
                        # what field.index() gives for an ID field: the value as one term
                        self._other.add(name, value.encode("utf-8"), docnum,
                                        field.format.field_boost * boost, b"")
                    else:
                        post = self._other.add
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if field.scorable:
                                length += freq
                            post(name, tbytes, docnum, weight * boost, vbytes)
                    if field.scorable:
                        self._lengths.setdefault(name, {})[docnum] = length
                stored = fields.get(f"_stored_{name}", value)
                pdw.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        for name, values in self._columns.items():
            values.append(fields.get(name) or "")
        self._added = True
        self.docnum += 1

    def finish(self):
        """Write the postings and close the segment; returns the Whoosh segment object."""
        self.perdocwriter.close()
        lengths = {name: [by_doc.get(d, 0) for d in range(self.docnum)]
                   for name, by_doc in self._lengths.items()}
        try:
            side = self._write_postings(lengths)
        finally:
            self.fieldwriter.close()
            self.pool.cleanup()
        segment = self.get_segment()       # never compound: see __init__
        self._write_side_files(segment.segment_id(), side, lengths)
        self.is_closed = True
        return segment

    def _write_side_files(self, segment_id: str, side: tuple, lengths: dict[str, list[int]]):
        """The frequent terms' postings as arrays and the per-document columns:
        <segment id>.pgf_* (see SIDE_FILES and COLUMNS_FILE)."""
        ids, weights, terms, pos_offsets, positions, inline = side
        folder = self.storage.folder
        for ext, array_ in zip(SIDE_FILES, (ids, weights, None, pos_offsets, positions, inline)):
            if array_ is not None:
                np.save(os.path.join(folder, segment_id + ext), array_)
        # the lengths BM25F sees: Whoosh keeps a byte per length, read back as byte_to_length
        quantized = np.array([byte_to_length(n) if n else 0 for n in range(256)], np.float32)
        stored = {name: quantized[np.asarray([length_to_byte(n) for n in
                                              lengths.get(name, [0] * self.docnum)],
                                             dtype=np.int64)]
                  for name in LENGTH_FIELDS}
        with open(os.path.join(folder, segment_id + COLUMNS_FILE), "wb") as out:
            pickle.dump({"columns": self._columns, "lengths": stored}, out,
                        protocol=pickle.HIGHEST_PROTOCOL)
        # the term table last: a segment's side files count only once it exists
        with open(os.path.join(folder, segment_id + SIDE_FILES[2]), "wb") as out:
            pickle.dump(TermTable.build(terms).state(), out, protocol=pickle.HIGHEST_PROTOCOL)

    def _write_postings(self, lengths: dict[str, list[int]]) -> tuple:
        """Write every field's terms and postings; returns the side arrays of the frequent
        terms (ids, weights, {(field, term): span}, position offsets, positions)."""
        runs = self._other.runs(self.schema, self.docnum)
        runs.update({name: words.run(self.docnum)
                     for name, words in self._swedish.items() if words.docs})
        self._other = self._swedish = None
        side_ids, side_weights, side_terms, side_counts, side_pos = [], [], {}, [], []
        inline = []
        done = 0
        writer = _TermWriter(self.fieldwriter)
        for name in sorted(runs):
            run = runs[name]
            if not run.terms:
                continue            # only empty values: no postings, as Whoosh's writer
            field = self.schema[name]
            writer.write_field(name, field, run, lengths.get(name))
            counts = np.diff(run.bounds)
            inline += [inline_hash(TermTable.raw((name, run.terms[n])))
                       for n in np.flatnonzero(counts < SIDE_MIN_POSTINGS).tolist()]
            big = np.flatnonzero(counts >= SIDE_MIN_POSTINGS)
            if not len(big):
                continue
            starts, sizes = run.bounds[big], counts[big]
            picked = ranges(starts, sizes)
            side_ids.append(run.docs[picked])
            side_weights.append(run.weights[picked])
            spans = np.concatenate([[0], np.cumsum(sizes)]) + done
            for k, n in enumerate(big.tolist()):
                side_terms[(name, run.terms[n])] = (int(spans[k]), int(spans[k + 1]))
            done = int(spans[-1])
            freqs, positions = run.positions(picked)
            side_counts.append(freqs)
            side_pos.append(positions)
        inline = unique(np.asarray(inline, dtype=np.uint32))
        if not side_ids:
            return (np.zeros(0, np.uint32), np.zeros(0, np.float32), {},
                    np.zeros(1, np.uint32), np.zeros(0, np.uint32), inline)
        counts = np.concatenate(side_counts).astype(np.int64)
        return (np.concatenate(side_ids).astype(np.uint32),
                np.concatenate(side_weights).astype(np.float32), side_terms,
                np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32),
                np.concatenate(side_pos).astype(np.uint32), inline)


class _Run:
    """One field's postings in writing order: by term (bytes), then by document.

    terms[n] has postings bounds[n]..bounds[n + 1] of docs and weights (float64: Whoosh keeps
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

    def runs(self, schema, doc_count: int) -> dict[str, _Run]:
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
            fixed = schema[name].format.fixed_value_size()
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
        encoded = [t.encode("utf-8") for t in self._term_list]
        by_bytes = sorted(range(len(encoded)), key=encoded.__getitem__)
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
        key = key[order]
        positions = token_pos[token[order]]
        del order, token, token_docs, token_pos
        first = np.flatnonzero(np.diff(key, prepend=-1))     # each (term, document) pair
        freqs = np.diff(np.append(first, len(key)))
        term_rank, docs = np.divmod(key[first], doc_count)
        del key
        boosts = np.zeros(doc_count, dtype=np.float64)
        boosts[np.frombuffer(self.docs, dtype=np.uint32)] = np.frombuffer(self._boosts)
        weights = freqs * boosts[docs]
        bounds = np.searchsorted(term_rank, np.arange(len(encoded) + 1))
        terms_sorted = [encoded[i] for i in by_bytes]
        # positions as Positions.encode() writes them: the first, then deltas
        deltas = np.diff(positions, prepend=0)
        deltas[first] = positions[first]
        has_positions = self.has_positions

        def values(lo: int, hi: int) -> list[bytes]:
            f = freqs[lo:hi]
            if not has_positions:
                return _FREQUENCIES[f].tolist() if f.max() < 256 \
                    else [pack_uint(n) for n in f.tolist()]
            # one position (most postings): a table of encoded values; more: pickled deltas
            firsts = positions[first[lo:hi]]
            out = _one_positions(int(firsts.max()) + 1)[firsts].tolist()
            multi = np.flatnonzero(f > 1)
            if len(multi):
                start = int(first[lo])
                d = deltas[start:start + int(f.sum())].tolist()
                offsets = (first[lo:hi][multi] - start).tolist()
                for i, at, n in zip(multi.tolist(), offsets, f[multi].tolist()):
                    out[i] = pack_uint(n) + dumps(d[at:at + n], 2)
            return out

        def picked_positions(picked: np.ndarray):
            n = freqs[picked]
            return n, positions[ranges(first[picked], n)].astype(np.uint32)

        return _Run(terms_sorted, bounds, docs.astype(np.uint32), weights, values,
                    picked_positions if has_positions else _no_positions)


class TermTable:
    """{(field, term bytes): (start, end)} of a segment's side arrays, as four arrays: the
    keys' 64-bit hashes in order, their spans, and the keys themselves for a check. A Python
    dict of the same held ~200 bytes a term; a searcher keeps one per segment (refs #6)."""

    def __init__(self, hashes: np.ndarray, spans: np.ndarray, blob: bytes, offsets: np.ndarray,
                 hash: str = "md5"):
        self.hashes, self.spans, self.blob, self.offsets = hashes, spans, blob, offsets
        self.hash = hash                 # tables written before crc32x2 used md5
        self._hashed = _HASHES[hash]
        self._sorted = memoryview(np.ascontiguousarray(hashes, dtype=np.uint64))   # for bisect

    @staticmethod
    def raw(key: tuple[str, bytes]) -> bytes:
        return key[0].encode("utf-8") + b"\0" + key[1]

    @classmethod
    def build(cls, terms: dict[tuple[str, bytes], tuple[int, int]]) -> "TermTable":
        raw = [cls.raw(key) for key in terms]
        hashes = np.array([_HASHES["crc32x2"](r) for r in raw], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        ordered = [raw[i] for i in order.tolist()]
        return cls(hashes[order], np.array(list(terms.values()), dtype=np.int64).reshape(-1, 2)[
            order], b"".join(ordered), np.concatenate([[0], np.cumsum(
                [len(r) for r in ordered], dtype=np.int64)]).astype(np.int64), "crc32x2")

    def state(self) -> dict:
        return {"hashes": self.hashes, "spans": self.spans, "blob": self.blob,
                "offsets": self.offsets, "hash": self.hash}

    def get(self, key: tuple[str, bytes]) -> tuple[int, int] | None:
        raw = self.raw(key)
        h = self._hashed(raw)
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


_HASHES = {
    "md5": lambda raw: int.from_bytes(md5(raw, usedforsecurity=False).digest()[:8], "little"),
    "crc32x2": lambda raw: zlib.crc32(raw) << 32 | zlib.crc32(raw, 0x9E3779B9),
}


def inline_hash(key: bytes) -> int:
    """32 bits of a (field + NUL + term) key: .pgf_inline.npy holds those of a segment's
    terms without side arrays, sorted, so a reader knows which terms to look up in Whoosh's
    term table (a lookup costs ~50 µs; a rare term is absent from most segments)."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[:4], "little")


def _one_position(p: int) -> bytes:
    return pack_uint(1) + dumps([p], 2)


_ONE_POSITION = np.array([_one_position(p) for p in range(4096)], dtype=object)
_FREQUENCIES = np.array([pack_uint(n) for n in range(256)], dtype=object)   # Frequency


def _one_positions(size: int) -> np.ndarray:
    """Positions.encode([p]) for every p below size, as an array to index."""
    global _ONE_POSITION
    if size > len(_ONE_POSITION):
        _ONE_POSITION = np.array([_one_position(p) for p in range(max(size, 2 * len(
            _ONE_POSITION)))], dtype=object)
    return _ONE_POSITION


class _TermWriter:
    """Writes terms and postings in the bytes of Whoosh's W3 codec — what W3FieldWriter,
    W3PostingsWriter and W3TermInfo write term by term and posting by posting — with a few
    Python operations per term: the term table (an OrderedHashWriter), blocks of up to
    `blocklimit` postings (pickled, zlib-compressed) and short lists inlined in the table.

    Whoosh 2.7's own inlining is broken (it calls a misspelt method), so its writer never
    inlines; its readers read inlined lists as written here."""

    def __init__(self, fieldwriter):
        self.fw = fieldwriter

    def write_field(self, name: str, field, run: _Run, lengths: list[int] | None) -> None:
        fw = self.fw
        fw.start_field(name, field)
        limit, comp = fw._postwriter._blocklimit, BLOCK_COMPRESSION
        fixed = field.format.fixed_value_size()
        prefix = pack_ushort(fw._fieldid)
        tindex = fw._tindex
        tfile, pfile = tindex.dbfile, fw._postfile
        tpos, ppos = tfile.tell(), pfile.tell()
        tout, pout = [], []
        buckets, index = tindex.buckets, tindex.index
        bounds = run.bounds.tolist()
        # per term, in bulk: first and last document, greatest weight, least and greatest
        # field length as Whoosh's length bytes (what W3TermInfo keeps besides the sum)
        starts = run.bounds[:-1]
        firsts = run.docs[starts].tolist()
        lasts = run.docs[run.bounds[1:] - 1].tolist()
        top_weights = np.maximum.reduceat(run.weights, starts).tolist()
        doc_lengths = np.asarray(lengths, dtype=np.int64)[run.docs] if lengths else None
        min_bytes, max_bytes = _length_range_bytes(doc_lengths, starts, len(run.terms))
        # per block of up to `limit` postings (a short list is one block): where it starts,
        # the ids as deltas from the previous one in the block, the same statistics, and the
        # float32 weights' least and greatest (for W3's "all 1.0" / "all equal" forms)
        counts = np.diff(run.bounds)
        in_term = np.arange(len(run.docs)) - np.repeat(starts, counts)
        block_starts = np.flatnonzero(in_term % limit == 0)
        del in_term
        docs = run.docs.astype(np.int64)
        deltas = docs - np.concatenate([[0], docs[:-1]])
        deltas[block_starts] = docs[block_starts]
        del docs
        weights32 = run.weights.astype(np.float32)
        b_top = np.maximum.reduceat(run.weights, block_starts).tolist()
        b_least = np.minimum.reduceat(weights32, block_starts).tolist()
        b_most = np.maximum.reduceat(weights32, block_starts).tolist()
        b_min, b_max = _length_range_bytes(doc_lengths, block_starts, len(block_starts))
        block = 0
        base = end = 0
        for n, tbytes in enumerate(run.terms):
            lo, hi = bounds[n], bounds[n + 1]
            if hi > end:        # a window at a time: lists of every posting would cost GBs
                base, end = lo, max(hi, lo + LIST_WINDOW)
                w_docs = run.docs[base:end].tolist()
                w_deltas = deltas[base:end].tolist()
                w_weights = weights32[base:end].tolist()
                w_values = run.values(base, end)
            if hi - lo <= INLINE_POSTINGS:
                weights = w_weights[lo - base:hi - base]
                values = tuple(w_values[lo - base:hi - base]) if w_values is not None else ()
                info = _TERMINFO.pack(1, sum(weights), hi - lo, min_bytes[n], max_bytes[n],
                                      top_weights[n], firsts[n], lasts[n]
                                      ) + dumps((tuple(w_docs[lo - base:hi - base]),
                                                 tuple(weights), values), 2)
                block += 1
            else:
                start = ppos
                total = 0.0
                for b in range(lo - base, hi - base, limit):
                    e = min(b + limit, hi - base)
                    b_weights = w_weights[b:e]
                    total += sum(b_weights)
                    if b_least[block] == b_most[block]:
                        mini = None if b_least[block] == 1.0 else b_weights[0]
                    else:
                        mini = tuple(b_weights)
                    data = dumps((tuple(w_deltas[b:e]), mini, _mini_values(
                        w_values[b:e] if w_values is not None else None, fixed)), 2)
                    if comp:
                        data = zlib.compress(data, comp)
                    info_b = dumps((e - b, w_docs[e - 1], b_top[block], comp, b_min[block],
                                    b_max[block]), 2)
                    size = len(info_b) + len(data)
                    chunk = ((WHOOSH3_HEADER_MAGIC if b == lo - base else b"")
                             + pack_int(-size if e == hi - base else size) + info_b + data)
                    pout.append(chunk)
                    ppos += len(chunk)
                    block += 1
                info = _TERMINFO.pack(0, total, hi - lo, min_bytes[n], max_bytes[n],
                                      top_weights[n], firsts[n], lasts[n]
                                      ) + pack_long(start) + pack_int(ppos - start)
            key = prefix + tbytes
            row = HASH_LENGTHS.pack(len(key), len(info)) + key + info
            index.append(tpos)
            h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
            buckets[h & 255].append((h, tpos))
            tout.append(row)
            tpos += len(row)
            if len(tout) > 4096:
                tfile.write(b"".join(tout))
                tout = []
            if len(pout) > 256:
                pfile.write(b"".join(pout))
                pout = []
        tfile.write(b"".join(tout))
        pfile.write(b"".join(pout))
        if run.terms:
            tindex.lastkey = prefix + run.terms[-1]
        fw.finish_field()


_LENGTH_LIMITS = np.array([byte_to_length(n) for n in range(256)], dtype=np.int64)


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """length_to_byte() of many lengths at once (Whoosh's bisect over the same table)."""
    return np.where(lengths >= 106374, 255, np.searchsorted(_LENGTH_LIMITS, lengths, "left"))


def _length_range_bytes(doc_lengths: np.ndarray | None, starts: np.ndarray, count: int
                        ) -> tuple[list[int], list[int]]:
    """Per run of postings from each start: the least field length (zeros not counted, as
    W3PostingsWriter.add_posting keeps it) and the greatest, as Whoosh's length bytes."""
    if doc_lengths is None:
        return [0] * count, [0] * count
    least = np.minimum.reduceat(np.where(doc_lengths > 0, doc_lengths, 1 << 40), starts)
    return (np.where(least == 1 << 40, 0, _length_bytes(least)).tolist(),
            _length_bytes(np.maximum.reduceat(doc_lengths, starts)).tolist())


def _mini_values(values: list[bytes] | None, fixed: int | None):
    if fixed is None or fixed < 0:
        return tuple(values)
    if fixed == 0:
        return None
    return b"".join(values)
