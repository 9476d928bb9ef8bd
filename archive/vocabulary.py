"""The words of the archive, defined once: document kinds and item labels (refs #16).

A document's `kind` is one of DOCUMENT_KINDS (Swedish, as stored, indexed and shown in URLs and
filters: `typ:protokoll`). Three kinds belong to a meeting (MEETING_KINDS): its minutes and the
notice and papers sent out before it. An item is labelled '§ 86' (a paragraph of minutes) or
'punkt 8' (an agenda point); its URL slug is ASCII ('p86', 'punkt-8'), its index key '§86'.
"""
from __future__ import annotations

import re

from .ids import slugify

MINUTES = "protokoll"                 # the record of a meeting: its items are § paragraphs
NOTICE = "kallelse"                   # the notice with the agenda
PAPERS = "handlingar"                 # the papers sent out with the notice
MEMO = "tjänsteskrivelse"             # an official's memo on one case
ATTACHMENT = "bilaga"
OTHER = "annat"

DOCUMENT_KINDS = (MINUTES, NOTICE, PAPERS, MEMO, ATTACHMENT, OTHER)
# the kinds that make a document part of a meeting (a body on a date)
MEETING_KINDS = (MINUTES, NOTICE, PAPERS)
# the kinds whose items are the points of an agenda
AGENDA_KINDS = (NOTICE, PAPERS)
# the order in which a case's documents arise, for its history on one date
CASE_ORDER = (NOTICE, PAPERS, MEMO, MINUTES)

KIND_LABELS = {MINUTES: "Protokoll", NOTICE: "Kallelse", PAPERS: "Handlingar",
               MEMO: "Tjänsteskrivelse", ATTACHMENT: "Bilaga", OTHER: "Annat"}


def kind_label(kind: str | None) -> str:
    """The kind as a person reads it: 'protokoll' -> 'Protokoll' (unknown kinds as they are)."""
    return KIND_LABELS.get(kind, kind or "")


def case_order(kind: str) -> int:
    """Where a document of this kind comes in a case's history on one date (others last)."""
    return CASE_ORDER.index(kind) if kind in CASE_ORDER else 9


# --- item labels and slugs -------------------------------------------------------------------
def section_label(number: int | str, letter: str | None = None) -> str:
    """The label of a paragraph of minutes: (86) -> '§ 86', (3, 'a') -> '§ 3 a'."""
    return f"§ {number}" + (f" {letter}" if letter else "")


def point_label(number: int | str) -> str:
    """The label of an agenda point: 8 -> 'punkt 8'."""
    return f"punkt {int(number)}"


def paragraph_key(label: str) -> str:
    """An item label as the index keys it, without spaces: '§ 87' -> '§87', '§ 3 a' -> '§3a'."""
    return re.sub(r"\s", "", label)


def item_slug(label: str) -> str:
    """'§ 86' -> 'p86', '§ 3 a' -> 'p3a', 'punkt 8' -> 'punkt-8': ASCII only, so a link survives
    mail and chat linkifiers (refs #17; '§86' URLs issued before answer 301, see ascii_slug)."""
    label = label.strip()
    if label.startswith("§"):
        return "p" + slugify(re.sub(r"\s+", "", label[1:]))
    return slugify(label)


def ascii_slug(slug: str) -> str:
    """An item slug as issued before refs #17 ('§86') in today's form ('p86')."""
    return "p" + slugify(slug[1:]) if slug.startswith("§") else slug


def legacy_slug(slug: str) -> str | None:
    """Today's slug of a paragraph ('p86') as ids were written before refs #17 ('§86');
    None for slugs that are no paragraph's."""
    return f"§{slug[1:]}" if re.fullmatch(r"p\d+[a-z]?", slug) else None
