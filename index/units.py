"""Search units derived from archive records: one per item, one per page outside items."""
from __future__ import annotations

from typing import Iterator

from archive import Document, Item, Page, dnr_key, find_dnr
from archive.vocabulary import paragraph_key
from paragraf_common.boilerplate import clean_text, repeated_lines, strip_contents

from .case_numbers import case_number_keys

MIN_PAGE_CHARS = 80
# refs #3: a cover page (attendance list) or the "Innehåll" list of a document with items
# must not outrank the items themselves
LEFTOVER_PAGE_BOOST = 0.35


def document_url(doc: Document) -> str:
    return f"/d/{doc.id}"


def item_url(item: Item) -> str:
    return "/" + item.id


def meeting_label(doc: Document) -> str:
    return f"{doc.body} {doc.date}".strip() if doc.meeting_id else ""


def _dnr_terms(values: list[str], text: str = "") -> list[str]:
    """Normalised keys, plus the bare year-serial so 'KS-2025-00620' meets '2025-00620';
    with the typings of `text` archive.find_dnr does not read ('SE 2026 00024', refs #14)."""
    keys = []
    for key in [dnr_key(v) for v in values] + case_number_keys(text):
        if key:
            keys.append(key)
            bare = key.split("-", 1)[1] if not key[0].isdigit() else key
            keys.append(bare)
    return list(dict.fromkeys(keys))


def units_for_document(doc: Document, pages: list[Page], items: list[Item]) -> Iterator[dict]:
    """The index documents (field dicts) of one archived document."""
    base = {
        "doc_id": doc.id, "source": doc.source, "date": doc.date or "",
        "organisation": doc.organisation or "", "body": doc.body or "",
        "meeting": doc.meeting_id or "", "meeting_label": meeting_label(doc),
        "kind": doc.kind, "year": doc.date[:4] if doc.date else "",
    }
    covered: set[int] = set()
    for item in items:
        covered.update(range(item.page_start, item.page_end + 1))
        text = item.text
        values = list(dict.fromkeys(item.dnr + find_dnr(text)))
        yield base | {
            "id": item.id, "unit": "item", "url": item_url(item), "label": item.label,
            "page": item.page_start, "paragraph": paragraph_key(item.label),
            "item": item.title[:120], "title": item.title,
            "decision": item.decision, "text": text,
            "dnr": " ".join(_dnr_terms(values, text)), "dnr_display": item.dnr,
        }
    # Pages no item covers: documents without items, cover pages, appended memos.
    repeated = repeated_lines([p.text for p in pages])
    for page in pages:
        if page.number in covered:
            continue
        text = clean_text(page.text, repeated)
        if items:  # refs #3: the "Innehåll" list repeats the items' titles; they answer instead
            text = strip_contents(text).strip()
        if not text or (items and len(text) < MIN_PAGE_CHARS):
            continue
        title = doc.title if len(pages) == 1 else f"{doc.title}, sida {page.number}"
        yield base | {
            "id": f"{doc.id}#p{page.number}", "unit": "page",
            "url": f"{document_url(doc)}/sida/{page.number}", "label": None, "page": page.number,
            "paragraph": "", "item": "", "title": title, "decision": "", "text": text,
            "dnr": " ".join(_dnr_terms(find_dnr(text), text)), "dnr_display": [],
            "_boost": LEFTOVER_PAGE_BOOST if items else 1.0,
        }
