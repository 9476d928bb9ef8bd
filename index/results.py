"""What a search returns: our own types, so no backend object leaves the index package."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SearchHit:
    id: str
    url: str
    source: str
    organisation: str
    body: str
    meeting: str
    meeting_label: str
    date: str
    kind: str
    paragraph: str | None
    page: int | None
    title: str
    snippet: str
    score: float
    unit: str
    match: str = "all"                        # 'all' words, or only 'some' (ranked OR)
    matched: list[dict] = field(default_factory=list)
    dnr: list[str] = field(default_factory=list)   # the item's case numbers as written
    label: str | None = None                  # an item's '§ 86' or 'punkt 5'; None for a page


@dataclass
class SearchResult:
    query: str
    total: int                                # hits with all words + hits with some
    hits: list[SearchHit]
    facets: dict[str, list[dict]]
    page: int = 1
    page_size: int = 10
    mode: str = "all"                         # 'all', 'some' (fallback), 'browse' (no words)
    notice: str = ""
    suggestion: str = ""
    elapsed_ms: float = 0.0
    total_all: int = 0                        # hits with every word (what facets count)
    timed_out: bool = False                   # SEARCH_TIME_LIMIT_MS cut some work short
