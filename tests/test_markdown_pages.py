"""Document pages render Markdown sources: tables as tables, headings, raw HTML as text (refs #15)."""
from __future__ import annotations

from archive import Archive
from ingest import ingest_paths
from tests.conftest import make_app

HOSTILE_MD = """# Rubrik för policyn

Text med <script>alert(1)</script> och <img src=x onerror=alert(2)> i sig.

[klicka](javascript:alert(3)) och ![bild](https://evil.example/x.png)

| Nr | Ärende | Förslag | Kolumn 4 | Kolumn 5 | Kolumn 6 | Kolumn 7 | Kolumn 8 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 1 | Budget<br>för skolan | Bifall <b>fet</b> | a | b | c | d | e |
"""


def _doc_id(data_dir, filename):
    with Archive(data_dir) as store:
        return next(d.id for d in store.documents() if d.filename == filename)


def test_kallelse_table_renders_as_a_table_in_a_scroll_box(client, built_dir):
    """The notice's agenda table (Markdown) is an HTML table inside its own scroll region."""
    doc_id = _doc_id(built_dir, "003_kungsbacka-ks-kallelse-2025-10-21.txt")
    html = client.get(f"/d/{doc_id}").get_data(as_text=True)
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="Tabell"><table>' in html
    assert "<th>Ärende</th>" in html
    assert "Delårsrapport 2025 för<br>Kungsbacka kommun" in html
    assert "| --- |" not in html


def test_markdown_search_marks_stay_inside_text(client, built_dir):
    """With ?q=, matches in table cells are marked and numbered once across the page."""
    doc_id = _doc_id(built_dir, "003_kungsbacka-ks-kallelse-2025-10-21.txt")
    html = client.get(f"/d/{doc_id}?q=delårsrapport").get_data(as_text=True)
    assert '<mark id="sida-1-traff-1">' in html
    assert html.count('id="sida-1-traff-1"') == 1


def test_hostile_markdown_is_shown_as_text(tmp_path):
    """Raw HTML, javascript: links and images in a Markdown file never become markup."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "policy.md").write_text(HOSTILE_MD, "utf-8")
    data = tmp_path / "data"
    with Archive(data) as store:
        assert not ingest_paths(store, [folder]).failed
    doc_id = _doc_id(data, "policy.md")
    html = make_app(data).test_client().get(f"/d/{doc_id}").get_data(as_text=True)
    main = html[html.index('id="text-rubrik"'):]
    assert "<h1>Rubrik för policyn</h1>" in main
    assert "<script>alert" not in main and "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "<img" not in main and "onerror=alert(2)" in main          # as text only
    assert 'href="javascript' not in main and "<b>fet</b>" not in main
    assert "evil.example" in main and 'src="https://evil' not in main
    assert "<td>Budget<br>för skolan</td>" in main
    assert '<div class="table-scroll"' in main


def test_plain_text_pages_keep_their_lines(client, built_dir):
    """A text without Markdown signs is shown as before: preformatted text, no rendering."""
    doc_id = _doc_id(built_dir, "region-jh-tjansteskrivelse-primarvard.txt")
    html = client.get(f"/d/{doc_id}").get_data(as_text=True)
    assert '<div class="fulltext">' in html and '<div class="rendered">' not in html
