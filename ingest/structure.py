"""From page texts to a document's items (§ paragraphs and agenda points); the document's
metadata (kind, organisation, body, date, title) is metadata.py's.

The layouts handled are those of ../shared/corpus/STRUCTURE.md: Ciceron minutes with § headings and an "Innehåll" list, kallelse
tables (Ärende | Beteckning | Förslag), numbered meeting notes, and Meetings Plus pages.
"""
from __future__ import annotations

import re

from archive import DNR_PATTERN as DNR, Item
from archive.vocabulary import MEETING_KINDS, point_label, section_label
from paragraf_common.boilerplate import BOILERPLATE, clean_text, repeated_lines

from .tables import CONTINUED

_DECISION_HEAD = re.compile(
    r"^(?:Beslut(?:\s*[–-].*)?|[\wåäö]+s beslut|Beslut i .*|Överenskommelse|"
    r"Förslag till beslut(?: i .*)?)\s*$", re.I)
_SUBHEAD = re.compile(
    r"^(?:Sammanfattning av ärendet|Beskrivning av ärendet|Beslutsunderlag|Förslag till beslut "
    r"på sammanträdet|Beslutsgång|Jäv|Reservation|Protokollsanteckning|Beslutet skickas till|"
    r"Upplysning|Ärendet|Bakgrund|Sammanfattning|Avstår från att rösta|Deltar inte i beslut(?:et)?|"
    r"Ärendebeskrivning|Yrkanden?|Omröstning.*)\s*:?\s*$", re.I)


# --- items ---------------------------------------------------------------------------------
def split_items(pages: list[str], kind: str) -> list[Item]:
    """Split a document into its items; whichever layout yields the most items wins."""
    lines = [(n, line) for n, page in enumerate(pages, start=1) for line in page.splitlines()]
    # A sub-heading ("Beslut") that opens most pages is the document's rhythm, not a header.
    repeated = {line for line in repeated_lines(pages)
                if not (_DECISION_HEAD.match(line) or _SUBHEAD.match(line))}
    candidates = [_paragraph_items(lines, repeated), _table_items(lines)]
    if kind in MEETING_KINDS:
        candidates.append(_numbered_items(lines, repeated))
    best = max(candidates, key=len)
    return best


_PARA_HEAD = re.compile(r"^\s*(?:•\s*)?(?:[A-ZÅÄÖ]{1,6}\s+)?§\s*(\d{1,4})(?:\s*([a-z])\b)?(.*)$")


def _is_toc_line(text: str) -> bool:
    r"""A line of the "Innehåll" list: dot leaders, an ellipsis or wide space, then a page
    number. refs #13: as the regex `(?:\.{3,}|…+|\s{3,})\s*\d{1,3}\s*$` this was cubic in a
    run of spaces (`§ 1` + 20,000 spaces + `X` ran over 120 s); read from the end instead."""
    text = text.rstrip()
    head = text.rstrip("0123456789")
    if not 1 <= len(text) - len(head) <= 3:
        return False
    if len(head) - len(head.rstrip()) >= 3:
        return True
    head = head.rstrip()
    return head.endswith("...") or head.endswith("…")


MAX_PARAGRAPH_SPAN = 2000   # § numbers one set of minutes can cover (a year's run is a few hundred)


def paragraph_range(lines) -> set[int] | None:
    """The cover's 'Paragrafer §§ 20-30' (or '§ 1-7', '13'): which § this document holds."""
    for _, line in lines[:400]:
        # refs #13: possessive, so a run of spaces is read once, not once per split of it
        match = re.search(r"Paragrafer\s++(?:§§?\s*+)?([\d\s,–-]++)$", line.strip())
        if match:
            numbers: set[int] = set()
            for part in re.split(r"\s*,\s*", match.group(1).strip()):
                ends = [int(n) for n in re.findall(r"\d{1,6}", part)]
                if ends:
                    if ends[-1] - ends[0] > MAX_PARAGRAPH_SPAN:
                        return None      # refs #13: '1-99999999999' is no meeting's range
                    numbers.update(range(ends[0], ends[-1] + 1))
            return numbers or None
    return None


# A person and a role ("Helena Köhler, handläggare"), not a title with a comma in it ("Ansökan
# om fullgörande av skolplikten på annat sätt, skollagen 24 kap 23 §"); refs #15
_NAME_AND_ROLE = re.compile(r"^[A-ZÅÄÖ][\w.'-]+(?:\s+(?:af\s+|von\s+|de\s+)?[A-ZÅÄÖ][\w.'-]+)+\s*"
                            r"(?:\([A-ZÅÄÖ]{1,3}\)\s*)?,(?:\s*$|\s+[a-zåäö])")


def _paragraph_items(lines, repeated) -> list[Item]:
    heads = []
    allowed = paragraph_range(lines)
    for i, (page, line) in enumerate(lines):
        match = _PARA_HEAD.match(line)
        if not match or (allowed and int(match.group(1)) not in allowed):
            continue
        rest = match.group(3)
        if rest and not re.match(r"\s\s|\s*+(?:$|Dnr|DNR|[A-ZÅÄÖ])", rest):  # refs #13: linear
            continue  # "§ 9 fortydligades" in running prose is a reference, not a heading
        title_line = _next_text(lines, i)
        if _is_toc_line(title_line[1]) or _is_toc_line(rest):
            continue  # a line of the "Innehåll" list
        if not rest.strip() and _NAME_AND_ROLE.match(title_line[1]):
            continue  # "§ 3" after a name in the attendance list: "Helena Köhler, handläggare"
        label = section_label(match.group(1), match.group(2))
        heads.append((i, label, rest, title_line))
    items = []
    for k, (i, label, rest, (title_idx, title_line)) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        rest_title = DNR.sub("", re.sub(r"(?i)\bdnr:?", "", rest)).strip(" :–-")
        if re.search(r"[A-Za-zåäöÅÄÖ]{3}", rest_title):
            title, body_start = _extend_title(lines, i + 1, rest_title)
        else:
            title, body_start = _extend_title(lines, title_idx + 1, title_line.strip())
        items.append(_make_item(label, title, lines, i, body_start, end, repeated, rest))
    return _dedupe(items)


def _numbered_items(lines, repeated) -> list[Item]:
    """Agenda points and meeting notes: '1.' / '1' / '• 1' / 'Punkt 8' heading lines in order."""
    heads, expected = [], 1
    for i, (page, line) in enumerate(lines):
        match = re.match(r"^\s*(?:•\s*)?(?:Punkt\s+)?(\d{1,2})\.?\s*(?:$|\s+([A-ZÅÄÖ].{2,}))$",
                         line, re.I)
        if not match:
            continue
        number = int(match.group(1))
        if not (expected <= number <= expected + 3):
            continue
        title = (match.group(2) or "").strip()
        title_idx = i
        if not title:
            title_idx, title = _next_text(lines, i)
            if not re.search(r"[A-Za-zåäöÅÄÖ]{3}", title) or re.match(r"^\s*(?:•\s*)?\d|^\s*\|", title):
                continue
        heads.append((i, number, title.strip(" •"), title_idx))
        expected = number + 1
    items = []
    for k, (i, number, title, title_idx) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        title, body_start = _extend_title(lines, title_idx + 1, title)
        items.append(_make_item(point_label(number), title, lines, i, body_start, end, repeated))
    return items if len(items) >= 2 else []


def _extend_title(lines, start: int, title: str) -> tuple[str, int]:
    """Titles wrap: 'Initiativ från … om att göra' + 'det möjligt att …' (lower-case go on)."""
    j = start
    while j < len(lines) and j < start + 3:
        nxt = lines[j][1].strip()
        if not nxt or not nxt[0].islower() or _SUBHEAD.match(nxt) or BOILERPLATE.match(nxt):
            break
        title += " " + nxt
        j += 1
    return title, j


def _next_text(lines, i):
    for j in range(i + 1, min(i + 6, len(lines))):
        text = lines[j][1].strip()
        if text and not re.fullmatch(r"(?:Dnr:?\s*)?[A-ZÅÄÖ0-9/:.\- ]{0,30}\d", text):
            return j, text
    return i, ""


_DNR_LINE = re.compile(r"^\s*(?:Dnr|Diarienummer)\b[:.]?\s*\S+\s*$", re.I)


# The closing block after the last item: "Underskrifter", "Vid protokollet … Justeras …", an
# e-signature receipt ("Undertecknat av följande personer"); refs #15
_SIGNATURE_HEAD = re.compile(r"^\s*(?:Underskrifter|Signaturer|Justeringsdag|Vid protokollet|"
                             r"Justeras|Justerat|Undertecknat av följande personer)\s*:?\s*$",
                             re.I)
_SIGNATURE_LINE = re.compile(r"^\s*[._]{10,}\s*$")


def _signature_start(lines, start: int, end: int) -> int:
    """Where the signature block after the last item begins (or `end`): a 'Underskrifter'
    heading, or the role line above the first dotted signature line."""
    for j in range(start, end):
        text = lines[j][1]
        if _SIGNATURE_HEAD.match(text):
            return j
        if _SIGNATURE_LINE.match(text):
            k = j - 1
            while k > start and not lines[k][1].strip():
                k -= 1
            return k if k > start and len(lines[k][1].split()) <= 3 else j
    return end


DNR_LINE_REACH = 15   # lines into an item's text where its own Dnr line may still be read


def _make_item(label, title, lines, head_idx, body_start, end, repeated, head_rest="") -> Item:
    while body_start < end and (not lines[body_start][1].strip()
                                or _DNR_LINE.match(lines[body_start][1])
                                and DNR.search(lines[body_start][1])):
        body_start += 1  # the item's "Dnr …" line belongs to its heading, not its text
    end = _signature_start(lines, body_start, end)
    dnr = [re.sub(r"\s*<br>\s*", "", d) for d in DNR.findall(head_rest)]
    if not dnr:
        for _, line in lines[head_idx:min(end, body_start + 3)]:
            match = re.search(r"(?i)\bdnr:?\s*(.+)$", line)
            if match:
                dnr = DNR.findall(match.group(1))[:1] or _odd_dnr(line)
                break
    body_lines = lines[body_start:end]
    # refs #15: a Dnr set at the right margin beside the § heading may be read after the
    # decision (or between 'Beslut' and its text): it is the heading's, not the text's
    for j, (_, line) in enumerate(body_lines[:DNR_LINE_REACH]):
        if _DNR_LINE.match(line):
            found = DNR.findall(line)[:1] or _odd_dnr(line)
            if not dnr or set(found) <= set(dnr):
                dnr = dnr or found
                if DNR.search(line):   # an odd one stays in the text too, to be found there
                    body_lines = body_lines[:j] + body_lines[j + 1:]
            break
    text = clean_text("\n".join(line for _, line in body_lines), repeated)
    # The pages the item's own words are on: not a page that only adds a blank, a signature
    # box or the next item's running lines.
    pages = [p for p, line in lines[head_idx:end] if line.strip() and line.strip() not in repeated
             and not BOILERPLATE.match(line.strip())] or [lines[head_idx][0]]
    return Item(label=label, title=re.sub(r"\s+", " ", title).strip()[:300], text=text,
                decision=extract_decision(text), dnr=dnr, presenter=extract_presenter(text),
                page_start=pages[0], page_end=pages[-1])


def _odd_dnr(line: str) -> list[str]:
    """The case number of a 'Dnr' line in a shape DNR does not know ('DNR:KNSLI/20014197',
    Högsby 2007): whatever stands after the label, if it has digits."""
    match = re.search(r"(?i)\b(?:dnr|diarienummer)\b[:.]?\s*([\w/.:-]*\d[\w/.:-]*)", line)
    return [match.group(1).strip(".:")] if match else []


def _dedupe(items: list[Item]) -> list[Item]:
    """The same § twice (a stub and the full text): keep the fuller one, in document order."""
    best: dict[str, Item] = {}
    for item in items:
        if item.label not in best or len(item.text) > len(best[item.label].text):
            best[item.label] = item
    kept = {id(i) for i in best.values()}
    return [i for i in items if id(i) in kept]


def extract_decision(text: str) -> str:
    """The text under 'Beslut' (or 'Förslag till beslut') up to the next sub-heading."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _DECISION_HEAD.match(line.strip()):
            out = []
            for nxt in lines[i + 1:]:
                if _SUBHEAD.match(nxt.strip()) or _DECISION_HEAD.match(nxt.strip()):
                    break
                out.append(nxt)
            decision = "\n".join(out).strip()
            if decision:
                return decision[:4000]
    match = re.search(r"(?s)\b(?:beslutar|beslutade)\s+att\b.{0,600}?(?:\.|$)", text)
    return match.group(0).strip() if match else ""


def extract_presenter(text: str) -> str:
    match = re.search(r"(?m)Föredragande:?\s*(.+)$", text)
    if match:
        return match.group(1).strip()[:200]
    match = re.search(r"(?m)^[ \t]*(?:•[ \t]*)?([A-ZÅÄÖ][^\n.]{2,120}?)\s+föredrar\b", text)
    return match.group(1).strip() if match else ""


# --- kallelse tables -----------------------------------------------------------------------
def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


_TIME = re.compile(r"^\d{1,2}[.:]\d{2}\s*[–-]\s*\d{1,2}[.:]\d{2}$|^\d{1,2}[.:]\d{2}$")
_LABEL = re.compile(r"^(?:Information|Beslut|Beslutsärenden?|Informationsärenden?|Diskussion)$", re.I)
_PERSON = re.compile(r"^[A-ZÅÄÖ][a-zåäöé]+(?:[ -][A-ZÅÄÖ][a-zåäöé]+)+(?:,\s*[\w ,&]+)?$")


def _table_items(lines) -> list[Item]:
    items, columns = [], None
    for page, line in lines:
        if not line.lstrip().startswith("|"):
            continue
        cells = _cells(line)
        lowered = [c.lower() for c in cells]
        if "ärende" in lowered:
            columns = {name: lowered.index(name) for name in lowered if name}
            continue
        continued = cells[0] == CONTINUED
        if columns is None or not (continued or re.fullmatch(r"\d{1,3}\.?", cells[0])):
            continue
        get = lambda *names: next((cells[columns[n]] for n in names  # noqa: E731
                                   if n in columns and columns[n] < len(cells)), "")
        title, presenter = _title_and_presenter(get("ärende"))
        dnr_cell = re.sub(r"\s*<br>\s*", "", get("beteckning", "dnr", "diarienummer"))
        if get("föredragande"):
            presenter.append(get("föredragande"))
        proposal_parts = [p.strip() for p in get("förslag", "förslag till beslut").split("<br>")
                          if p.strip()]
        if continued:
            if items:   # refs #15: a row broken over a page goes on here
                _continue_row(items[-1], title, dnr_cell, presenter, proposal_parts, page)
            continue
        while proposal_parts and (_TIME.match(proposal_parts[0]) or _PERSON.match(proposal_parts[0])
                                  or _LABEL.match(proposal_parts[0])):
            part = proposal_parts.pop(0)  # the time, the presenters and "Information" of a point
            if _PERSON.match(part) and not _LABEL.match(part):
                presenter.append(part)
        proposal = "\n".join(proposal_parts)
        items.append(Item(label=point_label(cells[0].rstrip('.')), title=title,
                          text=proposal, decision=_proposal_decision(proposal),
                          dnr=[dnr_cell] if dnr_cell else [], presenter=", ".join(presenter),
                          page_start=page, page_end=page))
    return items


def _title_and_presenter(cell: str) -> tuple[str, list[str]]:
    """An 'Ärende' cell: the title, then times and names of presenters set below it."""
    title_parts, presenter = [], []
    for part in (p.strip() for p in cell.split("<br>") if p.strip()):
        if presenter or _TIME.match(part) or (title_parts and _PERSON.match(part)):
            if not _TIME.match(part):
                presenter.append(part)
            continue
        title_parts.append(part)
    title = ""
    for part in title_parts:
        title += part if title.endswith("-") and part[:1].isdigit() else (" " + part)
    return title.strip(), presenter


def _proposal_decision(proposal: str) -> str:
    return re.sub(r"^Förslag till beslut[^\n]*\n", "", proposal).strip()


def _continue_row(item: Item, title: str, dnr: str, presenter: list[str],
                  proposal: list[str], page: int) -> None:
    """The rest of a row from the page before: its words go on in the same cells."""
    if title:
        item.title = f"{item.title} {title}".strip()
    if dnr and item.dnr and item.dnr[-1].endswith("-"):
        item.dnr[-1] += dnr
    if presenter:
        item.presenter = ", ".join(p for p in (item.presenter, *presenter) if p)
    if proposal:
        item.text = "\n".join(p for p in (item.text, *proposal) if p)
        item.decision = _proposal_decision(item.text)
        item.page_end = page
