"""Snippets with the query's words marked, in every form the index matched (refs #3, #4).

The text is escaped here; only our own <mark> tags are added, so a snippet is safe HTML.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from html import escape

from . import analysis

# refs #13: what one snippet or page may cost is bounded by these, not by the text's length
# (a 50 MB text unit made every search showing it take 16-34 s, and its page 15 s).
SNIPPET_CHUNK = 8_000          # text read at a time looking for a snippet's matches
SNIPPET_SCAN = 64_000          # text read at most: a unit whose matches lie further shows its start
HIGHLIGHT_CHARS = 300_000      # text of a page marked; the rest is shown escaped, unmarked

HOW = {"exact": "exakt", "stem": "böjningsform", "part": "del av sammansatt ord",
       "folded": "utan å/ä/ö eller med skadade tecken"}


def match_forms(text: str, wanted: dict[str, set[str]], memo: dict | None = None
                ) -> list[tuple[int, int, str, str]]:
    """Spans of `text` matching the wanted terms: (start, end, how, surface form).

    `memo` (word -> how) may be shared by the calls of one search: hits repeat words.
    Each distinct word is judged once; only the text's matching words are then located."""
    memo = {} if memo is None else memo
    starts = _Starts(wanted)
    spans = analysis.word_spans(text)
    found = set()
    for word in {token.rstrip("-") for _, _, token in spans}:
        how = memo.get(word, "")
        if how == "":
            how = memo[word] = _how(word, wanted, starts)
        if how:
            found.add(word)
    if not found:
        return []
    return [(start, end, memo[word], text[start:end])
            for start, end, token in spans if (word := token.rstrip("-")) in found]


class _Starts:
    """How the wanted stems and folded forms begin, folded: a word whose folded beginning
    is none of them cannot stem or fold to one, so it is not stemmed (stems are the word
    less a suffix; stem() changes at most its last two letters; folding goes letter by
    letter). The first letters serve the damaged-letter test the same way, and one pattern
    of the stems finds the words a stem stands in (compound parts)."""

    def __init__(self, wanted: dict[str, set[str]]):
        forms = {analysis.fold(s) for s in wanted["stem"]} | set(wanted["folded"])
        self.three = {f[:3] for f in forms if len(f) >= 3}
        self.short = tuple(f for f in forms if len(f) < 3)
        folded = wanted["folded"]
        self.repair_any = any(len(f) < 3 for f in folded)   # too short to test
        self.repair_first = {f[0] for f in folded if len(f) >= 3}
        stems = sorted(wanted["stem"])
        self.inside = re.compile("|".join(map(re.escape, stems))).search if stems else \
            (lambda word: None)

    def may_stem(self, plain: str) -> bool:
        return plain[:3] in self.three or (bool(self.short) and plain.startswith(self.short))

    def may_repair(self, word: str, plain: str) -> bool:
        return self.repair_any or plain[:1] in self.repair_first or \
            _REPAIRED.get(word[:1]) in self.repair_first


_plain = lru_cache(maxsize=analysis.WORD_CACHE)(analysis.fold)


@lru_cache(maxsize=analysis.WORD_CACHE)
def _forms(word: str) -> tuple[str, frozenset[str]]:
    """A text word's stem and folded forms (its own and its stem's)."""
    stem = analysis.stem(word)
    return stem, frozenset((analysis.fold(stem), analysis.fold(word)))


def _how(word: str, wanted: dict[str, set[str]], starts: _Starts) -> str | None:
    if word in wanted["exact"]:
        return "exact"
    plain = _plain(word)
    folds = None
    if starts.may_stem(plain):
        stem, folds = _forms(word)
        if stem in wanted["stem"]:
            return "stem"
    # a compound part's stem stands in the word (kyrk in kyrkogård): split only then
    if starts.inside(word) and \
            any(analysis.stem(p) in wanted["stem"] for p in analysis.word_parts(word)):
        return "part"
    folded = wanted["folded"]
    if folded and ((folds is not None and not folds.isdisjoint(folded)) or
                   (starts.may_repair(word, plain) and _repaired_fold_in(word, plain, folded))):
        return "folded"
    return None


def _repaired_fold_in(word: str, plain: str, folded: set[str]) -> bool:
    """Whether the word with damaged PDF letters repaired ('nira' -> 'nära') folds to a
    wanted form. Repairing tries lexicon words, so first a cheap test letter by letter: a
    repair only turns damaged letters into å/ä/ö, stem() changes at most a stem's last two
    letters, and folding goes letter by letter. `plain` is the word folded."""
    if analysis.DAMAGED_LETTERS.isdisjoint(word):
        return False
    if len(plain) != len(word):
        return _repaired_fold(word) in folded
    for form in folded:
        for i in range(min(len(form) - 2, len(word))):
            if form[i] != plain[i] and form[i] != _REPAIRED.get(word[i]):
                break
        else:
            return _repaired_fold(word) in folded
    return False


_REPAIRED = {c: analysis.fold(r) for c, r in analysis.DAMAGE.items()}   # 'i' -> 'a', …


@lru_cache(maxsize=analysis.WORD_CACHE)
def _repaired_fold(word: str) -> str | None:
    fixed = analysis.repair(word)
    return analysis.fold(analysis.stem(fixed)) if fixed else None


def _cut(text: str, limit: int) -> int:
    """Where to stop reading `text` at about `limit` characters: after a space, so no word is
    split (or at `limit` in a text without spaces)."""
    if len(text) <= limit:
        return len(text)
    space = text.rfind(" ", limit - 200, limit)
    return space + 1 if space > 0 else limit


def snippet_spans(text: str, wanted: dict[str, set[str]], memo: dict | None = None
                  ) -> list[tuple[int, int, str, str]]:
    """match_forms() over the start of `text` only: a chunk at a time until one holds a
    match, at most SNIPPET_SCAN characters, so a snippet costs the same in a 50 MB unit as
    in a page (refs #13). Offsets are the text's own."""
    begin = 0
    while begin < min(len(text), SNIPPET_SCAN):
        end = begin + _cut(text[begin:begin + SNIPPET_CHUNK + 200], SNIPPET_CHUNK)
        spans = match_forms(text[begin:end], wanted, memo)
        if spans:
            return [(s + begin, e + begin, how, form) for s, e, how, form in spans]
        begin = end
    return []


# refs #17: a snippet is plain sentences, not the Markdown a converter left (table rules and
# bars, <br> in cells, heading marks)
_MARKUP = re.compile(r"<br\s*/?>|(?:^|(?<=\s))#{1,6}(?=\s)|\|(?:[ \t]*+:?-{3,}+:?[ \t]*+\|)++|\|",
                     re.IGNORECASE)   # possessive: a long run of '-' or spaces costs one pass


def _plain(piece: str) -> str:
    return _MARKUP.sub(" ", piece)


def make_snippet(text: str, spans, width: int = 240) -> str:
    """The window of `text` with the most matches, escaped, matches in <mark>."""
    if not spans:
        cut = text[:width]
        return escape(re.sub(r"\s+", " ", _plain(cut))).strip() + ("…" if len(text) > width else "")
    best, best_count = 0, -1
    starts = [s for s, _, _, _ in spans]
    for i, start in enumerate(starts):     # spans are in order: count those in the window
        count = bisect_left(starts, start + width, i) - i
        if count > best_count:
            best, best_count = i, count
    begin = max(0, starts[best] - width // 4)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < starts[best] else begin
    end = min(len(text), begin + width)
    out, pos = [], begin
    for s, e, _, _ in spans[bisect_left(starts, begin):]:
        if s >= end:
            break
        if e > end:
            continue
        out.append(escape(_plain(text[pos:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(_plain(text[pos:end])))
    snippet = re.sub(r"\s+", " ", "".join(out)).strip()
    return ("…" if begin else "") + snippet + ("…" if end < len(text) else "")


def highlight_html(text: str, wanted: dict[str, set[str]], id_prefix: str = "traff",
                   limit: int = HIGHLIGHT_CHARS) -> tuple[str, int]:
    """The whole text escaped with every match in its first `limit` characters marked
    (refs #13: the cost of a page is bounded, however long the text); returns (html,
    number of marks)."""
    spans = match_forms(text[:_cut(text, limit)], wanted) if limit > 0 else []
    out, pos = [], 0
    for n, (s, e, _, _) in enumerate(spans):
        out.append(escape(text[pos:s]))
        out.append(f'<mark id="{id_prefix}-{n + 1}">{escape(text[s:e])}</mark>')
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out), len(spans)


def explain(spans) -> list[dict]:
    """Which forms matched and how, each once: [{'form': 'nara', 'how': 'utan å/ä/ö'}]."""
    seen, out = set(), []
    for _, _, how, surface in spans:
        key = (surface.lower(), how)
        if key not in seen:
            seen.add(key)
            out.append({"form": surface, "how": HOW[how]})
    return out[:8]
