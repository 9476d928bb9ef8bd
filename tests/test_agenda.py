"""Agenda points linked to the § that decided them: the pure functions (refs #17)."""
from __future__ import annotations

import pytest

from archive import Item, link_agenda, link_meeting
from archive.agenda import TITLE_THRESHOLD, normalise_title, title_similarity

MEETING = "m/kungsbacka/val/2025-02-03"


def point(n: int, title: str, *dnr: str, doc: str = "kallelse") -> Item:
    return Item(label=f"punkt {n}", title=title, text="", dnr=list(dnr),
                id=f"{MEETING}/punkt-{n}" if doc == "kallelse" else f"d/{doc}/punkt-{n}",
                document_id=doc)


def para(n: int, title: str, *dnr: str) -> Item:
    return Item(label=f"§ {n}", title=title, text="", dnr=list(dnr), id=f"{MEETING}/p{n}",
                document_id="protokoll")


def labels(links: dict[str, str]) -> dict[str, str]:
    return {k.rsplit("/", 1)[1]: v.rsplit("/", 1)[1] for k, v in links.items()}


@pytest.mark.parametrize("raw, normalised", [
    ("Årsredovisning 2024", "arsredovisning 2024"),
    ("  Förbud,  förenat med vite – mot UTSLÄPP ", "forbud forenat med vite mot utslapp"),
    ("Information till nämnd: allmänkultur Föredragande: Peter Rudvall, enhetschef 1 dokument "
     "30 min", "information till namnd allmankultur"),
    ("Intern kontrollplan 2026 2 dokument 5 min", "intern kontrollplan 2026"),
])
def test_titles_normalise_case_letters_punctuation_and_presenter(raw, normalised):
    """Titles fold case and å/ä/ö, drop punctuation, collapse spaces and lose a presenter."""
    assert normalise_title(raw) == normalised


@pytest.mark.parametrize("a, b, alike", [
    ("Årsredovisning 2024", "ÅRSREDOVISNING 2024.", True),                     # case, punctuation
    ("Anmälan av delegeringsbeslut", "Anmälan av delegeringsbeslut nov 2025", True),  # a tail
    ("Valnämndens årsredovisning 2024", "Årsredovisning 2024 för valnämnden", True),  # reordered
    ("Val av justerare", "Val av protokolljusterare", True),                   # compound head
    ("Information om första linjens socialtjänst Ira Svedhage Tufekcic, enhetschef",
     "Information om första linjens socialtjänst", True),                      # a presenter
    ("Inkomna skrivelser 2024", "Inkomna skrivelser 2025", False),            # other year
    ("Anmälan av jäv", "Anmälan av yttranden", False),
    ("Förbud, förenat med vite, mot utsläpp av orenat avloppsvatten",
     "Förbud mot utsläpp av orenat avloppsvatten", False),                     # 0.83 in the corpus
    ("Yttrande till byggnadsnämnden avseende beslut om nämndbudget 2026",
     "Yttrande till byggnadsnämnden avseende beslut om internkontrollplan", False),   # 0.79
    ("Information", "Information om dricksvattenförsörjning", False),          # one word
    ("", "Årsredovisning 2024", False),
])
def test_title_similarity_against_the_threshold(a, b, alike):
    """Reworded, reordered and extended titles reach the threshold; other business does not."""
    assert (title_similarity(a, b) >= TITLE_THRESHOLD) is alike
    assert title_similarity(a, b) == title_similarity(b, a)


def test_matching_dnr_links_across_differing_numbers_and_prefixes():
    """A shared case number links point 2 to § 1 even when the notice drops the prefix."""
    points = [point(1, "Val av justerare"), point(2, "Utbildning korruption", "2025-00007"),
              point(3, "Budgetunderlag", "2025-00008")]
    items = [para(1, "Utbildning/information om korruption", "VN-2025-00007"),
             para(2, "Underlag till kommunbudget 2026", "VN 2025/8")]
    assert labels(link_agenda(points, items)) == {"punkt-2": "p1", "punkt-3": "p2"}


def test_reworded_titles_link_without_dnr():
    """Without case numbers, titles that say the same link; numbering plays no part."""
    points = [point(4, "Mötets öppnande"), point(5, "Val av justerare"),
              point(6, "Valnämndens årsredovisning 2024")]
    items = [para(40, "Årsredovisning 2024 för valnämnden"),
             para(41, "Val av protokolljusterare")]
    assert labels(link_agenda(points, items)) == {"punkt-5": "p41", "punkt-6": "p40"}


def test_no_match_links_nothing():
    """Different business under different case numbers stays unlinked."""
    points = [point(1, "Inkomna skrivelser 2024", "VN-2024-00001"),
              point(2, "Information från förvaltningen")]
    items = [para(1, "Inkomna skrivelser 2025", "VN-2025-00001"),
             para(2, "Delårsrapport augusti")]
    assert link_agenda(points, items) == {}


def test_different_dnr_rule_out_alike_titles():
    """Alike titles under two different case numbers are two cases, not one."""
    points = [point(1, "Förbud mot utsläpp av orenat avloppsvatten", "MH-2024-02750")]
    items = [para(7, "Förbud mot utsläpp av orenat avloppsvatten, Gällinge", "MH-2019-03762")]
    assert link_agenda(points, items) == {}


def test_two_points_competing_for_one_paragraph_the_closer_title_wins():
    """Two points alike to one §: the § goes to the closer title, the other stays unlinked."""
    points = [point(6, "Redovisning av inkomna skrivelser"),
              point(7, "Redovisning av inkomna skrivelser och meddelanden")]
    items = [para(130, "Redovisning av inkomna skrivelser nov 2025")]
    assert labels(link_agenda(points, items)) == {"punkt-6": "p130"}


def test_a_shared_standing_dnr_needs_the_titles_to_agree():
    """Three points under one information case: only the one whose title matches links."""
    case = "IF-2020-00101"
    points = [point(2, "Information om första linjens socialtjänst", case),
              point(3, "Information om arbetet mot välfärdsbrottslighet", case),
              point(4, "Information om arbetet med klagomålshantering", case)]
    items = [para(60, "Information om arbetet mot välfärdsbrottslighet", case)]
    assert labels(link_agenda(points, items)) == {"punkt-3": "p60"}
    # the same case with no title to tell them apart links none
    assert link_agenda(points, [para(61, "Budget 2027", case)]) == {}


def test_a_unique_shared_dnr_links_even_a_renamed_title():
    """A case number only this point and this § carry links them, whatever the titles say."""
    points = [point(14, "Information från förvaltningschefen", "2024-00006"),
              point(9, "Revidering av delegeringsförteckning", "2024-05800")]
    items = [para(128, "Förvaltningschefen informerar", "2024-00006"),
             para(129, "Revidering av delegeringsförteckning", "2024-05800")]
    assert labels(link_agenda(points, items)) == {"punkt-14": "p128", "punkt-9": "p129"}


def test_order_that_differs_is_followed():
    """Point 14 decided before point 9 (§ 128, § 129): the links follow the business."""
    points = [point(9, "Revidering av delegeringsförteckning"),
              point(14, "Information från förvaltningschefen")]
    items = [para(128, "Information från förvaltningschefen"),
             para(129, "Revidering av delegeringsförteckning")]
    assert labels(link_agenda(points, items)) == {"punkt-9": "p129", "punkt-14": "p128"}


def test_equal_titles_prefer_the_nearer_position():
    """Two § with the very same title: each point takes the one at its own place."""
    points = [point(1, "Information"), point(2, "Beslut om arvode"), point(3, "Information")]
    items = [para(10, "Information"), para(11, "Beslut om arvode"), para(12, "Information")]
    assert labels(link_agenda(points, items)) == {"punkt-1": "p10", "punkt-2": "p11",
                                                  "punkt-3": "p12"}


def test_link_meeting_both_directions_and_every_agenda_document():
    """A notice and its papers both list point 3: each links to § 2, and § 2 back to both."""
    items = [para(2, "Underlag till kommunbudget 2026", "VN-2025-00008"),
             point(3, "Underlag till kommunbudget 2026", "2025-00008"),
             point(3, "Underlag till kommunbudget 2026", doc="handlingar"),
             point(4, "Övrigt")]
    links = link_meeting(items)
    assert {k: v.label for k, v in links.decided_in.items()} == {
        f"{MEETING}/punkt-3": "§ 2", "d/handlingar/punkt-3": "§ 2"}
    assert [p.id for p in links.on_agenda[f"{MEETING}/p2"]] == [
        f"{MEETING}/punkt-3", "d/handlingar/punkt-3"]


def test_link_meeting_without_minutes_or_without_agenda_is_empty():
    """A meeting with only a notice, or only minutes, has nothing to tie."""
    assert link_meeting([point(1, "Budget")]).decided_in == {}
    assert link_meeting([para(1, "Budget")]).on_agenda == {}
