"""The search index: derived from the archive, disposable, Swedish-aware (the only whoosh user).

Public names: SearchIndex (search, more-like-this), SearchHit/SearchResult (our own types, so no
Whoosh object leaves this package), rebuild_index/update_documents (writing), needs_rebuild, clean_leftovers,
index_info, SCHEMA_VERSION, and the errors QueryError, IndexBusy, IndexMissing, IndexDamaged.
"""
from .build import rebuild_index, sync_index, update_documents
from .errors import IndexBusy, IndexDamaged, IndexMissing, QueryError
from .highlight import HIGHLIGHT_CHARS
from .info import index_info
from .query import parse_query
from .schema import SCHEMA_VERSION
from .search import SearchHit, SearchIndex, SearchResult, highlight_query
from .store import clean_leftovers, needs_rebuild

__all__ = [
    "HIGHLIGHT_CHARS", "IndexBusy", "IndexDamaged", "IndexMissing", "QueryError",
    "SCHEMA_VERSION", "SearchHit", "SearchIndex", "SearchResult", "clean_leftovers",
    "highlight_query", "index_info", "needs_rebuild", "parse_query", "rebuild_index",
    "sync_index", "update_documents",
]
