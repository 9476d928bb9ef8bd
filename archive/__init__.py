"""The archive: the truth about organisations, bodies, meetings, documents, pages and items.

SQLite (stdlib) plus the original files stored by content hash, all under one data directory.
Ids are derived from the records themselves (body + date + § number), never from insertion
order, so every URL survives re-ingesting, reindexing and a rebuild from scratch.
This package imports nothing else of ours; everyone else may import it.

Public names: Archive (the store), the records Document, Item, Meeting, Page, ParsedDocument and
StoreResult, the errors NotFound and Gone, the ids and case numbers (meeting_id, document_id,
slugify, item_slug, ascii_slug, DNR_PATTERN, find_dnr, dnr_key), the module `vocabulary`
(document kinds, the meeting kinds, § labels and slugs), and link_agenda / link_meeting /
MeetingLinks, which tie agenda points to the § that decided them (refs #17).
"""
from . import vocabulary
from .agenda import MeetingLinks, link_agenda, link_meeting
from .ids import DNR_PATTERN, document_id, dnr_key, find_dnr, meeting_id, slugify
from .records import Document, Item, Meeting, Page, ParsedDocument
from .store import Archive, Gone, NotFound, StoreResult
from .vocabulary import ascii_slug, item_slug

__all__ = [
    "Archive", "DNR_PATTERN", "Document", "Gone", "Item", "Meeting", "MeetingLinks", "NotFound",
    "Page", "ParsedDocument", "StoreResult", "ascii_slug", "dnr_key", "document_id", "find_dnr",
    "item_slug", "link_agenda", "link_meeting", "meeting_id", "slugify", "vocabulary",
]
