"""Search through the same function the web uses, over the real sample archive."""
from __future__ import annotations

import pytest

from index import QueryError, SearchIndex


@pytest.fixture(scope="module")
def searcher(built_dir):
    return SearchIndex(built_dir)


def test_seed_memo_found_by_natural_query(searcher):
    """'samverkan primärvård' finds the seed memo whose PDF text lost its Swedish letters."""
    sources = [h.source for h in searcher.search("samverkan primärvård", page_size=10).hits]
    assert "region-jh-tjansteskrivelse-primarvard.txt" in sources
    assert "svom-region-jh-meeting-page.txt" in sources


def test_paragraph_title_returns_that_paragraph_first(searcher):
    """Searching a §'s title puts that § first, with its paragraph set."""
    hit = searcher.search("Sammanträdesdagar 2027 för valnämnden").hits[0]
    assert hit.paragraph == "§ 27" and hit.url == "/m/kungsbacka/val/2026-08-31/p27"


def test_inflected_query_finds_other_forms(searcher):
    """'beslutade' finds items that only say 'beslut' or 'besluten'."""
    result = searcher.search("beslutade", page_size=50)
    assert result.total > 10
    assert any("beslutade" not in h.snippet.lower() and "<mark>beslut" in h.snippet.lower()
               for h in result.hits)


@pytest.mark.parametrize("query", ["KS-2025-00970", "KS 2025/970", "ks/2025:00970"])
def test_case_number_variants_find_the_item(searcher, query):
    """A Dnr typed any way finds its §."""
    assert searcher.search(query).hits[0].paragraph == "§ 179"


def test_folded_query_meets_swedish_text(searcher):
    """'nara vard' typed without å/ä/ö finds 'nära vård'."""
    sources = {h.source for h in searcher.search("nara vard", page_size=20).hits}
    assert "region-jh-tjansteskrivelse-primarvard.txt" in sources


def test_and_falls_back_to_or_and_says_so(searcher):
    """When no unit has every word, ranked OR answers and the result says so."""
    result = searcher.search("markanvisningstävling zzyzxq")
    assert result.mode == "some" and result.notice and result.total > 0


def test_phrase_and_negation(searcher):
    """A quoted phrase matches the words in order; -word excludes."""
    assert searcher.search('"godkänner delårsrapport"').total >= 1
    reversed_phrase = searcher.search('"delårsrapport godkänner"')
    assert reversed_phrase.total_all == 0 and {h.match for h in reversed_phrase.hits} == {"some"}
    with_word = searcher.search("delårsrapport").total
    assert searcher.search("delårsrapport -valnämnden").total < with_word


def test_units_with_all_words_lead_and_units_with_some_are_flagged(searcher):
    """The unit with every word leads; units with only some are ranked by coordination, flagged."""
    result = searcher.search("valnämnden delårsrapport", page_size=50)
    assert result.total_all >= 1 and result.total > result.total_all
    assert result.hits[0].paragraph == "§ 24" and result.hits[0].match == "all"
    assert sum(h.match == "all" for h in result.hits) == result.total_all
    assert {h.match for h in result.hits} == {"all", "some"}


def test_facets_count_by_meeting_and_item(searcher):
    """Facet counts by meeting and by item title come with every result."""
    result = searcher.search("beslut")
    assert result.facets["meeting"] and result.facets["item"] and result.facets["kind"]
    assert sum(r["count"] for r in result.facets["kind"]) == result.total_all


def test_filters_narrow_results(searcher):
    """Swedish field filters and facet filters narrow the hits."""
    everything = searcher.search("beslut").total
    only = searcher.search("beslut typ:kallelse")
    assert 0 < only.total < everything and {h.kind for h in only.hits} == {"kallelse"}
    assert searcher.search("beslut", filters={"year": ["2026"]}).total < everything
    dated = searcher.search("beslut datum:2026-08..2026-09")
    assert dated.total and all(h.date.startswith("2026-08") for h in dated.hits)


@pytest.mark.parametrize("bad", ['"nära vård', "datum:igår", "år:tjugo"])
def test_malformed_queries_raise_a_swedish_hint(searcher, bad):
    """Malformed queries raise QueryError with a message in Swedish."""
    with pytest.raises(QueryError) as info:
        searcher.search(bad)
    assert any(w in str(info.value) for w in ("citattecken", "Datum", "År"))


def test_snippets_are_escaped(searcher):
    """Snippets escape the text; only <mark> is added."""
    for hit in searcher.search("beslut", page_size=30).hits:
        assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_misspelling_gets_a_suggestion_from_the_vocabulary(searcher):
    """A misspelt word that finds nothing is also searched for as the archive's nearest word
    (refs #14), and 'Menade du …?' names that word."""
    result = searcher.search("markanvisningstävlimg")
    right = searcher.search("markanvisningstävling")
    assert result.suggestion == "markanvisningstävling" and right.suggestion == ""
    assert result.total == right.total > 0
    assert [h.id for h in result.hits] == [h.id for h in right.hits]
    assert result.hits[0].score < right.hits[0].score      # weighed below the word typed right


def test_a_word_of_the_archive_is_never_corrected(searcher):
    """A rare but real word keeps its own hits only: no neighbour is mixed in (refs #14)."""
    result = searcher.search("markanvisningstävling")
    assert result.suggestion == "" and all(
        "markanvisningstävling" in (h.title + h.snippet).lower() for h in result.hits)


def test_a_misspelt_word_beside_a_right_one_brings_the_unit_with_both(searcher):
    """'remiss narkotikapoltik'-style queries: the unit with both words comes first."""
    typed = searcher.search("markanvisningstävlimg kommunstyrelsen")
    assert typed.hits and typed.hits[0].match == "all"


def test_damaged_pdf_letters_are_repaired_for_matching(searcher):
    """The memo's 'nira', 'hilso' and 'uppritta' are found by 'nära', 'hälso' and 'upprätta'."""
    hit = searcher.search("upprätta gemensam plan").hits[0]
    assert hit.source == "region-jh-tjansteskrivelse-primarvard.txt"
    assert any(m["form"] == "uppritta" for m in hit.matched)


def test_prefix_fuzzy_and_or(searcher):
    """'ord*' expands, 'ord~' tolerates a typo, 'a OR b' takes either word."""
    assert searcher.search("markanvisn*").hits[0].paragraph in ("§ 179", "§ 180")
    assert searcher.search("markanvisningstävlimg~").total_all >= 1
    either = searcher.search("tennisklubb OR namnvalsedlar").total_all
    assert either > max(searcher.search("tennisklubb").total_all,
                        searcher.search("namnvalsedlar").total_all)


def test_swedish_field_filters(searcher):
    """organ:, typ:, dnr: and år: filters restrict the hits."""
    hits = searcher.search("beslut organ:valnämnden", page_size=50).hits
    assert hits and {h.body for h in hits} == {"Valnämnden"}
    assert searcher.search("dnr:VN-2026-00019").hits[0].paragraph == "§ 27"
    assert {h.date[:4] for h in searcher.search("beslut år:2025", page_size=50).hits} == {"2025"}


def test_sort_by_date(searcher):
    """Newest and oldest first order the hits by meeting date."""
    newest = [h.date for h in searcher.search("beslut", sort="newest", page_size=30).hits
              if h.match == "all"]
    oldest = [h.date for h in searcher.search("beslut", sort="oldest", page_size=30).hits
              if h.match == "all"]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)


def test_pages_do_not_repeat_hits(searcher):
    """Page 2 continues page 1 without repeating a hit."""
    first = [h.id for h in searcher.search("beslut", page_size=5).hits]
    second = [h.id for h in searcher.search("beslut", page=2, page_size=5).hits]
    assert len(first) == len(second) == 5 and not set(first) & set(second)


def test_a_repeated_search_is_answered_from_the_generation_cache(built_dir):
    """The same search again (a reload, a shared link) gives the same answer without
    searching again; a new index generation starts with no answers kept."""
    index = SearchIndex(built_dir)
    first = index.search("samverkan primärvård", filters={"kind": ["tjänsteskrivelse"]})
    generation = index.generation()
    assert len(generation.answers) == 1
    again = index.search("samverkan primärvård", filters={"kind": ["tjänsteskrivelse"]})
    assert again is not first and again.hits == first.hits and again.facets == first.facets
    assert len(generation.answers) == 1
    index.search("samverkan primärvård", page=2)
    assert len(generation.answers) == 2
