"""Text of HTML meeting pages: navigation, cookie banners and scripts dropped (stdlib parser)."""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "template", "svg", "iframe",
         "form", "button", "select"}
_BLOCK = {"p", "div", "section", "article", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
          "br", "table", "ul", "ol", "dd", "dt", "main", "aside", "blockquote", "pre"}
_JUNK = re.compile(r"cookie|consent|gdpr|banner|skip|breadcrumb|menu|navbar|share", re.I)
_VOID = {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source",
         "track", "wbr"}


class _TextParser(HTMLParser):
    """Iterative (no recursion, so any nesting depth is fine) and linear in the input: an end
    tag is looked for in the open elements only when such an element is open, and the
    elements it passes over are closed with it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.stack: list[tuple[str, bool]] = []
        self.open: Counter[str] = Counter()
        self.skip_depth = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            if tag == "br" and not self.skip_depth:
                self.parts.append("\n")
            return
        attrs_text = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role", "aria-label"))
        skip = tag in _SKIP or bool(_JUNK.search(attrs_text)) or (
            "role" in dict(attrs) and dict(attrs)["role"] in ("navigation", "banner"))
        self.stack.append((tag, skip))
        self.open[tag] += 1
        if skip:
            self.skip_depth += 1
        self.in_title = tag == "title"   # title text is plain text; any tag ends it
        if tag == "li" and not self.skip_depth:
            # refs #15: a list inside a list item is indented, so a meeting page's texts keep
            # their own bullet lists
            self.parts.append("\n" + "  " * (self.open["li"] - 1) + "• ")
        elif tag in _BLOCK and not self.skip_depth:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if self.open[tag]:
            while self.stack:
                name, skip = self.stack.pop()
                self.open[name] -= 1
                if skip:
                    self.skip_depth -= 1
                if name == tag:
                    break
        if tag in _BLOCK and not self.skip_depth:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skip_depth:
            self.parts.append(data)


def _collapse(line: str) -> str:
    """Runs of spaces made one; a nested list item's indent is kept (refs #15)."""
    indent = re.match(r" *(?=•)", line)
    body = re.sub(r"[ \t\xa0]+", " ", line).rstrip()
    return indent.group(0) + body.lstrip() if indent else body


def extract_html_text(data: str) -> tuple[str, str]:
    """Return (title, text) of an HTML page, one block per line."""
    parser = _TextParser()
    parser.feed(data)
    parser.close()
    text = "".join(parser.parts)
    lines = [_collapse(line) for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip()
    return title, text
