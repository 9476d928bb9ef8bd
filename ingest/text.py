"""Plain text and Markdown: decoding, YAML front matter, page markers, tables, hyphenation."""
from __future__ import annotations

import re

import yaml

from .errors import UnreadableFile

_PAGE_MARKER = re.compile(r"^\s*<!--\s*sida\s+(\d+)\s*-->\s*$", re.M | re.I)
_TABLE_LINK = re.compile(r"^\[Tabell [^\]]*\]\([^)]*\)\s*$", re.M)


def decode_text(data: bytes) -> str:
    """Decode text files as exported by municipal systems: UTF-8, UTF-16 with BOM, or cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if data[:200].count(b"\x00") > 20:  # UTF-16 without BOM
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                continue
    return data.decode("cp1252", errors="replace")


def split_front_matter(text: str) -> tuple[dict, str, str | None]:
    """Return (front matter, body, warning). Malformed YAML is reported, never fatal."""
    if not text.startswith("---"):
        return {}, text, None
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return {}, text, None
    body = text[match.end():]
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, body, "Framsidans metadata (YAML) är trasig och ignorerades."
    return (meta if isinstance(meta, dict) else {}), body, None


def split_pages(body: str) -> list[str]:
    """Split on `<!-- sida N -->` markers; text without markers is one page."""
    marks = list(_PAGE_MARKER.finditer(body))
    if not marks:
        return [body.strip()]
    pages = []
    head = body[:marks[0].start()].strip()
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        pages.append(body[mark.end():end].strip())
    if head:
        pages[0] = head + "\n\n" + pages[0]
    return pages


def clean_markup(text: str) -> str:
    """Drop conversion artefacts a reader should not see: table CSV links, LaTeX commands."""
    text = _TABLE_LINK.sub("", text)
    if "\\begin{document}" in text or "\\section{" in text:
        text = _strip_latex(text)
    return text


def _strip_latex(text: str) -> str:
    text = re.sub(r"(?m)^\s*%.*$", "", text)
    text = re.sub(r"\\(?:sub)*section\*?\{([^}]*)\}", r"\n\1\n", text)
    text = re.sub(r"\\textbf\{([^}]*)\}|\\emph\{([^}]*)\}", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\\(?:begin|end)\{[^}]*\}(?:\[[^\]]*\])?", "", text)
    text = re.sub(r"\\[A-Za-zåäöÅÄÖ_@]+\*?(?:\[[^\]]*\])?", " ", text)
    text = text.replace("{", " ").replace("}", " ").replace("\\\\", "\n").replace("~", " ")
    return re.sub(r"[ \t]+", " ", text)


# refs #3: PDFs break words across lines ("an-\ntagna"); keep real hyphens ("hälso- och",
# "it-bolaget", "2027-\n2031") by joining only letter-hyphen-newline-lowercase-letter.
_HYPHEN_BREAK = re.compile(r"([a-zåäöé]{2,})-[ \t]*\r?\n[ \t]*(?!och\b|eller\b|samt\b)([a-zåäö]{2,})")


def join_hyphenation(text: str) -> str:
    return _HYPHEN_BREAK.sub(r"\1\2", text)
