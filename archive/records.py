"""Plain records passed between ingest, archive and index."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    number: int
    text: str


@dataclass
class Item:
    """One numbered item of a meeting: a § of the minutes or a point of the agenda."""
    label: str                      # '§ 86' or 'punkt 8'
    title: str
    text: str
    ordinal: int = 0
    decision: str = ""
    dnr: list[str] = field(default_factory=list)
    presenter: str = ""
    page_start: int = 1
    page_end: int = 1
    # filled in by the archive
    id: str = ""
    document_id: str = ""
    meeting_id: str | None = None


@dataclass
class ParsedDocument:
    """What ingest hands the archive: metadata, pages and items of one file."""
    source: str                     # path relative to the folder given to ingest
    filename: str
    media_type: str
    kind: str                       # protokoll, kallelse, handlingar, tjänsteskrivelse, bilaga, annat
    title: str
    organisation: str = ""          # 'Kungsbacka kommun'
    organisation_slug: str = ""
    body: str = ""                  # 'Kommunstyrelsen'
    body_slug: str = ""
    date: str = ""                  # ISO date of the meeting (or of the document)
    source_url: str = ""
    pages: list[Page] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sidecar: dict = field(default_factory=dict)    # metadata from beside the file, kept for reextract
    # refs #18: personal identity numbers found (and masked in pages, items and title):
    # (page number, masked value such as '850412-XXXX')
    personal_data: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Document:
    id: str
    source: str
    filename: str
    media_type: str
    kind: str
    title: str
    organisation: str
    organisation_slug: str
    body: str
    body_slug: str
    date: str
    source_url: str
    sha256: str
    size: int
    page_count: int
    meeting_id: str | None
    status: str
    ingested_at: str


@dataclass
class Meeting:
    id: str
    organisation: str
    organisation_slug: str
    body: str
    body_slug: str
    date: str
