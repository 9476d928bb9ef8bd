"""Case numbers (diarienummer) in every common typing, as one token family (refs #14).

Officials type "SE 2026 00024", "ks 2024/744", "KS/2024:0744" or "RS 730/2017" for what a
document prints as "SE-2026-00024", "KS 2024/744" or "RS/730/2017": a prefix of two to six
letters in any case, separated from the year by nothing, a space, a slash, a colon, a dot or
a hyphen, then a serial of one to eight digits with or without leading zeros (two or more
when only spaces separate it). Every typing normalises to the key of archive.dnr_key
('se-2026-24'), the key the index stores for the document's own typing.

archive.DNR_PATTERN reads the typings of documents with punctuation; this module adds what
it does not: spaces only, lower-case prefixes in queries and serials of seven or eight digits.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from archive import dnr_key

_PREFIX = r"[A-Za-zÅÄÖåäö]{2,6}"
_SEP = r"\s*[/:.\-–]\s*"
_YEAR = r"(?:19|20)\d\d"
_AFTER = r"(?![\wåäöÅÄÖ]|[/:.\-–]\d|\.\.)"     # not a date, nor a range 'a..b'
# prefix, year, serial: 'SE 2026 00024', 'ks 2024/744', 'KS2024-744', 'SE/2026/00024'
_FORWARD = (rf"(?P<prefix>{_PREFIX})(?:{_SEP}|\s+)?(?P<year>{_YEAR})"
            rf"(?:{_SEP}(?P<serial>\d{{1,8}})|\s+(?P<spaced>\d{{2,8}})){_AFTER}")
# prefix, serial, year: 'RS/730/2017', 'rs 730/2017'
_REVERSED = rf"(?P<rprefix>{_PREFIX})(?:{_SEP}|\s+)(?P<rserial>\d{{1,8}})\s*/\s*(?P<ryear>{_YEAR}){_AFTER}"
CASE_NUMBER = re.compile(rf"(?<![\wåäöÅÄÖ/.:\-–])(?:{_FORWARD}|{_REVERSED})")
# a span of years ('plan 2027-2028') is not a case number
_SPAN = re.compile(r"\s*[-–]\s*(?:19|20)\d\d")


class CaseNumber(NamedTuple):
    start: int
    end: int
    text: str           # as typed
    key: str            # archive.dnr_key of it: 'se-2026-24'
    loose: bool         # a lower-case prefix: may be a word and a number ('budget 2024 15')


def find_case_numbers(text: str, documents: bool = False) -> list[CaseNumber]:
    """Case numbers typed any common way. In documents (documents=True) the prefix must be
    upper case, as printed; queries may type it in any case, and those in lower case are
    marked loose: the search checks the index holds such a case before reading it so."""
    out = []
    for match in CASE_NUMBER.finditer(text):
        prefix = match.group("prefix") or match.group("rprefix")
        if not (prefix.isupper() or prefix.islower()) or (documents and not prefix.isupper()):
            continue            # 'Budget 2024 15': a capitalised word, not a prefix
        serial = match.group("serial") or match.group("spaced") or match.group("rserial")
        year = match.group("year") or match.group("ryear")
        if match.group("serial") and _SPAN.fullmatch(text, match.end("year"), match.end()):
            continue
        key = dnr_key(f"{prefix}-{year}-{serial}")
        if key:
            out.append(CaseNumber(match.start(), match.end(), match.group(0), key,
                                  prefix.islower()))
    return out


def case_number_keys(text: str) -> list[str]:
    """The keys of the case numbers a document's text gives in typings archive.find_dnr
    does not read ('SE 2026 00024', serials of seven or eight digits)."""
    return list(dict.fromkeys(c.key for c in find_case_numbers(text, documents=True)))
