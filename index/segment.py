"""A bulk writer of Whoosh segments for full rebuilds (refs #5, #6).

Whoosh's SegmentWriter sends every posting through a pool: one pickled tuple per posting,
an external sort on disk and a heap merge, then one Python call per posting into the
postings writer. At 100,000 items that is ~27 million postings and several minutes.
This writer keeps a segment's postings in memory as flat arrays (term id, document,
weight, value), sorts them once with numpy, and hands each term's postings to Whoosh's
own W3 postings writer a block at a time. Stored fields, field lengths and columns still
go through Whoosh's per-document writer, so the files are ordinary Whoosh 2.7 segments,
read by Whoosh and by engine.py like any other.
"""
from __future__ import annotations

import os
import pickle
from array import array
from pickle import dumps

import numpy as np

from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from . import analysis
from .engine import ranges
from .schema import SwedishAnalyzer


# Terms with this many postings or fewer are stored inside the term table, not as a block of
# the postings file: most terms of a real archive's vocabulary are that rare.
INLINE_POSTINGS = 8
# Terms with at least this many postings also get their documents and weights as flat arrays
# beside the segment (SIDE_FILES), which engine.py maps instead of unpickling Whoosh's blocks;
# Whoosh deletes them with the segment (they carry its id), and ignores them otherwise.
SIDE_MIN_POSTINGS = 128
LIST_WINDOW = 200_000   # postings turned into Python lists at a time while writing
SIDE_FILES = (".pgf_ids.npy", ".pgf_weights.npy", ".pgf_terms.pickle", ".pgf_posoff.npy",
              ".pgf_pos.npy")
# Per-document values a searcher needs in bulk when it opens (facet columns, dates, the field
# lengths BM25F uses), so that opening does not walk every document through Whoosh's readers.
COLUMNS_FILE = ".pgf_columns.pickle"
COLUMN_FIELDS = ("organisation", "body", "meeting_label", "item", "kind", "year", "date")
LENGTH_FIELDS = ("text", "title", "decision")


class BulkSegmentWriter(SegmentWriter):
    """One new segment of an index; finish() returns it for a commit of several segments."""

    def __init__(self, ix):
        # compound=False: Whoosh opens a compound segment file by copying each part into a
        # BytesIO, so a searcher on 1 GB of compound segments holds 1.4 GB in memory
        super().__init__(ix, _lk=False, compound=False)
        self._term_ids: dict[tuple[str, bytes], int] = {}      # other fields' terms
        self._field_terms: dict[str, dict[str, int]] = {}      # Swedish fields' terms
        self._term_keys: list[tuple[str, bytes]] = []           # term id -> (field, bytes)
        self._terms = array("I")        # per posting: term id
        self._docs = array("I")         # per posting: document number in this segment
        self._weights = array("f")
        self._values: list[bytes] = []
        self._columns: dict[str, list[str]] = {name: [] for name in COLUMN_FIELDS}
        self._pos = array("I")          # raw positions of Positions fields, posting by posting
        self._pos_count = array("I")    # per posting: how many of them
        self._lengths: dict[str, dict[int, int]] = {}
        self._fast = {name for name, field in self.schema.items()
                      if isinstance(getattr(field, "analyzer", None), SwedishAnalyzer)
                      and field.analyzer.kind == "text"
                      and type(field.format) in (Positions, Frequency)}

    def _post(self, fieldname: str, tbytes: bytes, docnum: int, weight: float, vbytes: bytes):
        key = (fieldname, tbytes)
        term = self._term_ids.get(key)
        if term is None:
            term = self._term_ids[key] = len(self._term_keys)
            self._term_keys.append(key)
        self._terms.append(term)
        self._docs.append(docnum)
        self._weights.append(weight)
        self._values.append(vbytes)
        self._pos_count.append(0)

    def _add_swedish(self, name: str, field, value: str, docnum: int, boost: float) -> int:
        """Postings of a Swedish text field, from cached analysis (field.index() per term
        gives the same terms, weights and values); returns the field length."""
        ids = self._field_terms.setdefault(name, {})
        positions = type(field.format) is Positions
        fb = field.format.field_boost * boost
        terms, weights, values, counts = [], [], [], []
        length = 0
        for term, poslist in analysis.term_positions(value).items():
            tid = ids.get(term)
            if tid is None:
                tid = ids[term] = len(self._term_keys)
                self._term_keys.append((name, term.encode("utf-8")))
            freq = len(poslist)
            length += freq
            terms.append(tid)
            weights.append(freq * fb)
            if positions:    # Positions.encode(): the count, then pickled deltas
                self._pos.extend(poslist)
                counts.append(freq)
                values.append(pack_uint(freq) + dumps(
                    [poslist[0]] + [b - a for a, b in zip(poslist, poslist[1:])], 2))
            else:
                values.append(pack_uint(freq))
        self._terms.extend(terms)
        self._docs.extend([docnum] * len(terms))
        self._weights.extend(weights)
        self._values.extend(values)
        self._pos_count.extend(counts if positions else [0] * len(terms))
        return length

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
                    if name in self._fast and isinstance(value, str):
                        length = self._add_swedish(name, field, value, docnum, boost)
                    else:
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if field.scorable:
                                length += freq
                            self._post(name, tbytes, docnum, weight * boost, vbytes)
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
        ids, weights, terms, pos_offsets, positions = side
        folder = self.storage.folder
        for ext, array_ in zip(SIDE_FILES, (ids, weights, None, pos_offsets, positions)):
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
            pickle.dump(terms, out, protocol=pickle.HIGHEST_PROTOCOL)

    def _write_postings(self, lengths: dict[str, list[int]]) -> tuple:
        """Hand every term's postings to Whoosh's postings writer; returns the side arrays
        of the frequent terms (ids, weights, {term: span}, position offsets, positions)."""
        if not self._term_keys:
            return (np.zeros(0, np.uint32), np.zeros(0, np.float32), {},
                    np.zeros(1, np.int64), np.zeros(0, np.uint32))
        by_key = sorted(range(len(self._term_keys)), key=self._term_keys.__getitem__)
        keys = [self._term_keys[i] for i in by_key]       # by field name, then term bytes
        rank = np.empty(len(keys), dtype=np.int64)
        rank[by_key] = np.arange(len(keys))
        terms = np.frombuffer(self._terms, dtype=np.uint32)
        docs = np.frombuffer(self._docs, dtype=np.uint32)
        order = np.lexsort((docs, rank[terms]))            # term order, then document order
        bounds = np.searchsorted(rank[terms][order], np.arange(len(keys) + 1))
        docs = docs[order]
        weights = np.frombuffer(self._weights, dtype=np.float32)[order]
        counts = np.diff(bounds)
        big = counts >= SIDE_MIN_POSTINGS
        side_bounds = np.concatenate([[0], np.cumsum(counts[big])]).tolist()
        chosen = np.repeat(big, counts)
        # raw positions of the chosen postings, in the same order (postings of fields
        # without positions have none)
        pos_count = np.frombuffer(self._pos_count, dtype=np.uint32).astype(np.int64)
        pos_start = np.concatenate([[0], np.cumsum(pos_count)[:-1]])
        picked = order[chosen]
        pos_lengths = pos_count[picked]
        side = (docs[chosen], weights[chosen],
                {keys[n]: (side_bounds[k], side_bounds[k + 1])
                 for k, n in enumerate(np.flatnonzero(big).tolist())},
                np.concatenate([[0], np.cumsum(pos_lengths)]),
                np.frombuffer(self._pos, dtype=np.uint32)[ranges(pos_start[picked], pos_lengths)])
        bounds = bounds.tolist()
        values = self._values
        self._pos = self._pos_count = None
        fw = self.fieldwriter
        current = None
        base = end = 0          # postings [base, end) are converted to Python lists below
        for n, (fieldname, tbytes) in enumerate(keys):
            lo, hi = bounds[n], bounds[n + 1]
            if hi > end:        # a window at a time: lists of every posting would cost GBs
                base, end = lo, max(hi, lo + LIST_WINDOW)
                chunk_docs = docs[base:end].tolist()
                chunk_weights = weights[base:end].tolist()
                chunk_order = order[base:end].tolist()
            if fieldname != current:
                if current is not None:
                    fw.finish_field()
                current = fieldname
                field = self.schema[fieldname]
                fw.start_field(fieldname, field)
                field_lengths = lengths.get(fieldname)
                fixed = field.format.fixed_value_size()
            ids = chunk_docs[lo - base:hi - base]
            fw.start_term(tbytes)
            _write_term(fw._postwriter, ids, chunk_weights[lo - base:hi - base],
                        [values[i] for i in chunk_order[lo - base:hi - base]] if fixed != 0
                        else [], [field_lengths[d] for d in ids] if field_lengths else None)
            postwriter = fw._postwriter
            if hi - lo <= INLINE_POSTINGS:
                # Whoosh 2.7's own inlining is broken (it calls a misspelt method): do it here
                terminfo = postwriter._terminfo
                terminfo.add_block(postwriter)
                terminfo.set_inlined(postwriter._ids, postwriter._weights, postwriter._values)
                postwriter._terminfo = None
                fw._tindex.add(pack_ushort(fw._fieldid) + tbytes, terminfo.to_bytes())
            else:
                fw.finish_term()
        fw.finish_field()
        self._terms = self._docs = self._weights = None
        self._values = []
        return side


def _write_term(writer, ids: list[int], weights: list[float], values: list[bytes],
                lengths: list[int] | None) -> None:
    """Fill Whoosh's W3PostingsWriter a block at a time (what add_posting does per posting)."""
    limit = writer._blocklimit
    for start in range(0, len(ids), limit):
        end = start + limit
        block_ids = ids[start:end]
        writer._ids = array("I", block_ids)
        block_weights = weights[start:end]
        writer._weights = array("f", block_weights)
        writer._values = values[start:end]
        writer._maxweight = max(block_weights)
        if lengths:
            block_lengths = [n for n in lengths[start:end] if n]
            writer._minlength = min(block_lengths) if block_lengths else None
            writer._maxlength = max(block_lengths) if block_lengths else 0
        else:
            writer._minlength, writer._maxlength = None, 0
        if end < len(ids):
            writer._write_block()
    # the last block stays buffered: finish_postings() writes it (or inlines a short list)
