"""Hostile content: markup in documents, titles, file names and queries is shown as text everywhere.

An archive is built once from files full of `<script>`, attribute break-outs, `javascript:` links
and HTML entities; every page is parsed and must contain those strings as text only (no element,
no event attribute, no script URL). Downloads serve archived originals by id only, with the
right headers, and every response carries a Content-Security-Policy without inline scripts.
(tests/test_web.py covers the basic escaping of the search page and two traversal paths.)
"""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from werkzeug.http import parse_options_header

from archive import Archive
from tests.conftest import build_data_dir, make_app, make_pdf

SCRIPT = "<script>alert('s1')</script>"
BREAKOUT = "\"><img src=x onerror=alert('i1')>"
TITLE = f"Protokoll {SCRIPT} {BREAKOUT}"
ENTITIES = "&lt;b&gt;entiteter&lt;/b&gt; &amp; &#x3C;script&#x3E;"
EVIL_NAME = "<img src=x onerror=alert('fn')>.txt"
QUOTE_NAME = 'rapport"; filename="ond.exe.txt'
OUR_SCRIPTS = {"/static/htmx.min.js", "/static/app.js"}
ACTIVE_TAGS = {"img", "svg", "iframe", "object", "embed", "math", "frame", "frameset", "base",
               "video", "audio", "source", "applet"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc",
             "hx-get", "hx-post", "hx-put", "hx-delete", "hx-patch"}
ATOM = "{http://www.w3.org/2005/Atom}"


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(data dir, ids) of an archive whose metadata and text are hostile markup."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "in"
    folder.mkdir()
    (folder / "protokoll.md").write_text(
        f"---\nkommun: {_yaml('Elak' + BREAKOUT)}\norgan: {_yaml('nämnd' + SCRIPT)}\n"
        f"datum: 2025-04-01\ntyp: protokoll\ntitle: {_yaml(TITLE)}\n"
        f"source_url: \"javascript:alert('url')\"\n---\n"
        f"ELAK KOMMUN\nSammanträdesprotokoll\n\n§ 1 Dnr KS-2025-00001\nBeslut om {SCRIPT} och {BREAKOUT}\n\n"
        f"Valnämnden beslutar att [klicka här](javascript:alert('md')) och "
        f"<a href=\"javascript:alert('a')\">länk</a> med {ENTITIES} i texten.\n", "utf-8")
    (folder / "mote.html").write_text(
        "<!doctype html><html><head><title>&lt;img src=x onerror=alert('t')&gt; Möte</title>"
        "</head><body><main><h1>Samverkansnämnden</h1><p>&lt;script&gt;alert('h1')&lt;/script&gt; "
        "Valnämnden beslutar om <a href=\"javascript:alert('ha')\">en länk</a></p>"
        "<script>alert('inline')</script></main></body></html>", "utf-8")
    (folder / EVIL_NAME).write_text("2025 12345 67890\n", "utf-8")
    (folder / QUOTE_NAME).write_text("Valnämnden 2024 citattecken i filnamnet\n", "utf-8")
    make_pdf(folder / "bilaga.pdf", ["Valnämnden bilaga om <script>alert('pdf')</script>\n"])
    data = root / "data"
    docs = build_data_dir(data, [folder])
    with Archive(data) as store:
        item = store.items(document=docs["protokoll.md"].id)[0]
    return data, docs, item


@pytest.fixture(scope="module")
def web(hostile):
    return make_app(hostile[0]).test_client()


class _Page(HTMLParser):
    """Elements, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.script_text if self._in_script else self.text).append(data)


def inert(html: str) -> str:
    """Assert the page has no element, event attribute or URL that hostile content could make;
    return its text (entities decoded, as a reader sees it)."""
    page = _Page()
    page.feed(html)
    page.close()
    for tag, attrs in page.tags:
        assert tag not in ACTIVE_TAGS, (tag, attrs)
        if tag == "script":
            assert attrs.get("src") in OUR_SCRIPTS, attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            url = (value or "").strip().lower()
            if name in URL_ATTRS and url != "data:,":   # our own empty favicon
                assert not url.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)
    assert not "".join(page.script_text).strip(), "inline script"
    return "".join(page.text)


def _pages(hostile) -> list[str]:
    data, docs, item = hostile
    md, html = docs["protokoll.md"], docs["mote.html"]
    q = quote(SCRIPT + " valnämnden " + BREAKOUT)
    return [
        "/sok?q=valn%C3%A4mnden", f"/sok?q={q}", "/sok?q=" + quote("\"><svg onload=alert(1)>"),
        "/sok?q=" + quote(f"organ:{SCRIPT}"),
        "/sok?q=valn%C3%A4mnden&body=" + quote(md.body) + "&organisation=" + quote(md.organisation),
        "/sok?q=12345", "/sok?q=citattecken", "/sok?q=" + quote("\"" + SCRIPT),
        f"/{item.id}", f"/{item.id}?q={q}", f"/d/{md.id}", f"/d/{md.id}?q={q}", f"/d/{md.id}/sida/1",
        f"/d/{html.id}", f"/d/{docs[EVIL_NAME].id}", f"/d/{docs[QUOTE_NAME].id}",
        f"/d/{docs['bilaga.pdf'].id}?q=script", f"/m/{md.meeting_id}",
        "/m/" + quote(SCRIPT, safe="") + "/x/2025-01-01", "/d/" + quote(BREAKOUT, safe=""),
    ]


def test_every_page_shows_hostile_markup_as_text(web, hostile):
    """Search, item, document, meeting and error pages (full and htmx) contain no element or script URL from content."""
    for url in _pages(hostile):
        for headers in ({}, {"HX-Request": "true"}):
            response = web.get(url, headers=headers)
            assert response.status_code in (200, 400, 404), (url, response.status_code)
            inert(response.text)


def test_titles_bodies_and_snippets_are_readable_text(web, hostile):
    """The hostile title, body, organisation and text appear literally, as characters a reader sees."""
    _, docs, item = hostile
    md = docs["protokoll.md"]
    results = inert(web.get("/sok?q=valn%C3%A4mnden").text)
    assert TITLE in results or item.title in results
    assert md.body in results and md.organisation in results          # facets
    page = inert(web.get(f"/{item.id}").text)
    assert f"Beslut om {SCRIPT} och {BREAKOUT}" in page
    assert "[klicka här](javascript:alert('md'))" in page
    assert "<a href=\"javascript:alert('a')\">länk</a>" in page
    assert ENTITIES in page          # the file's entities are text, not decoded markup
    document = inert(web.get(f"/d/{docs['mote.html'].id}").text)
    assert "<img src=x onerror=alert('t')> Möte" in document      # decoded once, at ingest
    assert "<script>alert('h1')</script>" in document and "alert('inline')" not in document


def test_highlighted_hostile_words_stay_text(web, hostile):
    """Marks around matched words in hostile text wrap escaped text only."""
    _, docs, item = hostile
    html = web.get(f"/{item.id}?q=script+alert").text
    assert "<mark" in html
    text = inert(html)
    assert SCRIPT in text
    snippets = web.get("/sok?q=alert+script").text
    assert "<mark>" in snippets and "<mark><script" not in snippets
    inert(snippets)


def test_file_names_are_text_on_pages_and_in_json(web, hostile):
    """A file named like an <img> tag is shown as its name on the document page and in the API's source."""
    _, docs, _ = hostile
    page = inert(web.get(f"/d/{docs[EVIL_NAME].id}").text)
    assert EVIL_NAME in page
    hits = web.get("/api/search?q=12345").get_json()["hits"]
    assert hits and hits[0]["source"] == EVIL_NAME
    assert hits[0]["title"] == EVIL_NAME.removesuffix(".txt")


def test_javascript_source_url_is_not_linked(web, hostile):
    """A front-matter source_url with javascript: is not turned into a link."""
    _, docs, _ = hostile
    html = web.get(f"/d/{docs['protokoll.md'].id}").text
    inert(html)
    assert "javascript:alert(&#39;url&#39;)" not in html and "alert('url')" not in html


def test_json_has_raw_titles_and_escaped_snippets(web, hostile):
    """/api/search returns titles, bodies and facets as raw text; only the snippet is HTML (escaped)."""
    _, docs, item = hostile
    md = docs["protokoll.md"]
    response = web.get("/api/search", query_string={"q": "valnämnden beslut alert", "limit": 50})
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    hit = next(h for h in data["hits"] if h["id"] == item.id)
    assert hit["title"] == item.title and SCRIPT in hit["title"]
    assert hit["body"] == md.body and hit["organisation"] == md.organisation
    assert "&lt;a href=" in hit["snippet"] and "<a " not in hit["snippet"]
    assert "&amp;lt;b&amp;gt;entiteter" in hit["snippet"]      # the file's entities, escaped once more
    for h in data["hits"]:
        inert(h["snippet"])
        assert h["snippet"].replace("<mark>", "").replace("</mark>", "").count("<") == 0
    values = {r["value"] for rows in data["facets"].values() for r in rows}
    assert md.body in values and md.organisation in values


def test_json_echoes_a_hostile_query_raw(web):
    """The API echoes the query as typed (raw, JSON-encoded), also in its 400 answer."""
    q = SCRIPT + " valnämnden"
    assert web.get("/api/search", query_string={"q": q}).get_json()["query"] == q
    bad = web.get("/api/search", query_string={"q": '"' + SCRIPT})
    assert bad.status_code == 400 and bad.get_json()["query"] == '"' + SCRIPT
    assert bad.mimetype == "application/json" and "citattecken" in bad.get_json()["error"]


def test_atom_feed_escapes_titles_and_summaries(web, hostile):
    """The search feed is well-formed XML; titles are raw text, summaries escaped HTML without elements."""
    _, _, item = hostile
    response = web.get("/sok.atom", query_string={"q": "valnämnden " + SCRIPT})
    feed = ET.fromstring(response.data)
    assert feed.find(f"{ATOM}title").text == "Paragraf: valnämnden " + SCRIPT
    entries = feed.findall(f"{ATOM}entry")
    assert any(item.title in e.find(f"{ATOM}title").text for e in entries)
    for entry in entries:
        summary = entry.find(f"{ATOM}summary").text or ""
        assert "<script" not in summary
        inert(summary)


# --- downloads ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name,mimetype", [("protokoll.md", "text/markdown"),
                                           ("mote.html", "text/html"),
                                           ("bilaga.pdf", "application/pdf"),
                                           (EVIL_NAME, "text/plain"), (QUOTE_NAME, "text/plain")])
def test_download_headers(web, hostile, name, mimetype):
    """An original downloads by id with its type, nosniff, and a Content-Disposition naming exactly the file."""
    _, docs, _ = hostile
    doc = docs[name]
    response = web.get(f"/d/{doc.id}/fil")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    kind, params = parse_options_header(response.headers["Content-Disposition"])
    assert kind == "attachment" and params["filename"] == name
    assert response.data == (Path(hostile[0]) / "files" / doc.sha256[:2] / doc.sha256).read_bytes()
    inline = web.get(f"/d/{doc.id}/fil?visa=1")
    assert parse_options_header(inline.headers["Content-Disposition"])[0] == "inline"
    assert inline.headers["X-Content-Type-Options"] == "nosniff"


def test_archived_html_shown_inline_is_sandboxed(web, hostile):
    """An archived HTML page opened in the browser runs in a sandbox, not as this site."""
    _, docs, _ = hostile
    response = web.get(f"/d/{docs['mote.html'].id}/fil?visa=1")
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in [d.strip() for d in csp.split(";")]
    assert set(_script_src(csp).split()[1:]) == {"'none'"}


def test_download_of_a_name_stored_with_a_newline(tmp_path):
    """A file name stored with a newline before ingest cleaned names still downloads, as a safe name."""
    from ingest import parse_document
    doc = parse_document(b"Valnamnden beslutar.", "a.txt", "a.txt")
    doc.filename = "rad\nbryt.txt"
    with Archive(tmp_path / "data") as store:
        doc_id = store.store_document(doc, b"Valnamnden beslutar.").document_id
    response = make_app(tmp_path / "data").test_client().get(f"/d/{doc_id}/fil")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"])[1]["filename"] == \
        "rad_bryt.txt"


TRAVERSALS = [
    "/d/..%2f..%2fetc%2fpasswd/fil", "/d/%252e%252e%252fetc%252fpasswd/fil",
    "/d//etc/passwd/fil", "/d/%2Fetc%2Fpasswd/fil", "/d/..%5c..%5capp.py/fil",
    "/d/C:%5cWindows%5cwin.ini/fil", "/d/%2e%2e%2f%2e%2e%2farchive.sqlite3/fil",
    "/d/%2e%2e/fil", "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
    "/static//etc/passwd", "/d/x%00/fil", "/d/../../../../etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_outside_the_archive_get_404(web, path):
    """Encoded, doubled, backslashed and absolute paths answer 404 and never a file's bytes."""
    response = web.get(path, follow_redirects=True)
    assert response.status_code == 404, path
    assert b"root:" not in response.data and b"create_app" not in response.data
    assert b"SQLite format" not in response.data


def test_a_stored_file_is_reached_only_by_its_document_id(web, hostile):
    """The hash a file is stored under is not an id: /d/<sha256>/fil is 404; the document id serves it."""
    _, docs, _ = hostile
    doc = docs["protokoll.md"]
    assert web.get(f"/d/{doc.sha256}/fil").status_code == 404
    assert web.get(f"/d/{doc.sha256[:10]}/fil").status_code == 404
    assert web.get(f"/d/{doc.id}/fil").status_code == 200
    assert web.get(f"/d/{doc.id}/fil", query_string={"path": "../../app.py"}).data == \
        web.get(f"/d/{doc.id}/fil").data


# --- headers on every response ------------------------------------------------------------------
def _script_src(csp: str) -> str:
    directives = {d.split()[0]: d for d in (p.strip() for p in csp.split(";")) if d}
    return directives.get("script-src") or directives["default-src"]


def test_every_response_has_a_csp_without_inline_scripts(web, hostile):
    """Pages, partials, errors, JSON, feeds and downloads all carry a CSP whose scripts are 'self' only, and nosniff."""
    _, docs, _ = hostile
    urls = _pages(hostile) + [
        "/", "/api/search?q=valn%C3%A4mnden", "/api/search?q=%22", "/sok.atom?q=valn%C3%A4mnden",
        "/sok?q=%22", "/healthz", f"/d/{docs['mote.html'].id}/fil", f"/d/{docs['mote.html'].id}/fil?visa=1",
        f"/d/{docs['bilaga.pdf'].id}/fil?visa=1", "/finns-inte", "/admin", "/static/app.js",
        "/static/htmx.min.js"]
    for url in urls:
        response = web.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        sources = set(_script_src(csp).split()[1:])
        assert sources and sources <= {"'self'", "'none'"}, (url, csp)   # no inline, eval, hosts
        assert "object-src 'none'" in csp or sources == {"'none'"}, (url, csp)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
