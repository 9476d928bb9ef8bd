"""Case numbers in every common typing are one token family (refs #14)."""
from __future__ import annotations

import pytest

from archive import Archive
from index import SearchIndex, parse_query, rebuild_index
from index.case_numbers import case_number_keys, find_case_numbers
from ingest import ingest_paths


@pytest.mark.parametrize("typed, key", [
    ("SE-2026-00024", "se-2026-24"),
    ("SE 2026 00024", "se-2026-24"),
    ("se 2026 00024", "se-2026-24"),
    ("SE/2026/00024", "se-2026-24"),
    ("SE/2026:24", "se-2026-24"),
    ("KS 2024/744", "ks-2024-744"),
    ("ks 2024/744", "ks-2024-744"),
    ("KS2024-744", "ks-2024-744"),
    ("KS.2024.0744", "ks-2024-744"),
    ("KFT-2026-00000024", "kft-2026-24"),      # eight digits
    ("BYGG 2025 12345678", "bygg-2025-12345678"),
    ("RS/730/2017", "rs-2017-730"),
    ("rs 730/2017", "rs-2017-730"),
])
def test_every_typing_gives_the_canonical_key(typed, key):
    """Case, spaces, slash, colon, dot, hyphen and leading zeros all normalise alike."""
    found = find_case_numbers(f"ärende {typed} beslut")
    assert [c.key for c in found] == [key]


@pytest.mark.parametrize("text", [
    "plan 2027-2028", "Budget 2024 15", "möte 2024-01-31", "kommunstyrelsen 2024 12",
    "dnr:KS-2025-00970", "Hammerö 9:3", "datum 2026-08..2026-09",
])
def test_words_and_dates_are_not_case_numbers(text):
    """Year spans, capitalised words, dates, long words and filters are left alone."""
    assert not find_case_numbers(text)


def test_lower_case_prefix_is_loose_and_documents_need_upper_case():
    """'ks 2024 744' in a query may be words; in a document only 'KS 2024 744' counts."""
    assert find_case_numbers("ks 2024 744")[0].loose
    assert not find_case_numbers("KS 2024 744")[0].loose
    assert case_number_keys("Dnr SE 2026 00024 och budget 2024 15") == ["se-2026-24"]


def test_filters_stay_filters():
    """'datum:2026-08..2026-09' and 'år:2025' are filters, not case numbers."""
    parsed = parse_query("beslut datum:2026-08..2026-09 år:2025")
    assert parsed.date_from == "2026-08" and parsed.filters == {"year": ["2025"]}


def test_query_reads_a_case_number_typed_with_spaces():
    """parse_query makes one dnr clause of 'SE 2026 00024', keeping the other words."""
    groups = parse_query("årsredovisning SE 2026 00024").groups
    assert [(c.kind, c.value) for g in groups for c in g] == [
        ("dnr", "se-2026-24"), ("word", "årsredovisning")]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """An archive of two memos: one prints its case with hyphens, one with spaces."""
    root = tmp_path_factory.mktemp("cases")
    files = root / "files"
    files.mkdir()
    (files / "a.txt").write_text(
        "---\ntyp: tjänsteskrivelse\ndatum: 2026-02-01\n---\n"
        "Årsredovisning 2025 för nämnden för Service\n\nDiarienummer SE-2026-00024\n\n"
        "Nämnden föreslås godkänna årsredovisningen.\n", "utf-8")
    (files / "b.txt").write_text(
        "---\ntyp: tjänsteskrivelse\ndatum: 2024-05-01\n---\n"
        "Bygglov för förråd\n\nDnr KS 2024 744\n\nBudget 2024 15 procent högre.\n", "utf-8")
    with Archive(root / "data") as store:
        assert not ingest_paths(store, [files]).failed
        rebuild_index(store, root / "data")
    return SearchIndex(root / "data")


@pytest.mark.parametrize("query, source", [
    ("SE-2026-00024", "a.txt"), ("SE 2026 00024", "a.txt"), ("se/2026/24", "a.txt"),
    ("se 2026 24", "a.txt"), ("KS-2024-00744", "b.txt"), ("ks 2024/744", "b.txt"),
    ("KS 2024 744", "b.txt"),
])
def test_search_finds_the_case_however_typed(searcher, query, source):
    """Each typing finds the memo of that case first, whichever way the memo prints it."""
    hits = searcher.search(query).hits
    assert hits and hits[0].source == source


def test_lower_case_typing_of_no_case_searches_the_words(searcher):
    """'budget 2024 15' is no case in the index: its words are searched instead."""
    result = searcher.search("budget 2024 15")
    assert result.total_all == 1 and result.hits[0].source == "b.txt"
