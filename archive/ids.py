"""Stable, readable ids derived from the records themselves (refs #2, #4)."""
from __future__ import annotations

import hashlib
import re
import unicodedata

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "a", "ø": "o"})


def slugify(text: str) -> str:
    """'Nämnden för Miljö & Hälsoskydd' -> 'namnden-for-miljo-halsoskydd'."""
    text = text.lower().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def meeting_id(organisation_slug: str, body_slug: str, date: str) -> str:
    """A meeting is one body on one day: 'kungsbacka/ks/2026-08-25'."""
    return f"{organisation_slug}/{body_slug}/{date}"


def document_id(key: str) -> str:
    """A short id from the document's identity key (organisation/body/date/kind/file name)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


# Case numbers as written in Swedish minutes (../shared/corpus/STRUCTURE.md §4); a PDF table may
# break one across a line ("IF-2023-<br>00055"), which find_dnr rejoins.
DNR_PATTERN = re.compile(
    r"\b(?:[A-ZÅÄÖ]{1,6}[ /-]?)?(?:19|20)\d\d\s?[-–/:.](?:[ \t]*<br>\s*|[ \t]*\n\s*)?\d{1,6}\b(?![-/]\d)"
    r"|\b[A-ZÅÄÖ]{1,6}/\d{1,6}/(?:19|20)\d\d\b"
    r"|\bDNR:\s?[A-ZÅÄÖ]{1,8}/\d{4}\.\d{1,6}\b")


def find_dnr(text: str) -> list[str]:
    """Case numbers in a text, each once, in order of appearance."""
    seen, out = set(), []
    for match in DNR_PATTERN.finditer(text):
        value = re.sub(r"\s*<br>\s*|\s*\n\s*", "", match.group(0))
        if (re.fullmatch(r"(?:19|20)\d\d-[01]\d-[0-3]\d?|(?:19|20)\d\d\s?[-–](?:19|20)\d\d", value)
                or value in seen):
            continue  # a date or a span of years, not a case number
        seen.add(value)
        out.append(value)
    return out


_DNR_PARTS = re.compile(r"[A-ZÅÄÖa-zåäö]+|\d+")


def dnr_key(value: str) -> str | None:
    """Normalise a case number so spelling variants meet (refs #3).

    'KS 2023/123', 'KS/2023:123' and 'KS-2023-00123' all give 'ks-2023-123';
    'RS/730/2017' gives 'rs-2017-730' (the year is the 4-digit group starting 19/20).
    Returns None when the value has no year and number.
    """
    parts = _DNR_PARTS.findall(value)
    letters = [p.lower() for p in parts if not p.isdigit() and p.lower() != "dnr"]
    numbers = [p for p in parts if p.isdigit()]
    if not numbers:
        return None
    year = next((n for n in numbers if len(n) == 4 and n[:2] in ("19", "20")), None)
    rest = [n for n in numbers if n is not year]
    if year is None or not rest:
        if len(numbers) == 1 and year is None:
            return None
        year, rest = (year or numbers[0]), rest or numbers[1:]
    serial = "-".join(str(int(n)) for n in rest)
    prefix = "".join(letters)
    return f"{prefix}-{year}-{serial}" if prefix else f"{year}-{serial}"
