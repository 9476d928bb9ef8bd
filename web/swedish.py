"""Swedish words for numbers of things, and the local time of a stored UTC timestamp (refs #17)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# singular, plural: one table, so every page, feed and notice says "1 träff" and "2 träffar"
NOUNS = {
    "träff": "träffar", "handling": "handlingar", "sammanträde": "sammanträden",
    "ärende": "ärenden", "sida": "sidor", "fil": "filer", "sökenhet": "sökenheter",
    "körning": "körningar", "nummer": "nummer", "paragraf": "paragrafer", "punkt": "punkter",
}

RUN_KINDS = {"ingest": "Inläsning", "reextract": "Omtolkning", "reindex": "Indexering"}

# what the summary of a run counts: the noun it counts, and the word after the number
RUN_FIELDS = {
    "ingested": ("fil", "inlästa", "inläst"), "replaced": ("fil", "ersatta", "ersatt"),
    "unchanged": ("fil", "oförändrade", "oförändrad"),
    "skipped": ("fil", "överhoppade", "överhoppad"), "failed": ("fil", "misslyckade", "misslyckad"),
    "reparsed": ("fil", "omtolkade", "omtolkad"),
    "indexed_units": ("sökenhet", "indexerade", "indexerad"),
    "units": ("sökenhet", "i indexet", "i indexet"), "documents": ("handling", "indexerade", "indexerad"),
}


def count_sv(n: int, singular: str, plural: str | None = None) -> str:
    """'1 träff', '2 träffar', '0 träffar' (the plural from NOUNS unless given)."""
    return f"{_number(n)} {singular if n == 1 else (plural or NOUNS.get(singular, singular))}"


def local_time(value: str | None) -> str:
    """A stored ISO timestamp (UTC) as Swedish local time, '2026-12-02 13:05'; '' for none."""
    if not value:
        return ""
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def run_kind_label(kind: str) -> str:
    return RUN_KINDS.get(kind, kind)


def run_summary_sv(summary: dict) -> str:
    """A run's counts as a Swedish sentence part: '3 filer inlästa, 1 fil misslyckad'."""
    parts = []
    for key, value in summary.items():
        if key == "seconds" and isinstance(value, (int, float)):
            parts.append(f"{_number(value)} s")
        elif key in RUN_FIELDS and isinstance(value, int):
            noun, plural_word, singular_word = RUN_FIELDS[key]
            parts.append(f"{count_sv(value, noun)} {singular_word if value == 1 else plural_word}")
    return ", ".join(parts)


def _number(n) -> str:
    """Swedish digit grouping with a (non-breaking) space: 12 345; decimals with a comma."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", "\u00a0").replace(".", ",")
    return f"{int(n):,}".replace(",", "\u00a0")
