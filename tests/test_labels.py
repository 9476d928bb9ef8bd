"""An agenda point's label opens its heading with a capital: 'Punkt 5 …', never 'punkt 5 …' (refs #17).

The archive stores 'punkt 5' (ids and the API are made from it); pages and hits show 'Punkt 5'.
Kommunstyrelsen's notice 2025-10-21 (tests/data/003) has points 1–…
"""
from __future__ import annotations

import re

import pytest

from web import item_label

MEETING = "/m/kungsbacka/ks/2025-10-21"
POINT = MEETING + "/punkt-5"
TITLE = "Godkännande av arrendeavtal för Kungsbacka Tennisklubb"


@pytest.mark.parametrize("stored, shown", [
    ("punkt 5", "Punkt 5"), ("§ 86", "§ 86"), ("Punkt 3", "Punkt 3"), ("", ""), (None, ""),
])
def test_item_label_capitalises_the_first_letter_only(stored, shown):
    """'punkt 5' → 'Punkt 5'; a § label and an empty one are kept."""
    assert item_label(stored) == shown


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_meeting_page_headings_start_with_a_capital(client):
    """Every point heading on the meeting page reads 'Punkt N …'."""
    html = client.get(MEETING).get_data(as_text=True)
    headings = [text(h) for h in re.findall(r"<h4>(.*?)</h4>", html, re.S)]
    assert headings and all(h.startswith("Punkt ") for h in headings), headings
    assert not re.search(r">\s*punkt \d", html)


def test_item_page_heading_crumb_and_neighbours_start_with_a_capital(client):
    """The point's own page: h1, breadcrumb and previous/next links say 'Punkt'."""
    html = client.get(POINT).get_data(as_text=True)
    assert re.search(r'<h1><span class="label">Punkt 5</span> ' + TITLE, html)
    assert '<span aria-current="page">Punkt 5</span>' in html
    assert "← Punkt 4 " in html and re.search(r"Punkt 6 [^<]* →", html)
    assert not re.search(r">\s*(←\s*)?punkt \d", html)


def test_document_page_lists_points_with_a_capital(client):
    """The notice's page lists its points as 'Punkt N …'."""
    meeting = client.get(MEETING).get_data(as_text=True)
    doc = re.search(r'href="(/d/[0-9a-f]+)"', meeting).group(1)
    html = client.get(doc).get_data(as_text=True)
    assert f'">Punkt 5 {TITLE}' in html
    assert not re.search(r">\s*punkt \d", html)


def test_a_point_hit_is_headed_punkt_with_a_capital(client):
    """A search hit on an agenda point shows 'Punkt 5 <title>' as a § hit shows '§ 27 …'."""
    html = client.get("/sok?q=arrendeavtal tennisklubb").get_data(as_text=True)
    heads = [text(h) for h in re.findall(r'<li class="hit">\s*<h2>(.*?)</h2>', html, re.S)]
    assert any(h.startswith(f"Punkt 5 {TITLE}") for h in heads), heads
    assert not any(h.startswith("punkt") for h in heads)
    api = client.get("/api/search?q=arrendeavtal tennisklubb").get_json()
    point = next(h for h in api["hits"] if h["url"] == POINT)
    assert point["label"] == "punkt 5" and point["paragraph"] is None   # the API as stored


def test_a_minutes_hit_keeps_its_paragraph_sign(client):
    """A § hit still reads '§ 27 …'."""
    html = client.get("/sok?q=sammanträdesdagar 2027").get_data(as_text=True)
    heads = [text(h) for h in re.findall(r'<li class="hit">\s*<h2>(.*?)</h2>', html, re.S)]
    assert any(h.startswith("§ 27 ") for h in heads), heads
