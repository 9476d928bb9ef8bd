"""Page texts of a PDF → page texts without running headers and footers (refs #15).

Pure Python over the texts `ingest.pdf` reads. A running header or footer is a run of lines at
the top or bottom of a page that comes back on other pages with only its numbers changed
("Sida 3 (12)", "Sid 4 av 103", "KUNGSBACKA KOMMUN SAMMANTRÄDESPROTOKOLL 4 (6)", the meeting
date). Such lines are dropped from every page except the top of page 1, where they still say
what the document is (body, date) for the metadata.
"""
from __future__ import annotations

import re
from collections import Counter

__all__ = ["clean_glyphs", "drop_running_lines", "running_line_ids", "running_shape",
           "without_lines"]

TOP_LINES = 8       # a header is within the first lines of a page ...
BOTTOM_LINES = 5    # ... a footer within the last ones
_DIGITS = re.compile(r"\d+")
# Lines that open an item are never a running line, however often their shape recurs.
_ITEM_HEAD = re.compile(r"§|^\s*(?:Punkt\s+)?\d{1,3}\.?\s+[A-ZÅÄÖ]", re.I)
_PAGE_NUMBER = re.compile(r"^\s*[-–]?\s*\d{1,4}\s*[-–]?\s*$")
# Private-use glyphs (Symbol/Wingdings bullets such as U+F0B7) at the start of a line.
_PRIVATE_BULLET = re.compile(r"^(\s*)[\ue000-\uf8ff]\s*")
_PRIVATE = re.compile(r"[\ue000-\uf8ff]")


def running_shape(line: str) -> str:
    """A line with its numbers made alike, so 'Sida 3 (12)' and 'Sida 4 (12)' compare equal."""
    return _DIGITS.sub("#", " ".join(line.split()))


def _edges(lines: list[str]) -> tuple[list[int], list[int]]:
    """Indexes of the first and last non-empty lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return filled[:TOP_LINES], filled[max(len(filled) - BOTTOM_LINES, (len(filled) + 1) // 2):]


def _is_candidate(line: str, page_number: int) -> bool:
    if _ITEM_HEAD.search(line) or line.lstrip().startswith("|"):  # an agenda table's head row
        return False                                             # repeated on every page
    if _PAGE_NUMBER.match(line):  # a bare number is a page number only if it is near the page's
        return abs(int(re.sub(r"\D", "", line)) - page_number) <= 2
    return True


def drop_running_lines(pages: list[str]) -> list[str]:
    """The pages without the header and footer lines repeated across them."""
    if len(pages) < 2:
        return list(pages)
    split = [page.splitlines() for page in pages]
    top_counts: Counter = Counter()
    bottom_counts: Counter = Counter()
    for number, lines in enumerate(split, start=1):
        top, bottom = _edges(lines)
        top_counts.update({running_shape(lines[i]) for i in top
                           if _is_candidate(lines[i], number)})
        bottom_counts.update({running_shape(lines[i]) for i in bottom
                              if _is_candidate(lines[i], number)})
    need = max(2, round(len(pages) * 0.5))
    top_shapes = {s for s, n in top_counts.items() if n >= need}
    bottom_shapes = {s for s, n in bottom_counts.items() if n >= need}
    out = []
    for number, lines in enumerate(split, start=1):
        top, bottom = _edges(lines)
        drop: set[int] = set()
        if number > 1:
            drop |= _running(lines, top, top_shapes, number)
        drop |= _running(lines, list(reversed(bottom)), bottom_shapes, number)
        kept = [line for i, line in enumerate(lines) if i not in drop]
        out.append("\n".join(kept).strip())
    return out


def _running(lines: list[str], edge: list[int], shapes: set[str], number: int) -> set[int]:
    """Lines of a page edge (indexes from the outside in) that are running lines: a run from
    the edge, and further in any line with a number in it ("Sida 5 av 7", a date), since
    pdfminer may read a header after the first block of the page."""
    found: set[int] = set()
    in_run = True
    for i in edge:
        shape = running_shape(lines[i])
        if shape in shapes and _is_candidate(lines[i], number):
            if in_run or "#" in shape:
                found.add(i)
        else:
            in_run = False
    return found


SAME_HEIGHT = 2.0   # points: a running line stands this close to where it stood on other pages


def running_line_ids(pages: list[list], keep=lambda line: False) -> set[int]:
    """The ids of the text lines (`ingest.tables.Line`) of each page that are running headers
    and footers, found by position: rows of lines from the top and the bottom edge of a page
    whose shape (numbers made alike) comes back at the same height on most pages. A row that
    does not come back ends the run, so body text is never reached; lines `keep` names (an
    agenda table's head row) and item headings never are running lines. Page 1 keeps its top
    rows: they say what the document is (body, date) for the metadata."""
    need = max(2, round(len(pages) * 0.5))
    heights: dict[str, list[tuple[int, float]]] = {}
    for number, lines in enumerate(pages, start=1):
        for line in lines:
            heights.setdefault(running_shape(line.text), []).append((number, line.top))

    def comes_back(line, number: int) -> bool:
        if keep(line) or not _is_candidate(line.text, number):
            return False
        found = {n for n, top in heights[running_shape(line.text)]
                 if abs(top - line.top) <= SAME_HEIGHT}
        return len(found) >= need

    running: set[int] = set()
    for number, lines in enumerate(pages, start=1):
        rows = _rows(lines)
        for edge in ((rows if number > 1 else []), list(reversed(rows))):
            for row in edge:
                back = [line for line in row if comes_back(line, number)]
                if not back or any(_ITEM_HEAD.search(line.text) for line in row):
                    break
                running.update(id(line) for line in back)
    return running


def _rows(lines: list) -> list[list]:
    """Lines grouped into rows by height, top to bottom."""
    rows: list[list] = []
    for line in sorted(lines, key=lambda item: item.top):
        if rows and line.top - rows[-1][0].top <= SAME_HEIGHT:
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def without_lines(text: str, top: list[str], bottom: list[str]) -> str:
    """A page's text without the given lines: `top` ones taken from the start of the page,
    `bottom` ones from its end."""
    lines = text.splitlines()
    for wanted in top:
        i = next((k for k, line in enumerate(lines) if line.strip() == wanted), None)
        if i is not None:
            del lines[i]
    for wanted in bottom:
        i = next((k for k in range(len(lines) - 1, -1, -1) if lines[k].strip() == wanted), None)
        if i is not None:
            del lines[i]
    return "\n".join(lines)


def clean_glyphs(text: str) -> str:
    """Private-use bullet glyphs become '•' at a line's start and vanish elsewhere."""
    lines = []
    for line in text.splitlines():
        line = _PRIVATE_BULLET.sub(r"\1• ", line)
        lines.append(_PRIVATE.sub("", line))
    return "\n".join(lines)
