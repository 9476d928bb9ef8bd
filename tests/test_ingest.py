"""Ingest: golden files for real documents, PDFs, HTML pages, and the batch report."""
from __future__ import annotations

import json

import pytest

from archive import Archive
from ingest import ingest_paths, parse_document
from ingest.reader import read_sidecar
from tests.conftest import DATA, make_pdf
from tests.golden import samples, summarise


@pytest.mark.parametrize("path", samples(), ids=lambda p: p.name)
def test_golden(path):
    """Each sample document yields the reviewed metadata and items of its .expected.json."""
    doc = parse_document(path.read_bytes(), path.name, path.name, read_sidecar(path))
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    assert summarise(doc) == expected


def test_minutes_become_one_item_per_paragraph():
    """A multi-§ protocol gives one item per § with number, title and Dnr; the Innehåll list adds none."""
    path = DATA / "026_kungsbacka-valnamnd-protokoll-2026-08-31.txt"
    doc = parse_document(path.read_bytes(), path.name, path.name)
    labels = [i.label for i in doc.items]
    assert labels == [f"§ {n}" for n in range(20, 31)]
    by_label = {i.label: i for i in doc.items}
    assert by_label["§ 27"].title == "Sammanträdesdagar 2027 för valnämnden"
    assert by_label["§ 27"].dnr == ["VN-2026-00019"]
    assert by_label["§ 24"].decision.startswith("Valnämnden godkänner delårsrapport")
    assert doc.date == "2026-08-31" and doc.body == "Valnämnden" and doc.kind == "protokoll"


def test_kallelse_table_rejoins_broken_dnr(tmp_path):
    """A Dnr wrapped across table lines ("IF-2023-<br>00285") is rejoined, presenters split off."""
    text = ("---\nkommun: kungsbacka\norgan: ifo\ndatum: 2025-10-16\ntyp: kallelse\n---\n"
            "|  | Ärende | Beteckning | Förslag |\n| --- | --- | --- | --- |\n"
            "| 1. | Avvikelse från bestämmelser<br>om arbetstid<br>Anna Berg, enhetschef | IF-2023-<br>00285 | "
            "Förslag till beslut<br>Nämnden godkänner avvikelsen. |\n")
    doc = parse_document(text.encode(), "kallelse.md", "kallelse.md")
    [item] = doc.items
    assert item.label == "punkt 1" and item.dnr == ["IF-2023-00285"]
    assert item.title == "Avvikelse från bestämmelser om arbetstid"
    assert item.presenter == "Anna Berg, enhetschef"
    assert item.decision == "Nämnden godkänner avvikelsen."


def test_long_swedish_date_and_body_from_text():
    """Without front matter, the date 'tisdagen den 21 oktober 2025' and the body are read from the text."""
    text = ("KALLELSE/UNDERRÄTTELSE\n\nUpprättad\n2025-10-14\n\nKommunstyrelsen\n\n"
            "Sammanträde tisdagen den 21 oktober 2025 kl. 13.00\nKUNGSBACKA KOMMUN\n")
    doc = parse_document(text.encode(), "ks.txt", "ks.txt")
    assert (doc.date, doc.body, doc.kind, doc.organisation) == (
        "2025-10-21", "Kommunstyrelsen", "kallelse", "Kungsbacka kommun")


def test_pdf_text_is_kept_per_page(tmp_path):
    """A real PDF is read through pdfminer page by page; § items know their page."""
    pdf = make_pdf(tmp_path / "protokoll.pdf", [
        "KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL\nByggnadsnämnden\nDatum\n2025-06-26\n",
        "§ 86    Dnr BN-2025-00195\nFörhandsbesked för Guntofta 2:17\n\nBeslut\n"
        "Byggnadsnämnden beslutar att ge positivt förhandsbesked.\n",
        "§ 87    Dnr BN-2025-00211\nTaxa för bygglov 2026\n\nBeslut\nByggnadsnämnden antar taxan.\n",
    ])
    doc = parse_document(pdf.read_bytes(), pdf.name, pdf.name)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert "Förhandsbesked" in doc.pages[1].text and "Förhandsbesked" not in doc.pages[2].text
    assert [(i.label, i.page_start, i.dnr) for i in doc.items] == [
        ("§ 86", 2, ["BN-2025-00195"]), ("§ 87", 3, ["BN-2025-00211"])]
    assert doc.date == "2025-06-26" and doc.body == "Byggnadsnämnden"


def test_html_meeting_page_drops_navigation_and_scripts():
    """An HTML meeting page keeps its agenda and text; nav, cookie banner and scripts are gone."""
    html = """<!doctype html><html><head><title>Möte 2023-05-12 - SVOM</title>
      <script>var secret = "tracking";</script></head><body>
      <nav><a href="/">Hoppa över navigering</a> Startsida Kommittéer</nav>
      <div class="cookie-banner">Vi använder kakor</div>
      <main><h1>Samverkansnämnden</h1><ol>
      <li>1<p>Mötet öppnas</p></li><li>2<p>Val av justerare</p></li>
      <li>3<p>Revidering av samverkansavtal hälso- och sjukvård i hemmet</p>
      <p>Avtalet ska revideras under 2023.</p></li></ol></main></body></html>"""
    doc = parse_document(html.encode(), "mote.html", "mote.html")
    text = "\n".join(p.text for p in doc.pages)
    assert "tracking" not in text and "kakor" not in text and "Startsida" not in text
    assert "Avtalet ska revideras" in text
    assert doc.title == "Möte 2023-05-12 - SVOM"
    assert [i.title for i in doc.items][:3] == ["Mötet öppnas", "Val av justerare",
                                                "Revidering av samverkansavtal hälso- och sjukvård i hemmet"]


def test_hyphenation_from_pdf_lines_is_joined_but_real_hyphens_stay():
    """'an-\\ntagna' becomes 'antagna'; 'hälso- och' and '2027-\\n2031' keep their hyphen."""
    text = "policyn an-\ntagna av fullmäktige, hälso-\noch sjukvård, lokalbehov 2027-\n2031"
    doc = parse_document(text.encode(), "a.txt", "a.txt")
    page = doc.pages[0].text
    assert "antagna" in page and "hälso-\noch" in page and "2027-\n2031" in page


def test_batch_reports_bad_files_and_goes_on(tmp_path):
    """A corrupt PDF and an empty file are reported with reasons; the good file is ingested."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    (folder / "tom.txt").write_bytes(b"")
    (folder / "bra.txt").write_text("Valnämnden beslutar att godkänna delårsrapporten.", "utf-8")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
        assert report.summary()["ingested"] == 1
        reasons = {f["path"].rsplit("/", 1)[1]: f["reason"] for f in report.failed}
        assert reasons == {"trasig.pdf": "corrupt", "tom.txt": "empty"}
        assert all(f["message"] for f in report.failed)


def test_same_file_twice_changes_nothing_and_changed_file_replaces(tmp_path):
    """Re-ingesting is idempotent; a changed file replaces its old version under the same id."""
    folder = tmp_path / "in"
    folder.mkdir()
    src = DATA / "005_kungsbacka-ks-protokoll-2026-08-25-p179-180.txt"
    target = folder / src.name
    target.write_bytes(src.read_bytes())
    with Archive(tmp_path / "data") as store:
        first = ingest_paths(store, [folder])
        doc_id = first.changed_documents[0]
        again = ingest_paths(store, [folder])
        assert again.summary()["unchanged"] == 1 and not again.changed_documents
        target.write_text(src.read_text("utf-8").replace("JM AB", "NCC AB"), "utf-8")
        changed = ingest_paths(store, [folder])
        assert changed.summary()["replaced"] == 1
        assert len(store.documents()) == 1 and store.documents()[0].id == doc_id
        assert "NCC AB" in store.item("m/kungsbacka/ks/2026-08-25/p179").text
