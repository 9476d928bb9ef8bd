"""Array helpers shared by the segment writer and the search engine (numpy, no index types)."""
from __future__ import annotations

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-d array, sorted, without np.unique: numpy 2.4's takes ~2 s for two
    million int64 keys, a sort and a look at neighbours ~30 ms. The stable sort (timsort)
    merges already sorted runs, such as sorted arrays put end to end."""
    values = np.sort(values, kind="stable")
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def union(parts: list[np.ndarray]) -> np.ndarray:
    """The keys of sorted arrays together, once each."""
    if len(parts) < 2:
        return parts[0] if parts else np.zeros(0, dtype=np.int64)
    return unique(np.concatenate(parts))


def found_in(wanted: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Which wanted keys are in `found` (sorted), as a mask: a binary search each."""
    if not len(found) or not len(wanted):
        return np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(found, wanted), len(found) - 1)
    return found[at] == wanted


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices of the ranges [start, start + length), one after another, as one array."""
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)
