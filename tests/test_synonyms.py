"""Abbreviations of public administration find what they stand for (refs #14)."""
from __future__ import annotations

from index import SearchIndex, analysis, synonyms
from tests.conftest import build_data_dir


def test_the_list_is_data_with_its_source_and_every_line_expands():
    text = synonyms.DATA.read_text("utf-8")
    assert text.startswith("# Abbreviations") and "Source:" in text
    table = synonyms.abbreviations()
    assert len(table) >= 15
    for short, longs in table.items():
        assert short == short.lower() and short not in analysis.STOP_WORDS
        assert longs and all(words for words in longs), short
    assert synonyms.expansions("IFO") == synonyms.expansions("ifo") != ()
    assert synonyms.expansions("budget") == ()


def test_an_abbreviation_finds_its_expansion_written_out(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ifo-kallelse-2026-05-13.txt").write_text(
        "Kallelse Nämnden för Individ & Familjeomsorg 2026-05-13\n\n"
        "1. Ekonomisk uppföljning april 2026\n"
        "Individ- och familjeomsorg redovisar ett överskott för perioden.\n", encoding="utf-8")
    (folder / "teknik-kallelse-2026-05-14.txt").write_text(
        "Kallelse Teknik 2026-05-14\n\n1. Ekonomisk uppföljning april 2026\n"
        "Teknik redovisar ett överskott för perioden.\n", encoding="utf-8")
    data = tmp_path / "data"
    build_data_dir(data, [folder])
    index = SearchIndex(data, time_limit_ms=60_000)
    hits = index.search("IFO överskott").hits
    assert hits and hits[0].source.endswith("ifo-kallelse-2026-05-13.txt")
    assert any(h.source.endswith("teknik-kallelse-2026-05-14.txt") for h in hits)
    assert index.search("ifo").hits[0].source.endswith("ifo-kallelse-2026-05-13.txt")
