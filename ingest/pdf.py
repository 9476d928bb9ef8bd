"""PDF text extraction through pdfminer.six, kept per page (the only module importing pdfminer).

pdfminer's layout analysis (`LAParams`) finds the text lines; each line is cut again where a
wide gap separates its characters (a tab stop or a table column), so that every piece of
text keeps its own position and font. `ingest.layout` turns those spans into reading order,
tables and running headers without pdfminer (refs #15).
"""
from __future__ import annotations

import io

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import (LAParams, LTAnno, LTChar, LTContainer, LTCurve, LTLine, LTRect,
                             LTTextLine)
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage, PDFTextExtractionNotAllowed
from pdfminer.pdfparser import PDFParser

from .errors import UnreadableFile
from .layout import PageLayout, Span, render_pages

# A gap wider than this many font sizes between two characters of a line is a tab stop or a
# column boundary, not a space between words (a space is about a quarter of the font size).
COLUMN_GAP_EM = 0.6


def extract_pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, in order (running headers and footers kept).

    Raises UnreadableFile for encrypted, corrupt or empty PDFs. Pages without a text layer
    come back as empty strings; the caller decides what that means.
    """
    return [layout.plain_text() for layout in extract_pdf_layout(data)]


def extract_pdf_layout(data: bytes) -> list[PageLayout]:
    """Each page as positioned text spans (with font size, bold, italic) and ruled lines."""
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
        pages: list[PageLayout] = []
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            interpreter.process_page(page)
            pages.append(_page_layout(number, device.get_result()))
    except (UnreadableFile, MemoryError):
        raise                        # refs #13: the worker reports "minnesgräns"
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFTextExtractionNotAllowed) as exc:
        raise UnreadableFile("encrypted", "PDF:en är krypterad eller lösenordsskyddad.") from exc
    except Exception as exc:  # pdfminer raises many untyped errors on damaged files
        raise _corrupt(data, exc) from exc
    if not pages:
        raise UnreadableFile("empty", "PDF:en har inga sidor.")
    return pages


def render_pdf_pages(data: bytes):
    """Extract and lay out a PDF: see `ingest.layout.render_pages`."""
    return render_pages(extract_pdf_layout(data))


def _page_layout(number: int, ltpage) -> PageLayout:
    x0, y0, x1, y1 = ltpage.bbox
    height = y1 - y0
    spans: list[Span] = []
    rules: list[tuple[float, float, float]] = []

    def walk(node) -> None:
        for child in node:
            if isinstance(child, LTTextLine):
                spans.extend(_line_spans(child, y1))
            elif isinstance(child, (LTRect, LTLine, LTCurve)) and not isinstance(child, LTChar):
                if child.height <= 2.5 and child.width > 20:   # a horizontal rule or cell edge
                    rules.append((y1 - child.y1, child.x0, child.x1))
            elif isinstance(child, LTContainer):
                walk(child)

    walk(ltpage)
    return PageLayout(number=number, width=x1 - x0, height=height, spans=spans, rules=rules)


def _line_spans(line, page_top: float) -> list[Span]:
    """A text line cut at wide gaps into spans, each with its box, size and style."""
    out: list[Span] = []
    chars: list = []
    last = None
    for obj in line:
        if isinstance(obj, LTAnno):
            if chars:
                chars.append(obj)
            continue
        if not isinstance(obj, LTChar):
            continue
        if last is not None and obj.x0 - last.x1 > COLUMN_GAP_EM * max(last.size, 1.0):
            out.append(_span(chars, page_top))
            chars = []
        chars.append(obj)
        last = obj
    if chars:
        out.append(_span(chars, page_top))
    return [s for s in out if s.text]


def _span(chars: list, page_top: float) -> Span:
    visible = [c for c in chars if isinstance(c, LTChar)]
    text = "".join(c.get_text() for c in chars).replace("\n", " ")
    text = " ".join(text.split())
    glyphs = [c for c in visible if c.get_text().strip()] or visible
    bold = sum(1 for c in glyphs if _is_bold(c.fontname)) * 2 > len(glyphs)
    italic = sum(1 for c in glyphs if _is_italic(c.fontname)) * 2 > len(glyphs)
    sizes = sorted(c.size for c in glyphs)
    return Span(text=text, x0=min(c.x0 for c in visible), x1=max(c.x1 for c in visible),
                top=page_top - max(c.y1 for c in visible),
                bottom=page_top - min(c.y0 for c in visible),
                size=round(sizes[len(sizes) // 2], 1), bold=bold, italic=italic)


def _is_bold(fontname: str) -> bool:
    name = fontname.split("+")[-1].lower()
    return any(w in name for w in ("bold", "black", "heavy", "semibold", "demi")) or name.endswith(",b")


def _is_italic(fontname: str) -> bool:
    name = fontname.split("+")[-1].lower()
    return "italic" in name or "oblique" in name or name.endswith(",i")


def _corrupt(data: bytes, exc: Exception) -> UnreadableFile:
    """A damaged PDF, said in Swedish; a cut-off file (no %%EOF at the end) is named as such."""
    if b"%%EOF" not in data[-2048:]:
        return UnreadableFile("corrupt", "PDF:en är avkortad (filens slut saknas), troligen efter "
                                         "en avbruten nedladdning eller kopiering. Hämta filen "
                                         f"igen. [{type(exc).__name__}]")
    return UnreadableFile("corrupt", "PDF:en är trasig och kan inte läsas; öppna den i en "
                                     "PDF-läsare och spara en ny kopia. "
                                     f"[{type(exc).__name__}]")
