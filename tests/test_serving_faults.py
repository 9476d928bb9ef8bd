"""Faults under a running server: a damaged index, a read-only data directory, leftovers of
killed index writes, an ingest during a reindex, counts after updates (refs #13)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from archive import Archive
from index import SearchIndex, index_info, needs_rebuild, rebuild_index, update_documents
from index.store import current_dir, index_root
from ingest import ingest_paths
from tests.conftest import make_app

ITEM = "/m/kungsbacka/val/2026-08-31/p27"


def _segment_file(data_dir: Path, suffix: str) -> Path:
    return next(p for p in sorted(current_dir(data_dir).iterdir()) if p.name.endswith(suffix))


def _after_recheck() -> None:
    time.sleep(1.1)    # a server looks at its index files at most once a second


def test_deleted_segment_file_gives_503_and_reindex_if_needed_rebuilds(own_built_dir):
    """A segment file deleted under a running app: searches and /healthz answer 503 with a
    Swedish message (never 500), record pages still work, and `reindex --if-needed` rebuilds."""
    app = make_app(own_built_dir)
    client = app.test_client()
    assert client.get("/sok?q=valnämnden").status_code == 200
    assert client.get("/healthz").status_code == 200
    _segment_file(own_built_dir, ".trm").unlink()
    _after_recheck()
    page = client.get("/sok?q=valnämnden")
    assert page.status_code == 503 and "Sökindexet är skadat" in page.text
    api = client.get("/api/search?q=valnämnden")
    assert api.status_code == 503 and "reindex" in api.get_json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["ok"] is False
    assert client.get(ITEM).status_code == 200
    assert "damaged" in needs_rebuild(own_built_dir)
    result = app.test_cli_runner().invoke(args=["reindex", "--if-needed"])
    assert result.exit_code == 0 and "rebuilding: index damaged" in result.output
    _after_recheck()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/search?q=valnämnden").get_json()["total"] > 0


def test_file_cut_short_is_found_when_the_index_opens(own_built_dir):
    """A segment file of the wrong size makes a fresh searcher refuse the index (503)."""
    victim = _segment_file(own_built_dir, ".pst")
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    client = make_app(own_built_dir).test_client()
    assert client.get("/sok?q=beslut").status_code == 503
    assert client.get("/healthz").status_code == 503
    info = index_info(own_built_dir)
    assert "bytes" in info["damaged"] and "files" not in info


def _freeze(paths: list[Path]) -> list[Path]:
    """Make folders read-only: mode bits, and chattr +i as root (who ignores mode bits)."""
    frozen = []
    for path in paths:
        path.chmod(0o555)
        if os.access(path, os.W_OK):
            assert subprocess.run(["chattr", "+i", str(path)]).returncode == 0
            frozen.append(path)
    return frozen


def test_read_only_data_dir_serves_every_page(own_built_dir):
    """With DATA_DIR and the index read-only (no SQLite -wal/-shm can be made), search,
    record, document, download, feed and health pages all answer 200."""
    with Archive(own_built_dir) as store:
        doc = next(d for d in store.documents() if d.source.startswith("026"))
    for leftover in own_built_dir.glob("archive.sqlite3-*"):
        leftover.unlink()
    folders = [own_built_dir, index_root(own_built_dir), current_dir(own_built_dir)]
    frozen = _freeze(folders)
    try:
        client = make_app(own_built_dir).test_client()
        for path in ("/sok?q=valnämnden", "/api/search?q=beslut", ITEM,
                     "/m/kungsbacka/val/2026-08-31", f"/d/{doc.id}", f"/d/{doc.id}/fil",
                     "/sok.atom?q=beslut", "/healthz", f"{ITEM}?q=sammanträdesdagar"):
            assert client.get(path).status_code == 200, path
        assert client.get("/d/finnsinte").status_code == 404
        assert sorted(p.name for p in own_built_dir.iterdir() if p.name.startswith("archive")) \
            == ["archive.sqlite3"]
    finally:
        for path in frozen:
            subprocess.run(["chattr", "-i", str(path)])
        for path in folders:
            path.chmod(0o755)


def test_leftovers_of_killed_writes_are_removed_and_named(own_built_dir):
    """An unfinished build and Whoosh's MAIN.tmp inside the serving index are removed by the
    next command, which names each with its size; the serving index is kept."""
    unfinished = index_root(own_built_dir) / "gen-19990101T000000000000"
    unfinished.mkdir()
    (unfinished / "_MAIN_1.toc").write_bytes(b"x" * 3 * 2**20)
    sorting = current_dir(own_built_dir) / "MAIN.tmp"
    sorting.mkdir()
    (sorting / "run-1.pickle").write_bytes(b"y" * 2**20)
    serving = current_dir(own_built_dir)
    result = make_app(own_built_dir).test_cli_runner().invoke(args=["reindex", "--if-needed"])
    assert result.exit_code == 0, result.output
    assert f"{unfinished} (3.0 MB)" in result.output and f"{sorting} (1.0 MB)" in result.output
    assert not unfinished.exists() and not sorting.exists() and current_dir(own_built_dir) == serving
    assert SearchIndex(own_built_dir).search("valnämnden").total > 0


def test_ingest_during_a_reindex_is_indexed_when_it_ends(own_built_dir, tmp_path):
    """`flask ingest` while a reindex holds the index says the documents are indexed when it
    finishes, and the reindex indexes them before it lets go."""
    folder = tmp_path / "ny"
    folder.mkdir()
    (folder / "notis.txt").write_text("Isbanan vid Kolla parkskola spolas i januari.\n",
                                      encoding="utf-8")
    started, release, done = threading.Event(), threading.Event(), {}

    def progress(n, total):
        started.set()
        release.wait(60)

    def reindex():
        with Archive(own_built_dir) as store:
            done["meta"] = rebuild_index(store, own_built_dir, progress=progress)

    thread = threading.Thread(target=reindex)
    thread.start()
    try:
        assert started.wait(60)
        result = make_app(own_built_dir).test_cli_runner().invoke(args=["ingest", str(folder)])
        assert result.exit_code == 0, result.output
        assert "indexed when it finishes" in result.output
    finally:
        release.set()
        thread.join(120)
    assert done["meta"]["caught_up"] >= 1
    assert SearchIndex(own_built_dir).search("isbanan").total == 1


def test_status_and_admin_count_the_units_the_index_holds(own_built_dir, tmp_path):
    """After in-place updates, `flask status` and the admin page give the index's own count."""
    before = SearchIndex(own_built_dir).stats()["units"]
    folder = tmp_path / "ny"
    folder.mkdir()
    for n in range(3):
        (folder / f"notis-{n}.txt").write_text(f"Notis nummer {n} om snöröjning.\n", "utf-8")
    with Archive(own_built_dir) as store:
        report = ingest_paths(store, [folder])
        update_documents(store, own_built_dir, report.changed_documents)
    held = SearchIndex(own_built_dir).stats()["units"]
    assert held == before + 3
    app = make_app(own_built_dir)
    status = json.loads(app.test_cli_runner().invoke(args=["status"]).output)
    assert status["index"]["units"] == held and "files" not in status["index"]
    token = "hemligt-och-langt-nog-1234"
    admin = make_app(own_built_dir, ADMIN_TOKEN=token).test_client().get(
        "/admin", headers={"Authorization": f"Bearer {token}"}).text
    assert f"{held} sökenheter från" in admin
    shutil.rmtree(folder)


def test_updates_write_their_units_without_sorting_files(own_built_dir, tmp_path):
    """An in-place update writes its units with the bulk segment writer (side arrays, no
    Whoosh sorting folder MAIN.tmp) and answers as a full rebuild of the same archive does."""
    folder = tmp_path / "ny"
    folder.mkdir()
    text = "§ 1 Snöröjning\nNämnden beslutar om snöröjning av gång- och cykelvägar.\n" * 2000
    (folder / "snorojning.txt").write_text(text, encoding="utf-8")
    before = {p.name for p in current_dir(own_built_dir).iterdir()}
    with Archive(own_built_dir) as store:
        report = ingest_paths(store, [folder])
        update_documents(store, own_built_dir, report.changed_documents)
    added = {p.name for p in current_dir(own_built_dir).iterdir()} - before
    assert any(name.endswith(".pgf_columns.pickle") for name in added)
    assert not (current_dir(own_built_dir) / "MAIN.tmp").exists()
    updated = SearchIndex(own_built_dir).search("snöröjning cykelvägar", page_size=50)
    with Archive(own_built_dir) as store:
        rebuild_index(store, own_built_dir)
    rebuilt = SearchIndex(own_built_dir).search("snöröjning cykelvägar", page_size=50)
    assert updated.total == rebuilt.total > 0
    assert [h.id for h in updated.hits] == [h.id for h in rebuilt.hits]
