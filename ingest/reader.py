"""One file in, one ParsedDocument out: format detection, extraction, structure."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import unicodedata
from pathlib import Path

import yaml

from archive import ParsedDocument, Page
from archive.vocabulary import MINUTES, NOTICE
from paragraf_common.workers import set_stage

from . import metadata, structure
from .errors import UnreadableFile
from .html import extract_html_text
from .meeting_page import parse_meeting_page
from .personal import extra_personal_patterns, mask_personal_numbers
from .text import (MAX_FRONT_MATTER, clean_markup, decode_text, join_hyphenation, load_yaml,
                   repair_section_signs, split_front_matter, split_pages)

FORMATS = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html",
           ".txt": "text/plain", ".md": "text/markdown"}


def media_type_of(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def open_regular(path: str | os.PathLike, max_bytes: int) -> io.BufferedReader:
    """An open regular file no larger than max_bytes; anything else raises UnreadableFile.

    Opened without blocking and checked on the descriptor (refs #13): a FIFO would block
    the open and a device such as /dev/zero never ends, so neither may be read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not-a-file", "Inte en vanlig fil (t.ex. en FIFO eller en "
                                               "enhet) och lästes inte.", "read")
        if info.st_size > max_bytes:
            raise UnreadableFile("too-large", f"Filen är för stor ({info.st_size / 2**20:.3g} "
                                              f"MB; gränsen är {max_bytes / 2**20:.3g} MB).",
                                 "read")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file no larger than max_bytes (at most max_bytes are read,
    should it grow meanwhile)."""
    with open_regular(path, max_bytes) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableFile("too-large", f"Filen är för stor (gränsen är "
                                          f"{max_bytes / 2**20:.3g} MB).", "read")
    return data


def parse_document(data: bytes, filename: str, source: str, sidecar: dict | None = None,
                   *, ocr_max_pages: int = 0) -> ParsedDocument:
    """Extract and structure one file's bytes. Raises UnreadableFile with a reason.

    OCR reads at most ocr_max_pages pages of a file (0: no budget); the rest are named in
    a warning (refs #13: 100,000 blank pages would take a day). Some 65 lines long: one
    straight pass, format by format, each step setting the stage a killed worker reports."""
    filename = safe_filename(filename)
    media_type = media_type_of(Path(filename))
    if media_type is None:
        raise UnreadableFile("unknown-format", "Okänt filformat (stöds: PDF, HTML, TXT, MD).", "read")
    if not data.strip():
        raise UnreadableFile("empty", "Filen är tom.", "read")
    meta: dict = {}
    warnings: list[str] = []
    html_title = ""
    page = None
    if media_type == "application/pdf":
        from .pdf import extract_pdf_pages  # pdfminer only loads when a PDF comes
        set_stage("extract")
        pages = extract_pdf_pages(data)
        set_stage("ocr")
        pages, warning = _ocr_missing_pages(data, pages, ocr_max_pages)
        if warning:
            warnings.append(warning)
    else:
        set_stage("extract")
        text = decode_text(data)
        if _looks_binary(text):
            raise UnreadableFile("corrupt", "Filen innehåller binärdata, inte text.", "read")
        if media_type == "text/html" or re.match(r"\s*(<!doctype html|<html)", text[:200], re.I):
            html_title, text = extract_html_text(text)
            media_type = "text/html"
        else:
            meta, text, warning = split_front_matter(text)
            if warning:
                warnings.append(warning)
        page = parse_meeting_page(text) if not meta else None   # refs #15
        if page:
            text = page.text
        pages = split_pages(clean_markup(text))
    pages = repair_section_signs([join_hyphenation(p) for p in pages])
    if not any(re.search(r"\w{2}", p) for p in pages):
        raise UnreadableFile("empty", "Filen innehåller ingen läsbar text.", "extract")
    for key, value in (sidecar or {}).items():
        meta.setdefault(key, value)
    # refs #18: personal identity numbers are masked before anything is derived from the
    # text, so no item, title, snippet or index term can carry one; the original keeps them
    pages, personal_data = _mask_pages(pages)
    html_title = mask_personal_numbers(html_title, extra_personal_patterns())[0]
    if page:
        meta.setdefault("typ", MINUTES if page.texts else NOTICE)
    set_stage("structure")
    try:
        info = metadata.infer_metadata(pages, meta, filename, html_title)
        items = page.items if page else structure.split_items(pages, info["kind"])
    except RecursionError as exc:
        raise UnreadableFile("corrupt", "Dokumentets struktur kunde inte tolkas.",
                             "structure") from exc
    info["title"] = mask_personal_numbers(info["title"], extra_personal_patterns())[0]
    for item in items:     # a meeting page's items come from its text before the pages
        for name in ("title", "text", "decision", "presenter"):
            setattr(item, name, mask_personal_numbers(getattr(item, name), extra_personal_patterns())[0])
    return ParsedDocument(
        source=source, filename=filename, media_type=media_type,
        pages=[Page(n, text) for n, text in enumerate(pages, start=1)], items=items,
        warnings=warnings, personal_data=personal_data, **info)


def _mask_pages(pages: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    masked_pages, found = [], []
    patterns = extra_personal_patterns()
    for number, text in enumerate(pages, start=1):
        text, hits = mask_personal_numbers(text, patterns)
        masked_pages.append(text)
        found += [(number, hit.masked) for hit in hits]
    return masked_pages, found


def safe_filename(name: str) -> str:
    """The file name without control and invisible format characters (a newline in a name
    cannot go into a Content-Disposition header; a right-to-left override disguises one)."""
    return "".join("_" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name)


def _looks_binary(text: str) -> bool:
    """NUL, or many control characters and undecodable bytes: not a text file."""
    head = text[:65536]
    if "\x00" in head:
        return True
    odd = sum(1 for ch in head if ch == "\ufffd" or (ch < " " and ch not in "\t\n\r\f\v"))
    return odd > 0.05 * len(head)


def _ocr_missing_pages(data: bytes, pages: list[str], max_pages: int = 0
                       ) -> tuple[list[str], str]:
    """Pages without a text layer are read by OCR when Tesseract is installed (refs #5).

    Without it, a file with no text at all fails as "behöver OCR"; a file with some text is
    ingested and the missing pages are named in a warning.
    """
    from .ocr import ocr_available, ocr_pdf_pages
    missing = [n for n, text in enumerate(pages, start=1) if len(text.strip()) < 3]
    if not missing:
        return pages, ""
    if ocr_available():
        over = missing[max_pages:] if max_pages else []
        try:
            found = ocr_pdf_pages(data, missing[:max_pages] if max_pages else missing)
        except Exception as exc:  # a failing OCR run is reported like a missing one
            found, error = {}, f" (OCR misslyckades: {type(exc).__name__})"
        else:
            error = ""
        pages = [found.get(n, text) for n, text in enumerate(pages, 1)]
        skipped = set(over)            # a set: 100,000 blank pages made a list quadratic
        still = [n for n in missing if len(found.get(n, "").strip()) < 3 and n not in skipped]
        budget = (f" Över OCR-gränsen på {max_pages} sidor (OCR_MAX_PAGES), inte lästa: "
                  f"{_pages(over[:20])}{' …' if len(over) > 20 else ''}." if over else "")
        if not any(p.strip() for p in pages):
            raise UnreadableFile("no-text", "PDF:en saknar textlager och OCR hittade ingen "
                                            f"text{error}.{budget}", "extract")
        read = [n for n in missing if n not in skipped]
        return pages, (f"Sidor utan text efter OCR: {_pages(still)}{error}.{budget}" if still
                       else f"Sidor lästa med OCR: {_pages(read)}.{budget}")
    if len(missing) == len(pages):
        raise UnreadableFile("no-text", "PDF:en saknar textlager (skannad bild) och behöver OCR; "
                                        "installera tesseract-ocr-swe och poppler-utils.", "extract")
    return pages, f"Behöver OCR: sidorna {_pages(missing)} saknar textlager."


def _pages(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def read_sidecar(path: Path) -> dict:
    """Metadata beside a file: NAME.meta.yaml / NAME.meta.json, or a row of MANIFEST.tsv."""
    for suffix in (".meta.yaml", ".meta.yml", ".meta.json"):
        side = path.with_name(path.name + suffix)
        if side.is_file():
            try:
                if side.stat().st_size > MAX_FRONT_MATTER:
                    return {}
                text = side.read_text("utf-8")
                data = json.loads(text) if suffix == ".meta.json" else load_yaml(text)
                return data if isinstance(data, dict) else {}
            except (ValueError, RecursionError, yaml.YAMLError, OSError):
                return {}
    return _manifest_rows(path.parent).get(path.name, {})


_MANIFESTS: dict[Path, dict] = {}


def _manifest_rows(folder: Path) -> dict:
    if folder not in _MANIFESTS:
        rows: dict = {}
        manifest = folder / "MANIFEST.tsv"
        if manifest.is_file():
            try:
                reader = csv.DictReader(io.StringIO(manifest.read_text("utf-8")), delimiter="\t")
                for row in reader:
                    rows[row.get("file", "")] = _manifest_meta(row)
            except (OSError, csv.Error, UnicodeDecodeError):
                rows = {}
        _MANIFESTS[folder] = rows
    return _MANIFESTS[folder]


def _manifest_meta(row: dict) -> dict:
    meta: dict = {}
    if row.get("kind"):
        meta["typ"] = row["kind"]
    if re.fullmatch(r"\d{4}-\d\d-\d\d", row.get("meeting_date") or ""):
        meta["datum"] = row["meeting_date"]
    owner = re.sub(r"\s*\(.*?\)\s*", " ", row.get("body_organisation") or "").strip()
    if owner and not owner.startswith("NON-MUNICIPAL"):
        organisation, _, body = owner.partition(" – ")
        meta["organisation"] = organisation.strip(" ,")
        # refs #17: a note after the body ("kammaren, via ParlaMint-SE sample") is not its name
        body = body.split(",")[0].strip()
        if body:
            meta["body"] = body[:1].upper() + body[1:]
    return meta
