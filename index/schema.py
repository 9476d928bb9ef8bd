"""The Whoosh schema of a search unit (one item, or one page of a document without items)."""
from __future__ import annotations

import hashlib

from whoosh.analysis import Composable, Token
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from . import analysis

# Bump when fields or analysis change; `flask reindex --if-needed` rebuilds on a difference.
SCHEMA_VERSION = 7


class SwedishAnalyzer(Composable):
    """Whoosh face of analysis.analyze(): words, '^stems' and '~folded' forms per position."""

    def __init__(self, kind: str = "text"):
        self.kind = kind

    def __eq__(self, other):
        return type(other) is type(self) and other.kind == self.kind

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, term, start, end in analysis.analyze(value, self.kind):
            token.text, token.boost, token.stopped = term, 1.0, False
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


FACETS = ("organisation", "body", "meeting", "item", "kind", "year")
# facet name -> the column it counts (a meeting is shown and filtered by its readable label)
FACET_FIELDS = {"organisation": "organisation", "body": "body", "meeting": "meeting_label",
                "item": "item", "kind": "kind", "year": "year"}


def build_schema() -> Schema:
    swedish = SwedishAnalyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        doc_id=ID(stored=True),
        unit=STORED,
        url=STORED,
        source=STORED,
        label=STORED,                       # '§ 87', 'punkt 8' or None
        page=STORED,
        date=ID(stored=True, sortable=True),
        organisation=ID(stored=True, sortable=True),
        body=ID(stored=True, sortable=True),
        meeting=ID(stored=True),
        meeting_label=ID(stored=True, sortable=True),
        item=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        paragraph=ID,                        # '§87', so "§ 87" finds it exactly
        dnr=KEYWORD(lowercase=True, scorable=True),
        dnr_display=STORED,
        title=TEXT(analyzer=swedish, stored=True, phrase=False),
        decision=TEXT(analyzer=swedish, phrase=False),
        text=TEXT(analyzer=swedish, stored=True),
    )


def analysis_fingerprint() -> str:
    """Changes whenever the schema or the analysis code changes."""
    import inspect
    from . import compounds
    source = inspect.getsource(analysis) + inspect.getsource(compounds)
    return f"{SCHEMA_VERSION}-" + hashlib.sha1(source.encode()).hexdigest()[:12]
