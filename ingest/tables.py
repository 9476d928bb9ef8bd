"""Agenda tables of a PDF page → one '| nr | title | dnr | presenter | proposal |' row a point
(refs #15).

Pure Python over the text lines and ruling lines `ingest.pdf` reads with pdfminer's layout
analysis. A notice's agenda is a table whose head row names its columns ('Nr | Ärende | Dnr |
Föredragande', 'Ärende | Beteckning | Förslag'); read box by box, its row numbers, titles and
proposals lose each other. Here a table is read by coordinates: columns from the x-positions of
the head cells, rows from the row numbers of the first column, the table's end from its ruling
lines (or a wide empty band where it has none), paragraphs of a cell from vertical gaps and
changes of font. A row broken over a page goes on with the lines above the next page's first
row; they are written as a row numbered '+'.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from statistics import median

__all__ = ["CONTINUED", "Line", "Rule", "Table", "Word", "render_page", "table_header"]

CONTINUED = "+"      # the number of a row that goes on from the page before


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float


@dataclass
class Line:
    """A text line of a page as pdfminer's layout analysis found it; y measured from the top."""
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    box: int = 0     # the text box (paragraph) the line belongs to; -1: unknown
    words: tuple[Word, ...] = ()
    bold: bool = False
    italic: bool = False
    size: float = 0.0

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def style(self) -> tuple:
        return self.bold, self.italic, round(self.size)


@dataclass(frozen=True)
class Rule:
    """A horizontal ruling line (a table border, a line under a header); y from the top."""
    x0: float
    x1: float
    y: float


@dataclass
class Table:
    """An agenda table open at the end of a page: its columns, and the extent of its rules."""
    columns: list[tuple[str, float]]
    extent: tuple[float, float] | None = None
    rows: int = field(default=0)


SAME_ROW = 3.0       # points: cells this close in height are one row
COLUMN_SLACK = 4.0   # points: a line starting this far left of a column still belongs to it
RULE_SLACK = 3.0     # points: rules of one table start and end this close to each other
_ROW_NUMBER = re.compile(r"^\d{1,3}\.?$")
_HEADER_CELLS = ("ärende", "nr", "dnr", "föredragande", "beteckning", "förslag", "diarienummer")
_DNR_NAMES = ("dnr", "beteckning", "diarienummer")


def table_header(lines: list[Line]) -> list[Line] | None:
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


def _column_of(x0: float, columns: list[float]) -> int:
    index = 0
    for k, x in enumerate(columns):
        if x0 + COLUMN_SLACK >= x:
            index = k
    return index


def _split_line(line: Line, xs: list[float]) -> list[Line]:
    """A line cut where it crosses into the next column, or at a gap wider than a line is
    high: pdfminer joins 'SE-2026-00008' and the proposal beside it, or '10.' and its title,
    into one line when the cells are close."""
    if len(line.words) < 2:
        return [line]
    pieces: list[list[Word]] = [[line.words[0]]]
    for word in line.words[1:]:
        last = pieces[-1][-1]
        if (_column_of(word.x0, xs) != _column_of(pieces[-1][0].x0, xs)
                or word.x0 - last.x1 > max(line.height, 8.0)):
            pieces.append([word])
        else:
            pieces[-1].append(word)
    if len(pieces) == 1:
        return [line]
    return [replace(line, text=" ".join(w.text for w in words), x0=words[0].x0,
                    x1=words[-1].x1, words=tuple(words), box=-1) for words in pieces]


def _paragraphs(cell: list[Line]) -> list[tuple[str, bool]]:
    """A cell's lines joined into paragraphs, split where the vertical gap is wide, where a
    new text box starts, or where the font changes (a bold title above its presenter, an
    italic label above a proposal)."""
    out: list[tuple[list[str], bool]] = []
    previous = None
    for line in sorted(cell, key=lambda item: item.top):
        if (previous is None or line.top - previous.bottom > 0.6 * line.height
                or (line.box != previous.box and -1 not in (line.box, previous.box))
                or (line.size and previous.size and line.style != previous.style)):
            out.append(([], line.bold))
        out[-1][0].append(line.text.strip())
        previous = line
    return [(_join(words), bold) for words, bold in out]


def _join(parts: list[str]) -> str:
    """Lines of a paragraph joined; a word broken after its hyphen stays whole with the hyphen
    ('KFT-2025-' + '00128', 'Släps-' + 'Kullen'), a hyphen before 'och' keeps its space."""
    text = ""
    for part in parts:
        glue = "" if re.search(r"\S-$", text) and (part[:1].isupper() or part[:1].isdigit()) else " "
        text = f"{text}{glue}{part}" if text else part
    return text.strip()


def _table_rules(rules: list[Rule], xs: list[float], below: float,
                 extent: tuple[float, float] | None) -> tuple[list[Rule], tuple | None]:
    """The ruling lines of the table: those spanning its columns, all of one extent (the
    header's rule, a footer's rule, a letterhead's rule are of other widths)."""
    spanning = [r for r in rules if r.y >= below and r.x0 <= xs[0] + 2 * COLUMN_SLACK
                and r.x1 > xs[-1] + 20]
    if extent is None:
        shapes = Counter((round(r.x0), round(r.x1)) for r in spanning)
        if not shapes:
            return [], None
        extent = max(shapes, key=lambda s: (shapes[s], s[1] - s[0]))
    own = [r for r in spanning
           if abs(r.x0 - extent[0]) <= RULE_SLACK and abs(r.x1 - extent[1]) <= RULE_SLACK]
    return sorted(own, key=lambda r: r.y), (extent if own else None)


def render_page(text: str, lines: list[Line], table: Table | None = None,
                rules: list[Rule] | None = None) -> tuple[str, Table | None]:
    """A page's text with an agenda table written as one '| 1 | title | dnr | … |' row per
    point, and short cells side by side in columns (an attendance list: 'Ordinarie |
    Ersättare') written row by row. `table` carries an agenda table on from the page before;
    returns the page text and the table still open for the next page (None: no table open)."""
    out, open_table = _render_agenda(text, lines, table, rules or [])
    if open_table is None and out is text:
        out = _pair_rows(text, lines)
    return out, open_table


# --- short cells in columns (attendance lists) ----------------------------------------------
PAIR_CELL_WORDS = 8      # a cell of an attendance list is a name and a party, a role
PAIR_MIN_ROWS = 3        # rows of two or more cells side by side that make such a list


def _pair_rows(text: str, lines: list[Line]) -> str:
    """A page's text with blocks of short cells standing side by side in columns read row by
    row ('Anna Berg (S)   Per Ek (S)'): pdfminer reads each column as a box of its own, and
    who stands in for whom is lost (refs #15)."""
    rows = _line_rows(lines)
    blocks: list[list[list[Line]]] = []
    current: list[list[Line]] = []
    for row in rows:
        short = all(len(line.text.split()) <= PAIR_CELL_WORDS for line in row)
        if len(row) >= 2 and short and (not current or _same_columns(current, row)):
            current.append(row)
            continue
        if len(current) >= PAIR_MIN_ROWS:
            blocks.append(current)
        current = [row] if len(row) >= 2 and short else []
    if len(current) >= PAIR_MIN_ROWS:
        blocks.append(current)
    if not blocks:
        return text
    page = text.splitlines()
    for block in blocks:
        places: list[int] = []
        for line in (line for row in block for line in row):
            k = next((i for i, have in enumerate(page) if i not in places
                      and have.strip() == line.text.strip()), None)
            if k is None:
                break      # the text does not hold the block line for line: leave it be
            places.append(k)
        else:
            for k in places:
                page[k] = "\x00"      # taken; dropped below
            page[min(places):min(places)] = [
                "   ".join(line.text.strip() for line in row) for row in block]
    return "\n".join(have for have in page if have != "\x00")


def _line_rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by height into rows, top to bottom, each row left to right; a line on
    its own between such rows (a heading) is a row of one."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: item.top):
        if rows and abs(line.top - rows[-1][0].top) <= SAME_ROW:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda line: line.x0) for row in rows]


def _same_columns(block: list[list[Line]], row: list[Line]) -> bool:
    """Whether a row's cells start where the block's cells start, and follow close below."""
    starts = {round(line.x0) for r in block for line in r}
    near = all(any(abs(line.x0 - x) <= COLUMN_SLACK for x in starts) for line in row)
    last = block[-1]
    gap = min(line.top for line in row) - max(line.bottom for line in last)
    return near and gap <= 2 * max(line.height for line in last)


def _render_agenda(text: str, lines: list[Line], table: Table | None,
                   rules: list[Rule]) -> tuple[str, Table | None]:
    """The page text with its agenda table written as '| nr | … |' rows (the text itself
    when it has none), and the table still open for the next page.

    Some 60 lines long: the head row, the ruling lines and a table carried over from the
    page before decide together where the table starts and ends and where each row starts."""
    header = table_header(lines)
    head_ids = {id(cell) for cell in header or []}
    if header is not None:
        columns = [(cell.text.strip(), cell.x0) for cell in header]
        start = max(cell.bottom for cell in header)
        extent = table.extent if table and [n for n, _ in table.columns] == [
            n for n, _ in columns] else None
    elif table is not None:
        columns, start, extent = table.columns, 0.0, table.extent
    else:
        return text, None
    xs = [x for _, x in columns]
    own_rules, extent = _table_rules(rules, xs, start - 2 * SAME_ROW if header else 0.0, extent)
    if header is None and extent is None:
        # no head row and no rules of the table's width: it goes on only if a row number
        # stands where the table's numbers stand
        if not any(_column_of(line.x0, xs) == 0 and _ROW_NUMBER.match(line.text.strip())
                   and abs(line.x0 - xs[0]) <= 2 * COLUMN_SLACK for line in lines):
            return text, None
    if header is None and own_rules:
        start = own_rules[0].y - 0.5
    inside = [line for line in lines if line.top > start - 0.5 and id(line) not in head_ids]
    before = [line for line in lines if line.top <= start - 0.5 and id(line) not in head_ids]
    body = sorted((piece for line in inside for piece in _split_line(line, xs)),
                  key=lambda line: line.top)
    after: list[Line] = []
    if own_rules and own_rules[-1].y > start + SAME_ROW:
        end = own_rules[-1].y + 0.5   # the table ends at its last rule
        after = [line for line in body if line.top >= end]
        body = [line for line in body if line.top < end]
    elif body:   # ... or at a wide empty band not followed by a row (a footer is no cell)
        usual = median(line.height for line in body)
        for k in range(1, len(body)):
            if body[k].top - body[k - 1].bottom > 4 * usual and not (
                    _column_of(body[k].x0, xs) == 0 and _ROW_NUMBER.match(body[k].text.strip())):
                body, after = body[:k], body[k:]
                break
    starts = [line for line in body if _column_of(line.x0, xs) == 0
              and _ROW_NUMBER.match(line.text.strip())]
    continued = table is not None and (header is not None or extent is not None)
    if not starts and not (continued and body):
        return text, None
    first_top = starts[0].top - SAME_ROW if starts else float("inf")
    heads = ([None] if continued and any(line.top < first_top for line in body) else []) + starts
    rows: list[list[list[Line]]] = [[[] for _ in xs] for _ in heads]
    loose: list[Line] = []
    for line in body:
        k = max((i for i, head in enumerate(heads) if head is not None
                 and head.top <= line.top + SAME_ROW), default=None)
        if k is None and heads and heads[0] is None:
            k = 0
        if k is None:
            loose.append(line)
        else:
            rows[k][_column_of(line.x0, xs)].append(line)
    table_text = _write_rows(columns, heads, rows)
    top_text = [line.text for line in sorted(before + loose, key=lambda item: item.top)]
    bottom_text = [line.text for line in sorted(after, key=lambda item: item.top)]
    return ("\n".join(top_text + [""] + table_text + [""] + bottom_text),
            Table(columns, extent, len(starts)))


def _write_rows(columns, heads, rows) -> list[str]:
    names = [name.lower() for name, _ in columns]
    # The title column: "Ärende" (which may head the row numbers too: "Ärende | Beteckning |
    # Förslag"), else the first column after the numbers that is not a case number.
    if "ärende" in names:
        title_col = names.index("ärende")
    else:
        title_col = next((i for i in range(1, len(names)) if names[i] not in _DNR_NAMES
                          and not names[i].startswith(("förslag", "föredrag"))), 0)
    # With a column of its own for the proposal, what follows the title in its cell is the
    # presenter and the time ("Föredragande: …", "20 min"); without one, the proposal.
    has_proposal = any(name.startswith("förslag") for name in names)
    out = ["| Nr | Ärende | Dnr | Föredragande | Förslag |", "|---|---|---|---|---|"]
    for head, cells in zip(heads, rows):
        number = CONTINUED if head is None else head.text.strip().rstrip(".")
        title, dnr, presenter, proposal = "", [], [], []
        # The number column may hold the title too, under an "Ärende" head set over it.
        own = [p for p in _paragraphs([line for line in cells[0] if line is not head]) if p[0]]
        for i, cell in enumerate(cells):
            paragraphs = own if i == 0 else _paragraphs(cell)
            parts = [text for text, _ in paragraphs]
            if i == title_col or (i == 0 and own):
                # a row going on from the page before goes on with its title only in bold
                if parts and not title and (head is not None or paragraphs[0][1]):
                    title, parts = parts[0], parts[1:]
                (presenter if has_proposal else proposal).extend(parts)
            elif names[i] in _DNR_NAMES:
                dnr.append("".join(p.replace(" ", "") for p in parts))
            elif names[i].startswith("föredrag"):
                presenter.extend(parts)
            else:
                proposal.extend(parts)
        cells_out = [number, title, "".join(dnr), " ".join(presenter), "<br>".join(proposal)]
        out.append("| " + " | ".join(cell.replace("|", "/") for cell in cells_out) + " |")
    return out
