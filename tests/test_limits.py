"""The time limit covers the whole search, suggestions come from a lexicon written with the
index, and snippets and highlights cost the snippet window, not the document (refs #13).

No timings are asserted: a 0 ms limit shows which work stops at the deadline, and the
bounds on the text read are checked on texts far larger than they are.
"""
from __future__ import annotations

import pytest

from archive import Archive
from index import SearchIndex, update_documents
from index.highlight import (HIGHLIGHT_CHARS, SNIPPET_SCAN, highlight_html, make_snippet,
                             match_forms, snippet_spans)
from index.store import current_dir
from index.suggest import LEXICON_FILE, Lexicon, edit_distance
from ingest import ingest_paths
from tests.conftest import make_app

ISSUE_QUERY = ("kommunstyrelsensarbetsutskott~ sammanträdesprotokollen~ förvaltningschefens~ "
               "beslutsunderlagen~")
WANTED = {"exact": {"budget"}, "stem": {"budget"}, "folded": {"budget"}}


def test_fuzzy_words_of_the_issue_stop_at_the_time_limit(built_dir):
    """Four long `ord~` words at 0 ms: the page answers 200 and says the search was cut short."""
    client = make_app(built_dir, SEARCH_TIME_LIMIT_MS=0).test_client()
    api = client.get("/api/search", query_string={"q": ISSUE_QUERY}).get_json()
    assert api["timed_out"] and "för lång tid" in api["notice"]
    page = client.get("/sok", query_string={"q": ISSUE_QUERY})
    assert page.status_code == 200 and "Sökningen tog för lång tid" in page.text
    full = SearchIndex(built_dir, time_limit_ms=60_000).search(ISSUE_QUERY)
    assert full.total > 0 and not full.timed_out


def test_suggestion_is_cut_by_the_time_limit_and_said(built_dir):
    """'Menade du' is work the limit covers: at 0 ms none is offered and timed_out is true."""
    late = SearchIndex(built_dir, time_limit_ms=0).search("kommunstyrelsn")
    assert late.suggestion == "" and late.timed_out and "för lång tid" in late.notice
    assert SearchIndex(built_dir, time_limit_ms=60_000).search("kommunstyrelsn").suggestion \
        == "kommunstyrelsen"


@pytest.mark.parametrize("typed, meant", [
    ("kommunstyrelsn", "kommunstyrelsen"),       # a letter left out
    ("valnämdnen", "valnämnden"),                # two letters swapped
    ("budjet", "budget"),                        # one wrong
    ("detaljpaln", "detaljplan"),
    ("ordförnade", "ordförande"),
    ("kommunfullmäktihe", "kommunfullmäktige"),
    ("sammanfatning", "sammanfattning"),
    ("delårsrappport", "delårsrapport"),         # one letter too many
])
def test_real_misspellings_get_the_meant_word(built_dir, typed, meant):
    """Typical typos of words of the test archive get the word meant as 'Menade du'."""
    result = SearchIndex(built_dir, time_limit_ms=60_000).search(typed)
    assert result.suggestion == meant


def test_unknown_words_get_no_suggestion_and_answer(built_dir):
    """Words far from every indexed word give an empty answer, no suggestion, no time-out."""
    result = SearchIndex(built_dir, time_limit_ms=60_000).search("qxzvwk bvtrplm jjjjjj")
    assert result.total == 0 and result.suggestion == "" and not result.timed_out


def test_the_lexicon_is_written_with_each_index_generation(own_built_dir, tmp_path):
    """Rebuilds and updates write the lexicon for their generation; a new word is suggested
    after the ingest that brought it."""
    ix = SearchIndex(own_built_dir, time_limit_ms=60_000)
    lexicon = ix.lexicon()
    assert lexicon is not None and (current_dir(own_built_dir) / LEXICON_FILE).exists()
    assert lexicon.frequency("kommunstyrelsen") > 0 and lexicon.frequency("^kommun") == 0
    assert lexicon.frequency("skridskobanorna") == 0
    folder = tmp_path / "ny"
    folder.mkdir()
    (folder / "notis.txt").write_text("Skridskobanorna spolas i december.\n", encoding="utf-8")
    with Archive(own_built_dir) as store:
        report = ingest_paths(store, [folder])
        update_documents(store, own_built_dir, report.changed_documents)
    fresh = SearchIndex(own_built_dir, time_limit_ms=60_000)
    assert fresh.lexicon().frequency("skridskobanorna") == 1
    assert fresh.search("skridskobanorne").suggestion == "skridskobanorna"


def test_a_stale_lexicon_file_is_not_used(own_built_dir):
    """A lexicon written for another generation of the index is ignored, not trusted."""
    path = current_dir(own_built_dir)
    Lexicon.from_counts({"fel": 5, "felaktig": 3}).save(path, 9999)
    assert Lexicon.load(path, 9999) is not None and Lexicon.load(path, 1) is None


@pytest.mark.parametrize("a, b, distance", [
    ("budget", "budget", 0), ("budjet", "budget", 1), ("valnämdnen", "valnämnden", 1),
    ("kommunstyrelsn", "kommunstyrelsen", 1), ("detaljpln", "detaljplan", 1),
    ("ordfrande", "ordförande", 1), ("nämd", "nämnd", 1), ("ab", "ba", 1),
    ("kommunstyrelse", "kommunstyrelsens", 2), ("budget", "xudgex", 2), ("abc", "xyz", 3),
])
def test_edit_distance_counts_swaps_as_one(a, b, distance):
    """Optimal string alignment distance, capped at limit + 1."""
    assert edit_distance(a, b, 2) == min(distance, 3)


def test_lexicon_finds_words_within_two_edits_nearest_first():
    """Symmetric deletion finds words one or two edits away; nearer and more frequent first."""
    lexicon = Lexicon.from_counts({"budget": 50, "budgeten": 5, "buget": 1, "bulletin": 9,
                                   "nämnden": 30, "nämnder": 40})
    assert lexicon.similar("budjet") == ["budget", "buget"]
    assert lexicon.similar("nämnde") == ["nämnder", "nämnden"]      # both one edit: frequency
    assert lexicon.similar("budgetn", 2, 1) == ["budget"]
    assert lexicon.similar("budget", 1) == ["buget"]                # never the word itself
    assert lexicon.similar("x" * 200) == [] and Lexicon.from_counts({}).similar("budget") == []


def test_snippet_of_a_huge_unit_reads_only_its_window():
    """Snippet spans read the text a chunk at a time and at most SNIPPET_SCAN characters."""
    filler = "Ordföranden noterar att mötet fortsätter enligt plan. " * 200_000   # ~11 MB
    early = "Nämnden beslutar om budget för året. " + filler
    spans = snippet_spans(early, WANTED)
    assert [s[3] for s in spans] == ["budget"] and spans[0][0] == early.index("budget")
    assert "<mark>budget</mark>" in make_snippet(early, spans)
    late = filler[:SNIPPET_SCAN * 2] + " budget " + filler[:1000]
    assert match_forms(late, WANTED) and snippet_spans(late, WANTED) == []
    middle = filler[:SNIPPET_SCAN // 2] + " budget " + filler[:1000]
    assert [s[0] for s in snippet_spans(middle, WANTED)] == [middle.index("budget")]


def test_snippet_window_is_found_among_many_matches():
    """Hundreds of thousands of matches: the window with the most of them, found in one pass
    (counting each start's window against all later ones took hours)."""
    text = "budget " * 300_000 + "slut"
    spans = match_forms(text, WANTED)
    assert len(spans) == 300_000
    snippet = make_snippet(text, spans)
    assert snippet.count("<mark>") >= 30


def test_a_page_marks_words_only_in_its_first_part_but_shows_all():
    """highlight_html marks matches in the first HIGHLIGHT_CHARS characters and escapes the
    rest unmarked, so a 50 MB page costs what a large page does."""
    text = ("budget <b>x</b> " * 10_000) + ("vidare " * ((HIGHLIGHT_CHARS // 7) + 10_000)) + \
        "budget sist"
    html, marks = highlight_html(text, WANTED)
    assert marks == 10_000 and html.endswith("budget sist") and "<b>" not in html
    assert html.count("&lt;b&gt;") == 10_000
