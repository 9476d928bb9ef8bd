"""Positioned text spans of PDF pages → reading order, tables, lists and clean page texts.

Pure Python over the spans `ingest.pdf` reads with pdfminer (refs #15): spans on one baseline
form a row; runs of rows whose pieces start at the same column positions form a table (kept
row by row, cell by cell, so an attendee table keeps its pairs and an agenda table
`Nr | Ärende | Dnr | Föredragande` keeps each point's title, Dnr and proposal together);
a column of bullets or list numbers is a list, not a table; running headers and footers
(`ingest.repeated`) are left out of the page text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from .repeated import is_private_glyph, running_spans

COLUMN_TOLERANCE = 4.0      # points: pieces starting this close are in the same column
WIDE_GAP_EM = 2.0           # a gap this wide (in font sizes) between pieces of a row is a tab
PARAGRAPH_GAP = 0.5         # a gap above a row larger than this × its height starts a paragraph
_BULLET = re.compile(r"^(?:[•◦▪▫‣⁃·*–-]|\d{1,2}[.)]|[a-z][.)])$")


@dataclass
class Span:
    """A piece of text on one baseline with no wide gap inside; coordinates from the top."""
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 10.0
    bold: bool = False
    italic: bool = False

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass
class PageLayout:
    number: int
    width: float
    height: float
    spans: list[Span]
    rules: list[tuple[float, float, float]] = field(default_factory=list)   # (y from top, x0, x1)

    def plain_text(self) -> str:
        """All rows of the page, running headers included (what the page says, in order)."""
        return "\n".join(_row_text(row) for row in group_rows(self.spans))


@dataclass
class Row:
    spans: list[Span]

    @property
    def top(self) -> float:
        return min(s.top for s in self.spans)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.spans)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass
class TableRecord:
    """One row of a table as the author made it: its cells' lines, column by column."""
    cells: list[list[Span]]
    page_from: int
    page_to: int
    pages: list[list[int]] = field(default_factory=list)   # page of each line, per cell
    spanning: bool = False          # one piece across the columns (a section row)
    continues: bool = False         # the rest of the previous page's last record

    def cell_lines(self, column: int) -> list[Span]:
        return self.cells[column] if column < len(self.cells) else []

    def cell_text(self, column: int, joiner: str = " ") -> str:
        return join_lines([s.text for s in self.cell_lines(column)], joiner)


@dataclass
class Table:
    columns: list[float]
    header: list[str]
    records: list[TableRecord]
    page: int
    list_like: bool = False
    continues: bool = False         # goes on from the table that ended the previous page


@dataclass
class RenderedPages:
    pages: list[str]            # page texts without running headers/footers, tables as rows
    raw_pages: list[str]        # page texts as printed (headers included), for metadata
    tables: list[Table]
    running: list[str]          # the header/footer strings left out


def render_pages(layouts: list[PageLayout]) -> RenderedPages:
    """Lay out every page: drop running headers/footers, find tables and lists, render text."""
    drop = running_spans(layouts)
    pages, tables = [], []
    running: list[str] = []
    previous: Table | None = None      # a table that ends its page: it may go on overleaf
    for layout in layouts:
        keep = [s for i, s in enumerate(layout.spans) if (layout.number, i) not in drop]
        running.extend(s.text for i, s in enumerate(layout.spans) if (layout.number, i) in drop)
        blocks = find_tables(group_rows(keep), layout)
        out: list[str] = []
        last: Row | None = None
        for k, block in enumerate(blocks):
            if isinstance(block, Table):
                if k == 0:
                    _mark_continuation(previous, block)
                tables.append(block)
                if out and out[-1] != "":
                    out.append("")
                out.extend(_table_text(block))
                out.append("")
                last = None
                continue
            if (last is not None and block.top - last.bottom > PARAGRAPH_GAP * min(
                    block.height, last.height) and out and out[-1] != ""):
                out.append("")
            out.append(_row_text(block))
            last = block
        previous = blocks[-1] if blocks and isinstance(blocks[-1], Table) else None
        pages.append(re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip())
    raw = [layout.plain_text() for layout in layouts]
    return RenderedPages(pages=pages, raw_pages=raw, tables=tables,
                         running=list(dict.fromkeys(running)))


# --- rows ----------------------------------------------------------------------------------
def group_rows(spans: list[Span]) -> list[Row]:
    """Spans on the same line of the page, top to bottom, each row left to right."""
    rows: list[Row] = []
    for span in sorted(spans, key=lambda s: (s.top, s.x0)):
        if rows:
            row = rows[-1]
            overlap = min(row.bottom, span.bottom) - max(row.top, span.top)
            if overlap >= 0.5 * min(row.height, span.height):
                row.spans.append(span)
                continue
        rows.append(Row([span]))
    for row in rows:
        row.spans.sort(key=lambda s: s.x0)
    return rows


def _row_text(row: Row) -> str:
    parts: list[str] = []
    prev = None
    for span in row.spans:
        text = clean_glyphs(span.text)
        if not text:
            continue
        if prev is None:
            parts.append(text)
        elif parts[-1] == "•":
            parts[-1] = "• " + text
        else:
            wide = span.x0 - prev.x1 > WIDE_GAP_EM * max(prev.size, 1.0)
            parts.append(("    " if wide else " ") + text)
        prev = span
    return "".join(parts)


def clean_glyphs(text: str) -> str:
    """Private-use glyphs (Symbol-font bullets such as U+F0B7) become '•' at the start of a
    line and disappear elsewhere (refs #15)."""
    text = text.strip()
    if text and is_private_glyph(text[0]):
        rest = "".join(ch for ch in text[1:] if not is_private_glyph(ch)).strip()
        return f"• {rest}" if rest else "•"
    return "".join(ch for ch in text if not is_private_glyph(ch))


def join_lines(lines: list[str], joiner: str = " ") -> str:
    """Lines of a cell as one text; a line ending in a hyphen before a number or a capital
    is one word broken there ("KS-2024-" + "00668")."""
    out = ""
    for line in (clean_glyphs(x) for x in lines):
        if not line:
            continue
        if not out:
            out = line
        elif joiner == " " and re.search(r"\w-$", out) and re.match(r"[0-9A-ZÅÄÖ]", line):
            out += line
        else:
            out += joiner + line
    return out


# --- tables --------------------------------------------------------------------------------
def _column_of(x: float, columns: list[float]) -> int:
    index = 0
    for i, start in enumerate(columns):
        if x + COLUMN_TOLERANCE >= start:
            index = i
    return index


def _fits(row: Row, columns: list[float]) -> bool:
    """Every piece of the row starts in a column and ends before the next one starts."""
    for span in row.spans:
        col = _column_of(span.x0, columns)
        if span.x0 + COLUMN_TOLERANCE < columns[0]:
            return False
        if col + 1 < len(columns) and span.x1 > columns[col + 1] + COLUMN_TOLERANCE:
            return False
    cols = [_column_of(s.x0, columns) for s in row.spans]
    return len(cols) == len(set(cols))


def _aligned(row: Row, columns: list[float]) -> bool:
    return all(any(abs(s.x0 - c) <= COLUMN_TOLERANCE for c in columns) for s in row.spans)


def find_tables(rows: list[Row], layout: PageLayout) -> list:
    """The page as a sequence of rows and tables (runs of rows sharing column positions)."""
    blocks: list = []
    i = 0
    while i < len(rows):
        row = rows[i]
        table = None
        if len(row.spans) >= 2:
            table = _table_from(rows, i, layout)
        if table is None:
            blocks.append(row)
            i += 1
            continue
        table_obj, end = table
        blocks.append(table_obj)
        i = end
    return blocks


def _table_from(rows: list[Row], start: int, layout: PageLayout):
    columns = [s.x0 for s in rows[start].spans]
    if start + 1 < len(rows):
        below = [s.x0 for s in rows[start + 1].spans]
        if len(below) > len(columns) and all(any(abs(c - b) <= COLUMN_TOLERANCE for b in below)
                                             for c in columns):
            columns = below     # a header row without a heading over the first column
    members = [rows[start]]
    j = start + 1
    while j < len(rows):
        row = rows[j]
        if len(row.spans) >= 2 and _aligned(row, columns) and _fits(row, columns):
            members.append(row)
        elif len(row.spans) >= 2 and _fits(row, columns + []) and _aligned_some(row, columns):
            members.append(row)
        elif len(row.spans) == 1 and _fits(row, columns):
            members.append(row)
        elif (len(row.spans) == 1 and abs(row.spans[0].x0 - columns[0]) <= COLUMN_TOLERANCE
              and j + 1 < len(rows) and len(rows[j + 1].spans) >= 2
              and _aligned(rows[j + 1], columns) and row.top - members[-1].bottom < 3 * row.height):
            members.append(row)          # a row across the columns (section, "Val av justerare")
        else:
            break
        j += 1
    # trailing single-piece rows in the first column are text after the table
    while len(members) > 1 and len(members[-1].spans) == 1 and _column_of(
            members[-1].spans[0].x0, columns) == 0 and not _sparse_first(members, columns):
        members.pop()
    multi = sum(1 for r in members if len(r.spans) >= 2)
    if multi < 2:
        return None
    table = _build_table(members, columns, layout)
    return table, start + len(members)


def _aligned_some(row: Row, columns: list[float]) -> bool:
    return sum(1 for s in row.spans if any(abs(s.x0 - c) <= COLUMN_TOLERANCE for c in columns)) >= 2


def _sparse_first(members: list[Row], columns: list[float]) -> bool:
    """A first column with content on few rows: numbers of an agenda, bullets of a list."""
    filled = sum(1 for r in members if any(_column_of(s.x0, columns) == 0 for s in r.spans))
    return filled * 10 < len(members) * 6


def _build_table(members: list[Row], columns: list[float], layout: PageLayout) -> Table:
    firsts = [s for r in members for s in r.spans if _column_of(s.x0, columns) == 0]
    list_like = len(columns) == 2 and firsts and all(_BULLET.match(clean_glyphs(s.text) or "-")
                                                     or is_private_glyph(s.text[:1]) for s in firsts)
    header: list[str] = []
    body = members
    first = members[0]
    if not list_like and len(first.spans) >= 2 and all(s.bold for s in first.spans) and not all(
            s.bold for r in members[1:] for s in r.spans):
        header = [""] * len(columns)
        for s in first.spans:
            header[_column_of(s.x0, columns)] = s.text
        body = members[1:]
    sparse = _sparse_first(body, columns) if body else False
    rules = sorted({round(y, 1) for y, x0, x1 in layout.rules
                    if x1 - x0 > 0.5 * (layout.width - 2 * columns[0])})
    records: list[TableRecord] = []
    last_row: Row | None = None
    for row in body:
        cols = {_column_of(s.x0, columns) for s in row.spans}
        spanning = len(row.spans) == 1 and len(columns) > 1 and (
            _column_of(row.spans[0].x0, columns) == 0 and row.spans[0].x1 > columns[1] + COLUMN_TOLERANCE)
        if not records or spanning or (records and records[-1].spanning):
            new = True
        elif sparse or list_like:
            new = 0 in cols
        elif rules:
            new = any(last_row.bottom - 1 <= y <= row.top + 1 for y in rules)
        else:
            new = len(cols) >= max(2, len(columns) - 1) and 0 in cols
        if new:
            records.append(TableRecord(cells=[[] for _ in columns], page_from=layout.number,
                                       page_to=layout.number,
                                       pages=[[] for _ in columns], spanning=spanning))
        record = records[-1]
        for s in row.spans:
            col = _column_of(s.x0, columns)
            record.cells[col].append(s)
            record.pages[col].append(layout.number)
        last_row = row
    return Table(columns=columns, header=header, records=records, page=layout.number,
                 list_like=bool(list_like))


def _mark_continuation(previous: Table | None, table: Table) -> None:
    """A table at the top of a page with the columns of the one that ended the page before
    goes on from it; its first record, with nothing in the first column, is the rest of the
    previous page's last record (a row broken over the page)."""
    if previous is None or len(previous.columns) != len(table.columns) or not all(
            abs(a - b) <= COLUMN_TOLERANCE for a, b in zip(previous.columns, table.columns)):
        return
    table.continues = True
    if not table.header and previous.header:
        table.header = previous.header
    if table.records and not table.records[0].cells[0] and not table.records[0].spanning:
        table.records[0].continues = True


def _table_text(table: Table) -> list[str]:
    if table.list_like:
        out = []
        for rec in table.records:
            marker = rec.cell_text(0)
            text = rec.cell_text(1)
            marker = "•" if is_private_glyph(marker[:1]) or marker in "•◦▪▫‣⁃·*–-" else marker
            out.append(f"{marker} {text}".strip())
        return out
    lines = []
    if table.header and any(table.header):
        lines.append("| " + " | ".join(h or " " for h in table.header) + " |")
        lines.append("|" + " --- |" * len(table.header))
    for rec in table.records:
        if rec.spanning:
            lines.append(rec.cell_text(0))
            continue
        cells = [join_lines([s.text for s in rec.cell_lines(c)], "<br>") or " "
                 for c in range(len(table.columns))]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
