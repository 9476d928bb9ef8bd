"""Permanent URLs: the same item answers after re-ingest, reindex and a rebuild from scratch."""
from __future__ import annotations

import shutil

from archive import Archive
from tests.conftest import DATA, make_app

ITEM = "/m/kungsbacka/val/2026-08-31/p27"
TITLE = "Sammanträdesdagar 2027 för valnämnden"


def _urls(client) -> dict[str, str]:
    """Every hit URL of a broad search, with the title it shows."""
    data = client.get("/api/search?q=beslut&limit=100").get_json()
    return {h["url"]: h["title"] for h in data["hits"]}


def test_urls_survive_reingest_reindex_and_rebuild(data_dir):
    """An item URL taken before answers 200 with the same item after all three."""
    app = make_app(data_dir)
    runner, client = app.test_cli_runner(), app.test_client()
    assert runner.invoke(args=["ingest", str(DATA)]).exit_code == 0
    before = _urls(client)
    assert TITLE in client.get(ITEM).text and before

    assert runner.invoke(args=["ingest", str(DATA)]).exit_code == 0        # re-ingest
    assert _urls(client) == before and TITLE in client.get(ITEM).text

    assert runner.invoke(args=["reindex"]).exit_code == 0                  # reindex
    app = make_app(data_dir)
    assert _urls(app.test_client()) == before

    shutil.rmtree(data_dir)                                                # rm -rf DATA_DIR
    app = make_app(data_dir)
    assert app.test_cli_runner().invoke(args=["ingest", str(DATA)]).exit_code == 0
    client = app.test_client()
    response = client.get(ITEM)
    assert response.status_code == 200 and TITLE in response.text
    assert _urls(client) == before


def test_corrected_date_redirects_old_url(data_dir, tmp_path):
    """When a re-ingested file's date is corrected, the old document URL answers 301."""
    folder = tmp_path / "in"
    folder.mkdir()
    src = DATA / "026_kungsbacka-valnamnd-protokoll-2026-08-31.txt"
    target = folder / src.name
    target.write_text(src.read_text("utf-8").replace("datum: 2026-08-31", "datum: 2026-08-30"),
                      "utf-8")
    app = make_app(data_dir)
    runner = app.test_cli_runner()
    runner.invoke(args=["ingest", str(folder)])
    old = app.test_client().get("/api/search?q=sammanträdesdagar 2027").get_json()["hits"][0]
    target.write_text(src.read_text("utf-8"), "utf-8")                     # the date corrected
    runner.invoke(args=["ingest", str(folder)])
    client = make_app(data_dir).test_client()
    new = client.get("/api/search?q=sammanträdesdagar 2027").get_json()["hits"][0]
    assert new["url"] == ITEM and old["url"] != new["url"]
    response = client.get(old["url"])
    assert response.status_code == 301 and response.headers["Location"].endswith(
        ITEM.replace("§", "%C2%A7"))
    assert client.get("/m/kungsbacka/val/2026-08-30").status_code == 301


def test_item_urls_are_ascii_and_old_paragraph_urls_redirect(client):
    """Item links are ASCII ('/p27'); every '§27' URL issued before answers 301 to it."""
    data = client.get("/api/search?q=sammanträdesdagar").get_json()
    urls = [h["url"] for h in data["hits"]]
    assert ITEM in urls and all(u.isascii() for u in urls)
    for old in ("/m/kungsbacka/val/2026-08-31/§27", "/m/kungsbacka/val/2026-08-31/%C2%A727"):
        response = client.get(old + "?q=valsamordnare")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/m/kungsbacka/val/2026-08-31/p27?q=valsamordnare")
    page = client.get(ITEM).text
    assert "/§27" not in page and "%C2%A7" not in page


def test_archive_migration_makes_old_item_ids_ascii(own_built_dir):
    """An archive written with '§' item ids is migrated to ASCII ids when a command opens it."""
    import sqlite3
    db = sqlite3.connect(own_built_dir / "archive.sqlite3")
    with db:
        db.execute("UPDATE items SET id=replace(id, '/p', '/§'), slug=replace(slug, 'p', '§') "
                   "WHERE slug GLOB 'p[0-9]*'")
        db.execute("UPDATE dnr SET item_id=replace(item_id, '/p', '/§')")
        db.execute("PRAGMA user_version=0")
    db.close()
    assert make_app(own_built_dir).test_client().get(ITEM).status_code == 200   # not yet migrated
    with Archive(own_built_dir) as store:
        assert store.item(ITEM.lstrip("/")).label == "§ 27"
        assert not store.db.execute("SELECT 1 FROM items WHERE id LIKE '%§%'").fetchone()
        assert store.changed_since(0)
