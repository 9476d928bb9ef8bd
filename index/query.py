"""The query language officials type, parsed into clauses (refs #3).

Words are AND-ed; `"a phrase"`, `a OR b` (also `ELLER`), `-word`, `ord*`, `ord~`, case numbers
typed any way ("KS 2023/123"), `§ 86`, and Swedish field filters: `organ:`/`nämnd:`, `kommun:`,
`typ:`, `dnr:`, `år:`, `datum:2024-01..2024-06`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from archive import DNR_PATTERN, dnr_key
from archive.vocabulary import paragraph_key, section_label

from .case_numbers import find_case_numbers
from .errors import QueryError

# Bounds on the work one query may cause (refs #7): the text is cut off before parsing, every
# word, phrase word and filter counts as a clause, and only a few words may expand (ord*, ord~;
# each expansion is capped again in search.py).
MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 32
MAX_EXPANDING = 4
MAX_WORD_CHARS = 64         # compound splitting and spelling suggestions grow with word length
FIELD_NAMES = {
    "organ": "body", "nämnd": "body", "namnd": "body", "styrelse": "body",
    "kommun": "organisation", "organisation": "organisation", "region": "organisation",
    "typ": "kind", "dnr": "dnr", "diarienummer": "dnr", "år": "year", "ar": "year",
    "datum": "date", "möte": "meeting", "mote": "meeting", "paragraf": "paragraph",
}


@dataclass
class Clause:
    kind: str            # word, phrase, prefix, fuzzy, dnr, paragraph
    value: str | list[str]
    # a case number typed with a lower-case prefix ('ks 2024 744'), which may also be words
    # and a number ('budget 2024 15'): its words, read instead when the index has no such case
    words: list[str] = field(default_factory=list)


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)   # AND of ORs
    negations: list[Clause] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""

    @property
    def empty(self) -> bool:
        return not self.groups


_TOKEN = re.compile(r'(-?)(?:([\wåäöÅÄÖ]+):)?(?:"([^"]*)"|(\S+))')


def parse_query(text: str) -> ParsedQuery:
    """Parse what the user typed. Raises QueryError with a Swedish hint when it cannot.

    Some 65 lines long: case numbers and § references are taken out of the text first, then
    one pass over the tokens reads phrases, OR, exclusions, filters and expansions in order."""
    text = text or ""
    if len(text) > 4 * MAX_QUERY_CHARS:  # refuse before doing any work on it
        raise _too_long(len(text))
    # invisible format characters (direction marks, soft hyphens, zero widths) go; control
    # characters, NUL and odd spaces become spaces
    text = "".join(ch if ch.isprintable() else "" if unicodedata.category(ch) == "Cf" else " "
                   for ch in text)
    text = text.replace("\u201d", '"').replace("\u201c", '"').strip()
    if len(text) > MAX_QUERY_CHARS:
        raise _too_long(len(text))
    if text.count('"') % 2:
        raise QueryError('Ett citattecken saknar sin motpart. Skriv fraser inom två citattecken, '
                         'till exempel "nära vård".')
    query = ParsedQuery()
    # "ks/2025:00970" typed in lower case: a prefix glued to a number is a case number's
    text = re.sub(r"(?<![\w-])([a-zåäö]{1,6})(?=[/-](?:\d{4}\b|\d+/\d{4}))",
                  lambda m: m.group(1).upper(), text)
    # Case numbers and § first: they contain spaces and slashes that words would split.
    # refs #14: every common typing (any case, spaces, slash/colon/hyphen, leading zeros)
    for case in reversed(find_case_numbers(text)):
        if re.match(r"[\wåäö]+:", case.text.lower()) and \
                case.text.split(":", 1)[0].lower() in FIELD_NAMES:
            continue        # a filter ('år:2025', 'datum:2024-01'), read below
        words = [w for c in _clauses(case.text, False) for w in [c.value]] if case.loose else []
        query.groups.insert(0, [Clause("dnr", case.key, words)])
        text = text[:case.start] + " " + text[case.end:]
    for match in list(DNR_PATTERN.finditer(text)):
        value = match.group(0)
        if re.fullmatch(r"(?:19|20)\d\d-[01]\d(?:-[0-3]\d)?", value):
            continue
        query.groups.append([Clause("dnr", value)])
        text = text.replace(value, " ", 1)
    for match in list(re.finditer(r"(?<![\w:])§\s?(\d{1,4})\s?([a-z])?\b", text)):
        query.groups.append([Clause("paragraph", paragraph_key(section_label(*match.groups())))])
        text = text.replace(match.group(0), " ", 1)
    pending_or = False
    for match in _TOKEN.finditer(text):
        negate, name, quoted, bare = match.groups()
        raw = quoted if quoted is not None else bare
        if name and name.lower() in FIELD_NAMES:
            _add_filter(query, FIELD_NAMES[name.lower()], raw)
            continue
        if name:  # "foo:bar" with an unknown field: search the words
            raw = f"{name} {raw}"
        if quoted is None and raw in ("OR", "ELLER", "|"):
            pending_or = bool(query.groups)
            continue
        clauses = _clauses(raw, quoted is not None)
        if not clauses:
            continue
        if negate:
            query.negations.extend(clauses)
        elif pending_or and query.groups:
            query.groups[-1].extend(clauses)
        else:
            query.groups.extend([c] for c in clauses)
        pending_or = False
    _check_size(query)
    # "dnr RS/730/2017": the word 'dnr' adds nothing once the number is there
    if any(c.kind == "dnr" for g in query.groups for c in g):
        query.groups = [g for g in query.groups
                        if not (len(g) == 1 and g[0].kind == "word" and g[0].value == "dnr")]
    return query


def _too_long(length: int) -> QueryError:
    return QueryError(f"Sökningen är för lång ({length} tecken). Använd högst "
                      f"{MAX_QUERY_CHARS} tecken, till exempel några nyckelord.")


def clause_count(query: ParsedQuery) -> int:
    """Words, phrase words, case numbers and filter values: what one search has to look up."""
    clauses = [c for g in query.groups for c in g] + query.negations
    return (sum(len(c.value) if c.kind == "phrase" else 1 for c in clauses)
            + sum(len(v) for v in query.filters.values()))


def _check_size(query: ParsedQuery) -> None:
    if clause_count(query) > MAX_CLAUSES:
        raise QueryError(f"Sökningen har för många ord. Använd högst {MAX_CLAUSES} ord och "
                         "filter, till exempel de mest utmärkande orden.")
    clauses = [c for g in query.groups for c in g] + query.negations
    words = [w for c in clauses for w in (c.value if isinstance(c.value, list) else [c.value])]
    if any(len(w) > MAX_WORD_CHARS for w in words):
        raise QueryError(f"Ett ord i sökningen är för långt. Sök på ord med högst "
                         f"{MAX_WORD_CHARS} tecken, eller dela upp det med mellanslag.")
    expanding = sum(c.kind in ("prefix", "fuzzy") for c in clauses)
    if expanding > MAX_EXPANDING:
        raise QueryError(f"Sökningen har för många ord med * eller ~. Använd högst "
                         f"{MAX_EXPANDING} sådana ord.")


def _clauses(raw: str, quoted: bool) -> list[Clause]:
    from .analysis import STOP_WORDS, tokenize
    if quoted:
        words = [t.text.rstrip("-") for t in tokenize(raw)]
        if len(words) > 1:
            return [Clause("phrase", words)]
        return [Clause("word", w) for w in words]
    raw = raw.strip("()[]{}.,;!?¿¡'`´«»<>")
    if not raw:
        return []
    if raw.endswith("*") and len(raw.rstrip("*")) >= 2:
        stemless = re.sub(r"[^\wåäö-]", "", raw.rstrip("*").lower())
        return [Clause("prefix", stemless)] if len(stemless) >= 2 else []
    if raw.endswith("~") and len(raw.rstrip("~")) >= 3:
        word = re.sub(r"[^\wåäö-]", "", raw.rstrip("~").lower())
        return [Clause("fuzzy", word)] if len(word) >= 3 else []
    out = []
    for tok in tokenize(raw):
        if tok.text not in STOP_WORDS and tok.text.strip("-"):
            out.append(Clause("word", tok.text))
    return out


def _add_filter(query: ParsedQuery, name: str, value: str) -> None:
    value = value.strip()
    if not value:
        return
    if name == "date":
        match = re.fullmatch(r"(\d{4}(?:-\d\d){0,2})?\s*\.\.\s*(\d{4}(?:-\d\d){0,2})?", value)
        if match and (match.group(1) or match.group(2)):
            query.date_from = match.group(1) or ""
            query.date_to = match.group(2) or ""
        elif re.fullmatch(r"\d{4}(?:-\d\d){0,2}", value):
            query.date_from = query.date_to = value
        else:
            raise QueryError("Datum skrivs som datum:2024-01-31, datum:2024-01 eller som ett "
                             "intervall: datum:2024-01..2024-06.")
        return
    if name == "year" and not re.fullmatch(r"\d{4}", value):
        raise QueryError("År skrivs med fyra siffror, till exempel år:2025.")
    if name == "dnr" and dnr_key(value) is None:
        raise QueryError("Diarienummer skrivs med år och löpnummer, till exempel "
                         "dnr:KS-2025-00970 eller dnr:\"KS 2025/970\".")
    query.filters.setdefault(name, []).append(value)
