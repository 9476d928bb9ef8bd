"""Personal identity numbers (personnummer, samordningsnummer) found in text, and masked.

A number counts only when its date is a real date (a samordningsnummer adds 60 to the day) and
its check digit is right (Luhn over the ten digits YYMMDDNNNC), so case numbers, phone numbers,
amounts, organisation numbers (month + 20) and dates are not flagged (refs #18).

Written forms recognised: YYMMDD-NNNN, YYMMDD+NNNN (over a hundred years old), YYYYMMDD-NNNN,
YYYYMMDDNNNN, and those with a space for the hyphen. Ten digits with no separator (YYMMDDNNNN)
are as often a phone or customer number, so they count only after a word that says what they
are ("personnummer", "pnr", "samordningsnummer", "född").
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from dataclasses import dataclass

__all__ = ["MASK", "PATTERNS_ENV", "PersonalNumber", "extra_personal_patterns",
           "find_personal_numbers", "mask_personal_numbers"]

MASK = "XXXXXX-XXXX"   # what a public view shows in place of a detected number

# Digits not glued to other digits, letters or a decimal separator on either side.
_NUMBER = re.compile(
    r"(?<![\w+-])(?<!\d[.,:/])"
    r"(?P<century>(?:18|19|20)(?=\d{6}\s?[-+]?\s?\d{4}(?!\w|[.,:/-]\d)))?"
    r"(?P<date>\d{6})(?P<sep> ?[-+] ?| )?(?P<tail>\d{4})(?!\w|[.,:/-]\d)")
_CUE = re.compile(r"(?:person|samordnings)(?:nummer|nr)|p-?nr|född|f\.", re.IGNORECASE)
_CUE_WINDOW = 30   # characters before a bare ten-digit number that may say what it is


# PERSONAL_DATA_PATTERNS reaches the extraction processes through the environment they inherit
PATTERNS_ENV = "PARAGRAF_PERSONAL_DATA_PATTERNS"


def extra_personal_patterns() -> tuple[re.Pattern, ...]:
    """The local identifiers configured to be treated like personal numbers (a JSON list of
    regular expressions in PATTERNS_ENV); none by default."""
    return _compiled(os.environ.get(PATTERNS_ENV, ""))


@functools.lru_cache(maxsize=4)
def _compiled(value: str) -> tuple[re.Pattern, ...]:
    if not value.strip():
        return ()
    patterns = json.loads(value)
    return tuple(re.compile(p) for p in ([patterns] if isinstance(patterns, str) else patterns))


@dataclass(frozen=True)
class PersonalNumber:
    start: int          # character offsets in the text
    end: int
    masked: str         # e.g. "850412-XXXX": what an archivist's report shows
    coordination: bool  # a samordningsnummer (day + 60)


def find_personal_numbers(text: str, extra_patterns: tuple[re.Pattern, ...] = ()
                          ) -> list[PersonalNumber]:
    """Every valid personal or coordination number in the text, in order.

    `extra_patterns` (PERSONAL_DATA_PATTERNS) flag local identifiers as they match, unvalidated."""
    found = [hit for match in _NUMBER.finditer(text) if (hit := _validate(text, match))]
    for pattern in extra_patterns:
        found += [PersonalNumber(m.start(), m.end(), _mask_other(m.group(0)), False)
                  for m in pattern.finditer(text) if m.end() > m.start()]
    return _without_overlaps(found)


def mask_personal_numbers(text: str, extra_patterns: tuple[re.Pattern, ...] = ()
                          ) -> tuple[str, list[PersonalNumber]]:
    """The text with every detected number replaced by MASK, and what was detected."""
    hits = find_personal_numbers(text, extra_patterns)
    if not hits:
        return text, []
    parts, last = [], 0
    for hit in hits:
        parts += [text[last:hit.start], MASK]
        last = hit.end
    parts.append(text[last:])
    return "".join(parts), hits


def _validate(text: str, match: re.Match) -> PersonalNumber | None:
    date, tail, sep = match["date"], match["tail"], match["sep"]
    century = match["century"]
    if not sep and not century and not _CUE.search(text, max(0, match.start() - _CUE_WINDOW),
                                                   match.start()):
        return None
    year, month, day = int(date[:2]), int(date[2:4]), int(date[4:])
    coordination = day > 60
    if coordination:
        day -= 60
    full_year = int(century) * 100 + year if century else 2000 + year
    if not _is_date(full_year, month, day) and not (century is None and _is_date(1900 + year, month, day)):
        return None
    if not _luhn_ok(date + tail):
        return None
    return PersonalNumber(match.start(), match.end(), f"{date}-XXXX", coordination)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        value = int(ch) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _mask_other(value: str) -> str:
    return re.sub(r"[0-9A-Za-z]", "X", value)


def _without_overlaps(hits: list[PersonalNumber]) -> list[PersonalNumber]:
    kept: list[PersonalNumber] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept
