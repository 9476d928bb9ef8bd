"""Atom feed per search, and the admin page behind a token with CSRF-protected forms."""
from __future__ import annotations

import os
import re
import stat
from xml.etree import ElementTree as ET

from tests.conftest import make_app

ATOM = "{http://www.w3.org/2005/Atom}"
TOKEN = "hemligt-och-langt-nog-1234"


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
    client = make_app(built_dir, ADMIN_TOKEN=TOKEN).test_client()
    assert client.get("/admin").status_code == 303
    form = client.get("/admin/logga-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    assert client.post("/admin/logga-in", data={"token": TOKEN}).status_code == 400
    assert client.post("/admin/logga-in", data={"token": "fel", "csrf": csrf}).status_code == 403
    ok = client.post("/admin/logga-in", data={"token": TOKEN, "csrf": csrf})
    assert ok.status_code == 303
    page = client.get("/admin").text
    assert "Sökindex" in page and "Valnämnden" in page and "Handlingar per organisation" in page


def test_admin_accepts_a_bearer_token(built_dir):
    """Scripts can read the admin page with 'Authorization: Bearer <token>'."""
    client = make_app(built_dir, ADMIN_TOKEN=TOKEN).test_client()
    assert client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/admin", headers={"Authorization": "Bearer fel-token-med-16-tecken"}).status_code == 303


def test_public_side_is_read_only(client):
    """Search and record pages refuse state-changing methods."""
    for path in ("/sok", "/api/search", "/m/kungsbacka/val/2026-08-31"):
        assert client.post(path).status_code == 405


def _login_form(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/logga-in").text).group(1)


def test_admin_login_works_across_worker_processes(own_built_dir):
    """Without SECRET_KEY, every app of one DATA_DIR (one per gunicorn worker) uses the key
    kept in DATA_DIR/secret_key (mode 0600): a form from one logs in on another."""
    first = make_app(own_built_dir, ADMIN_TOKEN=TOKEN, SECRET_KEY=None)
    second = make_app(own_built_dir, ADMIN_TOKEN=TOKEN, SECRET_KEY=None)
    key = own_built_dir / "secret_key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert first.secret_key == second.secret_key == key.read_text().strip()
    browser = first.test_client()
    csrf = _login_form(browser)
    cookie = browser.get_cookie("session")
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    assert other.post("/admin/logga-in", data={"token": TOKEN, "csrf": csrf}).status_code == 303
    assert other.get("/admin").status_code == 200


def test_failed_logins_are_rate_limited(built_dir):
    """After ADMIN_MAX_FAILED_LOGINS wrong tokens from one address, even the right one gets 429."""
    client = make_app(built_dir, ADMIN_TOKEN=TOKEN, ADMIN_MAX_FAILED_LOGINS=3).test_client()
    csrf = _login_form(client)
    for _ in range(3):
        assert client.post("/admin/logga-in", data={"token": "fel", "csrf": csrf}).status_code == 403
    blocked = client.post("/admin/logga-in", data={"token": TOKEN, "csrf": csrf})
    assert blocked.status_code == 429 and "För många" in blocked.text
    assert blocked.headers["Retry-After"]
    assert client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 429
    elsewhere = client.post("/admin/logga-in", data={"token": TOKEN, "csrf": csrf},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 303


def test_short_admin_token_is_refused_with_a_clear_message(built_dir):
    """An ADMIN_TOKEN under 16 characters keeps the admin page off (503, saying why)."""
    client = make_app(built_dir, ADMIN_TOKEN="hemligt").test_client()
    for response in (client.get("/admin/logga-in"),
                     client.get("/admin", headers={"Authorization": "Bearer hemligt"})):
        assert response.status_code == 503 and "minst 16 tecken" in response.text


def test_admin_pages_are_not_cached_and_the_cookie_is_lax(built_dir):
    """Admin pages send Cache-Control: no-store; the session cookie is HttpOnly, SameSite=Lax,
    and Secure when the request came over HTTPS (also via X-Forwarded-Proto)."""
    client = make_app(built_dir, ADMIN_TOKEN=TOKEN).test_client()
    page = client.get("/admin/logga-in")
    assert page.headers["Cache-Control"] == "no-store"
    cookie = page.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    assert client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"}).headers[
        "Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/sok?q=beslut").headers.get("Cache-Control", "")
    proxied = make_app(built_dir, ADMIN_TOKEN=TOKEN).test_client().get(
        "/admin/logga-in", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in proxied.headers["Set-Cookie"]
    direct = make_app(built_dir, ADMIN_TOKEN=TOKEN).test_client().get(
        "/admin/logga-in", base_url="https://localhost")
    assert "Secure" in direct.headers["Set-Cookie"]
