"""Writing segments: the Whoosh side of the bulk segment writer (stored fields, lengths and
columns through Whoosh's per-document writer), committing segments, updating in place."""
from __future__ import annotations

import numpy as np
from whoosh.analysis import IDTokenizer
from whoosh.fields import ID
from whoosh.formats import Existence, Frequency, Positions
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import MERGE_SMALL, SegmentWriter

from .codec import TermWriter
from .schema import SwedishAnalyzer
from .storage import open_index


def quantized_lengths(lengths: list[int]) -> np.ndarray:
    """Field lengths as BM25F reads them back: Whoosh keeps one byte per length."""
    table = np.array([byte_to_length(n) if n else 0 for n in range(256)], np.float32)
    return table[np.asarray([length_to_byte(n) for n in lengths], dtype=np.int64)]


class BulkSegmentBase(SegmentWriter):
    """The Whoosh side of segment.BulkSegmentWriter: one new segment, never compound, whose
    stored fields, lengths and columns go through Whoosh's per-document writer. Postings go
    to the subclass: add_words() for Swedish text fields, add_term() for the rest; its
    write_postings(TermWriter) writes them when the segment is finished."""

    def __init__(self, ix):
        # compound=False: Whoosh opens a compound segment file by copying each part into a
        # BytesIO, so a searcher on 1 GB of compound segments holds 1.4 GB in memory
        super().__init__(ix, _lk=False, compound=False)
        schema = self.schema
        self.plain_ids = {name for name, field in schema.items()
                          if type(field) is ID and type(field.analyzer) is IDTokenizer
                          and type(field.format) is Existence}
        # Swedish text fields -> whether they keep positions
        self.word_fields = {name: type(field.format) is Positions
                            for name, field in schema.items()
                            if isinstance(getattr(field, "analyzer", None), SwedishAnalyzer)
                            and field.analyzer.kind == "text"
                            and type(field.format) in (Positions, Frequency)}

    def value_size(self, name: str) -> int | None:
        """Bytes of a posting's value in a field (0: none, None: varying)."""
        return self.schema[name].format.fixed_value_size()

    def add_document(self, **fields):
        """As SegmentWriter.add_document, with postings handed to the subclass."""
        self._check_state()
        pdw, schema, docnum = self.perdocwriter, self.schema, self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is not None:
                    self._add_field(pdw, fields, name, value, docnum, docboost)
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self.document_added(fields)
        self._added = True
        self.docnum += 1

    def _add_field(self, pdw, fields: dict, name: str, value, docnum: int, docboost: float):
        field = self.schema[name]
        length = 0
        if field.indexed:
            boost = self._field_boost(fields, name, docboost)
            if name in self.word_fields:
                length = self.add_words(name, value, docnum, field.format.field_boost * boost)
            elif name in self.plain_ids and isinstance(value, str):
                # what field.index() gives for an ID field: the value as one term
                self.add_term(name, value.encode("utf-8"), docnum,
                              field.format.field_boost * boost, b"")
            else:
                for tbytes, freq, weight, vbytes in field.index(value):
                    if field.scorable:
                        length += freq
                    self.add_term(name, tbytes, docnum, weight * boost, vbytes)
            if field.scorable:
                self.field_length(name, docnum, length)
        stored = fields.get(f"_stored_{name}", value)
        pdw.add_field(name, field, stored if field.stored else None, length)
        if field.column_type and stored is not None:
            pdw.add_column_value(name, field.column_type, field.to_column_value(stored))

    def finish(self):
        """Write the postings and close the segment; returns the segment for commit_segments."""
        self.perdocwriter.close()
        try:
            self.write_postings(TermWriter(self.fieldwriter, self.schema))
        finally:
            self.fieldwriter.close()
            self.pool.cleanup()
        segment = self.get_segment()       # never compound: see __init__
        self.segment_written(self.storage.folder, segment.segment_id())
        self.is_closed = True
        return segment

    # the subclass's part
    def add_words(self, name: str, value: str, docnum: int, boost: float) -> int:
        raise NotImplementedError

    def add_term(self, name: str, tbytes: bytes, docnum: int, weight: float, vbytes: bytes):
        raise NotImplementedError

    def field_length(self, name: str, docnum: int, length: int) -> None:
        raise NotImplementedError

    def document_added(self, fields: dict) -> None:
        raise NotImplementedError

    def write_postings(self, writer: "TermWriter") -> None:
        raise NotImplementedError

    def segment_written(self, folder: str, segment_id: str) -> None:
        raise NotImplementedError


def commit_segments(path, segments: list) -> int:
    """Commit segments written by bulk writers as one new generation of the index in `path`;
    returns the document count of the generation."""
    writer = SegmentWriter(open_index(path))
    try:
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
    except BaseException:
        writer.cancel()
        raise
    with open_index(path).searcher() as searcher:
        return searcher.doc_count_all()


class Update:
    """An in-place update of an index: units deleted by a term, new segments added, small
    segments merged by Whoosh's writer. Holds Whoosh's write lock until commit or cancel."""

    def __init__(self, ix):
        self._writer = ix.writer(compound=False)

    def delete(self, field: str, value: str) -> None:
        self._writer.delete_by_term(field, value)

    def commit(self, added: list) -> None:
        self._writer.commit(mergetype=lambda w, segments: MERGE_SMALL(w, segments) + added)

    def cancel(self) -> None:
        self._writer.cancel()
