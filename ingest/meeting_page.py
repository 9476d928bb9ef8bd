"""Meetings Plus / Netpublicator meeting pages: navigation boilerplate, an agenda list, then
the paragraph texts in meeting order (refs #15).

Such a page (as HTML, or its text saved with one "•" per list element) reads:

    Hoppa över navigering                    <- skip link, cookie banner: boilerplate
     •   1                                    <- agenda: a number, then its title
      Mötet öppnas
     •   7                                    <- only some points are listed ...
      Göteborgs universitet – …
     • Ordföranden … öppnar mötet.            <- ... but every point's text follows, in order
     • Stefan Szücs … föredrar punkten …

The texts carry no numbers, so they are matched to points by an order-keeping alignment that
prefers titles whose words the text repeats (one mechanism whether texts and points are as
many, or some points are unlisted, or some have no text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive import Item
from archive.vocabulary import point_label

from .structure import extract_decision, extract_presenter

__all__ = ["MeetingPage", "parse_meeting_page", "strip_page_boilerplate"]

# Lines of the site, not of the meeting: skip links, cookie banners, login and menu words.
_BOILERPLATE = re.compile(
    r"^(?:Hoppa (?:över|till) (?:navigering(?:en)?|(?:huvud)?inneh[aå]ll(?:et)?|menyn?)|"
    r"(?:Gå|Till|Direkt) till (?:huvud)?inneh[aå]ll(?:et)?|Skip (?:to (?:main )?content|navigation)|"
    r"(?:Vi|Den här webbplatsen|Webbplatsen|Denna webbplats) använder (?:kakor|cookies)\b.*|"
    r"(?:Godkänn|Acceptera|Neka|Tillåt)(?: alla)? (?:kakor|cookies).*|Läs mer om (?:kakor|cookies).*|"
    r"Cookie-?inställningar|Logga in|Logga ut|Meny|Stäng|Sök|Till toppen)\s*\.?\s*$", re.I)
_BULLET = re.compile(r"^(\s*)•\s?(.*)$")
_AGENDA_NUMBER = re.compile(r"^\s*(?:Punkt\s+)?(\d{1,3})\.?\s*$", re.I)
_ATTACHMENTS = re.compile(r"^(?:Bilagor|Bilaga|Handlingar|Dokument)\s*:?$", re.I)


@dataclass
class MeetingPage:
    text: str                                  # the page without the site's boilerplate
    items: list[Item] = field(default_factory=list)
    texts: int = 0                             # paragraph texts found after the agenda


def strip_page_boilerplate(text: str) -> str:
    """The page's text without skip links, cookie banners and other lines of the site."""
    lines = [line for line in text.splitlines() if not _BOILERPLATE.match(line.strip(" •\t\xa0"))]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")  # keep the first indent


def parse_meeting_page(text: str) -> MeetingPage | None:
    """Items of a meeting page, or None when the text is not laid out as one."""
    text = strip_page_boilerplate(text)
    blocks = _blocks(text)
    heads: list[int] = []                       # block indexes of agenda points, numbers rising
    points: dict[int, str] = {}
    for k, block in enumerate(blocks):
        head = _agenda_head(block)
        if head and (not points or head[0] > max(points)):
            heads.append(k)
            points[head[0]] = head[1]
    if len(heads) < 2:
        return None
    trailing = [_clean(b) for b in blocks[heads[-1] + 1:]]
    trailing = [t for t in trailing if re.search(r"\w{2}", t)]
    if len(trailing) >= len(heads):
        # the agenda first, then every point's text (the seed page): any number may take a text
        texts, bounds = trailing, [(1, None)] * len(trailing)
    else:
        # each listed point followed by its text and those of the unlisted points after it
        texts, bounds = [], []
        for n, k in enumerate(heads):
            end = heads[n + 1] if n + 1 < len(heads) else len(blocks)
            number = _agenda_head(blocks[k])[0]
            high = _agenda_head(blocks[end])[0] - 1 if end < len(blocks) else None
            for block in blocks[k + 1:end]:
                body = _clean(block)
                if re.search(r"\w{2}", body):
                    texts.append(body)
                    bounds.append((number, high))
    assigned = _align(texts, points, bounds)
    items = []
    for number in sorted(set(points) | set(assigned)):
        body = assigned.get(number, "")
        items.append(Item(label=point_label(number), title=points.get(number, ""), text=body,
                          decision=extract_decision(body),
                          presenter=extract_presenter(body).rstrip(" ,"),
                          page_start=1, page_end=1))
    return MeetingPage(text=text, items=items, texts=len(texts))


def _blocks(text: str) -> list[list[str]]:
    """Top-level list elements: a "•" at the page's smallest bullet indent starts a block;
    deeper bullets (lists inside a text) stay in the block they belong to."""
    lines = text.splitlines()
    indents = [len(m.group(1)) for m in map(_BULLET.match, lines) if m]
    if not indents:
        return []
    top = min(indents)
    blocks: list[list[str]] = []
    for line in lines:
        match = _BULLET.match(line)
        if match and len(match.group(1)) == top:
            blocks.append([match.group(2)])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def _agenda_head(block: list[str]) -> tuple[int, str] | None:
    """'1' then 'Mötet öppnas' (the number alone on the bullet's line, the title next)."""
    match = _AGENDA_NUMBER.match(block[0])
    if not match:
        return None
    rest = [line.strip() for line in block[1:] if line.strip()]
    if not rest or not re.search(r"[A-Za-zÅÄÖåäö]{3}", rest[0]):
        return None
    return int(match.group(1)), re.sub(r"\s+", " ", rest[0])


def _clean(block: list[str]) -> str:
    """A text's lines without the page's indent; a closing "Bilagor" whose links were not
    text is dropped."""
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in block]
    while lines and (not lines[-1] or _ATTACHMENTS.match(lines[-1])):
        lines.pop()
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-zåäöéü]{4,}", text.lower())}


def _similarity(title: str, text: str) -> float:
    words = _stems(title)
    return len(words & _stems(text)) / len(words) if words else 0.0


def _align(texts: list[str], points: dict[int, str],
           bounds: list[tuple[int, int | None]]) -> dict[int, str]:
    """Texts in meeting order to strictly increasing point numbers, each within its bounds
    (low, high or None): the order-keeping assignment whose texts best repeat their points'
    titles, listed points preferred."""
    if not texts:
        return {}
    slots = list(range(1, max(max(points), len(texts)) + len(texts) + 1))
    n, m = len(texts), len(slots)
    neg = float("-inf")

    def score(i: int, j: int) -> float:
        low, high = bounds[i]
        if slots[j] < low or (high is not None and slots[j] > high):
            return neg
        listed = slots[j] in points
        # an unlisted number past the agenda's last point costs a little, so texts stay inside
        return (_similarity(points.get(slots[j], ""), texts[i]) + (0.01 if listed else 0.0)
                - (0.001 * slots[j] if slots[j] > max(points) else 0.0))

    # best[i][j]: best total for texts[i:] using slots[j:]
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[n][j] = 0.0
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(score(i, j) + best[i + 1][j + 1], best[i][j + 1])
    if best[0][0] == neg:
        return {}
    out, j = {}, 0
    for i in range(n):
        while best[i][j] != score(i, j) + best[i + 1][j + 1]:
            j += 1
        out[slots[j]] = texts[i]
        j += 1
    return out
