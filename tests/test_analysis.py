"""Swedish analysis: tables of real Swedish words and the terms expected."""
from __future__ import annotations

import pytest

from index.analysis import analyze, fold, query_terms, stem


def terms(text: str, field: str = "text") -> list[str]:
    return [t for _, t, _, _ in analyze(text, field)]


@pytest.mark.parametrize("words", [
    ("beslutade", "beslut", "besluten", "beslutet"),
    ("protokollet", "protokoll"),
    ("ärendet", "ärende", "ärenden"),
    ("valsedel", "valsedlar"),
    ("regel", "regler"),
    ("förslaget", "förslag"),
    ("avtalet", "avtal"),
    ("hemmet", "hem"),
    ("nämnden", "nämnd"),
])
def test_inflections_share_a_stem(words):
    """Every form in a row stems alike, including the gaps Snowball leaves."""
    assert len({stem(w) for w in words}) == 1, {w: stem(w) for w in words}


def test_stop_words_go_before_stemming():
    """'nära' is not dropped although Snowball stems it to 'när', a stop word."""
    assert terms("nära vård och omsorg", "exact") == ["nära", "vård", "omsorg"]


def test_folding_meets_text_without_swedish_letters():
    """Folded terms of 'gårdsförsäljning' equal those of 'gardsforsaljning'."""
    assert fold("Gårdsförsäljning") == "gardsforsaljning"
    assert fold("Škorić") == "skoric"
    assert "gardsforsaljning" in terms("gardsforsaljning")
    assert "~gardsforsaljning" in terms("gårdsförsäljning")


def test_hyphenated_words_keep_the_whole_and_the_parts():
    """'it-bolaget' and '30-åring' stay whole and also give their parts."""
    found = terms("it-bolaget 30-åring")
    assert "it-bolaget" in found and "^bolag" in found and "30-åring" in found


def test_paragraph_sign_is_one_token():
    """'§ 86' is one exact token '§86'."""
    assert "§86" in terms("enligt § 86 i protokollet")


def test_one_field_marks_stems_parts_and_folds():
    """Each position holds the word, '^' its stem and parts, '~' its folded forms."""
    assert terms("Hemsjukvårdsavtalet") == [
        "hemsjukvårdsavtalet", "^hemsjukvårdsavtal", "^hemsjukvård", "^avtal",
        "~hemsjukvardsavtal", "~hemsjukvard"]
    assert terms("beslut") == ["beslut"]          # stem and fold equal the word: nothing added
    assert terms("nira") == ["nira", "^nir", "~nar"]  # damaged 'nära' repaired into its fold


def test_shared_hyphen_forms_are_expanded():
    """'bygg- och miljönämnden' also gives 'byggnämnd'."""
    assert "^byggnämnd" in terms("bygg- och miljönämnden")


def test_query_terms_give_exact_stem_and_folded():
    """A query word carries its exact form, stem and folded stem."""
    q = query_terms("Besluten")
    assert q["exact"] == ["besluten"] and q["stem"] == ["beslut"] and "beslut" in q["folded"]


@pytest.mark.parametrize("damaged, word", [
    ("nira", "nära"), ("hilso", "hälso"), ("hdlso", "hälso"), ("6kad", "ökad"),
    ("ing3", "ingå"), ("uppritta", "upprätta"), ("sdkerstilla", "säkerställa"),
    ("ring", ""), ("wesley", ""), ("litsegård", ""), ("lanet", ""),
])
def test_damaged_letters_are_repaired_only_into_real_words(damaged, word):
    """Bad PDF text ('nira', '6kad') maps to dictionary words; real words and names stay."""
    from index.analysis import repair
    assert repair(damaged) == word
