"""Swedish compound splitting (kommunstyrelsen -> kommun + styrelsen) from the hunspell-sv lexicon.

Parts come from sv_SE.dic and the compound flags of sv_SE.aff, not from a word list here:
COMPOUNDBEGIN (X) stems may open a compound, COMPOUNDMIDDLE (U) stems stand inside one,
COMPOUNDEND (Y) stems and their inflected forms may close one. Suffixes carrying
COMPOUNDPERMITFLAG (W) generate the linking forms (z/y/x/w/v/u/t/s/r for X, g/h/f/i for U):
-s- (primärvårds-), -e- (ränte-), -o- (vecko-), -u- (varu-), a dropped vowel (skol-);
ONLYINCOMPOUND (Z) entries are such forms listed directly; SIMPLIFIEDTRIPLE gives natt|tåg.
Because the flags are sparse (e.g. "år" lacks Y), a word listed whole in the .dic may also
be split after a noun + linking -s (års|redovisning).

split() returns [modifier, head]. The modifier is the form it has as a word on its own
(avfalls -> avfall); the head is returned as it appears, inflection included ("avtalet"),
since a stemmer downstream normalises it. Three-part compounds (X + U + Y) come back at
the top level with the first two parts joined: förtidsröstningslokal -> [förtidsröstning,
lokal]; split the modifier again for deeper parts. Readings with fewer parts win, then
the longest modifier (delårs|rapport, not del|årsrapport).

Established words stay whole by rules measured on labelled minutes vocabulary: particle
modifiers (under|lag), derivations of noun-incorporating verbs (hand|läggare <- handlägga),
short bare nouns before a simplex participle (ord|förande), heads that mimic derivational
suffixes (sjuk|dom), and words whose lemma or source verb does not split at the same point
(serverad <- servera, servering <- servera).
"""
from __future__ import annotations

import functools
import os
import re
import threading

DIC_PATH = "/usr/share/hunspell/sv_SE.dic"
AFF_PATH = "/usr/share/hunspell/sv_SE.aff"
MIN_WORD = 6  # shorter tokens are practically never compounds worth splitting
MIN_PART = 3
CACHE_SIZE = 100_000
# Closed class of prepositions and verb particles: the words they open are particle-verb
# derivations (underlag, överklagande, självklart) whose parts mislead a search.
PARTICLES = frozenset(
    "under över efter fram genom åter mot till upp ut in av bort med om på för vid före "
    "sam samman fort fast full själv bak ned ner undan utom inne kring".split())
# Heads that double as derivational suffixes (-dom, -lek, -het, -bar, -skap read as
# s|kap) or the patronymic -son (Andersson).
SUFFIX_HEADS = frozenset(("dom", "lek", "het", "bar", "kap", "son"))
NOUN_FLAGS = "BCD"  # sv_SE.aff suffixes for definite forms (-et, -t, -en): marks nouns
_WORD_RE = re.compile(r"[a-zåäöéü]+")
Rule = tuple[str, str, str, "re.Pattern[str] | None"]  # strip, add, continuation, condition


# refs #14: text extracted or typed without å/ä/ö ("hemsjukvardsavtalet") splits over a folded
# copy of the lexicon
_FOLD = str.maketrans("åäöéü", "aaoeu")


def _read_aff(path: str, folded: bool = False) -> tuple[dict[str, str], dict[str, list[Rule]]]:
    flags = {"COMPOUNDBEGIN": "X", "COMPOUNDMIDDLE": "U", "COMPOUNDEND": "Y",
             "ONLYINCOMPOUND": "Z", "COMPOUNDPERMITFLAG": "W", "FORBIDDENWORD": "%"}
    suffixes: dict[str, list[Rule]] = {}
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = (text.translate(_FOLD) if folded else text).splitlines()
    for i, line in enumerate(lines):
        p = line.split()
        if len(p) == 2 and p[0] in flags:
            flags[p[0]] = p[1]
        elif len(p) == 4 and p[0] == "SFX" and p[2] in "YN":
            for q in (r.split() for r in lines[i + 1:i + 1 + int(p[3])]):
                add, _, cont = q[3].partition("/")
                cond = None if q[4] == "." else re.compile(f"(?:{q[4]})$")
                suffixes.setdefault(p[1], []).append(
                    ("" if q[2] == "0" else q[2], "" if add == "0" else add, cont, cond))
    return flags, suffixes


class CompoundSplitter:
    """Splits Swedish compounds into their parts using the hunspell-sv lexicon."""

    def __init__(self, dic_path: str | None = None, aff_path: str | None = None,
                 folded: bool = False) -> None:
        self._dic, self._aff = dic_path or DIC_PATH, aff_path or AFF_PATH
        self.folded = folded     # every word and affix with å/ä/ö folded to a/a/o
        self.available: bool = os.path.isfile(self._dic) and os.path.isfile(self._aff)
        self._loaded = False
        self._lock = threading.Lock()
        self._cached = functools.lru_cache(maxsize=CACHE_SIZE)(self._split_uncached)

    def split(self, word: str) -> list[str]:
        """Return the parts of a compound, lower-cased, each in the form it has as a word on its own
        (linking -s-/-e- removed, e.g. 'primärvårdsnivå' -> ['primärvård', 'nivå']), or [] when the
        word is not a compound or is an established word that must stay whole.

        The last part keeps the inflection it has in the word ('avtalet')."""
        if not self._loaded:
            with self._lock:  # the lexicon is read once, on first use
                if not self._loaded and self.available:
                    try:
                        self._load()
                    except (OSError, ValueError, IndexError, StopIteration, re.error):
                        self.available = False  # a broken lexicon means "no splitting"
                self._loaded = True
        if not self.available or not word:
            return []
        return list(self._cached(word.lower()))

    def is_word(self, word: str) -> bool:
        """True when `word` (lower case) is a dictionary word, an inflected form of one, or a
        compound-initial form such as 'hälso'. False when the lexicon is unavailable."""
        if not self.split("x") and not self.available:
            return False
        if word in self._stems or word in self._begin:
            return True
        return bool(self._lemmas(word, False))

    def definite_base(self, word: str) -> str:
        """'skolan' -> 'skola', 'strategin' -> 'strategi', 'slamstrategin' -> 'slamstrategi':
        the indefinite form of a definite singular in -n after a vowel, which Snowball leaves
        whole (refs #14); '' when `word` is no such form or the lexicon is unavailable.

        A word the lexicon lists itself (maskin, region, vin) stays; a word it does not know
        is judged by its longest known ending, the head of a compound."""
        if len(word) < 4 or word[-1] != "n" or word[-2] not in "aeiouyåäö":
            return ""
        if not self.split("x") and not self.available:
            return ""
        for start in range(0, len(word) - 3):
            tail = word[start:]
            if start and start < MIN_PART:
                continue
            known = tail in self._stems
            lemmas = self._lemmas(tail, False)
            if not known and not lemmas:
                continue
            if tail[:-1] in lemmas and (not known or tail in self._names):
                return word[:-1]
            return ""
        return ""

    # -- lexicon ---------------------------------------------------------------------
    def _load(self) -> None:
        flags, suffixes = _read_aff(self._aff, self.folded)
        self._x, self._u, self._y, self._z, permit, forbidden = (flags[k] for k in (
            "COMPOUNDBEGIN", "COMPOUNDMIDDLE", "COMPOUNDEND", "ONLYINCOMPOUND",
            "COMPOUNDPERMITFLAG", "FORBIDDENWORD"))
        self._stems: dict[str, str] = {}
        names, common = set(), set()
        with open(self._dic, encoding="utf-8") as fh:
            next(fh)  # entry count
            for line in fh:
                word, _, fl = line.rstrip("\n").partition("/")
                if self.folded:
                    word = word.translate(_FOLD)
                lower = word.lower()
                if forbidden not in fl and _WORD_RE.fullmatch(lower):
                    self._stems[lower] = self._stems.get(lower, "") + fl  # merge homographs
                    (names if word != lower else common).add(lower)
        self._names = names - common  # proper nouns only
        # Inflectional suffixes indexed by the added string, for reverse lookup of heads.
        self._inflect: dict[str, list[tuple[str, str, re.Pattern[str] | None]]] = {}
        for f, rules in suffixes.items():
            for strip, add, cont, cond in rules:
                if permit not in cont:
                    self._inflect.setdefault(add, []).append((f, strip, cond))
        self.max_add = max(map(len, self._inflect))   # longest inflectional ending
        self._lemma_memo: dict[tuple[str, bool], list[str]] = {}
        # for may_have_letter(): every beginning of a word up to one of its å/ä/ö, and the
        # inflectional endings that bring one (fötter, händer), by length
        self._umlaut_adds: dict[int, set[str]] = {}
        for add in self._inflect:
            if any(c in "åäö" for c in add):
                self._umlaut_adds.setdefault(len(add), set()).add(add)
        # Compound-initial and -medial forms: flagged stems plus the linking forms generated
        # by permit-flag suffixes, each mapped to the stems it came from.
        linking = {f: [r for r in rules if permit in r[2]] for f, rules in suffixes.items()}
        linking = {f: rules for f, rules in linking.items() if rules}
        begin: dict[str, list[str]] = {}
        middle: dict[str, list[str]] = {}
        wanted = set(linking) | {self._x, self._u}
        for word, fl in self._stems.items():
            for f in wanted.intersection(fl):
                if f in (self._x, self._u):
                    (begin if f == self._x else middle).setdefault(word, [])
                    continue
                for strip, add, cont, cond in linking[f]:
                    if word.endswith(strip) and (cond is None or cond.search(word)):
                        form = word[:len(word) - len(strip)] + add
                        for table, flag in ((begin, self._x), (middle, self._u)):
                            if flag in cont:
                                table.setdefault(form, []).append(word)
        self._begin = {f: self._lemma(f, g) for f, g in begin.items()}
        self._middle = {f: self._lemma(f, g) for f, g in middle.items()}
        self._umlaut_prefixes = {word[:i + 1] for table in (self._stems, self._begin)
                                 for word in table for i, c in enumerate(word) if c in "åäö"}

    def _is_noun(self, word: str) -> bool:
        return any(f in self._stems.get(word, "") for f in NOUN_FLAGS)

    def _lemma(self, form: str, generated: list[str]) -> str:
        """Free-standing word for a compound-initial form (skol -> skola, riks -> rike)."""
        stem = form[:-1]
        if form.endswith("s"):  # vårds (vård), samhälls (samhälle), hyres (hyra)
            first = [form, stem] if self._is_noun(form) else [stem, form]  # idrotts -> idrott
            guesses = [stem + "e", form[:-2] + "a"]
        else:
            first = [form]
            if form.endswith("e"):  # skatte (skatt), ränte (ränta), gymnasie (gymnasium)
                guesses = [stem, stem + "a", stem + "um", form + "a"]
            elif form[-1] in "aiouyåäö":  # vecko (vecka), varu (vara)
                guesses = [stem + "a", form + "a", form + "e", stem + "e"]
            else:  # dropped final vowel: skol (skola)
                guesses = [form + "a", form + "e"]
        generated = sorted(generated, key=lambda g: not form.startswith(g))  # köpe -> köp
        for need_end in (True, False):  # prefer words that may stand last, i.e. nouns
            for cand in first + generated + guesses:
                fl = self._stems.get(cand)
                if fl is not None and self._z not in fl and (self._y in fl or not need_end):
                    return cand
        # Listed only as a compound form: accept an inflected word (samverkans ->
        # samverkan), else assume a linking -s (delårs -> delår).
        inflected = [c for c in [stem] + guesses if len(c) > 2 and self._lemmas(c, False)]
        return inflected[0] if inflected else stem if form.endswith("s") else form

    def _lemmas(self, s: str, need_end: bool = True) -> list[str]:
        """Dictionary stems of which `s` is the stem itself or an inflected form."""
        key = (s, need_end)
        found = self._lemma_memo.get(key)
        if found is None:
            if len(self._lemma_memo) >= CACHE_SIZE:
                self._lemma_memo.clear()
            found = self._lemma_memo[key] = self._lemmas_uncached(s, need_end)
        return found

    def may_have_letter(self, word: str, i: int) -> bool:
        """False when no dictionary word, inflected form or compound form begins like
        word[:i + 1] with its letter å/ä/ö at i: a quick test before is_word() (refs #5)."""
        if word[:i + 1] in self._umlaut_prefixes:
            return True
        tail = len(word) - i
        return tail <= self.max_add and any(
            word[-n:] in adds for n, adds in self._umlaut_adds.items() if n >= tail)

    def _lemmas_uncached(self, s: str, need_end: bool) -> list[str]:
        stems, y, z = self._stems, self._y, self._z
        fl = stems.get(s)
        out = [s] if fl is not None and (y in fl or not need_end) and z not in fl else []
        n = len(s)
        inflect = self._inflect
        for k in range(1, min(self.max_add, n - 1) + 1):
            rules = inflect.get(s[n - k:])
            if rules is None:
                continue
            base = s[:n - k]
            for f, strip, cond in rules:
                fl = stems.get(stem := base + strip)
                if (fl is not None and f in fl and (y in fl or not need_end)
                        and z not in fl and (cond is None or cond.search(stem))):
                    out.append(stem)
        return out

    # -- splitting ---------------------------------------------------------------------
    def _split_uncached(self, w: str) -> tuple[str, ...]:
        if len(w) < MIN_WORD or not _WORD_RE.fullmatch(w):
            return ()
        readings = self._readings(w, relaxed=False)
        # A word listed whole is attested, so it may also split after noun + linking -s;
        # not proper nouns, though (Kungsbacka is no kung|backa).
        if not readings and w not in self._names and (w in self._stems or self._lemmas(w, False)):
            readings = self._readings(w, relaxed=True)
        elif not readings and w not in self._stems and not self._lemmas(w, False):
            readings = self._unknown_readings(w)
        if not readings:
            return ()
        surface, modifier, head = max(readings, key=lambda r: (len(r[0]), -len(r[2])))
        return () if self._lexicalised(w, surface, modifier, head) else (modifier, head)

    def _readings(self, w: str, relaxed: bool) -> list[tuple[str, str, str]]:
        """(modifier surface, modifier lemma, head) readings with the fewest parts."""
        two, three = [], []
        first = self._begin.get if not relaxed else lambda part: self._first(part, True)
        for i in range(MIN_PART, len(w) - MIN_PART + 2):  # +2: a shared letter (natt|tåg)
            if (lemma := first(w[:i])) is None:
                continue
            two += [(w[:i], lemma, head) for head in self._heads(w, i, relaxed)]
            if two or relaxed:
                continue  # 3-part readings only when there is no 2-part one
            for j in range(i + MIN_PART, len(w) - MIN_PART + 2):
                if (mid := w[i:j]) in self._middle:
                    three += [(w[:j], w[:i] + self._middle[mid], head)
                              for head in self._heads(w, j, False)]
        return two or three

    def _unknown_readings(self, w: str) -> list[tuple[str, str, str]]:
        """Readings of a word the lexicon does not know at all, whose flags cannot be
        consulted (refs #14: 'slamstrategi', 'platsmarkstaxa'): a noun of four letters or
        more, or a compound, with or without a linking -s, before a word that may close a
        compound, of four letters or more."""
        out = []
        for i in range(MIN_PART + 1, len(w) - MIN_PART):
            head = w[i:]
            if not self._lemmas(head, True):
                continue
            # the modifier without a linking -s first: platsmarks -> platsmark
            for lemma in (w[:i - 1] if w[i - 1] == "s" else "", w[:i]):
                if len(lemma) > MIN_PART and lemma not in self._names and (
                        self._is_noun(lemma) or self.split(lemma)):
                    out.append((w[:i], lemma, head))
                    break
        return out

    def _first(self, first: str, relaxed: bool) -> str | None:
        """Lemma of a compound-initial string, or None when it cannot open a compound."""
        if not relaxed:
            return self._begin.get(first)
        stem = first[:-1] if first.endswith("s") else ""  # linking -s attaches to nouns
        fl = self._stems.get(stem)
        if fl is not None and self._z not in fl and stem not in self._names and self._is_noun(stem):
            return stem
        return None

    def _heads(self, w: str, i: int, relaxed: bool) -> list[str]:
        """Compound-final strings after position i; SIMPLIFIEDTRIPLE: natt+tåg = nattåg."""
        tails = [w[i:]]
        if not relaxed and w[i - 1] == w[i - 2] and w[i] != w[i - 1]:
            tails.append(w[i - 1:])
        # Outside the flags, heads need 4+ letters: short words (era, kap) mimic suffixes.
        return [t for t in tails if len(t) >= MIN_PART + relaxed and self._lemmas(t, not relaxed)]

    def _lexicalised(self, w: str, surface: str, modifier: str, head: str) -> bool:
        """True when a lexicon-valid split is still wrong for search (see module docstring)."""
        if surface in PARTICLES or modifier in PARTICLES:
            return True
        head_lemmas = self._lemmas(head, need_end=False)
        if any(h in SUFFIX_HEADS for h in head_lemmas):
            return True
        bare = surface == modifier  # no linking element
        for h in head_lemmas:
            # Old noun-incorporating verbs (handlägga, vägleda): only short bare modifiers,
            # as the lexicon also lists productive ones (klimatanpassa) whose nouns split.
            if bare and len(modifier) <= 4 and any(
                    h.endswith(t) and modifier + h[:-len(t)] + "a" in self._stems
                    for t in ("are", "ande", "ning")):
                return True
            if (bare and len(modifier) <= 3 and h.endswith(("ande", "ende"))
                    and not self._readings(h, relaxed=False)):
                return True  # short bare noun + simplex participle: ord|förande
        # An inflected word must split where its lemma does (serverad: lemma servera).
        lemmas = [w] if w in self._stems else self._lemmas(w, need_end=False)
        if lemmas != [w] and lemmas and not any(
                r[0] == surface for lem in lemmas
                for r in self._readings(lem, False) or self._readings(lem, True)):
            return True
        # So must a nominalisation and its source verb: servering <- servera (serve|ra).
        for lem in lemmas:
            for tail in ("ing", "are", "ande"):
                verb = lem[:-len(tail)] + "a"
                if lem.endswith(tail) and verb in self._stems and not (
                        verb.startswith(surface) and len(verb) - len(surface) >= MIN_PART
                        and self._lemmas(verb[len(surface):], need_end=False)):
                    return True
        return False


@functools.lru_cache(maxsize=2)
def get_splitter(folded: bool = False) -> CompoundSplitter:
    """Process-wide splitter (folded: over the lexicon without å/ä/ö); the lexicon is read
    on the first split() call."""
    return CompoundSplitter(folded=folded)
