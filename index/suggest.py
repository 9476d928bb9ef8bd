"""Spelling suggestions ('Menade du …?') and `ord~` from a lexicon built once per index
generation (refs #13).

Whoosh's corrector walks the whole term dictionary for every unknown word: 3–7 s a word on
a 20,000-item archive, a minute for four long ones. Here the index's most frequent plain
words (fields `text` and `title`, no stems or folded forms) are collected once when an index
generation is written, with a symmetric-deletion table: every word and each of its one-letter
deletions, hashed (crc32) into one sorted array. A query word's deletions of up to two
letters are looked up there with one binary search each, so a lookup costs a few hundred
array probes however large the archive, and the few candidates are checked with a real
edit distance (adjacent letters swapped count as one edit). Together the two sides find
every lexicon word within distance 2 except those two letters longer than the query.

The lexicon is a file beside the index (LEXICON_FILE), tagged with the generation it
describes, so every server process loads the same one instead of building its own.
"""
from __future__ import annotations

import os
import pickle
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from . import analysis, backend

LEXICON_FILE = "paragraf-lexicon.pickle"
LEXICON_WORDS = 100_000     # most frequent words kept: the long tail is mostly typos and OCR noise
MAX_WORD = 40               # longer words are neither kept nor looked up


class Lexicon:
    """Words with their document frequencies and a symmetric-deletion table of them."""

    def __init__(self, words: list[str], df: np.ndarray, hashes: np.ndarray | None = None,
                 owners: np.ndarray | None = None):
        self.words = words
        self.df = np.asarray(df, dtype=np.int64)
        self._rank = {w: i for i, w in enumerate(words)}
        self._restored: dict[str, str] | None = None     # folded word -> word, built on use
        if hashes is None:
            hashes, owners = _deletion_table(words)
        self.hashes, self.owners = hashes, owners

    @classmethod
    def from_counts(cls, counts: dict[str, int], limit: int = LEXICON_WORDS) -> "Lexicon":
        """The `limit` most frequent words (ties by the word, so builds are reproducible)."""
        kept = sorted(((n, w) for w, n in counts.items() if _keep(w)),
                      key=lambda p: (-p[0], p[1]))[:limit]
        return cls([w for _, w in kept], np.array([n for n, _ in kept], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.words)

    def restore(self, plain: str) -> str:
        """The archive's most frequent word that reads `plain` once å/ä/ö are folded away
        ('sammantradesdagar' -> 'sammanträdesdagar'), or '' when it has none (refs #14)."""
        if self._restored is None:
            restored: dict[str, str] = {}
            for word in self.words:              # most frequent first: the first one wins
                folded = analysis.fold(word)
                if folded != word:
                    restored.setdefault(folded, word)
            self._restored = restored
        return self._restored.get(plain, "")

    def frequency(self, word: str) -> int:
        i = self._rank.get(word)
        return 0 if i is None else int(self.df[i])

    def similar(self, word: str, max_distance: int = 2, limit: int = 5) -> list[str]:
        """Lexicon words within `max_distance` edits of `word` (not the word itself), nearest
        first, then the most frequent."""
        word = word.lower()
        if not word or len(word) > MAX_WORD or not len(self.words):
            return []
        probes = _deletions(word, max_distance)
        keys = np.fromiter((zlib.crc32(p.encode()) for p in probes), dtype=np.uint32,
                           count=len(probes))
        keys = np.unique(keys)
        lo = np.searchsorted(self.hashes, keys, side="left")
        hi = np.searchsorted(self.hashes, keys, side="right")
        found = [self.owners[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        if not found:
            return []
        scored = []
        for i in np.unique(np.concatenate(found)).tolist():
            candidate = self.words[i]
            if candidate == word or abs(len(candidate) - len(word)) > max_distance:
                continue
            distance = edit_distance(word, candidate, max_distance)
            if distance <= max_distance:
                scored.append((distance, -int(self.df[i]), candidate))
        scored.sort()
        return [w for _, _, w in scored[:limit]]

    # --- on disk -----------------------------------------------------------------------
    def save(self, folder, generation: int) -> Path:
        """Write atomically beside the index; `generation` is the index generation described."""
        path = Path(folder) / LEXICON_FILE
        tmp = path.with_suffix(".tmp")
        state = {"generation": generation, "words": "\n".join(self.words), "df": self.df,
                 "hashes": self.hashes, "owners": self.owners}
        with open(tmp, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, folder, generation: int) -> "Lexicon | None":
        """The lexicon written for this generation of the index, or None (absent, stale,
        unreadable)."""
        try:
            with open(Path(folder) / LEXICON_FILE, "rb") as handle:
                state = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
            return None
        if not isinstance(state, dict) or state.get("generation") != generation:
            return None
        words = state["words"].split("\n") if state["words"] else []
        return cls(words, state["df"], state["hashes"], state["owners"])


def _keep(word: str) -> bool:
    return 2 < len(word) <= MAX_WORD and word[0].isalpha() and \
        word[0] not in (analysis.STEM, analysis.FOLD)


def _deletion_table(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """crc32 of every word and of each of its one-letter deletions, sorted, with the index
    of the word each came from."""
    hashes: list[int] = []
    owners: list[int] = []
    crc = zlib.crc32
    for i, word in enumerate(words):
        variants = {word, *(word[:k] + word[k + 1:] for k in range(len(word)))}
        hashes.extend(crc(v.encode()) for v in variants)
        owners.extend([i] * len(variants))
    hashes_a = np.array(hashes, dtype=np.uint32)
    owners_a = np.array(owners, dtype=np.int32)
    order = np.argsort(hashes_a, kind="stable")
    return hashes_a[order], owners_a[order]


def _deletions(word: str, depth: int) -> list[str]:
    """The word and every string made by deleting up to `depth` letters of it."""
    level, seen = {word}, {word}
    for _ in range(depth):
        level = {w[:k] + w[k + 1:] for w in level for k in range(len(w))} - seen
        seen |= level
    return list(seen)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours),
    or limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] \
                    and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# --- collecting the words of an index --------------------------------------------------
def word_frequencies(reader, field: str = "text") -> Counter:
    """Document frequency of every plain word (letters first) of `field`, over all segments
    (read by the backend straight from its term files)."""
    counts: Counter = Counter()
    for text, df in backend.plain_term_frequencies(reader, field):
        if _keep(text):
            counts[text] += df
    return counts


LEXICON_FIELDS = ("text", "title")    # an agenda point may hold its words in its title only


def build_lexicon(reader) -> Lexicon:
    counts: Counter = Counter()
    for field in LEXICON_FIELDS:   # a unit with the word in both fields counts once, mostly
        for word, n in word_frequencies(reader, field).items():
            counts[word] = max(counts[word], n)
    return Lexicon.from_counts(counts)


def write_lexicon(folder, ix) -> Lexicon:
    """Collect the lexicon of an index's latest generation and save it beside the index."""
    with ix.reader() as reader:
        lexicon = build_lexicon(reader)
        lexicon.save(folder, reader.generation())
    return lexicon
