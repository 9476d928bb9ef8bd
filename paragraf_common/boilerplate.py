"""What is not content in a record's text: running headers, signature blocks, page numbers.

Shared by ingest (item text) and index (page units), so both strip the same lines (refs #3).
"""
from __future__ import annotations

import re
from collections import Counter

# refs #3: boilerplate that must never win a search (signature blocks, running headers)
BOILERPLATE = re.compile(
    r"^(?:Det här dokumentet är digitalt signerat|Transaktionsidentitet:.*|Justerandes sign.*|"
    r"Utdragsbestyrkande|Justerare\s+Expedierat/bestyrkt|Ordförandes sign.*|"
    r"Dokumentet är signerat av.*|Undertecknat av följande personer.*|"
    # refs #13: a signature service's stamp by its whole shape ("Underskriftstjänst:  Visma
    # Underskriftstjänst", "twoday Underskriftstjänst"), never a sentence that names one
    r"Underskriftstjänst:(?:\s+\S+(?: \S+)?\s+Underskriftstjänst)?|\S+(?: \S+)? Underskriftstjänst|"
    r"VISMA_SIGN_\S+|\d+\s*\(\d+\)|\d+\(\d+\))\s*$", re.I)


def repeated_lines(pages: list[str]) -> set[str]:
    """Lines printed on most pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    counts = Counter()
    for page in pages:
        counts.update({line.strip() for line in page.splitlines()[:8] + page.splitlines()[-4:]
                       if line.strip()})
    return {line for line, n in counts.items() if n >= max(3, len(pages) * 0.6)}


def clean_text(text: str, repeated: set[str]) -> str:
    """Item text without running headers, signature blocks and page numbers."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in repeated or BOILERPLATE.match(stripped):
            continue
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


# A table of contents ("Innehåll"): "§ 23 Dnr …", the title (maybe wrapped), dot leaders and
# a page number.
_CONTENTS_HEAD = re.compile(r"^(?:§\s*\d+[a-z]?\s+Dnr\b.*|§\s*\d+[a-z]?|Innehåll)$", re.I)
# refs #13: anchored on the page number at the end, so a long run of dots is scanned once,
# not once from each of its dots (quadratic)
_LEADERS = re.compile(r"(?<![.…])(?:\.{4,}|…{2,})\s*+\d{1,3}$")


def strip_contents(text: str) -> str:
    """A page without its table-of-contents entries (they repeat the items' titles)."""
    out: list[str] = []
    pending: list[str] = []          # lines after a "§ n Dnr" head, until its dot leaders
    for line in text.splitlines():
        stripped = line.strip()
        if _CONTENTS_HEAD.match(stripped):
            out.extend(pending)
            pending = [line]
        elif _LEADERS.search(stripped):
            pending = []             # the entry ends here: drop it whole
        elif pending and len(pending) < 4:
            pending.append(line)
        else:
            out.extend(pending)
            pending = []
            out.append(line)
    out.extend(pending)
    return "\n".join(out)
