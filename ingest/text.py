"""Plain text and Markdown: decoding, YAML front matter, page markers, tables, hyphenation."""
from __future__ import annotations

import re

import yaml


# refs #13: blank space in these line patterns never crosses a line end — "^\s*" under re.M
# let every line start of 2 MB of newlines scan all the rest (quadratic, over 120 s)
_PAGE_MARKER = re.compile(r"^[ \t]*<!--[ \t]*sida[ \t]+(\d+)[ \t]*-->[ \t]*$", re.M | re.I)
_TABLE_LINK = re.compile(r"^\[Tabell [^\]\n]*\]\([^)\n]*\)[ \t]*$", re.M)


_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# a valid UTF-8 sequence for a non-ASCII letter: a file that has them is UTF-8 at heart
_UTF8_LETTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def decode_text(data: bytes) -> str:
    """Decode text files as exported by municipal systems: UTF-8, UTF-16/32 with BOM, UTF-16
    without one, cp1252 (a superset of latin-1 for letters), or a mix of UTF-8 and cp1252 lines.

    Never raises: bytes that fit no encoding become U+FFFD.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    data = data.removeprefix(b"\xef\xbb\xbf")
    codec = _utf16_without_bom(data)   # before UTF-8: ASCII in UTF-16 is valid UTF-8 with NULs
    if codec:
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _UTF8_LETTER.search(data):
        # a UTF-8 file with some lines pasted from a cp1252 one: decode line by line
        return "".join(_decode_line(line) for line in data.splitlines(keepends=True))
    return data.decode("cp1252", errors="replace")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text (Swedish text is mostly
    Latin-1, so every other byte is NUL: odd positions for little endian, even for big)."""
    head = data[:4000]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if odd >= 0.4 * pairs and even < 0.1 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd < 0.1 * pairs:
        return "utf-16-be"
    return None


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


MAX_FRONT_MATTER = 64 * 1024


class _NoAliasLoader(yaml.SafeLoader):
    """safe_load without anchors and aliases: a few lines of `&a [*b, *b, …]` would otherwise
    expand to gigabytes when the metadata is turned into text ("billion laughs")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "alias not allowed", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(text: str):
    """YAML metadata (front matter, NAME.meta.yaml) as plain data; raises yaml.YAMLError."""
    if len(text) > MAX_FRONT_MATTER:
        raise yaml.YAMLError("metadata too large")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. a timestamp like 2025-13-45 fails in the constructor, not the parser
        raise yaml.YAMLError(str(exc)) from exc


def split_front_matter(text: str) -> tuple[dict, str, str | None]:
    """Return (front matter, body, warning). Malformed YAML is reported, never fatal."""
    if not text.startswith("---"):
        return {}, text, None
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return {}, text, None
    body = text[match.end():]
    try:
        meta = load_yaml(match.group(1))
    except yaml.YAMLError:
        return {}, body, "Framsidans metadata (YAML) är trasig och ignorerades."
    if meta is not None and not isinstance(meta, dict):
        return {}, body, ("Framsidans metadata (YAML) består inte av nycklar och värden och "
                          "ignorerades.")
    return meta or {}, body, None


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
    text = re.sub(r"(?m)^[ \t]*%.*$", "", text)
    text = re.sub(r"\\(?:sub)*section\*?\{([^}]*)\}", r"\n\1\n", text)
    text = re.sub(r"\\textbf\{([^}]*)\}|\\emph\{([^}]*)\}", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\\(?:begin|end)\{[^}]*\}(?:\[[^\]]*\])?", "", text)
    text = re.sub(r"\\[A-Za-zåäöÅÄÖ_@]+\*?(?:\[[^\]]*\])?", " ", text)
    text = text.replace("{", " ").replace("}", " ").replace("\\\\", "\n").replace("~", " ")
    return re.sub(r"[ \t]+", " ", text)


# refs #3: PDFs break words across lines ("an-\ntagna"); keep real hyphens ("hälso- och",
# "it-bolaget", "2027-\n2031") by joining only letter-hyphen-newline-lowercase-letter.
# refs #13: a match starts only where a run of letters starts; otherwise each letter of a
# 200 KB run would start a scan to its end (quadratic).
_HYPHEN_BREAK = re.compile(r"(?<![a-zåäöé])([a-zåäöé]{2,})-[ \t]*\r?\n[ \t]*(?!och\b|eller\b|samt\b)"
                           r"([a-zåäö]{2,})")


def join_hyphenation(text: str) -> str:
    return _HYPHEN_BREAK.sub(r"\1\2", text)


# OCR reads the section sign as a dollar sign ("$ 41", "$39 Dnr …", "Paragrafer $$ 39-47").
# Swedish minutes write sums in kronor, so a document with no "§" at all whose lines open
# with "$" and a number has lost its section signs, not gained dollars.
_DOLLAR_HEAD = re.compile(r"^[ \t]*\$[ \t]?\d", re.M)
_DOLLAR_SIGN = re.compile(r"(?<![\w$])\$(\$?)(?=[ \t]?\d{1,4}(?![\d.,]\d))")
MIN_DOLLAR_HEADS = 2     # one stray "$ 5" line is no pattern


def repair_section_signs(pages: list[str]) -> list[str]:
    """'§' for the '$' OCR put in its place, when the whole document reads that way."""
    if any("§" in page for page in pages):
        return pages
    if sum(len(_DOLLAR_HEAD.findall(page)) for page in pages) < MIN_DOLLAR_HEADS:
        return pages
    return [_DOLLAR_SIGN.sub(lambda m: "§" * (1 + len(m.group(1))), page) for page in pages]
