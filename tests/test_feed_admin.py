"""Atom feed per search, and the admin page behind a token with CSRF-protected forms."""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from tests.conftest import make_app

ATOM = "{http://www.w3.org/2005/Atom}"


def test_search_feed_lists_newest_hits(client):
    """/sok.atom returns a valid Atom feed of the search's hits, newest first."""
    response = client.get("/sok.atom?q=beslut")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert entries and feed.find(f"{ATOM}title").text == "Paragraf: beslut"
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert all(e.find(f"{ATOM}link").get("href").startswith("http://localhost/") for e in entries)


def test_search_page_links_the_feed(client):
    """The search page offers 'Bevaka sökning' and an alternate link to the feed."""
    page = client.get("/sok?q=beslut").text
    assert "Bevaka sökning" in page and 'type="application/atom+xml"' in page


def test_admin_is_off_without_token(client):
    """With no ADMIN_TOKEN configured, the admin page does not exist."""
    assert client.get("/admin").status_code == 404


def test_admin_needs_the_token_and_csrf(built_dir):
    """The admin page needs the token; the login form rejects a missing CSRF token."""
    client = make_app(built_dir, ADMIN_TOKEN="hemligt").test_client()
    assert client.get("/admin").status_code == 303
    form = client.get("/admin/logga-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    assert client.post("/admin/logga-in", data={"token": "hemligt"}).status_code == 400
    assert client.post("/admin/logga-in", data={"token": "fel", "csrf": csrf}).status_code == 403
    ok = client.post("/admin/logga-in", data={"token": "hemligt", "csrf": csrf})
    assert ok.status_code == 303
    page = client.get("/admin").text
    assert "Sökindex" in page and "Valnämnden" in page and "Handlingar per organisation" in page


def test_admin_accepts_a_bearer_token(built_dir):
    """Scripts can read the admin page with 'Authorization: Bearer <token>'."""
    client = make_app(built_dir, ADMIN_TOKEN="hemligt").test_client()
    assert client.get("/admin", headers={"Authorization": "Bearer hemligt"}).status_code == 200
    assert client.get("/admin", headers={"Authorization": "Bearer fel"}).status_code == 303


def test_public_side_is_read_only(client):
    """Search and record pages refuse state-changing methods."""
    for path in ("/sok", "/api/search", "/m/kungsbacka/val/2026-08-31"):
        assert client.post(path).status_code == 405
