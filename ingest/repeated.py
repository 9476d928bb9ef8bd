"""Running headers and footers: text printed at the top or bottom of many pages (refs #15).

A piece of text near the top or bottom edge is a running header or footer when the same
text, with the page number (or a number that moves with it: "Sida 3 (12)", "Sid 41 av 103")
taken out, stands near the edge on at least half of the pages (two at least); a lone page
number near the edge ("2 (2)", "Sida 2") is one too. Works on every PDF, minutes or not,
and knows no template: only position and repetition.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict

TOP_ZONE = 0.15       # of the page height: where running headers stand
BOTTOM_ZONE = 0.10    # where running footers stand
_NUMBER = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"(?i)^(?:sida|sid\.?|s\.|page|p\.)?\s*(\d{1,4})\s*"
                          r"(?:\(\s*\d{1,4}\s*\)|(?:av|of|/)\s*\d{1,4})?$")


def is_private_glyph(ch: str) -> bool:
    """A character of Unicode's private use area: a symbol font's glyph, not a letter."""
    return bool(ch) and 0xE000 <= ord(ch) <= 0xF8FF


def _keys(text: str, page: int) -> list[tuple]:
    """The text itself, and the text with each number replaced by its distance to the page
    number (a page number moves with the page, a date or a title does not)."""
    text = " ".join(text.split())
    keys = [(text, None)]
    for match in _NUMBER.finditer(text):
        if len(match.group(0)) <= 4:
            keys.append((text[:match.start()] + "#" + text[match.end():],
                         int(match.group(0)) - page))
    return keys


def running_spans(layouts) -> set[tuple[int, int]]:
    """(page number, span index) of every running header/footer piece of a document."""
    candidates: list[tuple[int, int, str]] = []
    for layout in layouts:
        top, bottom = layout.height * TOP_ZONE, layout.height * (1 - BOTTOM_ZONE)
        for i, span in enumerate(layout.spans):
            if span.bottom <= top or span.top >= bottom:
                candidates.append((layout.number, i, span.text))
    pages_of: dict[tuple, set[int]] = defaultdict(set)
    for page, _, text in candidates:
        for key in _keys(text, page):
            pages_of[key].add(page)
    need = max(2, math.ceil(0.5 * len(layouts)))
    drop: set[tuple[int, int]] = set()
    for page, i, text in candidates:
        if any(len(pages_of[key]) >= need for key in _keys(text, page)):
            drop.add((page, i))
            continue
        match = _PAGE_NUMBER.match(text.strip())
        if match and int(match.group(1)) == page:
            drop.add((page, i))
    return drop
