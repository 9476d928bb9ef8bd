"""The bytes of Whoosh's W3 codec: posting values, and terms with their postings written in bulk."""
from __future__ import annotations

import zlib
from hashlib import md5
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as _HASH_LENGTHS
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length

LIST_WINDOW = 200_000        # postings turned into Python lists at a time while writing
# zlib level of the postings blocks (Whoosh's codec uses 3; readers take any level)
BLOCK_COMPRESSION = 1


def encode_frequency(n: int) -> bytes:
    """A posting's value in a Frequency field."""
    return pack_uint(n)


def encode_positions(deltas: list[int]) -> bytes:
    """A posting's value in a Positions field: the count, then the first position and deltas."""
    return pack_uint(len(deltas)) + dumps(deltas, 2)


# W3TermInfo's header: flags, weight, doc freq, min/max length byte, max weight, first and
# last id (then the inlined postings, or the extent of the blocks)
_TERMINFO = W3TermInfo._struct
_LENGTH_LIMITS = np.array([byte_to_length(n) for n in range(256)], dtype=np.int64)


class TermWriter:
    """Writes terms and postings in the bytes of Whoosh's W3 codec — what W3FieldWriter,
    W3PostingsWriter and W3TermInfo write term by term and posting by posting — with a few
    Python operations per term: the term table (an OrderedHashWriter), blocks of up to
    `blocklimit` postings (pickled, zlib-compressed) and short lists inlined in the table.

    Whoosh 2.7's own inlining is broken (it calls a misspelt method), so its writer never
    inlines; its readers read inlined lists as written here."""

    def __init__(self, fieldwriter, schema):
        self.fw, self.schema = fieldwriter, schema

    def write_field(self, name: str, run, lengths: list[int] | None, inline_max: int) -> None:
        """Write one field's run (segment._Run): lists of up to inline_max postings inline."""
        fw = self.fw
        fw.start_field(name, self.schema[name])
        self._limit = fw._postwriter._blocklimit
        self._fixed = self.schema[name].format.fixed_value_size()
        prefix = pack_ushort(fw._fieldid)
        tindex = fw._tindex
        tfile, pfile = tindex.dbfile, fw._postfile
        self._ppos = pfile.tell()
        tpos, tout, self._pout = tfile.tell(), [], []
        stats = self._statistics(run, lengths)
        bounds = run.bounds.tolist()
        self._block = 0
        base = end = 0
        for n, tbytes in enumerate(run.terms):
            lo, hi = bounds[n], bounds[n + 1]
            if hi > end:        # a window at a time: lists of every posting would cost GBs
                base, end = lo, max(hi, lo + LIST_WINDOW)
                window = (run.docs[base:end].tolist(), stats["deltas"][base:end].tolist(),
                          stats["weights32"][base:end].tolist(), run.values(base, end))
            head = (stats["min"][n], stats["max"][n], stats["top"][n], stats["first"][n],
                    stats["last"][n])
            if hi - lo <= inline_max:
                info = self._inline(window, lo - base, hi - base, head)
            else:
                info = self._blocks(window, lo - base, hi - base, head, stats)
            key = prefix + tbytes
            row = _HASH_LENGTHS.pack(len(key), len(info)) + key + info
            tindex.index.append(tpos)
            h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
            tindex.buckets[h & 255].append((h, tpos))
            tout.append(row)
            tpos += len(row)
            if len(tout) > 4096:
                tfile.write(b"".join(tout))
                tout = []
            if len(self._pout) > 256:
                pfile.write(b"".join(self._pout))
                self._pout = []
        tfile.write(b"".join(tout))
        pfile.write(b"".join(self._pout))
        if run.terms:
            tindex.lastkey = prefix + run.terms[-1]
        fw.finish_field()

    def _statistics(self, run, lengths: list[int] | None) -> dict:
        """Per term and per block of up to `blocklimit` postings (a short list is one block),
        in bulk: first and last document, greatest weight, least and greatest field length
        as Whoosh's length bytes; per posting, its id as a delta within its block and its
        float32 weight; per block, the weights' least and greatest (W3's "all 1.0" and "all
        equal" forms)."""
        starts = run.bounds[:-1]
        doc_lengths = np.asarray(lengths, dtype=np.int64)[run.docs] if lengths else None
        counts = np.diff(run.bounds)
        in_term = np.arange(len(run.docs)) - np.repeat(starts, counts)
        block_starts = np.flatnonzero(in_term % self._limit == 0)
        del in_term
        docs = run.docs.astype(np.int64)
        deltas = docs - np.concatenate([[0], docs[:-1]])
        deltas[block_starts] = docs[block_starts]
        weights32 = run.weights.astype(np.float32)
        out = {"first": run.docs[starts].tolist(), "last": run.docs[run.bounds[1:] - 1].tolist(),
               "top": np.maximum.reduceat(run.weights, starts).tolist(),
               "deltas": deltas, "weights32": weights32,
               "b_top": np.maximum.reduceat(run.weights, block_starts).tolist(),
               "b_least": np.minimum.reduceat(weights32, block_starts).tolist(),
               "b_most": np.maximum.reduceat(weights32, block_starts).tolist()}
        out["min"], out["max"] = _length_range_bytes(doc_lengths, starts, len(run.terms))
        out["b_min"], out["b_max"] = _length_range_bytes(doc_lengths, block_starts,
                                                         len(block_starts))
        return out

    def _inline(self, window, lo: int, hi: int, head) -> bytes:
        """The term info of a short list, with its postings inside."""
        w_docs, _, w_weights, w_values = window
        weights = w_weights[lo:hi]
        values = tuple(w_values[lo:hi]) if w_values is not None else ()
        least, most, top, first, last = head
        self._block += 1
        return _TERMINFO.pack(1, sum(weights), hi - lo, least, most, top, first, last
                              ) + dumps((tuple(w_docs[lo:hi]), tuple(weights), values), 2)

    def _blocks(self, window, lo: int, hi: int, head, stats: dict) -> bytes:
        """Write a long list's blocks to the postings file; returns its term info."""
        w_docs, w_deltas, w_weights, w_values = window
        start, total, limit, comp = self._ppos, 0.0, self._limit, BLOCK_COMPRESSION
        for b in range(lo, hi, limit):
            e, block = min(b + limit, hi), self._block
            b_weights = w_weights[b:e]
            total += sum(b_weights)
            if stats["b_least"][block] == stats["b_most"][block]:
                mini = None if stats["b_least"][block] == 1.0 else b_weights[0]
            else:
                mini = tuple(b_weights)
            data = dumps((tuple(w_deltas[b:e]), mini, _mini_values(
                w_values[b:e] if w_values is not None else None, self._fixed)), 2)
            if comp:
                data = zlib.compress(data, comp)
            info_b = dumps((e - b, w_docs[e - 1], stats["b_top"][block], comp,
                            stats["b_min"][block], stats["b_max"][block]), 2)
            size = len(info_b) + len(data)
            chunk = ((WHOOSH3_HEADER_MAGIC if b == lo else b"")
                     + pack_int(-size if e == hi else size) + info_b + data)
            self._pout.append(chunk)
            self._ppos += len(chunk)
            self._block += 1
        least, most, top, first, last = head
        return _TERMINFO.pack(0, total, hi - lo, least, most, top, first, last
                              ) + pack_long(start) + pack_int(self._ppos - start)


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
