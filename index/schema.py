"""The fields of a search unit (one item, or one page of a document without items), and the
versions of what an index holds: fields, analysis and the side-file format."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from . import analysis, sidefiles
from .backend.schema import SwedishAnalyzer  # noqa: F401  (older indexes pickled it by this name)

# Bump when fields or analysis change; `flask reindex --if-needed` rebuilds on a difference.
SCHEMA_VERSION = 7


@dataclass(frozen=True)
class Field:
    """One field of a unit. kind: 'id' (one exact term), 'keyword' (space-separated terms,
    lowercased, scored), 'text' (Swedish analysis, index/analysis.py), 'stored' (not indexed)."""
    kind: str
    stored: bool = False
    sortable: bool = False
    unique: bool = False
    positions: bool = True            # text: positions kept, for phrases


FIELDS = {
    "id": Field("id", stored=True, unique=True),
    "doc_id": Field("id", stored=True),
    "unit": Field("stored"),
    "url": Field("stored"),
    "source": Field("stored"),
    "label": Field("stored"),                        # '§ 87', 'punkt 8' or None
    "page": Field("stored"),
    "date": Field("id", stored=True, sortable=True),
    "organisation": Field("id", stored=True, sortable=True),
    "body": Field("id", stored=True, sortable=True),
    "meeting": Field("id", stored=True),
    "meeting_label": Field("id", stored=True, sortable=True),
    "item": Field("id", stored=True, sortable=True),
    "kind": Field("id", stored=True, sortable=True),
    "year": Field("id", stored=True, sortable=True),
    "paragraph": Field("id"),                        # '§87', so "§ 87" finds it exactly
    "dnr": Field("keyword"),
    "dnr_display": Field("stored"),
    "title": Field("text", stored=True, positions=False),
    "decision": Field("text", positions=False),
    "text": Field("text", stored=True),
}

FACETS = ("organisation", "body", "meeting", "item", "kind", "year")
# facet name -> the column it counts (a meeting is shown and filtered by its readable label)
FACET_FIELDS = {"organisation": "organisation", "body": "body", "meeting": "meeting_label",
                "item": "item", "kind": "kind", "year": "year"}


def build_schema():
    """The backend's schema of FIELDS."""
    from .backend import make_schema
    return make_schema(FIELDS)


def analysis_fingerprint() -> str:
    """Changes whenever the schema, the analysis code or the side-file format changes."""
    import inspect
    from . import compounds
    source = inspect.getsource(analysis) + inspect.getsource(compounds)
    return (f"{SCHEMA_VERSION}.{sidefiles.FORMAT_VERSION}-"
            + hashlib.sha1(source.encode()).hexdigest()[:12])
