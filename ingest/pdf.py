"""PDF text extraction through pdfminer.six, kept per page (the only module importing pdfminer)."""
from __future__ import annotations

import io
import re
from collections import Counter
from statistics import median

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import (LAParams, LTChar, LTContainer, LTCurve, LTText, LTTextBox,
                             LTTextLine)
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage, PDFTextExtractionNotAllowed
from pdfminer.pdfparser import PDFParser

from .errors import UnreadableFile
from .layout import clean_glyphs, running_line_ids, without_lines
from .tables import Line, Rule, Word, render_page, table_header


_BOLD = re.compile(r"bold|black|heavy|semibold|demi|,b\b")
_ITALIC = re.compile(r"italic|oblique|,i\b")


def extract_pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, in order, without running headers and footers.

    Raises UnreadableFile for encrypted, corrupt or empty PDFs. Pages without a text layer
    come back as empty strings; the caller decides what that means.
    """
    if b"%PDF-" not in data[:1024]:  # readers accept the header anywhere in the first 1 kB
        raise UnreadableFile("unknown-format", "Filen heter .pdf men är ingen PDF "
                                               "(PDF-huvudet saknas).", "read")
    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
        if not document.is_extractable:
            raise UnreadableFile("encrypted", "PDF:en är skyddad mot textutdrag.")
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=LAParams())
        interpreter = PDFPageInterpreter(manager, device)
        read: list[tuple[str, list[Line], list[Rule], float]] = []
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            read.append(_page_text(device.get_result()))
        pages = _render(read)
    except (UnreadableFile, MemoryError):
        raise                        # refs #13: the worker reports "minnesgräns"
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFTextExtractionNotAllowed) as exc:
        raise UnreadableFile("encrypted", "PDF:en är krypterad eller lösenordsskyddad.") from exc
    except Exception as exc:  # pdfminer raises many untyped errors on damaged files
        raise _corrupt(data, exc) from exc
    if not pages:
        raise UnreadableFile("empty", "PDF:en har inga sidor.")
    return [clean_glyphs(page) for page in pages]


def _render(read: list[tuple[str, list[Line], list[Rule], float]]) -> list[str]:
    """Page texts without their running headers and footers (found by position across the
    pages), agenda tables written row by row."""
    heads = {id(cell) for _, lines, _, _ in read for cell in table_header(lines) or []}
    running = running_line_ids([lines for _, lines, _, _ in read], keep=lambda l: id(l) in heads)
    pages: list[str] = []
    table = None   # an agenda table open at the end of the page before
    for text, lines, rules, height in read:
        dropped = [line for line in lines if id(line) in running]
        text = without_lines(text, [line.text for line in dropped if line.top < height / 2],
                             [line.text for line in dropped if line.top >= height / 2])
        lines = [line for line in lines if id(line) not in running]
        text, table = render_page(text, lines, table, rules)
        pages.append(text.replace("\x0c", "").strip())
    return pages


def _page_text(ltpage) -> tuple[str, list[Line], list[Rule], float]:
    """The page's text as pdfminer's TextConverter writes it (box by box), its text lines with
    their positions (from the top of the page), words and font, and its horizontal ruling
    lines, for `ingest.tables`."""
    out: list[str] = []
    lines: list[Line] = []
    rules: list[Rule] = []
    top = ltpage.bbox[3]
    boxes = [0]

    def walk(node) -> None:
        if isinstance(node, LTTextBox):
            boxes[0] += 1
        if isinstance(node, LTTextLine):
            lines.append(_line(node, top, boxes[0]))
        elif isinstance(node, LTCurve) and node.height <= 2.5 and node.width >= 20:
            rules.append(Rule(node.x0, node.x1, top - (node.y0 + node.y1) / 2))
        if isinstance(node, LTContainer):
            for child in node:
                walk(child)
        elif isinstance(node, LTText):
            out.append(node.get_text())
        if isinstance(node, LTTextBox):
            out.append("\n")

    walk(ltpage)
    return "".join(out), [line for line in lines if line.text], rules, top


def _line(node, top: float, box: int) -> Line:
    """A text line with its words' x-positions and the font most of its letters are set in."""
    words: list[Word] = []
    current: list = []
    for char in list(node) + [None]:
        if isinstance(char, LTChar) and char.get_text().strip():
            current.append(char)
            continue
        if current:
            words.append(Word("".join(c.get_text() for c in current), current[0].x0,
                              current[-1].x1))
            current = []
    chars = [c for c in node if isinstance(c, LTChar) and c.get_text().strip()]
    fonts = Counter(c.fontname.lower() for c in chars)
    font = fonts.most_common(1)[0][0] if fonts else ""
    size = median(c.size for c in chars) if chars else 0.0
    return Line(node.get_text().strip(), node.x0, node.x1, top - node.y1, top - node.y0, box,
                tuple(words), bold=bool(_BOLD.search(font)), italic=bool(_ITALIC.search(font)),
                size=round(size, 1))


def _corrupt(data: bytes, exc: Exception) -> UnreadableFile:
    """A damaged PDF, said in Swedish; a cut-off file (no %%EOF at the end) is named as such."""
    if b"%%EOF" not in data[-2048:]:
        return UnreadableFile("corrupt", "PDF:en är avkortad (filens slut saknas), troligen efter "
                                         "en avbruten nedladdning eller kopiering. Hämta filen "
                                         f"igen. [{type(exc).__name__}]")
    return UnreadableFile("corrupt", "PDF:en är trasig och kan inte läsas; öppna den i en "
                                     "PDF-läsare och spara en ny kopia. "
                                     f"[{type(exc).__name__}]")
