"""Ingest: files (PDF, HTML, text) → meetings, items and documents in the archive.

Extraction runs in worker processes; the archive has one writer (this process). Each file is
read once: the text is kept in the archive, so a reindex never extracts again. A bad file is
one line in the report and never stops the batch.

Public names: ingest_paths and reextract_archive (a batch into the archive, returning an
IngestReport), Limits (what one file may cost), find_files, parse_document (one file, no
archive), Failure (one line of the report) and UnreadableFile (the error a file fails with),
PERSONAL_DATA_PATTERNS_ENV (how extra personal-data patterns reach the worker processes).
"""
from .errors import Failure, UnreadableFile
from .personal import PATTERNS_ENV as PERSONAL_DATA_PATTERNS_ENV
from .reader import parse_document
from .run import IngestReport, Limits, find_files, ingest_paths, reextract_archive

__all__ = ["Failure", "IngestReport", "Limits", "PERSONAL_DATA_PATTERNS_ENV", "UnreadableFile",
           "find_files", "ingest_paths", "parse_document", "reextract_archive"]
