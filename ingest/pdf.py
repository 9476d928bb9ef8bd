"""PDF text extraction through pdfminer.six, kept per page (the only module importing pdfminer)."""
from __future__ import annotations

import io

from pdfminer.converter import TextConverter
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage, PDFTextExtractionNotAllowed
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.psparser import PSException

from .errors import UnreadableFile


def extract_pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, in order.

    Raises UnreadableFile for encrypted, corrupt or empty PDFs. Pages without a text layer
    come back as empty strings; the caller decides what that means.
    """
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableFile("corrupt", "Filen är inte en PDF (saknar PDF-huvud).")
    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
        if not document.is_extractable:
            raise UnreadableFile("encrypted", "PDF:en är skyddad mot textutdrag.")
        manager = PDFResourceManager(caching=True)
        params = LAParams()
        pages: list[str] = []
        for page in PDFPage.create_pages(document):
            out = io.StringIO()
            device = TextConverter(manager, out, laparams=params)
            PDFPageInterpreter(manager, device).process_page(page)
            device.close()
            pages.append(out.getvalue().replace("\x0c", "").strip())
    except UnreadableFile:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFTextExtractionNotAllowed) as exc:
        raise UnreadableFile("encrypted", "PDF:en är krypterad eller lösenordsskyddad.") from exc
    except (PDFSyntaxError, PSException) as exc:
        raise UnreadableFile("corrupt", f"PDF:en är trasig och kan inte läsas ({exc}).") from exc
    except Exception as exc:  # pdfminer raises many untyped errors on damaged files
        raise UnreadableFile("corrupt", f"PDF:en är trasig och kan inte läsas "
                                        f"({type(exc).__name__}).") from exc
    if not pages:
        raise UnreadableFile("empty", "PDF:en har inga sidor.")
    return pages
