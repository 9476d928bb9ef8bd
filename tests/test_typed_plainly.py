"""A query typed without å/ä/ö ranks like the same query typed with them (refs #14).

Officials type on phones and foreign keyboards; the index's own vocabulary reads a plain
word that no dictionary knows ('sammantradesdagar') as the archive's word it folds from.
"""
import pytest

from index import SearchIndex
from index.suggest import Lexicon

PLAIN = str.maketrans("åäöÅÄÖ", "aaoAAO")
QUERIES = ["förtidsröstningslokal", "valnämnden delårsrapport", "hälso- och sjukvård",
           "förlängning av avtal", "årsrapport", "sammanträdesdagar", "bidrag till föreningar",
           "primärvård", "förvaltningschef", "överenskommelse"]


@pytest.fixture(scope="module")
def index(built_dir):
    return SearchIndex(built_dir, time_limit_ms=60_000)


@pytest.mark.parametrize("typed", QUERIES)
def test_the_plain_query_finds_the_same_first_hits(index, typed):
    right = [h.id for h in index.search(typed).hits[:5]]
    plain = [h.id for h in index.search(typed.translate(PLAIN)).hits[:5]]
    assert right and plain == right


def test_a_plain_compound_matches_as_its_word_with_letters():
    """Restored, the word's compound parts are the parts of the word meant ('sammanträd',
    not Snowball's 'sammanter' of the folded letters)."""
    from index.words import word_node
    restore = Lexicon(["sammanträdesdagar"], [3]).restore
    terms = {t for _, t, _ in word_node("sammantradesdagar", restore).children[0].terms}
    assert {"sammanträdesdagar", "^sammanträdesdag"} <= terms


def test_restore_takes_the_most_frequent_word_and_leaves_known_plain_words():
    lexicon = Lexicon(["för", "for", "nämnden"], [90, 5, 40])
    assert lexicon.restore("namnden") == "nämnden"
    assert lexicon.restore("for") == "för"      # the lexicon's answer; the query decides use
    assert lexicon.restore("budget") == ""
    from index.words import typed_plainly
    assert not typed_plainly("budget") and not typed_plainly("nämnden") and typed_plainly("namnden")
