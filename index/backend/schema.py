"""Whoosh's schema of our field table, and the analyzer face of analysis.analyze()."""
from __future__ import annotations

from whoosh.analysis import Composable, Token
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .. import analysis


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


def make_schema(fields: dict) -> Schema:
    """Whoosh's schema of our field table (schema.FIELDS: name -> schema.Field)."""
    swedish = SwedishAnalyzer()
    made = {}
    for name, f in fields.items():
        if f.kind == "stored":
            made[name] = STORED
        elif f.kind == "id":
            made[name] = ID(unique=f.unique, stored=f.stored, sortable=f.sortable)
        elif f.kind == "keyword":
            made[name] = KEYWORD(lowercase=True, scorable=True, stored=f.stored)
        elif f.kind == "text":
            made[name] = TEXT(analyzer=swedish, stored=f.stored, phrase=f.positions)
        else:
            raise ValueError(f"unknown field kind {f.kind!r}")
    return Schema(**made)
