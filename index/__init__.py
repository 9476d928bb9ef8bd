"""The search index: derived from the archive, disposable, Swedish-aware.

Owns everything about searching the archive: the fields of a search unit and their Swedish
analysis, writing index generations (rebuilds, updates), the side files beside each segment
(a format we own and version), and answering searches. Whoosh is the storage backend, imported
by index/backend.py alone; no backend object leaves this package.

Public names: SearchIndex (search, more_like_this, health, stats), SearchHit and SearchResult
(our own types), rebuild_index, update_documents and sync_index (writing), needs_rebuild,
clean_leftovers, index_info, parse_query, highlight_query, HIGHLIGHT_CHARS, SCHEMA_VERSION,
TIME_LIMIT_MS (the default SEARCH_TIME_LIMIT_MS),
FORMAT_VERSION (of the side files), the modules analysis, rank and synonyms, and the errors QueryError,
IndexBusy, IndexMissing, IndexDamaged.
"""
from . import analysis, rank, synonyms
from .build import rebuild_index, sync_index, update_documents
from .errors import IndexBusy, IndexDamaged, IndexMissing, QueryError
from .highlight import HIGHLIGHT_CHARS
from .info import index_info
from .query import parse_query
from .results import SearchHit, SearchResult
from .schema import SCHEMA_VERSION
from .search import TIME_LIMIT_MS, SearchIndex, highlight_query
from .sidefiles import FORMAT_VERSION
from .store import clean_leftovers, needs_rebuild

__all__ = [
    "FORMAT_VERSION", "HIGHLIGHT_CHARS", "IndexBusy", "IndexDamaged", "IndexMissing",
    "QueryError", "SCHEMA_VERSION", "SearchHit", "SearchIndex", "SearchResult", "TIME_LIMIT_MS",
    "analysis",
    "clean_leftovers", "highlight_query", "index_info", "needs_rebuild", "parse_query", "rank",
    "rebuild_index", "sync_index", "synonyms", "update_documents",
]
