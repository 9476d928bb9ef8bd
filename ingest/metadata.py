"""A document's metadata from its first pages: kind, organisation, body, date and title.

Front matter (and a sidecar) wins; inference from the text is the fallback. Page 1 of a policy
or guideline gives the adopting body and date (refs #15); a series name is never the title.
"""
from __future__ import annotations

import re
from collections import Counter

from archive import slugify
from archive.vocabulary import ATTACHMENT, MEETING_KINDS, MEMO, MINUTES, NOTICE, OTHER, PAPERS

MONTHS = {m: i for i, m in enumerate(
    "januari februari mars april maj juni juli augusti september oktober november december"
    .split(), start=1)}
_KIND_WORDS = [  # (pattern in file name or first page, kind); order matters
    (r"sammantr[aä]desanteckningar|minnesanteckningar", MINUTES),
    (r"protokoll", MINUTES),
    (r"kallelse|underr[aä]ttelse|f[oö]redragningslista|dagordning|agenda", NOTICE),
    (r"tj[aä]nsteskrivelse", MEMO),
    (r"handlingar|beslutsunderlag", PAPERS),
    (r"bilaga|policy|riktlinje", ATTACHMENT),
    (r"\bm[oö]te\b|sammantr[aä]de", MINUTES),   # a meeting page (Meetings Plus): its minutes
]
# front matter's `typ:` as written (also without å/ä/ö, or in English) -> the kind
_FRONT_KIND = {MINUTES: MINUTES, NOTICE: NOTICE, PAPERS: PAPERS, "tjansteskrivelse": MEMO,
               MEMO: MEMO, ATTACHMENT: ATTACHMENT, "other": OTHER, OTHER: OTHER}

ISO_DATE = r"((?:19|20)\d\d-[01]\d-[0-3]\d)"
LONG_DATE = r"(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)"
_BODY_LINE = re.compile(
    r"^(?:[A-ZÅÄÖ][\w&\- ]*?)?(?:n[aä]mnd(?:en)?|styrelse(?:n|ns)?|utskott(?:et)?|"
    r"revision(?:en)?|fullm[aä]ktige|beredning(?:en)?|arbetsutskott)(?:\s+f[oö]r\s+[\w& ]+)?"
    r"(?:\s+arbetsutskott)?$", re.I)
# refs #15: page 1 of a policy or guideline states who adopted it and when:
# "Antagen: Kommunfullmäktige 2018-06-18 § 98", "Fastställd av kommunstyrelsen den 12 mars 2019".
_BODY_NAME = (r"(?:[A-ZÅÄÖa-zåäö][\w&\- ]*?)?(?:n[aä]mnd(?:en)?|styrelse(?:n)?|utskott(?:et)?|"
              r"fullm[aä]ktige|revision(?:en)?|beredning(?:en)?|f[oö]rbundsdirektion(?:en)?)"
              r"(?:s\s+arbetsutskott)?(?:\s+f[oö]r\s+[A-ZÅÄÖa-zåäö]+(?:\s+(?:&|och)\s+[A-ZÅÄÖa-zåäö]+)?)?")
_ADOPTED = re.compile(
    r"(?im)^\W{0,3}(?:Antagen|Antaget|Antagna|Fastst[aä]lld|Fastst[aä]llt|Beslutad|Beslutat|"
    r"Godk[aä]nd|Godk[aä]nt|Reviderad|Reviderat)\b(?:\s+av)?\s*:?\s*(?:av\s+)?"
    r"(" + _BODY_NAME + r")?\s*,?\s*(?:§\s*\d+\s*,?\s*)?(?:den\s+)?(?:(" + ISO_DATE[1:-1] + r")|" + LONG_DATE + r")?")
_STATED_DATE = re.compile(
    r"(?im)^\W{0,3}(?:Version|Versionsdatum|Datum|Dokumentdatum|Giltig fr[aå]n|G[aä]ller fr[aå]n|"
    r"Senast reviderad|Upprättad)\s*:?\s*(?:\d+(?:\.\d+)*\s*,?\s*)?(?:den\s+)?" + ISO_DATE)
# Lines that name a collection or a kind of document, not this document (refs #15).
_SERIES_LINE = re.compile(
    r"^(?:[\w ]*?f[oö]rfattningssamling|[A-ZÅÄÖ]{0,5}FS(?:\s*\d{4}:\d+)?|"
    r"Styrdokument|Styrande dokument|Kommunala författningar|Regelsamling|"
    r"(?:Policy|Riktlinje|Riktlinjer|Reglemente|Plan|Program|Handbok|Rutin)(?:dokument)?)\s*$", re.I)


def infer_metadata(pages: list[str], meta: dict, filename: str, html_title: str = "") -> dict:
    """Organisation, body, date, kind and title of a document; front matter wins."""
    first = "\n".join(pages[:2])[:4000]
    head = pages[0][:1500] if pages else ""
    kind = _FRONT_KIND.get(str(meta.get("typ", "")).lower()) or infer_kind(f"{filename} {html_title}", head)
    organisation = str(meta.get("organisation") or "").strip()
    if not organisation and meta.get("kommun"):
        organisation = f"{str(meta['kommun']).strip().title()} kommun"
    if not organisation:
        organisation = infer_organisation(head)
    meta_body = canonical_body(str(meta.get("body") or ""))
    # the body a sidecar names wins over the one page 1 says adopted the text (refs #15)
    body = (meta_body if meta_body and adoption(head) else "") or infer_body(head) or meta_body
    body_slug = slugify(str(meta["organ"])) if meta.get("organ") else slugify(body)
    if not body and meta.get("organ"):
        body = str(meta["organ"]).replace("-", " ").capitalize()
    # refs #15: a meeting page's <title> ("Möte 2023-05-26 - SVOM") dates it when its text does not
    date = _iso(meta.get("datum")) or infer_date(first, kind) or infer_date(html_title, kind)
    title = str(meta.get("title") or "").strip() or html_title
    if not title:
        title = infer_title(pages, kind, body, date, filename)
    return {
        "kind": kind, "organisation": organisation, "organisation_slug": organisation_slug(organisation),
        "body": body, "body_slug": body_slug if body else "", "date": date, "title": title,
        "source_url": str(meta.get("kalla_url") or meta.get("source_url") or ""),
    }


def organisation_slug(name: str) -> str:
    """'Kungsbacka kommun' -> 'kungsbacka'; 'Region Halland' -> 'region-halland'."""
    return slugify(re.sub(r"(?i)\s+kommun$", "", name.strip()))


def _iso(value) -> str:
    text = str(value or "")
    match = re.fullmatch(r"\s*" + ISO_DATE + r"\s*", text)
    return match.group(1) if match else ""


def infer_kind(filename: str, head: str) -> str:
    name = filename.lower()
    for pattern, kind in _KIND_WORDS:
        if re.search(pattern, name):
            return kind
    for pattern, kind in _KIND_WORDS:
        if re.search(pattern, head[:400], re.I):
            return kind
    return OTHER


def infer_organisation(head: str) -> str:
    found = Counter()
    # "Umeå kommuns författningssamling" names Umeå kommun too (refs #15)
    for match in re.finditer(r"\b([A-ZÅÄÖ][a-zåäöA-ZÅÄÖ]+)\s+(kommun|KOMMUN)(?:s|S)?\b", head):
        found[f"{match.group(1).title()} kommun"] += 1
    for match in re.finditer(r"\bRegion[ \t]+([A-ZÅÄÖ][a-zåäö]+(?:[ \t]+[A-ZÅÄÖ][a-zåäö]+)?)", head):
        found[f"Region {match.group(1)}"] += 1
    return found.most_common(1)[0][0] if found else ""


def canonical_body(name: str) -> str:
    """'Valnämnd' and 'Valnämnden' are one body: use the definite form."""
    name = re.sub(r"\s+", " ", name).strip()
    # refs #17: after a genitive the name stays indefinite ("Kommunstyrelsens arbetsutskott",
    # "Socialnämndens individutskott"), as Swedish writes it
    if not re.search(r"\w{3,}s \S+$", name):
        name = re.sub(r"(?i)(n[aä]mnd)$", r"\1en", name)
        name = re.sub(r"(?i)(styrelse)$", r"\1n", name)
        name = re.sub(r"(?i)(utskott)$", r"\1et", name)
    return name[:1].upper() + name[1:]


def infer_body(head: str) -> str:
    """The body that adopted the document (refs #15: a title such as "Reglemente för tekniska
    nämnden" names another body), else a heading line naming the body."""
    adopted = adoption(head)
    if adopted and adopted[0]:
        return canonical_body(adopted[0])
    for line in head.splitlines()[:15]:
        # refs #15: a cell of a row read across ("Organ   Kommunrevisionen") names it too
        for cell in re.split(r"\s{3,}", line.strip()):
            cell = cell.strip()
            if 3 < len(cell) < 70 and _BODY_LINE.match(cell):
                return canonical_body(cell)
    return ""


def adoption(head: str) -> tuple[str, str] | None:
    """(body, ISO date) of page 1's "Antagen: Kommunfullmäktige 2018-06-18 § 98"; either may
    be empty; None without such a line."""
    for match in _ADOPTED.finditer(head):
        body, iso, day, month, year = match.groups()
        date = iso or (f"{year}-{MONTHS[month.lower()]:02d}-{int(day):02d}" if day else "")
        if body or date:
            return (body or "").strip(), date
    return None


def infer_date(text: str, kind: str) -> str:
    for pattern in (r"Sammanträdesdatum\s*:?\s*" + ISO_DATE, r"(?m)^\s*Datum\s*\n\s*" + ISO_DATE):
        match = re.search(pattern, text)
        if match:
            return match.group(1)
    match = re.search(r"Sammanträde\w*\s+(?:\w+dag(?:en)?\s+)?(?:den\s+)?" + LONG_DATE, text, re.I)
    if not match and kind in MEETING_KINDS:
        match = re.search(LONG_DATE, text[:1500], re.I)
    if match:
        day, month, year = match.groups()
        return f"{year}-{MONTHS[month.lower()]:02d}-{int(day):02d}"
    # refs #15: a policy's page 1 states its adoption ("Antagen: … 2018-06-18") or its version
    adopted = adoption(text[:3000])
    if adopted and adopted[1]:
        return adopted[1]
    stated = _STATED_DATE.search(text[:3000])
    if stated:
        return stated.group(1)
    if kind in MEETING_KINDS:
        match = re.search(ISO_DATE, text[:1500])
        if match:
            return match.group(1)
    return ""


def infer_title(pages: list[str], kind: str, body: str, date: str, filename: str) -> str:
    if body and date and kind in MEETING_KINDS:
        return f"{kind.capitalize()} {body} {date}"
    text = pages[0] if pages else ""
    for heading in re.finditer(r"(?m)^#+[ \t]*(.+)$", text):
        if not _not_a_title(heading.group(1).strip()):
            return heading.group(1).strip()[:160]
    for line in text.splitlines():
        line = line.strip(" •\t")
        if len(line) > 3 and re.search(r"[A-Za-zÅÄÖåäö]{3}", line) and not _not_a_title(line):
            return line[:160]
    return re.sub(r"\.[a-z0-9]+$", "", filename)


def _not_a_title(line: str) -> bool:
    """Lines of page 1 that are not the document's title: a series name ("Författningssamling"),
    the organisation, the adoption and version lines, a page number (refs #15)."""
    line = line.strip(" #*:")
    return bool(_SERIES_LINE.match(line) or _ADOPTED.match(line) or _STATED_DATE.match(line)
                or re.fullmatch(r"(?:[A-ZÅÄÖ][\w-]+\s+)?(?:kommun|KOMMUN|Kommun)|Region(?:\s+[A-ZÅÄÖ]\w+){1,2}",
                                line)
                or re.match(r"(?i)^(?:Sid(?:a|an)?\s*\d|Dnr\b|Diarienummer\b|Ansvarig\b|"
                            r"Dokumentansvarig\b|Gäller för\b|Giltig\b|Gäller från\b)", line))
