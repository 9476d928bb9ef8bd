"""Web: pages with and without HX-Request, permalinks, downloads, errors, escaping."""
from __future__ import annotations

import re
from urllib.parse import unquote

from archive import Archive
from index import rebuild_index
from ingest import ingest_paths
from tests.conftest import make_app

ITEM = "/m/kungsbacka/val/2026-08-31/p27"


def test_search_page_full_and_partial_share_the_url(client):
    """Without HX-Request the search answers a full page; with it, only the results partial."""
    full = client.get("/sok?q=valnämnden")
    partial = client.get("/sok?q=valnämnden", headers={"HX-Request": "true"})
    assert full.status_code == partial.status_code == 200
    assert "<html" in full.text and 'id="resultat"' in full.text
    assert "<html" not in partial.text and "träffar" in partial.text
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in partial.headers["Vary"]


def test_history_restore_gets_the_full_page(client):
    """htmx restoring history after a cache miss gets the whole page, not the partial."""
    page = client.get("/sok?q=valnämnden", headers={"HX-Request": "true",
                                                    "HX-History-Restore-Request": "true"})
    assert "<html" in page.text and 'role="search"' in page.text


def test_root_is_the_search_page(client):
    """'/' answers the search form; '/?q=' searches like '/sok?q='."""
    assert 'role="search"' in client.get("/").text
    assert "Sammanträdesdagar 2027" in client.get("/?q=sammanträdesdagar").text


def test_hits_link_to_permalinks_with_highlights(client):
    """Hits carry the § and a permalink; snippets mark the matched words."""
    page = client.get("/sok?q=sammanträdesdagar 2027").text
    assert "/m/kungsbacka/val/2026-08-31/p27" in page and "§ 27" in page and "<mark>" in page


def test_facets_link_to_filtered_searches(client):
    """Facet links carry the filter in the URL and narrow the result count."""
    page = client.get("/sok?q=beslut").text
    total = int(re.search(r"(\d+) träffar", page).group(1))
    link = re.search(r'href="(/sok\?q=beslut&amp;kind=kallelse)"', page).group(1)
    filtered = client.get(link.replace("&amp;", "&")).text
    assert int(re.search(r"(\d+) träff", filtered).group(1)) < total


def test_item_page(client):
    """An item page shows body, date, §, title, Dnr, decision, citation and neighbours."""
    page = client.get(ITEM).text
    for text in ("Valnämnden", "2026-08-31", "§ 27", "Sammanträdesdagar 2027", "VN-2026-00019",
                 "Beslut", "Kopiera hänvisning", "rel=\"prev\"", "rel=\"next\"",
                 'rel="canonical"', 'property="og:title"'):
        assert text in page, text
    assert ("Kungsbacka kommun, Valnämnden 2026-08-31 § 27, Dnr VN-2026-00019, "
            "Sammanträdesdagar 2027 för valnämnden – http://localhost/m/kungsbacka/val/2026-08-31/p27"
            ) in page   # refs #17: organisation, body, date, §, Dnr, title and link


def test_item_page_highlights_query(client):
    """Arriving from a search, the query's words are marked with anchors."""
    page = client.get(ITEM + "?q=sammanträdesdag").text
    assert 'id="traff-1"' in page and "markerade ord" in page


def test_meeting_page_lists_items_and_documents(client):
    """The meeting page lists its items in order and its documents with downloads."""
    page = client.get("/m/kungsbacka/val/2026-08-31").text
    assert page.index("§ 20") < page.index("§ 27") < page.index("§ 30")
    assert "/fil" in page and "Ladda ner" in page


def test_document_page_and_download(client, built_dir):
    """A document shows its text by page; the original downloads with the right headers."""
    with Archive(built_dir) as store:
        doc = next(d for d in store.documents() if d.source.startswith("026"))
    page = client.get(f"/d/{doc.id}").text
    assert 'id="sida-3"' in page and "#page=3" in page
    assert client.get(f"/d/{doc.id}/sida/3").status_code == 200
    assert client.get(f"/d/{doc.id}/sida/99").status_code == 404
    download = client.get(f"/d/{doc.id}/fil")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data.startswith(b"---")


def test_unknown_pages_are_404_and_traversal_gets_nothing(client):
    """Unknown ids answer 404 with a Swedish page; path tricks reach no file."""
    for path in ("/d/finnsinte", "/m/kungsbacka/val/1999-01-01", "/d/../../etc/passwd/fil",
                 "/d/%2e%2e%2f%2e%2e%2fetc%2fpasswd/fil"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "root:" not in response.text


def test_malformed_query_shows_hint_not_500(client):
    """An unbalanced quote gives the search page, status 400 and a Swedish hint."""
    response = client.get('/sok?q="nära vård')
    assert response.status_code == 400 and "citattecken" in response.text


def test_api_search_contract(client):
    """/api/search returns the public JSON fields."""
    data = client.get("/api/search?q=sammanträdesdagar 2027&limit=3").get_json()
    assert set(data) >= {"query", "total", "hits", "facets"}
    hit = data["hits"][0]
    assert set(hit) >= {"url", "source", "organisation", "body", "meeting", "date", "kind",
                        "paragraph", "page", "title", "snippet", "score"}
    assert hit["paragraph"] == "§ 27" and hit["source"].startswith("026_")
    assert len(data["hits"]) <= 3 and "meeting" in data["facets"] and "item" in data["facets"]
    assert client.get('/api/search?q="x').status_code == 400


def test_withdrawn_document_answers_410(own_built_dir):
    """A withdrawn document's URL and its items' URLs answer 410 with an explanation."""
    with Archive(own_built_dir) as store:
        doc = next(d for d in store.documents() if d.source.startswith("026"))
        store.withdraw_document(doc.id, "Handlingen innehöll personuppgifter.")
    client = make_app(own_built_dir).test_client()
    for path in (f"/d/{doc.id}", ITEM):
        response = client.get(path)
        assert response.status_code == 410 and "personuppgifter" in response.text


def test_moved_record_redirects(own_built_dir):
    """An old URL in the redirect table answers 301 to the new one."""
    with Archive(own_built_dir) as store:
        store.add_redirect("/m/kungsbacka/val/2026-08-30/p27", ITEM)
    response = make_app(own_built_dir).test_client().get("/m/kungsbacka/val/2026-08-30/p27")
    assert response.status_code == 301
    assert unquote(response.headers["Location"]).endswith(ITEM)


def test_hostile_content_is_escaped(data_dir, tmp_path):
    """Markup in documents and queries is shown as text, never run."""
    evil = tmp_path / "in" / "elak.txt"
    evil.parent.mkdir()
    evil.write_text('Valnämnden <script>alert(1)</script> "><img src=x onerror=alert(2)> beslut', "utf-8")
    with Archive(data_dir) as store:
        ingest_paths(store, [evil.parent])
        rebuild_index(store, data_dir)
    client = make_app(data_dir).test_client()
    for url in ("/sok?q=valnämnden", "/sok?q=<script>alert(3)</script>",
                '/sok?q="><img src=x onerror=alert(4)>valnämnden'):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_htmx_is_served_locally(client):
    """htmx comes from our own static route, from the installed package."""
    response = client.get("/static/htmx.min.js")
    assert response.status_code == 200 and b"htmx" in response.data[:2000]
    assert "/static/htmx.min.js" in client.get("/").text


def test_page_link_shows_that_page_only(client, built_dir):
    """/d/<id>/sida/N shows page N alone, with links to its neighbours and the whole document."""
    with Archive(built_dir) as store:
        doc = next(d for d in store.documents() if d.source.startswith("026"))
        pages = store.pages(doc.id)
    assert len(pages) >= 4
    page = client.get(f"/d/{doc.id}/sida/3").text
    assert 'id="sida-3"' in page and 'id="sida-1"' not in page and 'id="sida-4"' not in page
    assert f'href="/d/{doc.id}/sida/2"' in page and f'href="/d/{doc.id}/sida/4"' in page
    assert f"Sida 3 av {len(pages)}" in page


def test_search_page_beyond_the_last_says_so(client):
    """sida=99 of a short result says there is no such page and links the last one."""
    page = client.get("/sok?q=valnämnden&sida=99").text
    assert "Det finns ingen sida 99" in page and "Sida 99 av" not in page


def test_browse_organisation_body_and_meetings(client):
    """Without a query one finds organisations → bodies → meetings by year, newest first."""
    home = client.get("/").text
    assert 'href="/m/kungsbacka"' in home and 'href="/m/kungsbacka/val"' in home
    org = client.get("/m/kungsbacka")
    assert org.status_code == 200 and 'href="/m/kungsbacka/val"' in org.text
    assert "sammanträde" in org.text
    body = client.get("/m/kungsbacka/ks")
    assert body.status_code == 200 and 'id="ar-2026"' in body.text
    assert body.text.index("2026-08-25") < body.text.index("2025-10-21")
    assert client.get("/m/kungsbacka/ingen-sadan").status_code == 404
    assert client.get("/m/ingen-sadan").status_code == 404


def test_meeting_page_links_previous_and_next_meeting(client):
    """A meeting page links the same body's previous and next meeting."""
    newer = client.get("/m/kungsbacka/ks/2026-08-25").text
    assert 'rel="prev" href="/m/kungsbacka/ks/2025-10-21"' in newer and 'rel="next"' not in newer
    older = client.get("/m/kungsbacka/ks/2025-10-21").text
    assert 'rel="next" href="/m/kungsbacka/ks/2026-08-25"' in older


def test_search_box_carries_the_active_filters(client):
    """Without JavaScript too, the header's search form resubmits the active filters."""
    page = client.get("/sok?q=budget&kind=protokoll&year=2025").text
    box = page[page.index('<div id="aktiva-filter"'):]
    box = box[:box.index("</div>")]
    assert 'name="kind" value="protokoll"' in box and 'name="year" value="2025"' in box
    partial = client.get("/sok?q=budget&kind=protokoll", headers={"HX-Request": "true"}).text
    assert 'id="aktiva-filter" hx-swap-oob="true"' in partial
    assert "Rensa alla" in page and "Ta bort filter –" not in client.get("/sok?q=zzzxyq").text


def test_link_previews_are_one_clean_sentence_bounded_text(client, built_dir):
    """og:description has no line breaks and does not stop mid-word; every record page has og:url."""
    import html as html_lib
    import re as re_lib
    with Archive(built_dir) as store:
        doc = next(d for d in store.documents() if d.source.startswith("005"))
    for url in ("/m/kungsbacka/ks/2026-08-25/p179", f"/d/{doc.id}", "/m/kungsbacka/ks/2026-08-25"):
        page = client.get(url).text
        description = html_lib.unescape(re_lib.search(r'property="og:description" content="([^"]*)"',
                                                      page).group(1))
        assert "\n" not in description and "|" not in description, url
        assert description.endswith((".", "…", "!", "?")), (url, description)
        assert 'property="og:url"' in page and 'name="twitter:card"' in page, url


def test_hits_show_their_case_number_linked_to_its_history(client):
    """A hit shows its Dnr, linking a search for everything with that case number."""
    data = client.get("/api/search?q=sammanträdesdagar 2027").get_json()
    assert data["hits"][0]["dnr"] == ["VN-2026-00019"]
    page = client.get("/sok?q=sammanträdesdagar 2027").text
    assert "Dnr VN-2026-00019</a>" in page and "dnr%3A%22VN-2026-00019%22" in page
    meta = [m for m in page.split('<p class="meta">')[1:]]
    assert meta and not any(m.strip().startswith("·") for m in meta)
