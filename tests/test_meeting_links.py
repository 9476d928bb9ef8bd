"""The meeting page ties each agenda point to its § and back, on a real ingested meeting (refs #17).

Valnämnden 2025-02-03 (demo/): the papers (handlingar) list points 1–8, the minutes § 1–7;
point 1 'Val av justerare' has no § of its own, points 2–8 are § 1–7 by Dnr and title.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import build_data_dir, make_app

DEMO = Path(__file__).parent.parent / "demo"
FILES = ("002_kungsbacka-valnamnd-protokoll-2025-02-03.txt",
         "004_kungsbacka-valnamnd-handlingar-2025-02-03.txt")
MEETING = "/m/kungsbacka/val/2025-02-03"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("valnamnd")
    source = root / "in"
    source.mkdir()
    for name in FILES + ("MANIFEST.tsv",):
        shutil.copy(DEMO / name, source / name)
    data = root / "data"
    build_data_dir(data, [source])
    return make_app(data).test_client()


def entries(html: str) -> dict[str, str]:
    """Each listed item's heading text → the item's <li> (its tie lines included)."""
    out = {}
    for li in re.findall(r"<li>\s*<h4>.*?</li>", html, flags=re.S):
        heading = re.sub(r"<[^>]+>", "", re.search(r"<h4>(.*?)</h4>", li, re.S).group(1))
        out[" ".join(heading.split())] = li
    return out


def tie(li: str) -> list[tuple[str, str]]:
    """(href, visible label) of the tie links of one entry."""
    return [(href, re.sub(r"<span class=\"visually-hidden\">.*?</span>", "", text).strip())
            for line in re.findall(r'<p class="tie">(.*?)</p>', li, re.S)
            for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', line, re.S)]


def test_every_agenda_point_links_the_paragraph_that_decided_it(client):
    """Points 2–8 each link § 1–7 ('I protokollet: § 1'); point 1 links nothing."""
    html = client.get(MEETING).get_data(as_text=True)
    items = entries(html)
    points = {k: v for k, v in items.items() if k.startswith("Punkt ")}
    assert len(points) == 8
    assert tie(points["Punkt 1 Val av justerare"]) == []
    for n in range(2, 9):
        (heading, li), = [(k, v) for k, v in points.items() if k.startswith(f"Punkt {n} ")]
        assert "I protokollet:" in li, heading
        assert tie(li) == [(f"{MEETING}/p{n - 1}", f"§ {n - 1}")], heading


def test_every_paragraph_links_back_to_its_agenda_point(client):
    """§ 1–7 each say 'På dagordningen: Punkt N (handlingar)' with the point's link."""
    items = entries(client.get(MEETING).get_data(as_text=True))
    paragraphs = {k: v for k, v in items.items() if k.startswith("§ ")}
    assert len(paragraphs) == 7
    for heading, li in paragraphs.items():
        n = int(heading.split()[1])
        assert tie(li) == [(f"{MEETING}/punkt-{n + 1}", f"Punkt {n + 1}")], heading
        assert "(handlingar)" in li
    # the link names the business for a screen reader too
    assert re.search(r'Punkt 3<span class="visually-hidden"> Underlag till kommunbudget 2026',
                     paragraphs["§ 2 Underlag till kommunbudget 2026"])


def test_tie_links_lead_to_the_items(client):
    """Both ends of a tie are item pages that answer 200 (ASCII URLs)."""
    items = entries(client.get(MEETING).get_data(as_text=True))
    for href, _ in tie(items["§ 3 Årsredovisning 2024"]) + tie(items["Punkt 4 Årsredovisning 2024"]):
        assert href.isascii()
        assert client.get(href).status_code == 200


def test_a_meeting_with_only_minutes_has_no_ties(app):
    """A meeting without a notice shows its § and no 'På dagordningen' line."""
    html = app.test_client().get("/m/kungsbacka/val/2026-08-31").get_data(as_text=True)
    assert "§ 27" in html and 'class="tie"' not in html


def test_item_pages_name_the_other_end_of_the_tie(client):
    """Point 3's page names § 2 ('I protokollet'), § 2's page names point 3 ('På dagordningen')."""
    point = client.get(f"{MEETING}/punkt-3").get_data(as_text=True)
    assert re.search(r'<dt>I protokollet</dt><dd><a href="' + MEETING
                     + r'/p2">§ 2 Underlag till kommunbudget 2026</a></dd>', point)
    paragraph = client.get(f"{MEETING}/p2").get_data(as_text=True)
    assert re.search(r'<dt>På dagordningen</dt><dd><a href="' + MEETING
                     + r'/punkt-3">Punkt 3 Underlag till kommunbudget 2026</a></dd>', paragraph)
    untied = client.get(f"{MEETING}/punkt-1").get_data(as_text=True)
    assert "I protokollet" not in untied and "På dagordningen" not in untied
