"""For tests: Whoosh's own writer and its readers, to compare the bulk writer with."""
from __future__ import annotations

from whoosh.codec.whoosh3 import W3LeafMatcher


def write_with_stock_writer(ix, units: list[dict]) -> None:
    """The units in one segment written by Whoosh's own SegmentWriter."""
    writer = ix.writer()
    for unit in units:
        writer.add_document(**unit)
    writer.commit()


def all_postings(reader) -> dict:
    """Every term of every field with its postings: (docnum, weight, value) triples."""
    out = {}
    for fieldname, tbytes in reader.all_terms():
        matcher = reader.postings(fieldname, tbytes)
        rows = []
        while matcher.is_active():
            # fields without values say None from a block, '' when inlined: both "no value"
            rows.append((matcher.id(), round(matcher.weight(), 4), matcher.value() or None))
            matcher.next()
        out[(fieldname, tbytes)] = rows
    return out


def term_statistics(reader, fieldname: str, tbytes: bytes) -> tuple:
    """What scoring and skipping read of a term: weight, doc frequency, min and max length,
    max weight, first and last id."""
    i = reader.term_info(fieldname, tbytes)
    return (i.weight(), i.doc_frequency(), i.min_length(), i.max_length(), i.max_weight(),
            i.min_id(), i.max_id())


def block_headers(reader, fieldname: str, tbytes: bytes) -> tuple[list[tuple], int] | None:
    """Each block's (length, last id, max weight, min and max length) and the blocks' zlib
    level, or None when the term's list is inlined."""
    matcher = reader.postings(fieldname, tbytes)
    if not isinstance(matcher, W3LeafMatcher):
        return None
    out = []
    while not matcher._atend:
        out.append((matcher._blocklength, matcher._maxid, matcher._maxweight,
                    matcher._minlength, matcher._maxlength))
        if matcher._lastblock:
            break
        matcher._next_block()
    return out, matcher._compression
