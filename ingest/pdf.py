"""PDF text extraction through pdfminer.six, kept per page (the only module importing pdfminer)."""
from __future__ import annotations

import io

from pdfminer.converter import TextConverter
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage, PDFTextExtractionNotAllowed
from pdfminer.pdfparser import PDFParser

from .errors import UnreadableFile


def extract_pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, in order.

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
        params = LAParams()
        pages: list[str] = []
        for page in PDFPage.create_pages(document):
            out = io.StringIO()
            device = TextConverter(manager, out, laparams=params)
            PDFPageInterpreter(manager, device).process_page(page)
            device.close()
            pages.append(out.getvalue().replace("\x0c", "").strip())
    except (UnreadableFile, MemoryError):
        raise                        # refs #13: the worker reports "minnesgräns"
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFTextExtractionNotAllowed) as exc:
        raise UnreadableFile("encrypted", "PDF:en är krypterad eller lösenordsskyddad.") from exc
    except Exception as exc:  # pdfminer raises many untyped errors on damaged files
        raise _corrupt(data, exc) from exc
    if not pages:
        raise UnreadableFile("empty", "PDF:en har inga sidor.")
    return pages


def _corrupt(data: bytes, exc: Exception) -> UnreadableFile:
    """A damaged PDF, said in Swedish; a cut-off file (no %%EOF at the end) is named as such."""
    if b"%%EOF" not in data[-2048:]:
        return UnreadableFile("corrupt", "PDF:en är avkortad (filens slut saknas), troligen efter "
                                         "en avbruten nedladdning eller kopiering. Hämta filen "
                                         f"igen. [{type(exc).__name__}]")
    return UnreadableFile("corrupt", "PDF:en är trasig och kan inte läsas; öppna den i en "
                                     "PDF-läsare och spara en ny kopia. "
                                     f"[{type(exc).__name__}]")
