"""Ranking of a multi-word search (refs #14): one list, scored, instead of "every unit with all
words strictly above every unit with some".

Measured on the 120 development queries (bench/relevance.py), the strict order lost where
officials type more words than the answer holds (questions, long topic queries); a soft
coordination factor keeps the pull of units with every word without burying the unit that
has the rare, telling ones. And when the answer is a decision, the § of the minutes should
come before the notice's point, the page and the memo mentioning the same case: a prior by
unit kind does that.
"""
from __future__ import annotations

import numpy as np

from archive.vocabulary import MINUTES

# score × (share of query words found, each word counted by its IDF) ** COORD_POWER: a unit
# with half the query's weight keeps a quarter of its score at 2.0
COORD_POWER = 2.0
# a § of minutes (an item of a 'protokoll') over other units of the same words
MINUTES_ITEM_PRIOR = 1.25


def coordinated(word_masks: list[np.ndarray], word_scores: list[np.ndarray],
                all_mask: np.ndarray, all_scores: np.ndarray,
                scope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every unit in scope with any word, scored by its words' BM25F times the coordination
    factor; units with all words keep the score of the whole query (phrases in order)."""
    count = np.zeros(len(scope), dtype=np.float32)
    total = np.zeros(len(scope), dtype=np.float32)
    weights = word_weights(word_masks, scope)
    for mask, scores, weight in zip(word_masks, word_scores, weights):
        count += mask * weight
        total += scores
    any_mask = (count > 0) & scope
    share = count / max(float(weights.sum()), 1e-9)
    scores = np.where(all_mask, all_scores, total * share ** COORD_POWER)
    return any_mask | all_mask, scores.astype(np.float32, copy=False)


def word_weights(word_masks: list[np.ndarray], scope: np.ndarray) -> np.ndarray:
    """What each word counts for in the coordination factor: its inverse document frequency
    in the scope, so that a unit missing "hur", "många" or "kommunen" loses little and one
    missing the rare, telling word loses much (refs #14)."""
    n = max(1, int(scope.sum()))
    df = np.array([int((mask & scope).sum()) for mask in word_masks], dtype=np.float64)
    return np.log1p((n - df + 0.5) / (df + 0.5))


def unit_prior(kinds: np.ndarray, kind_values: list[str], items: np.ndarray,
               item_values: list[str]) -> np.ndarray:
    """A factor per unit: items of minutes weigh MINUTES_ITEM_PRIOR, the rest 1."""
    minutes = np.array([v == MINUTES for v in kind_values] or [False], dtype=bool)
    is_item = np.array([v != "" for v in item_values] or [False], dtype=bool)
    prior = np.ones(len(kinds), dtype=np.float32)
    if len(kinds):
        prior[minutes[kinds] & is_item[items]] = MINUTES_ITEM_PRIOR
    return prior
