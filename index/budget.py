"""The time one search may take (SEARCH_TIME_LIMIT_MS), carried by the search (refs #13).

Matching a query's words, counting and ranking them is the essential work of a search and
always runs; everything whose cost depends on what was typed or found — expanding `ord*`
and `ord~`, checking a phrase's positions, marking words in snippets, 'Menade du …?' —
asks the budget first, and stops when the time is up. `cut` then records that the answer
is incomplete, so the page can say so.
"""
from __future__ import annotations

import time


class Budget:
    """A deadline on the monotonic clock, and whether work was left undone because of it."""

    def __init__(self, limit_ms: float):
        self.started = time.perf_counter()
        self.deadline = self.started + max(0.0, float(limit_ms)) / 1000
        self.cut = False

    def late(self) -> bool:
        """True (and the answer marked incomplete) when the time is up."""
        if time.perf_counter() >= self.deadline:
            self.cut = True
            return True
        return False

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000
