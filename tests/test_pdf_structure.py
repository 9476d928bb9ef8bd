"""PDF layouts of real municipal records: running headers, agenda tables, signature pages (#15)."""
from __future__ import annotations

import json

from fpdf import FPDF

from ingest import parse_document
from ingest.layout import clean_glyphs, drop_running_lines
from tests.conftest import DATA

LAYOUTS = DATA.parent / "layouts"   # outside tests/data: the archive tests ingest that folder


def _minutes_pdf(path, pages_of_items, total=None):
    """Minutes with a running header whose page number varies and a footer on every page."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    total = total or len(pages_of_items)
    for number, items in enumerate(pages_of_items, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.set_xy(10, 10)
        pdf.cell(0, 5, "KUNGSBACKA KOMMUN")
        pdf.set_xy(150, 10)
        pdf.cell(0, 5, f"SAMMANTRÄDESPROTOKOLL {number} ({total})")
        pdf.set_xy(10, 16)
        pdf.cell(0, 5, "Datum 2007-01-08")
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(10, 30)
        for head, title, body in items:
            pdf.set_x(10)
            pdf.multi_cell(0, 6, f"{head}\n{title}\n\nBeslut\n\n{body}\n")
            pdf.ln(6)
        pdf.set_font("Helvetica", size=8)
        pdf.set_xy(10, 280)
        pdf.cell(0, 5, f"Sid {number} av {total}")
    pdf.output(str(path))
    return path


def _items(path):
    return parse_document(path.read_bytes(), path.name, path.name).items


def test_running_header_with_varying_page_number_is_dropped(tmp_path):
    """'SAMMANTRÄDESPROTOKOLL 2 (3)', the date and 'Sid 2 av 3' never reach an item's text."""
    path = _minutes_pdf(tmp_path / "protokoll.pdf", [
        [("§ 1", "Val av justerare", "Nämnden utser Anna Berg att justera protokollet.")],
        [("§ 2", "Dagordning", "Dagordningen med kompletterande ärenden godkännes.")],
        [("§ 3", "Budget 2008", "Nämnden antar budgeten för 2008.")]])
    items = _items(path)
    assert [i.label for i in items] == ["§ 1", "§ 2", "§ 3"]
    for item in items:
        assert "SAMMANTRÄDESPROTOKOLL" not in item.text and "Sid " not in item.text
        assert "2007-01-08" not in item.text and "KUNGSBACKA" not in item.text


def test_next_page_header_does_not_leak_into_the_item_before(tmp_path):
    """An item ending at a page break ends with its own words and claims only its own page."""
    path = _minutes_pdf(tmp_path / "protokoll.pdf", [
        [("§ 1", "Dagordning", "Dagordningen med kompletterande ärenden godkännes.")],
        [("§ 2", "Budget 2008", "Nämnden antar budgeten för 2008.")]])
    first = _items(path)[0]
    assert first.text.endswith("godkännes.")
    assert first.decision == "Dagordningen med kompletterande ärenden godkännes."
    assert (first.page_start, first.page_end) == (1, 1)


def test_repeated_lines_detected_in_any_pdf_with_numbers_varying():
    """A guidance document's 'Sid N av 103' footer and header go; page 1 keeps its header."""
    words = ["fasader", "tak", "murar", "staket"]
    pages = [f"Bygglovsenhetens Stödprocess\nRutin för bygglov\nText om {words[n - 1]}.\n"
             f"Sid {n} av 103" for n in range(1, 5)]
    out = drop_running_lines(pages)
    assert out[0] == "Bygglovsenhetens Stödprocess\nRutin för bygglov\nText om fasader."
    assert out[2] == "Text om murar."


def test_private_use_bullet_glyphs_become_bullets():
    """U+F0B7 (a Symbol-font bullet) before 'att …' becomes '•'; elsewhere it vanishes."""
    assert clean_glyphs("\uf0b7 att utreda frågan\nslut\uf0a7") == "• att utreda frågan\nslut"


def _agenda_pdf(path):
    """A notice whose agenda is a table Nr | Ärende | Dnr | Föredragande, titles wrapping."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.set_xy(10, 10)
    pdf.cell(0, 6, "Kallelse till sammanträde, Nämnden för Teknik 2025-05-14")
    columns = [(10, "Nr"), (25, "Ärende"), (120, "Dnr"), (160, "Föredragande")]
    for x, name in columns:
        pdf.set_xy(x, 30)
        pdf.cell(30, 6, name)
    rows = [("1", ["Val av justerare"], [], "TE-2025-00001", "Ordföranden"),
            ("2", ["Budget 2026 för nämnden för", "Teknik"],
             ["Nämnden antar budgeten."], "TE-2025-00231", "Eva Ek"),
            ("3", ["Taxa för avfall 2026"], ["Nämnden föreslår att taxan", "höjs med 3 %."],
             "TE-2025-00300", "Per Holm")]
    y = 40
    for number, title, proposal, dnr, presenter in rows:
        pdf.set_xy(10, y)
        pdf.cell(10, 6, number)
        pdf.set_xy(120, y)
        pdf.cell(40, 6, dnr)
        pdf.set_xy(160, y)
        pdf.cell(40, 6, presenter)
        line = y
        for text in title:
            pdf.set_xy(25, line)
            pdf.cell(90, 6, text)
            line += 5
        line += 5
        for text in proposal:
            pdf.set_xy(25, line)
            pdf.cell(90, 6, text)
            line += 5
        y = line + 10
    pdf.output(str(path))
    return path


def test_agenda_table_notice_yields_its_points(tmp_path):
    """Each table row is one point with its title, Dnr, presenter and proposal together."""
    items = _items(_agenda_pdf(tmp_path / "kallelse.pdf"))
    assert [(i.label, i.title, i.dnr, i.presenter) for i in items] == [
        ("punkt 1", "Val av justerare", ["TE-2025-00001"], "Ordföranden"),
        ("punkt 2", "Budget 2026 för nämnden för Teknik", ["TE-2025-00231"], "Eva Ek"),
        ("punkt 3", "Taxa för avfall 2026", ["TE-2025-00300"], "Per Holm")]
    assert items[2].text == "Nämnden föreslår att taxan höjs med 3 %."


def _check_truth(name):
    path = LAYOUTS / f"{name}.pdf"
    truth = json.loads((LAYOUTS / f"{name}.truth.json").read_text(encoding="utf-8"))
    items = _items(path)
    got = [(i.label if i.label.startswith("§") else i.label.split()[-1], i.title, i.dnr[:1], i.page_start, i.page_end) for i in items]
    want = [(t["number"], " ".join(t["title"].split()), [t["dnr"]] if t.get("dnr") else [],
             t["page_from"], t["page_to"]) for t in truth["items"]]
    return items, got, want, truth


def test_agenda_table_notice_from_kungsbacka_exact():
    """A real table-agenda notice (Vård & Omsorg 2025-12-11): every point with its Dnr and page."""
    items, got, want, _ = _check_truth("010_kungsbacka-vard-omsorg-kallelse-2025-12-11")
    assert [(g[0], g[2], g[3]) for g in got] == [(w[0], w[2], w[3]) for w in want]
    assert sum(g[1] == w[1] for g, w in zip(got, want)) >= 18   # of 19 titles


def test_minutes_with_contents_and_signature_boxes_exact():
    """Real minutes with a contents page and running headers: no bogus items, pages right."""
    items, got, want, truth = _check_truth("032_kungsbacka-service-protokoll-2025-08-28")
    assert got == want
    for item in items:
        assert "SAMMANTRÄDESPROTOKOLL" not in item.text and "KUNGSBACKA KOMMUN" not in item.text
