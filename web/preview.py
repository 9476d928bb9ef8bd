"""One clean line of text for link previews and descriptions (refs #17)."""
from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def preview_text(text: str, limit: int = 200) -> str:
    """The text as one line (no line breaks, Markdown table bars or runs of spaces), cut at the
    last sentence end within `limit` characters, else at a word boundary with '…'."""
    flat = re.sub(r"<br\s*/?>", " ", text or "", flags=re.I)
    flat = re.sub(r"(?m)^\s*\|?[\s:|-]*-{3,}[\s:|-]*$", " ", flat)     # table rule rows
    flat = re.sub(r"(?m)^#{1,6}\s+", "", flat).replace("|", " ")
    flat = re.sub(r"\s+", " ", flat).strip()
    if len(flat) <= limit:
        return flat
    head = flat[:limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() >= limit // 3]
    if ends:
        return head[:ends[-1]]
    cut = head.rfind(" ")
    return head[:cut if cut > limit // 3 else limit].rstrip(" ,;:–-") + " …"
