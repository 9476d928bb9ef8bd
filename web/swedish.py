"""Swedish words for numbers of things, item labels as headings, and the local time of a
stored UTC timestamp (refs #17)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# singular, plural: one table, so every page, feed and notice says "1 träff" and "2 träffar"
NOUNS = {
    "träff": "träffar", "handling": "handlingar", "sammanträde": "sammanträden",
    "ärende": "ärenden", "sida": "sidor", "fil": "filer", "sökenhet": "sökenheter",
    "körning": "körningar", "nummer": "nummer", "paragraf": "paragrafer", "punkt": "punkter",
    "organ": "organ", "markerat ord": "markerade ord",
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
    return f"{_number(n)} {noun_sv(n, singular, plural)}"


def noun_sv(n: int, singular: str, plural: str | None = None) -> str:
    """The noun alone for n things, where the number is shown apart: 'träff', 'träffar'."""
    return singular if n == 1 else (plural or NOUNS.get(singular, singular))


def item_label(label: str | None) -> str:
    """An item's label as it opens a heading or a link: 'punkt 5' -> 'Punkt 5', '§ 86' kept.
    The archive stores 'punkt 5' (ids and the API are made from it); a page shows it
    capitalised (refs #17)."""
    label = (label or "").strip()
    return label[:1].upper() + label[1:]


def hits_sv(result) -> str:
    """The number of hits a search page names, the same in its heading, its description and
    its feed: '1 träff', '12 träffar', 'Inga träffar'. Counts the hits with every word when
    there are any (the others follow under 'Därefter …'), else all (refs #17)."""
    shown = result.total_all if result.mode == "all" and result.total_all else result.total
    return count_sv(shown, "träff") if result.total else "Inga träffar"


def feed_subtitle(result, q: str) -> str:
    """A search feed's subtitle: '1 träff för ”studiero”', as the page's heading."""
    return f"{hits_sv(result)} för ”{q}”" if q else hits_sv(result)


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
