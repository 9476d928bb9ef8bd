"""Ranking that generalises (refs #14): coordination instead of "all words strictly first", a
§ of minutes before other units, folded compounds split, the demo's hemsjukvård case."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from archive import Archive
from index import SearchIndex, analysis, rank, rebuild_index
from ingest import ingest_paths

DEMO = Path(__file__).parent.parent / "demo"


@pytest.fixture(scope="module")
def searcher(built_dir):
    return SearchIndex(built_dir)


@pytest.fixture(scope="module")
def demo_searcher(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo")
    with Archive(path) as store:
        report = ingest_paths(store, [DEMO])
        assert not report.failed, report.failed
        rebuild_index(store, path)
    return SearchIndex(path)


@pytest.mark.parametrize("word, parts", [
    ("hemsjukvardsavtalet", ("hemsjukvard", "avtalet")),      # the seed memo's lost letters
    ("oversvamningsskydd", ("oversvamning", "skydd")),
    ("skolinspektionsarenden", ("skolinspektion", "arenden")),
    ("hemsjukvårdsavtalet", ("hemsjukvård", "avtalet")),       # written right: as before
    ("kommunstyrelsen", ("kommun", "styrelsen")),
])
def test_compounds_written_without_swedish_letters_split_over_the_folded_lexicon(word, parts):
    """A compound typed or extracted without å/ä/ö splits like the same word with them."""
    assert analysis.word_parts(word) == parts


@pytest.mark.parametrize("word", ["valnamnden", "kommunen", "information"])
def test_known_or_simple_words_stay_whole(word):
    """Words the lexicon knows, or short simple words, get no folded split."""
    assert analysis.word_parts(word) in ((), tuple(analysis.word_parts(word)))
    assert not analysis.word_parts("information")


def test_hemsjukvard_finds_the_seed_memo_and_the_seed_meeting_item(demo_searcher):
    """'hemsjukvård' finds the memo's 'hemsjukvardsavtalet' and the SVOM item 'hälso- och
    sjukvård i hemmet' in the demo archive."""
    result = demo_searcher.search("hemsjukvård")
    sources = {h.source for h in result.hits}
    assert "region-jh-tjansteskrivelse-primarvard.txt" in sources
    item = [h for h in result.hits if h.source == "svom-region-jh-meeting-page.txt"]
    assert item and "sjukvård i hemmet" in item[0].title


def test_a_verbose_query_still_finds_the_unit_with_its_telling_words(searcher):
    """Extra words the answer lacks no longer push it below units that happen to hold them all."""
    plain = searcher.search("delårsrapport valnämnden").hits[0]
    verbose = searcher.search("när godkände valnämnden delårsrapport för vårt parti").hits[0]
    assert verbose.id == plain.id and verbose.paragraph == "§ 24"


def test_page_still_says_when_no_hit_has_every_word(searcher):
    """With coordination, a search where no unit has every word still says so."""
    result = searcher.search("delårsrapport zzyzxq valnämnden")
    assert result.total_all == 0 and result.mode == "some" and result.notice
    assert {h.match for h in result.hits} == {"some"}


def test_query_without_swedish_letters_ranks_like_with_them(searcher):
    """'valnamnden delarsrapport' gives the same first hits as 'valnämnden delårsrapport'."""
    right = [h.id for h in searcher.search("valnämnden delårsrapport").hits[:3]]
    folded = [h.id for h in searcher.search("valnamnden delarsrapport").hits[:3]]
    assert folded[0] == right[0] and set(folded) == set(right)


def test_items_of_minutes_carry_the_prior_and_nothing_else_does(searcher):
    """The unit prior raises items of minutes only: not notice points, pages or memos."""
    columns = searcher.generation().columns
    kinds = np.array(columns.values["kind"])[columns.codes["kind"]]
    items = np.array(columns.values["item"])[columns.codes["item"]]
    raised = columns.prior > 1
    assert raised.any() and (~raised).any()
    assert np.array_equal(raised, (kinds == "protokoll") & (items != ""))
    assert set(columns.prior[raised]) == {np.float32(rank.MINUTES_ITEM_PRIOR)}


def test_a_minutes_item_outranks_a_notice_point_on_the_same_words(searcher):
    """Among the hits of a topic both a protokoll and a kallelse hold, the first is a § of minutes."""
    result = searcher.search("sammanträdesdagar", page_size=20)
    kinds = [h.kind for h in result.hits]
    assert result.hits[0].paragraph and result.hits[0].kind == "protokoll"
    assert "protokoll" in kinds


def test_a_missing_common_word_costs_less_than_a_missing_rare_one():
    """The coordination factor counts each word by its inverse document frequency: of two
    units with equal scores, the one lacking only a word most units hold ranks first."""
    coordinated, word_weights = rank.coordinated, rank.word_weights
    scope = np.ones(10, dtype=bool)
    common = np.array([1, 0, 1, 1, 1, 1, 1, 1, 1, 0], dtype=bool)     # "kommunen"
    rare = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=bool)       # "skolinspektionen"
    other = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    weights = word_weights([common, rare, other], scope)
    assert weights[1] > weights[2] > weights[0] > 0
    scores = [m.astype(np.float32) for m in (common, rare, other)]
    none = np.zeros(10, dtype=bool)
    found, final = coordinated([common, rare, other], scores, none, np.zeros(10, np.float32), scope)
    assert found[:3].all() and not found[9]
    assert final[1] > final[0]        # rare + other beats common + other


def test_a_year_among_the_words_finds_that_years_meetings(searcher):
    """'protokollet 2026': the units of 2026 meetings come first even where the text does
    not name the year; the same words with 2025 bring 2025 first (refs #14)."""
    for year in ("2025", "2026"):
        hits = searcher.search(f"protokollet {year}").hits[:4]
        assert hits and all(h.date.startswith(year) for h in hits), [h.date for h in hits]
    plain = searcher.search("protokollet")
    assert searcher.search("protokollet 2026").total >= plain.total
