"""Defects found in real municipal PDFs, each on a PDF built here in that shape (refs #15)."""
from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from archive import Archive
from index import rebuild_index
from ingest import ingest_paths, parse_document
from tests.conftest import make_app

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _pdf() -> FPDF:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("Sans", "", str(FONT))
    pdf.add_font("Sans", "B", str(BOLD))
    return pdf


def _header(pdf: FPDF, number: int, total: int, date: str = "2025-04-09") -> None:
    """A running header: organisation, kind, 'Sida N (M)', body and meeting date."""
    pdf.set_font("Sans", size=9)
    pdf.set_xy(20, 10)
    pdf.cell(80, 5, "KUNGSBACKA KOMMUN")
    pdf.set_xy(150, 10)
    pdf.cell(40, 5, f"Sida {number} ({total})")
    pdf.set_xy(20, 15)
    pdf.cell(80, 5, "Nämnden för Teknik")
    pdf.set_xy(150, 15)
    pdf.cell(40, 5, date)


def _write(pdf: FPDF, y: float, lines: list[str], size: int = 11, x: float = 20) -> float:
    for line in lines:
        bold = line.startswith("**")
        pdf.set_font("Sans", "B" if bold else "", size)
        pdf.set_xy(x, y)
        pdf.cell(170, 6, line.strip("*"))
        y += 6
    return y


def _parse(pdf: FPDF, path: Path):
    pdf.output(str(path))
    return parse_document(path.read_bytes(), path.name, path.name)


def test_contents_list_at_the_front_makes_no_items(tmp_path):
    """'§ 12 Budget ........ 3' lines of an 'Innehåll' page are no items: each § is found
    once, on the page where its text is, with its own title."""
    pdf = _pdf()
    pdf.add_page()
    _header(pdf, 1, 3)
    _write(pdf, 40, ["**Innehåll", "§ 12 Budget 2026 för nämnden .................................. 2",
                     "§ 13 Taxa för avfall ............................................ 3",
                     "§ 14 Information från förvaltningen .................................... 3"])
    pdf.add_page()
    _header(pdf, 2, 3)
    _write(pdf, 40, ["**§ 12 Budget 2026 för nämnden", "Dnr TE-2025-00231", "", "**Beslut",
                     "Nämnden antar budgeten för 2026."])
    pdf.add_page()
    _header(pdf, 3, 3)
    _write(pdf, 40, ["**§ 13 Taxa för avfall", "Dnr TE-2025-00300", "", "**Beslut",
                     "Nämnden föreslår att taxan höjs med 3 %.", "",
                     "**§ 14 Information från förvaltningen", "Dnr TE-2025-00004", "",
                     "**Beslut", "Nämnden noterar informationen."])
    items = _parse(pdf, tmp_path / "teknik-protokoll-2025-04-09.pdf").items
    assert [(i.label, i.title, i.page_start) for i in items] == [
        ("§ 12", "Budget 2026 för nämnden", 2), ("§ 13", "Taxa för avfall", 3),
        ("§ 14", "Information från förvaltningen", 3)]
    assert all("...." not in i.text for i in items)


def test_two_column_attendance_table_keeps_its_pairs(tmp_path):
    """A cover's 'Ordinarie | Ersättare' columns are read row by row: each member stands on
    one line with the substitute beside them, not all members and then all substitutes."""
    pairs = [("Anna Berg (S)", "Per Ek (S)"), ("Lars Holm (M)", "Eva Lind (M)"),
             ("Karin Sjö (C)", "Omar Said (C)"), ("Mats Ås (V)", "Lena Björk (V)")]
    pdf = _pdf()
    pdf.add_page()
    _header(pdf, 1, 2)
    y = _write(pdf, 40, ["**Protokoll", "Plats och tid: Stadshuset, kl. 13.00–15.00", "",
                         "**Beslutande"])
    _write(pdf, y, ["**Ordinarie"] + [a for a, _ in pairs])
    _write(pdf, y, ["**Ersättare"] + [b for _, b in pairs], x=100)
    pdf.add_page()
    _header(pdf, 2, 2)
    _write(pdf, 40, ["**§ 1 Val av justerare", "", "**Beslut", "Nämnden utser Lars Holm (M)."])
    doc = _parse(pdf, tmp_path / "teknik-protokoll-2025-04-09.pdf")
    lines = [" ".join(line.split()) for line in doc.pages[0].text.splitlines()]
    for member, substitute in pairs:
        row = next((line for line in lines if member in line), "")
        assert substitute in row, (member, lines)
    assert [i.label for i in doc.items] == ["§ 1"]


def _bullet_font(tmp_path: Path) -> Path:
    """DejaVu Sans with its bullet also at U+F0B7, where Word's Symbol font puts it."""
    from fontTools.ttLib import TTFont
    font = TTFont(str(FONT))
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0xF0B7] = table.cmap[0x2022]
    path = tmp_path / "symbol-bullet.ttf"
    font.save(str(path))
    return path


def test_private_use_bullets_before_att_lines_are_removed(tmp_path):
    """'\uf0b7 att …' lines (Word's Symbol bullet) keep their words and lose the glyph."""
    pdf = _pdf()
    pdf.add_font("Bullets", "", str(_bullet_font(tmp_path)))
    pdf.add_page()
    _header(pdf, 1, 1)
    y = _write(pdf, 40, ["**§ 5 Trafiksäkerhet vid skolor", "Dnr TE-2025-00412", "",
                         "**Beslut", "Nämnden för Teknik beslutar"])
    for line in ("att utreda säkrare skolvägar", "att återrapportera i december"):
        pdf.set_font("Bullets", size=11)
        pdf.set_xy(24, y)
        pdf.cell(6, 6, "\uf0b7")
        pdf.set_font("Sans", size=11)
        pdf.set_xy(32, y)
        pdf.cell(150, 6, line)
        y += 6
    path = tmp_path / "teknik-protokoll-2025-04-09.pdf"
    pdf.output(str(path))
    assert "\uf0b7" in _raw_text(path)          # the PDF does carry the private-use glyph
    item = parse_document(path.read_bytes(), path.name, path.name).items[0]
    assert "\uf0b7" not in item.text + item.decision
    lines = [line.strip(" •") for line in item.decision.splitlines() if line.strip(" •")]
    assert lines == ["Nämnden för Teknik beslutar", "att utreda säkrare skolvägar",
                     "att återrapportera i december"]


def _raw_text(path: Path) -> str:
    from pdfminer.high_level import extract_text
    return extract_text(str(path))


def test_next_page_header_does_not_leak_into_a_decision_over_the_break(tmp_path):
    """A decision running over a page break goes on after the next page's header ('Sida 2
    (2)', the meeting date), which never enters it; the item spans exactly pages 1-2."""
    pdf = _pdf()
    pdf.add_page()
    _header(pdf, 1, 2)
    body = [f"Nämnden beslutar att åtgärd {n} genomförs under året." for n in range(1, 30)]
    _write(pdf, 40, ["**§ 7 Handlingsplan för trafiksäkerhet", "Dnr TE-2025-00107", "",
                     "**Beslut"] + body[:36])
    pdf.add_page()
    _header(pdf, 2, 2)
    _write(pdf, 40, ["Nämnden beslutar att planen följs upp i december.", "",
                     "**Sammanfattning av ärendet", "Förvaltningen har tagit fram en plan.",
                     "", "**§ 8 Information", "Dnr TE-2025-00004", "", "**Beslut",
                     "Nämnden noterar informationen."])
    items = _parse(pdf, tmp_path / "teknik-protokoll-2025-04-09.pdf").items
    first = items[0]
    assert first.decision.splitlines()[-1] == "Nämnden beslutar att planen följs upp i december."
    for leak in ("Sida", "2025-04-09", "KUNGSBACKA", "Nämnden för Teknik\n"):
        assert leak not in first.decision and leak not in first.text
    assert (first.page_start, first.page_end) == (1, 2)
    assert [(i.label, i.page_start, i.page_end) for i in items] == [("§ 7", 1, 2), ("§ 8", 2, 2)]


def test_item_does_not_claim_the_signature_page_after_it(tmp_path):
    """The last item ends on its own page: an e-signature receipt page after it, with the
    running header, is no page of the item and none of its text."""
    pdf = _pdf()
    pdf.add_page()
    _header(pdf, 1, 2)
    _write(pdf, 40, ["**§ 9 Övriga frågor", "Dnr TE-2025-00002", "", "**Beslut",
                     "Nämnden noterar att inga övriga frågor har anmälts."])
    pdf.add_page()
    _header(pdf, 2, 2)
    _write(pdf, 40, ["Undertecknat av följande personer", "", "ANNA BERG",
                     "Datum: 2025-04-10 09:12:44",
                     "Transaktionsidentitet: 627005FC4CAB9FA42A84B88EFD7102FA32E2181E20"])
    item = _parse(pdf, tmp_path / "teknik-protokoll-2025-04-09.pdf").items[0]
    assert (item.page_start, item.page_end) == (1, 1)
    assert item.text.endswith("inga övriga frågor har anmälts.")
    assert "ANNA BERG" not in item.text


def test_odd_case_number_is_extracted_and_found(tmp_path):
    """'DNR:KNSLI/20014197' (Högsby 2007) is the item's case number, and a search for it
    finds the item."""
    pdf = _pdf()
    pdf.add_page()
    _header(pdf, 1, 1)
    _write(pdf, 40, ["**§ 21 Kulturstipendium 2007", "DNR:KNSLI/20014197", "", "**Beslut",
                     "Kulturstipendiet tilldelas föreningen Hembygdsgården."])
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "teknik-protokoll-2025-04-09.pdf"
    pdf.output(str(path))
    data = tmp_path / "data"
    with Archive(data) as store:
        assert not ingest_paths(store, [folder]).failed
        rebuild_index(store, data)
        item = store.items(document=store.documents()[0].id)[0]
    assert item.label == "§ 21" and item.dnr == ["KNSLI/20014197"]
    client = make_app(data).test_client()
    for query in ("KNSLI/20014197", "20014197"):
        hits = client.get(f"/api/search?q={query}").get_json()["hits"]
        assert hits and hits[0]["paragraph"] == "§ 21", query


def _map_page(path: Path) -> Path:
    """A PDF whose only page is an image of a plan map: its name, then rows of map symbols
    the size of letters along the plots, and no text layer (a scanned plan drawing)."""
    import random

    from PIL import Image, ImageDraw, ImageFont
    shapes = random.Random(7)
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    draw.text((200, 150), "Detaljplan Hede 3:12", fill=0,
              font=ImageFont.truetype(str(FONT), 48))
    for y in range(400, 900, 60):
        x = 100
        while x < 1600:
            size = shapes.randint(14, 26)
            kind = shapes.choice("lcvxo/")
            box = (x, y, x + size, y + size)
            if kind == "l":
                draw.line((x, y, x, y + size), fill=0, width=4)
            elif kind == "c":
                draw.arc(box, 30, 330, fill=0, width=4)
            elif kind == "v":
                draw.line((x, y, x + size // 2, y + size, x + size, y), fill=0, width=4)
            elif kind == "x":
                draw.line(box, fill=0, width=4)
                draw.line((x, y + size, x + size, y), fill=0, width=4)
            elif kind == "o":
                draw.ellipse(box, outline=0, width=4)
            else:
                draw.line((x, y + size, x + size, y), fill=0, width=4)
            x += size + shapes.randint(6, 30)
    png = path.with_suffix(".png")
    image.save(png)
    pdf = FPDF(unit="pt", format=(1700 * 72 / 200, 2200 * 72 / 200))
    pdf.add_page()
    pdf.image(str(png), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
    return path


def test_ocr_of_a_map_keeps_words_and_drops_symbol_lines(tmp_path):
    """A scanned map OCRs to lines of symbols; only lines that are text are kept (the
    plan's name), none made of symbols and fragments."""
    from ingest.ocr import is_text_line, ocr_available, ocr_pdf_pages
    if not ocr_available():
        pytest.fail("tesseract with Swedish data is part of the set-up (tests/test_setup.py)")
    path = _map_page(tmp_path / "karta.pdf")
    raw = ocr_pdf_pages(path.read_bytes(), [1], keep_all=True)[1]
    junk = [line for line in raw.splitlines() if line.strip() and not is_text_line(line)]
    assert junk, raw                                  # the map does give symbol lines
    doc = parse_document(path.read_bytes(), path.name, path.name)
    text = doc.pages[0].text
    assert "Detaljplan" in text
    assert all(is_text_line(line) for line in text.splitlines() if line.strip()), text
    assert len([line for line in text.splitlines() if line.strip()]) <= 2, text
    for line in junk:
        assert line.strip() not in text


@pytest.mark.parametrize("line, text", [
    ("§ 12 Dnr KS 2025-00107", True), ("2025-02-03", True), ("Sida 3 (12)", True),
    ("Kommunstyrelsen beslutar att bifalla motionen.", True), ("Hede 3:12", True),
    ("= — ~ | ¢ @ ,, .", False), ("ee fl ij | \\ ~~ Be", False), ("'. : ; _ - =", False),
    ("SS FE SS ES A", False), ("VZoocKe XI /OIOXI] Ol ZI I O/VXC/I O/900VX] OMO XV £//", False),
    ("XKS/ IT I XVCSKSI SOV SZ OKXKV/KXKOKIVITI VET OC O/KXKIKX C", False),
    ("Ordförande Anna Berg (S)", True), ("KUNGSBACKA KOMMUN", True)])
def test_is_text_line(line, text):
    """Words, numbers, dates and § headings are text; runs of symbols and letter scraps not."""
    from ingest.ocr import is_text_line
    assert is_text_line(line) is text
