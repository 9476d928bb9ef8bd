"""The cover's 'Paragrafer' range: read as written, never expanded without bound (refs #13)."""
import tracemalloc

from ingest.structure import paragraph_range


def _lines(text):
    return list(enumerate(text.splitlines()))


def test_range_as_written():
    """'Paragrafer §§ 20-30' and '§ 1-7, 9' give the § numbers they name."""
    assert paragraph_range(_lines("Paragrafer §§ 20-30")) == set(range(20, 31))
    assert paragraph_range(_lines("Paragrafer § 1-7, 9")) == {1, 2, 3, 4, 5, 6, 7, 9}


def test_absurd_range_is_ignored_without_expanding_it():
    """'Paragrafer 1-99999999999' is no meeting's range: ignored, at almost no memory."""
    tracemalloc.start()
    result = paragraph_range(_lines("Paragrafer 1-99999999999"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result is None and peak < 10_000_000


def test_a_long_run_of_spaces_is_no_range():
    """'Paragrafer' followed by 20,000 spaces and a letter is read once and gives nothing."""
    assert paragraph_range(_lines("Paragrafer" + " " * 20_000 + "X")) is None
