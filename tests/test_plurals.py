"""Swedish counts through one helper: '1 träff' / '3 träffar', the same in a search page's heading,
its description and its feed; '1 handling', '1 sida', '1 markerat ord' (refs #17)."""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from web import count_sv, hits_sv, noun_sv

ATOM = "{http://www.w3.org/2005/Atom}"
WRONG = re.compile(r"(?<![\d\u00a0])1 (träffar|ärenden|handlingar|sidor|sammanträden|punkter|"
                   r"paragrafer|filer|markerade)\b")


@pytest.mark.parametrize("n, noun, text", [
    (0, "träff", "0 träffar"), (1, "träff", "1 träff"), (2, "träff", "2 träffar"),
    (1, "ärende", "1 ärende"), (2, "ärende", "2 ärenden"), (1, "handling", "1 handling"),
    (1, "sida", "1 sida"), (5, "sida", "5 sidor"), (1, "sammanträde", "1 sammanträde"),
    (1, "punkt", "1 punkt"), (7, "paragraf", "7 paragrafer"), (1, "fil", "1 fil"),
    (1, "markerat ord", "1 markerat ord"), (2, "markerat ord", "2 markerade ord"),
    (12345, "träff", "12\u00a0345 träffar"),
])
def test_count_sv_table(n, noun, text):
    """The one helper says each noun right for 0, 1 and many."""
    assert count_sv(n, noun) == text
    assert count_sv(n, noun).endswith(" " + noun_sv(n, noun))


def description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)"', html).group(1)


def heading(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", re.search(r'<h1 id="antal"[^>]*>(.*?)</h1>', html,
                                                     re.S).group(1)).split())


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert not WRONG.search(html), WRONG.search(html).group(0)
    return html


def test_one_hit_is_one_traff_in_heading_and_description(client):
    """One hit: '1 träff för ”tennisklubb”' in the heading and the meta description."""
    html = page(client, "/sok?q=tennisklubb")
    assert heading(html) == "1 träff för ”tennisklubb”"
    assert description(html) == "1 träff för ”tennisklubb” i protokoll och handlingar."
    # each facet count's hidden noun agrees with its number
    counts = re.findall(r'<span class="count">(\d+)<span class="visually-hidden"> (\w+)</span>', html)
    assert counts and all(noun == ("träff" if n == "1" else "träffar") for n, noun in counts)


def test_several_hits_are_traffar(client):
    """Three hits: '3 träffar' in both, and each facet count of 3 says 'träffar'."""
    html = page(client, "/sok?q=budget")
    assert heading(html) == "3 träffar för ”budget”"
    assert description(html).startswith("3 träffar för ”budget”")
    counts = re.findall(r'<span class="count">(\d+)<span class="visually-hidden"> (\w+)</span>', html)
    assert any(n != "1" for n, _ in counts)
    assert all(noun == ("träff" if n == "1" else "träffar") for n, noun in counts)


def test_heading_and_description_give_the_same_count(client):
    """With hits that have all words and hits with only some, both name the all-words count."""
    html = page(client, "/sok?q=sammantr%C3%A4desdagar+2027")
    assert heading(html) == "1 träff för ”sammanträdesdagar 2027”"
    assert description(html).startswith("1 träff för ”sammanträdesdagar 2027”")
    assert re.search(r"Därefter 6 träffar som innehåller några av orden", html)


def test_no_hits_say_inga_traffar(client):
    """No hit: 'Inga träffar' in both."""
    html = page(client, "/sok?q=zzzxyq")
    assert heading(html) == "Inga träffar för ”zzzxyq”"
    assert description(html).startswith("Inga träffar för ”zzzxyq”")


@pytest.mark.parametrize("q, subtitle", [
    ("tennisklubb", "1 träff för ”tennisklubb”"), ("budget", "3 träffar för ”budget”"),
])
def test_feed_subtitle_counts_like_the_page(client, q, subtitle):
    """The Atom feed's subtitle says the count as the search page's heading does."""
    response = client.get("/sok.atom", query_string={"q": q})
    feed = ET.fromstring(response.data)
    assert feed.find(f"{ATOM}subtitle").text == subtitle
    assert not WRONG.search(response.get_data(as_text=True))


def test_json_notice_with_one_partial_hit_has_no_wrong_plural(client):
    """One hit with only some words: the notice makes no count to get wrong; the page says 1."""
    api = client.get("/api/search?q=tennisklubb+zzzq").get_json()
    assert (api["mode"], api["total"]) == ("some", 1)
    assert api["notice"] == "Ingen träff innehöll alla orden. Det som visas innehåller några av dem."
    assert "träffar" not in api["notice"]
    html = page(client, "/sok?q=tennisklubb+zzzq")
    assert heading(html) == "1 träff för ”tennisklubb zzzq”"
    assert api["notice"] in html


def test_hits_sv_uses_the_all_words_count():
    """hits_sv names the all-words count when there is one, else all hits."""
    class R:
        def __init__(self, total, total_all, mode):
            self.total, self.total_all, self.mode = total, total_all, mode
    assert hits_sv(R(7, 1, "all")) == "1 träff"
    assert hits_sv(R(3, 0, "some")) == "3 träffar"
    assert hits_sv(R(0, 0, "all")) == "Inga träffar"


def test_meeting_page_counts_one_handling_and_each_documents_pages(client):
    """A meeting with one document: '20 ärenden och 1 handling'; its page count in words."""
    html = page(client, "/m/kungsbacka/ks/2025-10-21")
    assert description(html).endswith(": 20 ärenden och 1 handling.")
    assert "(Kallelse, 5 sidor)" in html


def test_document_description_says_one_sida(client):
    """A one-page document's description ends '1 sida.'; a longer one's 'N sidor.'."""
    meeting = page(client, "/m/region-jamtland-harjedalen/svom/2023-05-26")
    doc = re.search(r'href="(/d/[0-9a-f]+)"', meeting).group(1)
    assert description(page(client, doc)).endswith(" 1 sida.")
    meeting = page(client, "/m/kungsbacka/val/2026-08-31")
    doc = re.search(r'href="(/d/[0-9a-f]+)"', meeting).group(1)
    assert description(page(client, doc)).endswith(" 15 sidor.")


def test_item_page_says_one_markerat_ord(client):
    """One mark: '1 markerat ord'; two: '2 markerade ord'."""
    html = page(client, "/m/kungsbacka/val/2026-08-31/p27?q=valsamordnare")
    assert "1 markerat ord för ”valsamordnare”" in html
    html = page(client, "/m/kungsbacka/ks/2025-10-21/punkt-5?q=tennisklubb")
    assert "2 markerade ord för ”tennisklubb”" in html


def test_browse_pages_have_no_wrong_plural(client):
    """Home, organisation and body pages count meetings, items and documents right."""
    for path in ("/", "/m/kungsbacka", "/m/kungsbacka/ks", "/m/kungsbacka/val"):
        page(client, path)
    html = page(client, "/m/kungsbacka/revision")
    assert description(html).startswith("Kommunrevisionen, Kungsbacka kommun: 1 sammanträde,")
    assert "– 16 ärenden, 1 handling</li>" in html
    assert "2 sammanträden" in page(client, "/m/kungsbacka/ks")


def test_cli_search_counts_in_swedish(runner):
    """'flask search tennisklubb' begins '1 träff'."""
    result = runner.invoke(args=["search", "tennisklubb"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "1 träff"
