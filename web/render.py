"""Record text as safe HTML: query words marked, Markdown sources rendered (refs #15)."""
from __future__ import annotations

import re
from html import unescape as html_unescape

from markupsafe import Markup, escape

import archive
import index


def highlight(text: str, q: str, id_prefix: str = "traff",
              limit: int | None = None) -> tuple[Markup, int]:
    """The text escaped, the words of `q` marked in its first `limit` characters (default
    index.HIGHLIGHT_CHARS, 0 none); returns (html, number of marks)."""
    if not q or limit == 0:
        return escape(text), 0
    html, count = index.highlight_query(text, q, id_prefix,
                                        index.HIGHLIGHT_CHARS if limit is None else limit)
    return Markup(html), count


# refs #15: Markdown sources (and text files converted to Markdown) render as HTML: tables as
# tables, headings as headings. The text is someone else's: raw HTML, links and images are not
# Markdown we honour, so they stay text; search matches are marked inside the text nodes.
_MARKDOWN_SIGNS = re.compile(r"(?m)^\s*\|?\s*:?-{3,}:?\s*\|[-|: ]*$|^#{1,6}\s+\S")
_UNSAFE_MARKDOWN = ("html", "link", "reference", "image_link", "image_reference",
                    "short_reference", "short_image_ref", "autolink", "automail")


def looks_like_markdown(doc: archive.Document, text: str) -> bool:
    return (doc.media_type in ("text/markdown", "text/plain")
            and bool(_MARKDOWN_SIGNS.search(text)))


def render_markdown(text: str, q: str, id_prefix: str) -> tuple[Markup, int]:
    """Markdown as safe HTML (raw HTML escaped, no links or images), wide tables in their own
    scroll box, query matches marked; returns (html, number of marks)."""
    import markdown
    md = markdown.Markdown(extensions=["tables"])
    md.preprocessors.deregister("html_block")
    md.parser.blockprocessors.deregister("reference")   # "[1]: url" lines stay text
    for name in _UNSAFE_MARKDOWN:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    html = md.convert(text)
    # the one tag converters put in table cells is a line break: the escaped "<br>" becomes one
    html = re.sub(r"&lt;br\s*/?&gt;", "<br>", html, flags=re.I)
    html = html.replace("<table>", '<div class="table-scroll" tabindex="0" role="region" '
                                   'aria-label="Tabell"><table>').replace("</table>", "</table></div>")
    if not q:
        return Markup(html), 0
    out, count = [], 0
    for part in re.split(r"(<[^>]*>)", html):
        if part.startswith("<") or not part:
            out.append(part)
            continue
        marked, n = index.highlight_query(html_unescape(part), q, id_prefix)
        out.append(re.sub(r'<mark id="[^"]*-(\d+)">',
                          lambda m: f'<mark id="{id_prefix}-{count + int(m.group(1))}">', marked))
        count += n
    return Markup("".join(out)), count
