"""Meetings Plus / Netpublicator meeting pages: agenda points matched to their texts (refs #15)."""
from __future__ import annotations

import json
from pathlib import Path

from ingest.meeting_page import parse_meeting_page, strip_page_boilerplate
from ingest.reader import parse_document, read_sidecar

DATA = Path(__file__).parent / "data"
TRUTH = Path(__file__).parent.parent / "bench" / "truth" / "svom-region-jh-meeting-page.truth.json"
SEED = DATA / "svom-region-jh-meeting-page.txt"

# (number, title, first words, last words) of every point of the seed page, read by eye.
SEED_ITEMS = [
    ("1", "Mötet öppnas", "Ordföranden, Katarina Nyberg Finn (S), hälsar", "öppnar mötet."),
    ("2", "Val av justerare", "§ 17 Val av justerare", "Val av justerare"),
    ("3", "Fastställande av dagordning", "En preliminär dagordning", "inför sammanträdet."),
    ("4", "Föregående protokoll", "Ordföranden föredrar föregående protokoll.",
     "Inga synpunkter framförs."),
    ("5", "", "Margareta Winberg föredrar punkten", "samverkan inom området stärkas."),
    ("6", "", "Carina Vaksdal, Barnahus Jämtlands län,", "en PPT (skickas ut separat)."),
    ("7", "Göteborgs universitet – Återrapportering av forskning om samverkan kring äldre",
     "Stefan Szücs, Docent från Göteborgs universitet,", "för att redovisa resultaten."),
    ("8", "Bildandet av kommunförbund och framtida samverkan länets kommuner-Region JH",
     "Margareta Winberg (S) föredrar punkten.", "ordföranden kompletterar informationen."),
    ("9", "", "Ordföranden och Margareta Winberg (S)", "kompletterar informationen i den delen."),
    ("10", "", "Maria Höög och Helena Ivansson", "e-hälsa och välfärdsteknik."),
    ("11", "Revidering av samverkansavtal hälso- och sjukvård i hemmet",
     "Jessica Isaksson, Erik Alendal (PwC)", "struktur för det reviderade avtalet)."),
    ("12", "", "En kort återkoppling ges", "(höst 2023 eller vår 2024)."),
    ("13", "Mötet avslutas", "Ordföranden tackar deltagarna", "avslutar mötet ca kl. 14:40."),
]


def _words(text: str) -> str:
    return " ".join(text.split())


def _seed():
    return parse_document(SEED.read_bytes(), SEED.name, SEED.name, read_sidecar(SEED))


def test_seed_page_items_numbers_titles_and_texts():
    """The seed page yields points 1–13, each with its own title and its own text."""
    doc = _seed()
    got = [(i.label.removeprefix("punkt "), i.title, _words(i.text)) for i in doc.items]
    assert [g[:2] for g in got] == [s[:2] for s in SEED_ITEMS]
    for (number, _, text), (_, _, first, last) in zip(got, SEED_ITEMS):
        assert text.startswith(first), number
        assert text.endswith(last), number


def test_seed_page_research_text_sits_under_its_point():
    """Stefan Szücs's presentation is the text of point 7, and "Mötet avslutas" only closes."""
    items = {i.label: i for i in _seed().items}
    assert "forskningsprojektet om samverkan kring äldre" in items["punkt 7"].text
    assert "forskningsprojektet" not in items["punkt 13"].text
    assert items["punkt 7"].presenter == "Stefan Szücs, Docent från Göteborgs universitet"


def test_seed_page_metadata_from_page_and_sidecar():
    """Title, organisation, body and date come from the sidecar, never the skip link."""
    doc = _seed()
    assert (doc.kind, doc.organisation, doc.body, doc.date) == (
        "protokoll", "Region Jämtland Härjedalen", "SVOM", "2023-05-26")
    assert doc.title == "Protokoll SVOM 2023-05-26"
    assert "Hoppa över navigering" not in doc.pages[0].text
    assert "cookies" not in doc.pages[0].text


def test_seed_page_without_sidecar_has_no_boilerplate_title():
    """Without metadata beside it, the page still gets its items and no skip-link title."""
    doc = parse_document(SEED.read_bytes(), SEED.name, SEED.name, {})
    assert doc.title != "Hoppa över navigering"
    assert len(doc.items) == 13
    assert not any("cookies" in i.text for i in doc.items)


def test_truth_file_matches_the_parse():
    """bench/truth's file for the seed page states what ingest derives from it."""
    truth = json.loads(TRUTH.read_text("utf-8"))
    doc = _seed()
    assert (truth["organisation"], truth["body"], truth["meeting_date"]) == (
        doc.organisation, doc.body, doc.date)
    assert [(t["number"], t["title"]) for t in truth["items"]] == [
        (i.label.removeprefix("punkt "), i.title) for i in doc.items]
    for t, item in zip(truth["items"], doc.items):
        assert _words(item.text).startswith(t["first_words"])
        assert _words(item.text).endswith(t["last_words"])


HTML_PAGE = """<!doctype html><html><head><title>Möte 2024-03-14 - Kultur</title></head><body>
<a class="skip-link" href="#main">Hoppa till innehållet</a>
<main id="main"><ul class="agenda">
<li><span>1</span><h3>Mötets öppnande</h3></li>
<li><span>2</span><h3>Budget för biblioteken</h3></li>
<li><span>4</span><h3>Nytt konstverk vid torget</h3></li>
</ul>
<ul class="texts">
<li><p>Ordföranden öppnar mötet.</p></li>
<li><p>Förvaltningen redovisar budgeten för biblioteken 2024.</p><ul><li>Filialer</li>
<li>Öppettider</li></ul></li>
<li><p>Anna Berg föredrar punkten om ett konstverk vid torget.</p></li>
</ul></main>
<div class="cookie-banner">Vi använder cookies för statistik.</div></body></html>"""


def test_html_meeting_page_fewer_texts_than_numbers_matched_by_title():
    """Three texts for points 1, 2 and 4 go to the points whose titles they repeat."""
    doc = parse_document(HTML_PAGE.encode(), "mote.html", "mote.html")
    assert [(i.label, i.title) for i in doc.items] == [
        ("punkt 1", "Mötets öppnande"), ("punkt 2", "Budget för biblioteken"),
        ("punkt 4", "Nytt konstverk vid torget")]
    assert doc.items[1].text.startswith("Förvaltningen redovisar budgeten")
    assert "Öppettider" in doc.items[1].text      # a list inside a text stays in that text
    assert doc.items[2].presenter == "Anna Berg"
    assert doc.title == "Möte 2024-03-14 - Kultur"
    assert doc.date == "2024-03-14"          # from the page's <title>


def test_texts_with_an_unlisted_point_are_aligned_by_title():
    """Four texts for listed points 1, 2, 5: the unlisted one gets a number between 2 and 5."""
    text = "\n".join([
        " • 1", "  Upprop", " • 2", "  Skolskjuts på landsbygden", " • 5", "  Mötet avslutas",
        " • Upprop förrättas.", " • Skolskjuts på landsbygden diskuteras.",
        " • Ett informationsärende om vägunderhåll.", " • Ordföranden avslutar mötet."])
    page = parse_meeting_page(text)
    assert [(i.label, i.title, i.text) for i in page.items] == [
        ("punkt 1", "Upprop", "Upprop förrättas."),
        ("punkt 2", "Skolskjuts på landsbygden", "Skolskjuts på landsbygden diskuteras."),
        ("punkt 3", "", "Ett informationsärende om vägunderhåll."),
        ("punkt 5", "Mötet avslutas", "Ordföranden avslutar mötet.")]


def test_plain_text_without_agenda_is_no_meeting_page():
    """Prose with a bulleted list is not taken for a meeting page."""
    text = "Riktlinjer\n • Var ärlig\n • Tacka nej till gåvor\n\n1. Inledning\nText."
    assert parse_meeting_page(text) is None


def test_boilerplate_lines_dropped_and_content_kept():
    """Skip links and cookie lines go; a line that merely mentions cookies in prose stays."""
    text = "Hoppa över navigering\nGå till innehållet\nProtokollet\nNämnden diskuterade cookies på webben."
    assert strip_page_boilerplate(text) == "Protokollet\nNämnden diskuterade cookies på webben."


def test_untitled_point_has_readable_link_and_heading(client):
    """A point the page lists without a title still gets link text in results and a heading."""
    html = client.get("/sok?q=Barnahus").get_data(as_text=True)
    assert "/svom/2023-05-26/punkt-6?q=Barnahus\">Punkt 6 (utan rubrik)</a>" in html   # refs #17
    page = client.get("/m/region-jamtland-harjedalen/svom/2023-05-26/punkt-6").get_data(as_text=True)
    assert "<title>SVOM 2023-05-26 punkt 6 – Paragraf</title>" in page
    assert '<span class="label">Punkt 6</span> (utan rubrik)</h1>' in page


def test_interleaved_page_keeps_texts_between_their_points():
    """A page that lists some points among the texts: a text stays between its neighbours' numbers."""
    text = "\n".join([
        "Hoppa över navigering", " • 2", "  Sammanträdet öppnas, upprop",
        " • Upprop förrättas och sammanträdet öppnas.",
        " • Justering sker digitalt den 7 december.",
        " • 6", "  Motioner under beredning",
        " • Två motioner under beredning redovisas.",
        " • Ett medborgarförslag om badet besvaras.",
        " • 9", "  Sammanträdet avslutas", " • Ordföranden avslutar sammanträdet."])
    page = parse_meeting_page(text)
    got = [(i.label, i.title, i.text.split()[0]) for i in page.items]
    assert got == [
        ("punkt 2", "Sammanträdet öppnas, upprop", "Upprop"),
        ("punkt 3", "", "Justering"),
        ("punkt 6", "Motioner under beredning", "Två"),
        ("punkt 7", "", "Ett"),
        ("punkt 9", "Sammanträdet avslutas", "Ordföranden")]
