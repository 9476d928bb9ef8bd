"""A searcher on one generation and its segments: stored fields, terms, and a term's postings
and positions as plain lists (read a block at a time through the W3 matcher's internals)."""
from __future__ import annotations

import struct

import numpy as np
from whoosh.query import Phrase
from whoosh.scoring import BM25F

BM25_B, BM25_K1 = 0.6, 1.2


class Searcher:
    """A searcher on one generation of an index: its segments, stored fields and terms."""

    def __init__(self, ix):
        self._searcher = ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
        reader = self._searcher.reader()
        subs = list(zip(reader.readers, reader.doc_offsets)) if hasattr(reader, "readers") \
            else [(reader, 0)]
        self.segments = [Segment(sub, offset) for sub, offset in subs]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._searcher.close()

    def reader(self):
        """Whoosh's reader of this generation, for code reading its term files (suggest.py)."""
        return self._searcher.reader()

    def generation(self) -> int:
        return self._searcher.reader().generation()

    def up_to_date(self) -> bool:
        return self._searcher.up_to_date()

    def doc_count(self) -> int:
        return self._searcher.doc_count()

    def doc_count_all(self) -> int:
        return self._searcher.doc_count_all()

    def stored_fields(self, docnum: int) -> dict:
        return self._searcher.stored_fields(docnum)

    def document_number(self, **terms) -> int | None:
        return self._searcher.document_number(**terms)

    def doc_frequency(self, field: str, text: str) -> int:
        return self._searcher.doc_frequency(field, text)

    def idf(self, field: str, text: str) -> float:
        return self._searcher.idf(field, text)

    def expand_prefix(self, field: str, prefix: str):
        """The field's terms that start with `prefix`, in order, as str."""
        for term in self._searcher.reader().expand_prefix(field, prefix):
            yield term.decode() if isinstance(term, bytes) else term

    def all_terms(self):
        """(field, term bytes) of every term, in order."""
        return self._searcher.reader().all_terms()

    def phrase_docnums(self, field: str, words: list[str]) -> list[int]:
        """Documents where the words stand in this order, by Whoosh's own Phrase query."""
        return sorted(h.docnum for h in self._searcher.search(Phrase(field, words), limit=None))


class Segment:
    """One segment of a searcher: its documents from `offset` on."""

    def __init__(self, sub, offset: int):
        self._sub, self.offset = sub, offset
        self.doc_count = sub.doc_count_all()
        segment = getattr(sub, "_segment", None)
        self.id = segment.segment_id() if segment is not None else None

    def prefetch_stored(self) -> None:
        """Read the stored-field offsets now, once, not on the first hit shown from here."""
        if self.doc_count:
            self._sub.stored_fields(0)

    def live_ids(self) -> np.ndarray | None:
        """The segment's live document numbers, or None when none is deleted."""
        if not self._sub.has_deletions():
            return None
        return np.fromiter(self._sub.all_doc_ids(), dtype=np.int64)

    def field_lengths(self, name: str) -> np.ndarray:
        """Every document's length of a field, a document at a time."""
        sub = self._sub
        return np.fromiter((sub.doc_field_length(d, name, 0) or 0 for d in range(self.doc_count)),
                           dtype=np.float32, count=self.doc_count)

    def column(self, name: str) -> list:
        try:
            return list(self._sub.column_reader(name))
        except NotImplementedError:  # an empty segment has no columns
            return [""] * self.doc_count

    def _matcher(self, name: str, text: str):
        try:
            return self._sub.postings(name, text)
        except Exception:  # TermNotFound, or a field without postings
            return None

    def postings(self, name: str, text: str) -> tuple[list, list] | None:
        """All ids and weights of a term here (None when absent), a block at a time."""
        leaf = self._matcher(name, text)
        if leaf is None:
            return None
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
        while leaf.is_active():   # deletion filters and in-memory matchers: one at a time
            ids.append(leaf.id())
            weights.append(leaf.weight())
            leaf.next()
        return ids, weights

    def positions(self, name: str, text: str, offset: int, wanted: np.ndarray):
        """(docnum + offset, positions) of a term for the wanted documents only."""
        leaf = self._matcher(name, text)
        if leaf is None:
            return
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


# --- the plain words of a field, for the suggestion lexicon (index/suggest.py) ------------
_TERMINFO_DF = struct.Struct("!I")   # W3TermInfo ('!BfIBBfII'): the document frequency at byte 5
_LENGTHS = struct.Struct("!II")      # a hash file record: key length, value length
MAX_TERM = 40                        # longer terms are not given (suggest.MAX_WORD)


def plain_term_frequencies(reader, field: str):
    """(term, document frequency) of the terms of `field` that start with a letter, segment
    by segment (a term in two segments comes twice).

    Whoosh's term iterators decode each term's record in Python (6 s for the 2 million terms
    of a 100,000-item index); the plain words are one sorted stretch of each W3 segment's
    term file (stems and folded forms carry a mark that sorts apart), read here in one piece."""
    subs = getattr(reader, "readers", None) or [reader]
    for sub in subs:
        found = _term_file_stretch(sub, field)
        if found is None:        # another codec: the slow way
            for term, info in sub.iter_field(field):
                text = term.decode("utf-8", "replace") if isinstance(term, bytes) else term
                yield text, info.doc_frequency()
        else:
            yield from found


def _term_file_stretch(sub, field: str) -> list[tuple[str, int]] | None:
    """The letter-initial terms of one W3 segment from its ordered term hash file, or None
    when the segment is of another codec."""
    terms = getattr(sub, "_terms", None)
    table = getattr(terms, "_tindex", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    if table is None or fieldmap is None or not hasattr(table, "closest_key_pos"):
        return None
    if field not in fieldmap:
        return []
    prefix = struct.pack("!H", fieldmap[field])
    unpack, df_at = _LENGTHS.unpack_from, _TERMINFO_DF.unpack_from
    out = []
    # letters a–z, then UTF-8 lead byte 0xC3 (å, ä, ö, é, …); '^' stems, '~' folds and
    # digits sort outside these stretches
    for low, high in ((b"a", b"{"), (b"\xc3", b"\xc4")):
        start = table.closest_key_pos(prefix + low)
        if start is None:
            continue
        end = table.closest_key_pos(prefix + high)
        end = table.endofdata if end is None else end
        data = table.dbfile.get(start, end - start)
        pos, size = 0, len(data)
        while pos < size:
            key_length, value_length = unpack(data, pos)
            key = data[pos + 10:pos + 8 + key_length]      # less the 2-byte field number
            pos += 8 + key_length
            text = key.decode("utf-8", "replace")
            if len(text) <= MAX_TERM:
                out.append((text, df_at(data, pos + 5)[0]))
            pos += value_length
    return out
