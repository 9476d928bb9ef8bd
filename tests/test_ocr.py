"""Scanned PDFs: pages without a text layer are read with Tesseract when it is installed."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest import parse_document
from ingest.errors import UnreadableFile
from ingest.ocr import ocr_available

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A PDF whose only page is an image of text (no text layer), as a scanner makes."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44) if Path(FONT).exists() else ImageFont.load_default(44)
    for n, line in enumerate(lines):
        draw.text((120, 150 + n * 90), line, fill=0, font=font)
    png = path.with_suffix(".png")
    image.save(png)
    pdf = FPDF(unit="pt", format=(1700 * 72 / 200, 2200 * 72 / 200))
    pdf.add_page()
    pdf.image(str(png), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
    return path


LINES = ["KUNGSBACKA KOMMUN  SAMMANTRÄDESPROTOKOLL", "Valnämnden", "Datum 2025-02-03",
         "§ 5  Dnr VN-2025-00008", "Underlag till kommunbudget 2026", "Beslut",
         "Valnämnden godkänner underlaget till kommunbudget."]


def test_scanned_pdf_is_read_with_ocr(tmp_path):
    """An image-only protocol page is OCR'd in Swedish and split into its § item."""
    pdf = scanned_pdf(tmp_path / "skannad.pdf", LINES)
    doc = parse_document(pdf.read_bytes(), pdf.name, pdf.name)
    text = doc.pages[0].text
    assert "Valnämnden" in text and "kommunbudget" in text
    assert any("OCR" in w for w in doc.warnings)
    assert [i.label for i in doc.items] == ["§ 5"]


def test_scanned_pdf_without_ocr_is_flagged(tmp_path, monkeypatch):
    """Without Tesseract on the PATH, an image-only PDF fails as no-text, 'behöver OCR'."""
    pdf = scanned_pdf(tmp_path / "skannad.pdf", LINES)
    monkeypatch.setenv("PATH", str(tmp_path))       # a machine without tesseract/pdftoppm
    ocr_available.cache_clear()
    try:
        with pytest.raises(UnreadableFile) as info:
            parse_document(pdf.read_bytes(), pdf.name, pdf.name)
    finally:
        ocr_available.cache_clear()
    assert info.value.reason == "no-text" and "behöver OCR" in str(info.value)


def test_ocr_section_sign_is_restored():
    """Tesseract's '85 Dnr' for '§ 5 Dnr' becomes a § heading again."""
    from ingest.ocr import fix_ocr_text
    assert fix_ocr_text("85 Dnr VN-2025-00008\n$ 12 Dnr KS-2025-1") == (
        "§ 5 Dnr VN-2025-00008\n§ 12 Dnr KS-2025-1")


def test_blank_pages_cost_no_tesseract_and_runs_render_once(tmp_path):
    """Blank pages among scanned ones come back empty (Tesseract is not run on them), and
    scattered page numbers are rendered in runs, each page read once (refs #13)."""
    from fpdf import FPDF
    from ingest.ocr import _runs, ocr_pdf_pages
    scanned = scanned_pdf(tmp_path / "skannad.pdf", LINES).read_bytes()
    assert _runs([1, 2, 3, 7, 9, 10]) == [(1, 3), (7, 7), (9, 10)]
    pdf = FPDF()
    for _ in range(4):
        pdf.add_page()
    blank = bytes(pdf.output())
    assert ocr_pdf_pages(blank, [1, 2, 4]) == {1: "", 2: "", 4: ""}
    assert "Valnämnden" in ocr_pdf_pages(scanned, [1])[1]


def test_many_blank_pages_within_the_budget_finish_quickly(tmp_path):
    """5,000 blank pages with a budget of 3 OCR pages: one clear 'no-text' report naming the budget."""
    from tests.hostile_files import blank_pages_pdf
    with pytest.raises(UnreadableFile) as caught:
        parse_document(blank_pages_pdf(5000), "tomma.pdf", "tomma.pdf", ocr_max_pages=3)
    assert caught.value.reason == "no-text" and "OCR_MAX_PAGES" in str(caught.value)
