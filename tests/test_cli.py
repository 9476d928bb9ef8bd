"""CLI: ingest, reindex, search and status through Flask's runner, with exit codes."""
from __future__ import annotations

import json

from tests.conftest import DATA, make_app, make_pdf


def test_ingest_search_json_and_idempotence(data_dir):
    """ingest reports counts; search --json returns the contract; a second ingest is unchanged."""
    runner = make_app(data_dir).test_cli_runner()
    first = runner.invoke(args=["ingest", str(DATA)])
    assert first.exit_code == 0, first.output
    assert "ingested 7" in first.output and "failed 0" in first.output
    again = runner.invoke(args=["ingest", str(DATA)])
    assert "unchanged 7" in again.output and again.exit_code == 0
    result = runner.invoke(args=["search", "--json", "--limit", "2", "Sammanträdesdagar", "2027"])
    data = json.loads(result.output)
    assert data["hits"][0]["paragraph"] == "§ 27" and len(data["hits"]) == 2
    assert data["hits"][0]["source"] == "026_kungsbacka-valnamnd-protokoll-2026-08-31.txt"


def test_ingest_failure_exits_non_zero_and_writes_report(data_dir, tmp_path):
    """A bad file is listed with path and reason, the rest is ingested, the exit is non-zero."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.7 broken")
    make_pdf(folder / "bra.pdf", ["KUNGSBACKA KOMMUN\nValnämnd\nDatum\n2025-02-03\n\n"
                                  "§ 1   Dnr VN-2025-00001\nVal av justerare\n"])
    runner = make_app(data_dir).test_cli_runner()
    result = runner.invoke(args=["ingest", str(folder), "--report", str(tmp_path / "rapport")])
    assert result.exit_code == 1
    assert "trasig.pdf" in result.output and "corrupt" in result.output
    assert "ingested 1" in result.output
    report = json.loads((tmp_path / "rapport.json").read_text())
    assert [r["reason"] for r in report] == ["corrupt"]
    assert (tmp_path / "rapport.csv").read_text("utf-8-sig").startswith("path,stage,reason")


def test_reindex_and_if_needed(data_dir):
    """reindex rebuilds; --if-needed does nothing when the index is current."""
    runner = make_app(data_dir).test_cli_runner()
    runner.invoke(args=["ingest", str(DATA)])
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "indexed" in result.output
    assert "nothing to do" in runner.invoke(args=["reindex", "--if-needed"]).output


def test_status_reports_counts_and_index(data_dir):
    """status prints archive counts by body, the index version and the last runs."""
    runner = make_app(data_dir).test_cli_runner()
    runner.invoke(args=["ingest", str(DATA)])
    data = json.loads(runner.invoke(args=["status"]).output)
    assert data["archive"]["documents"] == 7 and data["index"]["exists"]
    assert data["runs"][0]["kind"] == "ingest"


def test_search_with_bad_query_exits_2(data_dir):
    """A malformed query on the CLI prints the Swedish hint and exits 2."""
    runner = make_app(data_dir).test_cli_runner()
    runner.invoke(args=["ingest", str(DATA)])
    result = runner.invoke(args=["search", '"nära'])
    assert result.exit_code == 2 and "citattecken" in result.output


def test_parallel_reindex_loses_no_document(data_dir):
    """reindex --workers 2 indexes every unit that a single writer does."""
    runner = make_app(data_dir).test_cli_runner()
    runner.invoke(args=["ingest", str(DATA)])
    single = json.loads(runner.invoke(args=["status"]).output)["index"]["units"]
    result = runner.invoke(args=["reindex", "--workers", "2"])
    assert result.exit_code == 0, result.output
    info = json.loads(runner.invoke(args=["status"]).output)["index"]
    assert info["units"] == single and info["workers"] == 2
    data = json.loads(runner.invoke(args=["search", "--json", "Sammanträdesdagar", "2027"]).output)
    assert data["hits"][0]["paragraph"] == "§ 27"


def test_reextract_reparses_stored_originals(data_dir, tmp_path):
    """reextract parses every stored original again, keeping ids, without the source files."""
    folder = tmp_path / "in"
    folder.mkdir()
    for src in DATA.glob("0*.txt"):
        (folder / src.name).write_bytes(src.read_bytes())
    (folder / "MANIFEST.tsv").write_bytes((DATA / "MANIFEST.tsv").read_bytes())
    runner = make_app(data_dir).test_cli_runner()
    runner.invoke(args=["ingest", str(folder)])
    before = json.loads(runner.invoke(args=["search", "--json", "--limit", "50", "beslut"]).output)
    for path in folder.iterdir():
        path.unlink()                       # the originals live on in the archive
    result = runner.invoke(args=["reextract", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "replaced 5" in result.output and "failed 0" in result.output
    after = json.loads(runner.invoke(args=["search", "--json", "--limit", "50", "beslut"]).output)
    # files finish parsing in any order (refs #13), so units of equal score may swap places
    assert sorted((h["score"], h["url"]) for h in after["hits"]) == \
        sorted((h["score"], h["url"]) for h in before["hits"])
    status = json.loads(runner.invoke(args=["status"]).output)
    assert "Kommunledningsförvaltningen" in {b["body"] for b in status["archive"]["by_body"]}


def test_a_changed_file_replaces_its_units_in_the_index(data_dir, tmp_path):
    """Re-ingesting a changed file updates the serving index in place: its old units are
    deleted in their segment (searches skip them), the new ones are found, nothing doubles."""
    folder = tmp_path / "in"
    folder.mkdir()
    for src in DATA.glob("*.txt"):
        (folder / src.name).write_bytes(src.read_bytes())
    runner = make_app(data_dir).test_cli_runner()

    def search(*words):
        result = runner.invoke(args=["search", "--json", "--limit", "50", *words])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    assert runner.invoke(args=["ingest", str(folder)]).exit_code == 0
    before = search("kommun")["total"]
    assert search('"JM AB"')["total_all"] >= 1
    target = folder / "005_kungsbacka-ks-protokoll-2026-08-25-p179-180.txt"
    target.write_text(target.read_text("utf-8").replace("JM AB", "Zyxelbolaget AB"), "utf-8")
    assert "replaced 1" in runner.invoke(args=["ingest", str(folder)]).output
    assert search('"JM AB"')["total_all"] == 0      # units with both words apart may remain
    found = search("Zyxelbolaget")
    assert found["total_all"] >= 1 and all(h["source"] == target.name for h in found["hits"])
    assert search("kommun")["total"] == before


def test_reindexes_under_a_serving_searcher_leave_no_open_files(data_dir):
    """A searcher dropped after a reindex (another thread may still use it, so it is not
    closed) lets go of its index files: open descriptors do not pile up reindex by reindex."""
    import gc
    import os
    import time

    from index import SearchIndex
    runner = make_app(data_dir).test_cli_runner()
    assert runner.invoke(args=["ingest", str(DATA)]).exit_code == 0
    searcher = SearchIndex(data_dir)

    def open_files() -> int:
        gc.collect()
        return len(os.listdir("/proc/self/fd"))

    counts = []
    for _ in range(4):
        assert searcher.search("beslut").total_all > 0
        counts.append(open_files())
        assert runner.invoke(args=["reindex"]).exit_code == 0
        time.sleep(1.1)            # a serving index looks for a new build once a second
    assert searcher.search("beslut").total_all > 0
    counts.append(open_files())
    # the first reindex opens what stays open (the archive, the runner's own searcher)
    assert max(counts[1:]) <= counts[1] + 2, counts
