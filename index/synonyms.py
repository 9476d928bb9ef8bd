"""What an abbreviation of Swedish public administration stands for (refs #14).

The list is data, index/data/abbreviations.tsv, with its source stated at its top: the
bodies and laws every municipality and region writes in short ("KS", "IFO", "PBL"). A query
word equal to one also finds its expansion, written apart or as one compound; nothing is
keyed to any particular query. Words that are also ordinary Swedish words ("sol") are left
out of the list, so an expansion never changes what a plain word means.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import analysis

DATA = Path(__file__).with_name("data") / "abbreviations.tsv"


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, tuple[tuple[str, ...], ...]]:
    """abbreviation (lower case) -> its expansions, each as the words a query would have."""
    table: dict[str, tuple[tuple[str, ...], ...]] = {}
    for line in DATA.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        short, *longs = [cell.strip() for cell in line.split("\t")]
        table[short.lower()] = tuple(tuple(analysis.index_words(text)) for text in longs if text)
    return table


def expansions(word: str) -> tuple[tuple[str, ...], ...]:
    """The expansions of `word` when it is a listed abbreviation, else ()."""
    return abbreviations().get(word.lower(), ())
