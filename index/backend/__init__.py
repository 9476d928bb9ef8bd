"""The storage backend, Whoosh 2.7: the one place in Paragraf that imports it (refs #16).

Everything that knows Whoosh's classes, private attributes or bytes lives in this package,
under our own names, so replacing Whoosh replaces this folder (STYLE.md: a dependency lives in
one room). Nothing of ours but analysis.py is imported here.

- schema.py: make_schema() of schema.FIELDS, SwedishAnalyzer (the face of analysis.analyze()).
- storage.py: create_index, open_index, unit_count, segment_count, latest_generation,
  reseed_segment_names; IndexFile/IndexStorage, read with pread so threads can share them.
- reading.py: Searcher (stored fields, terms, prefix expansion, idf) and its Segments (a
  term's postings and positions as plain lists, read a block at a time);
  plain_term_frequencies (the letter-initial terms of a field, for the lexicon).
- writing.py: BulkSegmentBase (the Whoosh side of segment.BulkSegmentWriter),
  commit_segments, Update (in place: delete, add segments, merge small ones),
  quantized_lengths.
- codec.py: the W3 codec's bytes: encode_frequency, encode_positions, TermWriter.
- stock.py: for tests, Whoosh's own writer and readers to compare the bulk writer with.
"""
from .codec import BLOCK_COMPRESSION, TermWriter, encode_frequency, encode_positions
from .reading import BM25_B, BM25_K1, Searcher, Segment, plain_term_frequencies
from .schema import SwedishAnalyzer, make_schema
from .stock import all_postings, block_headers, term_statistics, write_with_stock_writer
from .storage import (LOCK_FILES, SORT_DIR, IndexFile, IndexStorage, create_index,
                      latest_generation, open_index, reseed_segment_names, segment_count,
                      unit_count)
from .writing import BulkSegmentBase, Update, commit_segments, quantized_lengths

__all__ = [
    "BLOCK_COMPRESSION", "BM25_B", "BM25_K1", "BulkSegmentBase", "IndexFile", "IndexStorage",
    "LOCK_FILES", "SORT_DIR", "Searcher", "Segment", "SwedishAnalyzer", "TermWriter", "Update",
    "all_postings", "block_headers", "commit_segments", "create_index", "encode_frequency",
    "encode_positions", "latest_generation", "make_schema", "open_index",
    "plain_term_frequencies", "quantized_lengths",
    "reseed_segment_names", "segment_count", "term_statistics", "unit_count",
    "write_with_stock_writer",
]
