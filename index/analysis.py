"""Swedish analysis: exact forms, Snowball stems, compound parts and folded letters (refs #3).

Each text yields terms for three fields, all at the same token positions so phrases work:
- exact:  the lower-cased words as written (ranks exact matches above stem matches);
- stem:   Snowball stems with Swedish fixes, plus the stems of compound parts and of
          shared-hyphen expansions ("bygg- och miljönämnden" -> byggnämnd);
- folded: the stems with å/ä/ö/é folded away, for queries and PDF text without them.
Stop words are removed on the surface form, before stemming (Snowball stems "nära" to "när").
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple

import snowballstemmer

from .compounds import get_splitter

STOP_WORDS = frozenset("""
och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke
mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut
när efter upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket
sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några deras blir
mina samma vilken er sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem vilket
sitta sådana vart dina vars vårt våra ert era vilkas
""".split())

# A word: letters/digits, with inner hyphens ("it-bolaget", "30-åring") and a hanging hyphen
# of a shared-hyphen form ("hälso- och sjukvård").
_WORD = re.compile(r"§\s?\d+[a-z]?\b|&(?=[a-zåäö])[^\W_]+|[^\W_]+(?:[-–][^\W_]+)*-?", re.UNICODE)
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a",
                       "ø": "o", "á": "a", "à": "a", "í": "i", "ó": "o", "ú": "u"})
_stemmer = snowballstemmer.stemmer("swedish")
# Entries of each per-word cache: words are Zipf-distributed, so the frequent ones stay cached
# while the long tail of a large archive does not grow memory without bound (refs #5).
WORD_CACHE = 100_000


class Token(NamedTuple):
    pos: int
    text: str        # lower-cased surface form
    start: int
    end: int


def fold(text: str) -> str:
    """'Gårdsförsäljning' -> 'gardsforsaljning'; other diacritics (Škorić) stripped too."""
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=WORD_CACHE)
def stem(word: str) -> str:
    """Snowball's Swedish stem, with the gaps filled that matter in minutes.

    Snowball leaves the definite singular in -n after a vowel ("skolan", "strategin"), the
    definite neuter "-et" ("protokollet", "ärendet", "hemmet") and the dropped e of
    "valsedlar"/"regler"; we strip and restore those (the first by the lexicon), and undouble
    a final consonant, the same way at index and query time.
    """
    if not word.isalpha():
        return word
    s = _stemmer.stemWord(word)
    if s[-1:] == "n" and (base := get_splitter().definite_base(s)):
        s = _stemmer.stemWord(base)         # skolan/skolans -> skola -> skol
    if len(s) >= 6 and s.endswith("et"):
        s = s[:-2]
    if len(s) >= 4 and s[-1] in "lr" and s[-2] not in "aeiouyåäölr" :
        s = s[:-1] + "e" + s[-1]            # valsedl -> valsedel, regl -> regel
    if len(s) >= 4 and s[-1] == s[-2] and s[-1] not in "aeiouyåäö":
        s = s[:-1]                          # protokoll/protokollet -> protokol
    return s


def tokenize(text: str) -> Iterator[Token]:
    """Words with positions; stop words are dropped here, before any stemming."""
    for pos, (start, end, word) in enumerate(word_spans(text)):
        yield Token(pos, word, start, end)


@lru_cache(maxsize=WORD_CACHE)
def word_parts(word: str) -> tuple[str, ...]:
    """Compound parts and hyphen parts of one word, lower-cased ('' when it has none)."""
    if "-" in word or "–" in word:
        pieces = [p for p in re.split(r"[-–]", word) if p]
        out = list(pieces)
        for piece in pieces:
            out.extend(word_parts(piece))
        return tuple(out)
    if len(word) < 7 or not word.isalpha():
        return ()
    parts = get_splitter().split(word)
    if not parts and fold(word) == word and not get_splitter().is_word(word):
        # refs #14: a word the lexicon does not know, written without å/ä/ö, may be a folded
        # compound ("hemsjukvardsavtalet"): its parts come folded from the folded lexicon
        parts = get_splitter(folded=True).split(word)
    return tuple(parts)


def is_known_word(word: str) -> bool:
    """True when the hunspell-sv lexicon knows `word` (lower case) or an inflection of it."""
    return get_splitter().is_word(word)


# refs #3: letters that bad PDF text puts where å/ä/ö stood ("nira" for "nära", "hilso",
# "hdlso" for "hälso", "6kad" for "ökad", "ing3" for "ingå", "&r" for "är").
DAMAGE = {"i": "ä", "d": "ä", "&": "ä", "é": "ä", "6": "ö", "3": "å"}
DAMAGED_LETTERS = frozenset(DAMAGE)


@lru_cache(maxsize=100_000)
def repair(word: str) -> str:
    """The dictionary word a damaged token stood for, or '' when it is not damaged.

    Only tokens that are not words themselves are tried, with at most two letters
    replaced, and the result must be a word of the lexicon: so names stay as they are.
    """
    if len(word) < 3 or len(word) > 30 or DAMAGED_LETTERS.isdisjoint(word):
        return ""
    splitter = get_splitter()
    if (splitter.is_word(word) or not splitter.available
            or not re.fullmatch(r"[a-zåäöé&36]+", word)):
        return ""
    spots = [i for i, c in enumerate(word) if c in DAMAGE]
    if len(spots) > 6:
        return ""
    # one letter replaced, then two; may_have_letter() rules out most of them cheaply
    singles = {i: word[:i] + DAMAGE[word[i]] + word[i + 1:] for i in spots}
    failed = set()
    for i in spots:
        if not splitter.may_have_letter(singles[i], i):
            failed.add(i)
        elif _letters_only(singles[i]) and splitter.is_word(singles[i]):
            return singles[i]
    for n, i in enumerate(spots):
        if i in failed and len(word) - i > splitter.max_add:
            continue        # the same beginning up to i: no pair with i can be a word
        for j in spots[n + 1:]:
            candidate = singles[i][:j] + DAMAGE[word[j]] + word[j + 1:]
            if (splitter.may_have_letter(candidate, i) and splitter.may_have_letter(candidate, j)
                    and _letters_only(candidate) and splitter.is_word(candidate)):
                return candidate
    return ""


def _letters_only(word: str) -> bool:
    return not any(c.isdigit() or c == "&" for c in word)


@lru_cache(maxsize=WORD_CACHE)
def _stem_terms(word: str) -> tuple[str, ...]:
    word = word.rstrip("-")
    if word.startswith("§"):
        return (re.sub(r"\s", "", word),)
    return (stem(word), *(stem(part) for part in word_parts(word)))


def expansions(words: list[str]) -> dict[int, list[str]]:
    """Shared-hyphen forms: 'bygg- och miljönämnden' -> {pos of bygg-: ['byggnämnden']}.

    `words` are the tokens' texts in order (a token's position is its index)."""
    out: dict[int, list[str]] = {}
    for i, word in enumerate(words):
        if not word.endswith("-") or len(word) < 3:
            continue
        # the next word after the conjunction (stop words are already gone, so "och" is too)
        if i + 1 < len(words):
            parts = word_parts(words[i + 1])
            head = parts[-1] if parts else ""
            if head:
                out.setdefault(i, []).append(word[:-1] + head)
    return out


_last = threading.local()       # the last text tokenized here: its fields share one pass


def _tokens(text: str) -> list[Token]:
    if getattr(_last, "text", None) is not text:
        _last.tokens = list(tokenize(text))
        _last.text = text
    return _last.tokens


STEM, FOLD = "^", "~"   # term marks in the merged field: '^' a stem or part, '~' folded


def _variant_terms(word: str, stems: list[str]) -> tuple[str, ...]:
    """The marked terms beside `word` at its position: '^' stems and parts, '~' folds."""
    fixed = repair(word)
    folds = [fold(t) for t in stems + list(_stem_terms(fixed) if fixed else ())]
    seen = {word}
    out = []
    for term in stems:
        if term not in seen:
            seen.add(term)
            out.append(STEM + term)
    for term in folds:
        if term not in seen and FOLD + term not in seen:
            seen.add(FOLD + term)
            out.append(FOLD + term)
    return tuple(out)


@lru_cache(maxsize=WORD_CACHE)
def _variants(token_text: str) -> tuple[str, ...]:
    """_variant_terms of a token without shared-hyphen expansions: cached per word."""
    return _variant_terms(token_text.rstrip("-"), list(_stem_terms(token_text)))


def _fused_terms(token_text: str, fused: list[str]) -> tuple[str, ...]:
    """The terms at a position with shared-hyphen expansions: the word, then its variants."""
    stems = list(_stem_terms(token_text))
    for form in fused:
        stems.extend(_stem_terms(form))
    word = token_text.rstrip("-")
    return (word, *_variant_terms(word, stems))


@lru_cache(maxsize=4 * WORD_CACHE)
def word_terms(token_text: str) -> tuple[str, ...]:
    """The terms analyze() gives at a position of this token (without expansions): the
    word as written, then its marked variants."""
    word = token_text.rstrip("-")
    if word.startswith("§"):
        return (word,)
    return (word, *_variants(token_text))


def analyze(text: str, field: str = "text") -> Iterator[tuple[int, str, int, int]]:
    """Terms of `text` for the merged field: (pos, term, start, end).

    At each position: the word as written; its stem, compound parts and shared-hyphen
    expansions marked '^' where they differ from the word; the folded forms of those marked
    '~' where folding changes them (including repairs of damaged PDF letters). One field
    instead of three keeps the index small and the build fast (refs #3, #5).
    With field='exact' only the written words are given.
    """
    tokens = _tokens(text)
    if field == "exact":
        for tok in tokens:
            yield tok.pos, tok.text.rstrip("-"), tok.start, tok.end
        return
    extra = expansions([tok.text for tok in tokens]) if "-" in text else {}
    for tok in tokens:
        fused = extra.get(tok.pos)
        for term in _fused_terms(tok.text, fused) if fused else word_terms(tok.text):
            yield tok.pos, term, tok.start, tok.end


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """The words of `text` as (start, end, token text); a token's position is its index."""
    out = []
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        if word.startswith("§"):
            word = re.sub(r"\s", "", word)     # '§ 86' -> '§86', one exact token
        if word not in STOP_WORDS:
            out.append((match.start(), match.end(), word))
    return out


def index_words(text: str) -> list[str]:
    """The texts of tokenize(text)'s tokens, without their places (faster)."""
    words = [w for w in map(str.lower, _WORD.findall(text)) if w not in STOP_WORDS]
    if "§" in text:
        words = [re.sub(r"\s", "", w) if w.startswith("§") else w for w in words]
    return words


def position_terms(text: str) -> list[str | tuple[str, ...]]:
    """What analyze(text) gives, position by position, for the bulk index writer: the
    token's text where its terms are word_terms(text), else the tuple of its terms."""
    words = index_words(text)
    if "-" not in text:
        return words
    out: list = list(words)
    for i, fused in expansions(words).items():
        out[i] = _fused_terms(words[i], fused)
    return out


def query_terms(word: str) -> dict[str, list[str]]:
    """What one query word matches: its exact form, its stem (and a shared-hyphen expansion),
    its folded stem, and the stems of its compound parts, which must all match together."""
    word = word.lower()
    whole = word.rstrip("-")
    stems = [stem(whole)] if not whole.startswith("§") else [whole]
    parts = [stem(p) for p in word_parts(whole)]
    return {
        "exact": [whole],
        "stem": stems,
        "folded": list(dict.fromkeys(fold(t) for t in stems + [whole])),
        "parts": list(dict.fromkeys(p for p in parts if p not in stems)),
    }
