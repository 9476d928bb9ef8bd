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
from dataclasses import dataclass
from statistics import median

__all__ = ["Line", "drop_running_lines", "clean_glyphs", "render_page", "running_shape"]

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
    if _ITEM_HEAD.search(line):
        return False
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


def clean_glyphs(text: str) -> str:
    """Private-use bullet glyphs become '•' at a line's start and vanish elsewhere."""
    lines = []
    for line in text.splitlines():
        line = _PRIVATE_BULLET.sub(r"\1• ", line)
        lines.append(_PRIVATE.sub("", line))
    return "\n".join(lines)


# --- agenda tables ----------------------------------------------------------------------------
@dataclass
class Line:
    """A text line of a page as pdfminer's layout analysis found it; y measured from the top."""
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    box: int = 0     # the text box (paragraph) the line belongs to

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


SAME_ROW = 3.0       # points: header cells this close in height are one row
COLUMN_SLACK = 4.0   # points: a line starting this far left of a column still belongs to it
_ROW_NUMBER = re.compile(r"^\d{1,3}\.?$")
_HEADER_CELLS = ("ärende", "nr", "dnr", "föredragande", "beteckning", "förslag", "diarienummer")


def _table_header(lines: list[Line]) -> list[Line] | None:
    """The head row of an agenda table ('Nr | Ärende | Dnr | Föredragande'), if the page has one."""
    for line in lines:
        if line.text.strip().lower() != "ärende":
            continue
        row = sorted((other for other in lines if abs(other.top - line.top) <= SAME_ROW),
                     key=lambda other: other.x0)
        names = [cell.text.strip().lower() for cell in row]
        if len(row) >= 3 and sum(name in _HEADER_CELLS for name in names) >= 3:
            return row
    return None


def _column_of(line: Line, columns: list[float]) -> int:
    index = 0
    for k, x in enumerate(columns):
        if line.x0 + COLUMN_SLACK >= x:
            index = k
    return index


def _paragraphs(cell: list[Line]) -> list[str]:
    """A cell's lines joined into paragraphs, split where the vertical gap is wide."""
    out: list[list[str]] = []
    previous = None
    for line in sorted(cell, key=lambda item: item.top):
        if (previous is None or line.box != previous.box
                or line.top - previous.bottom > 0.6 * line.height):
            out.append([])
        out[-1].append(line.text.strip())
        previous = line
    return [" ".join(words).strip() for words in out]


def render_page(text: str, lines: list[Line], columns: list[tuple[str, float]] | None = None
                ) -> tuple[str, list[tuple[str, float]] | None]:
    """A page's text with an agenda table written as one '| 1 | title | dnr | … |' row per
    point (the row numbers, titles and proposals of a table are read column by column
    otherwise, and lose each other). `columns` carries a table on from the page before;
    returns the page text and the columns for the next page (None: no table open)."""
    header = _table_header(lines)
    if header is not None:
        columns = [(cell.text.strip(), cell.x0) for cell in header]
        start = max(cell.bottom for cell in header)
        head_ids = {id(cell) for cell in header}
        body = [line for line in lines if line.top > start - 0.5 and id(line) not in head_ids]
        before = [line for line in lines if line.top <= start - 0.5 and id(line) not in head_ids]
    elif columns is not None:
        xs = [x for _, x in columns]
        if not any(_column_of(line, xs) == 0 and _ROW_NUMBER.match(line.text.strip())
                   and abs(line.x0 - xs[0]) <= 2 * COLUMN_SLACK for line in lines):
            return text, None
        body, before = list(lines), []
    else:
        return text, None
    xs = [x for _, x in columns]
    body.sort(key=lambda line: line.top)
    if body:   # the table ends at a wide empty band not followed by a row (a footer is no cell)
        usual = median(line.height for line in body)
        for k in range(1, len(body)):
            if body[k].top - body[k - 1].bottom > 4 * usual and not (
                    _column_of(body[k], xs) == 0 and _ROW_NUMBER.match(body[k].text.strip())):
                body = body[:k]
                break
    body_ids = {id(line) for line in body}
    after = [line for line in lines if id(line) not in body_ids and line not in before
             and (header is None or id(line) not in {id(cell) for cell in header})]
    starts = [line for line in body if _column_of(line, xs) == 0
              and _ROW_NUMBER.match(line.text.strip())]
    if not starts:
        return text, None
    rows: list[list[list[Line]]] = [[[] for _ in xs] for _ in starts]
    loose: list[Line] = []
    for line in body:
        k = max((i for i, head in enumerate(starts) if head.top <= line.top + SAME_ROW),
                default=None)
        if k is None:
            loose.append(line)
        else:
            rows[k][_column_of(line, xs)].append(line)
    names = [name.lower() for name, _ in columns]
    dnr_names = ("dnr", "beteckning", "diarienummer")
    # The title column: "Ärende", unless that heads the row numbers ("Ärende | Beteckning |
    # Förslag"); then the first column after the numbers that is not a case number.
    title_col = names.index("ärende") if "ärende" in names[1:] else next(
        (i for i in range(1, len(names)) if names[i] not in dnr_names), min(1, len(xs) - 1))
    table = ["| Nr | Ärende | Dnr | Föredragande | Förslag |", "|---|---|---|---|---|"]
    for k, cells in enumerate(rows):
        number = starts[k].text.strip().rstrip(".")
        title, dnr, presenter, proposal = "", [], [], []
        # The number column may hold the title too, under an "Ärende" head set over it.
        own = [p for p in _paragraphs(cells[0]) if p.rstrip(".") != number]
        for i, cell in enumerate(cells):
            parts = _paragraphs(cell)
            if i == 0:
                title, proposal = (own[0], own[1:]) if own else ("", [])
            elif i == title_col and not own:
                title = parts[0] if parts else ""
                proposal = parts[1:] + proposal
            elif names[i] in dnr_names:
                dnr.append("".join(p.replace(" ", "") for p in parts))
            elif names[i].startswith("föredrag"):
                presenter.extend(parts)
            else:
                proposal.extend(parts)
        out = [number, title, "".join(dnr), " ".join(presenter), "<br>".join(proposal)]
        table.append("| " + " | ".join(cell.replace("|", "/") for cell in out) + " |")
    top_text = [line.text for line in sorted(before + loose, key=lambda item: item.top)]
    bottom_text = [line.text for line in sorted(after, key=lambda item: item.top)]
    return "\n".join(top_text + [""] + table + [""] + bottom_text), columns
