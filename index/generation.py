"""One generation of the serving index, opened for searching: the backend's searcher, the
engine's arrays, the facet columns, the suggestion lexicon and the answers kept for it."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np

from . import rank
from .arrays import unique
from .backend import Searcher
from .engine import Engine
from .schema import FACET_FIELDS, FACETS
from .suggest import Lexicon


class Columns:
    """Per-document facet codes and dates for one searcher generation (refs #6).

    Segments of the bulk writer carry these values in a side file (index/sidefiles.py);
    others are read one document at a time through the backend's column readers."""

    def __init__(self, engine: Engine):
        self.values: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name in FACETS:
            column = self._column(engine, FACET_FIELDS[name])
            vocab: dict[str, int] = {}
            codes = np.fromiter((vocab.setdefault(v, len(vocab)) for v in column),
                                dtype=np.int32, count=len(column))
            self.values[name] = list(vocab)
            self.codes[name] = codes
        self.dates = np.array(self._column(engine, "date"), dtype="<U10")
        # each date's place among all dates: sorting hits by date compares these numbers
        self.date_rank = np.searchsorted(unique(self.dates), self.dates).astype(np.int32)
        self.prior = rank.unit_prior(self.codes["kind"], self.values["kind"],
                                     self.codes["item"], self.values["item"])

    @staticmethod
    def _column(engine: Engine, name: str) -> list[str]:
        values: list[str] = []
        for _, seg, side in engine.segments:
            if side is not None and side.columns is not None:
                values.extend(side.columns["columns"][name])
            else:
                values.extend(seg.column(name))
        return values


class Generation:
    """What every search of one index generation shares; `lexicon` arrives later when the
    generation was written without one (SearchIndex builds it in the background)."""

    def __init__(self, ix, path: Path):
        self.path = path
        self.searcher = Searcher(ix)
        self.engine = Engine(self.searcher, path)
        self.columns = Columns(self.engine)
        self.engine.release_columns()
        self.number = self.searcher.generation()
        self.lexicon: Lexicon | None = Lexicon.load(path, self.number)
        self.answers: OrderedDict[tuple, object] = OrderedDict()   # whole searches

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()
