"""Agenda points tied to the § of the minutes that decided them (refs #17).

A meeting's notice (kallelse) lists its business as "punkt 1–8" and its minutes record it as
"§ 1–7": the same business twice, numbered apart. `link_agenda` pairs them by case number (Dnr)
or by title, one § to one point; `link_meeting` does it for all of a meeting's items.
Pure functions over records: no database, no web.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from .ids import dnr_key
from .records import Item

# A title similarity (0..1) at or above this links a point and a § without a shared Dnr.
# Chosen by bench/agenda.py on the four meetings of demo/ and ../shared/corpus with both a
# notice and minutes (57 points, 40 §, 40 true links), titles alone (every Dnr removed): the
# true pairs score 0.99–1.0; the most alike different business 0.83 ('Förbud mot utsläpp …' /
# 'Förbud, förenat med vite, mot utsläpp …'); with each point's own § removed, 0.80 still
# links 2 points elsewhere, 0.85 none.
TITLE_THRESHOLD = 0.85
# A Dnr that several points (or several §) share, such as a standing information case, decides
# nothing alone: the titles must then agree this much (two points under one information case
# in the corpus, 'Information om arbetet med klagomålshantering' / '… mot välfärdsbrottslighet',
# score 0.65).
SHARED_DNR_THRESHOLD = 0.75

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o"})
# words that carry no business: 'Anmälan av jäv' and 'Anmälan om jäv' are one title
_STOPWORDS = frozenset(
    "av och om for till i pa med fran samt en ett den det de vid infor enligt over under "
    "inom kring avseende gallande ang angaende".split())
# a notice's point often carries its presenter and papers after the title
# ('… Föredragande: Karl Persson, förvaltningschef 2 dokument 5 min')
_NOISE = re.compile(r"\bforedragande\b.*$|\b\d+ dokument\b.*$|\b\d+ min\b.*$")
# light Swedish endings, longest first, so 'skrivelse'/'skrivelser', 'ärende'/'ärenden' and
# 'förvaltningen'/'förvaltning' meet while 'förvaltningschefen' stays another word
_ENDINGS = ("arna", "erna", "orna", "ens", "ets", "en", "et", "ar", "er", "or", "na", "e", "s")


def normalise_title(title: str) -> str:
    """Case-folded, å/ä/ö folded, accents and punctuation dropped, whitespace collapsed;
    a presenter or paper count after the title removed."""
    text = title.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return _NOISE.sub("", text).strip()


def _stem(word: str) -> str:
    if word.isdigit():
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[:-len(ending)]
    return word


def _tokens(normalised: str) -> set[str]:
    return {_stem(w) for w in normalised.split() if w not in _STOPWORDS}


def _same_word(a: str, b: str) -> bool:
    """Equal, or one is the other's compound head ('justerare' in 'protokolljusterare')."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and not short.isdigit() and long.endswith(short)


def _dice(ta: set[str], tb: set[str]) -> float:
    if not ta or not tb:
        return 0.0
    small, large = sorted((ta, tb), key=len)
    exact = small & large
    rest = [u for u in large - exact if len(u) >= 5]
    shared = len(exact) + sum(1 for t in small - exact if any(_same_word(t, u) for u in rest))
    return 2 * shared / (len(ta) + len(tb))


@dataclass(frozen=True)
class _Title:
    """A title made ready to compare once, not once per pair."""
    text: str                       # normalised
    words: tuple[str, ...]
    tokens: frozenset[str]          # words of substance, light endings dropped
    numbers: frozenset[str]

    @classmethod
    def of(cls, title: str) -> "_Title":
        text = normalise_title(title)
        tokens = frozenset(_tokens(text))
        return cls(text, tuple(text.split()), tokens,
                   frozenset(t for t in tokens if t.isdigit()))


def title_similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1.

    1.0 when the normalised titles are equal, or when the shorter (two words of substance at
    least) is how the longer begins: the longer only adds at its end, as a notice adds the
    presenter and a minutes heading the month ('Anmälan av delegeringsbeslut nov 2025').
    Otherwise the larger of the Dice overlap of their words (light endings dropped, small
    words ignored, a compound counting as its head word, so reordered titles meet) and
    difflib's ratio of the two strings (so a changed ending meets). Titles whose numbers
    disagree ('Inkomna skrivelser 2024' / '… 2025') are different business: 0.
    """
    return _similarity(_Title.of(a), _Title.of(b))


def _similarity(a: _Title, b: _Title, floor: float = 0.0) -> float:
    """title_similarity of prepared titles; a value below `floor` may be any value below it
    (difflib's full ratio, the slow part, is skipped when its cheap bound is under it)."""
    if not a.text or not b.text:
        return 0.0
    if a.text == b.text:
        return 1.0
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        return 0.0
    short, long = sorted((a.words, b.words), key=len)
    if long[:len(short)] == short and len(_tokens(" ".join(short))) >= 2:
        return 1.0
    dice = _dice(a.tokens, b.tokens)
    if dice >= floor > 0:
        return dice if dice >= 1.0 else max(dice, _ratio(a.text, b.text))
    # cheap upper bounds of the ratio first: the lengths, then the letters in common
    if 2 * min(len(a.text), len(b.text)) / (len(a.text) + len(b.text)) < floor:
        return dice
    matcher = difflib.SequenceMatcher(None, *sorted((a.text, b.text)), autojunk=False)
    if matcher.quick_ratio() < floor:
        return dice
    return max(dice, matcher.ratio())     # sorted: the same value either way round


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, *sorted((a, b)), autojunk=False).ratio()


def _dnr_keys(values: list[str]) -> set[tuple[str, str]]:
    """(prefix, year-serial) of each case number: a notice may leave the prefix out
    ('2025-00007' for 'VN-2025-00007')."""
    out = set()
    for value in values:
        key = dnr_key(value)
        if not key:
            continue
        head, _, rest = key.partition("-")
        out.add((head, rest) if head.isalpha() else ("", key))
    return out


def _same_case(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> set[str]:
    """The cases two items share (prefixes equal, or one of them absent)."""
    return {ca for pa, ca in a for pb, cb in b if ca == cb and (pa == pb or not pa or not pb)}


def link_agenda(points: list[Item], items: list[Item]) -> dict[str, str]:
    """Each agenda point's id → the id of the § that decided it; one § for at most one point.

    A pair qualifies when it shares a Dnr that no other point or § carries, or shares any Dnr
    and its titles are at least SHARED_DNR_THRESHOLD alike, or (no Dnr shared) its titles are
    at least TITLE_THRESHOLD alike. Two different Dnr on the two sides rule a pair out unless
    the normalised titles are equal. The best pairs are taken first (a shared Dnr, then title
    similarity, then the nearer position in each list), so two points competing for one §
    leave the weaker unlinked. Numbers are never compared: a notice's punkt 3 is often § 42.
    """
    point_keys = [_dnr_keys(p.dnr) for p in points]
    item_keys = [_dnr_keys(i.dnr) for i in items]
    point_titles = [_Title.of(p.title) for p in points]
    item_titles = [_Title.of(i.title) for i in items]
    carriers: dict[str, int] = {}
    for keys in point_keys + item_keys:
        for case in {c for _, c in keys}:
            carriers[case] = carriers.get(case, 0) + 1
    candidates = []
    for pi, point in enumerate(points):
        for ii, item in enumerate(items):
            shared = _same_case(point_keys[pi], item_keys[ii])
            if shared:
                unique = any(carriers[c] == 2 for c in shared)
                floor = 0.0 if unique else SHARED_DNR_THRESHOLD
            elif point_keys[pi] and item_keys[ii]:
                if point_titles[pi].text != item_titles[ii].text:
                    continue     # two different cases under alike titles
                floor = 1.0
            else:
                floor = TITLE_THRESHOLD
            similarity = _similarity(point_titles[pi], item_titles[ii], floor)
            if similarity < floor:
                continue
            distance = abs(pi / max(len(points), 1) - ii / max(len(items), 1))
            candidates.append((bool(shared), similarity, -distance, pi, ii))
    candidates.sort(reverse=True)
    links: dict[str, str] = {}
    taken: set[int] = set()
    for _, _, _, pi, ii in candidates:
        if points[pi].id in links or ii in taken:
            continue
        links[points[pi].id] = items[ii].id
        taken.add(ii)
    return links


@dataclass
class MeetingLinks:
    """Both directions of a meeting's agenda links, by item id."""
    decided_in: dict[str, Item] = field(default_factory=dict)       # point id → its §
    on_agenda: dict[str, list[Item]] = field(default_factory=dict)  # § id → its points


def link_meeting(items: list[Item]) -> MeetingLinks:
    """The agenda links of one meeting's items: the points of each agenda document (a notice,
    its papers) linked to the § of the minutes. A meeting without both has none."""
    minutes = [i for i in items if i.label.startswith("§")]
    out = MeetingLinks()
    if not minutes:
        return out
    by_id = {i.id: i for i in items}
    agendas: dict[str, list[Item]] = {}
    for item in items:
        if not item.label.startswith("§"):
            agendas.setdefault(item.document_id, []).append(item)
    for points in agendas.values():
        for point_id, item_id in link_agenda(points, minutes).items():
            out.decided_in[point_id] = by_id[item_id]
            out.on_agenda.setdefault(item_id, []).append(by_id[point_id])
    return out
