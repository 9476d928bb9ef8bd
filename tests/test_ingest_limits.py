"""One file costs bounded time and memory and never stops the batch (refs #13)."""
from __future__ import annotations

import os
import signal

import pytest

from app import create_app
from archive import Archive
from paragraf_common.workers import DIED, MEMORY, TIMEOUT, run_bounded
from ingest import Limits, ingest_paths, reextract_archive

from .hostile_files import flate_bomb_pdf, many_operators_pdf

SMALL = Limits(time_s=2, memory_mb=400, ocr_max_pages=2)
HEALTHY = {f"{n}-protokoll.txt": f"Kommunstyrelsen\n\n§ {n} Ärende {n}\n\nKommunstyrelsen "
                                 f"beslutar att godkänna rapport nummer {n}.\n" for n in range(1, 4)}


def _folder(tmp_path, **bad):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in HEALTHY.items():
        (folder / name).write_text(text, "utf-8")
    for name, data in bad.items():
        (folder / name.replace("_", "-")).write_bytes(data)
    return folder


def _failed(report):
    return {os.path.basename(f["path"]): f for f in report.failed}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_over_the_time_limit_costs_only_itself(tmp_path, workers):
    """A PDF of 2 million text operators is one 'tidsgräns' line at stage extract; every healthy file is stored."""
    folder = _folder(tmp_path, **{"0_slow.pdf": many_operators_pdf(2_000_000)})
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder], workers=workers, limits=SMALL)
    assert [(f["reason"], f["stage"]) for f in report.failed] == [("tidsgräns", "extract")]
    assert sorted(os.path.basename(p) for p in report.ingested) == sorted(HEALTHY)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_flate_bomb_costs_only_itself(tmp_path, workers):
    """A 3 kB PDF inflating to 1 GB is one 'minnesgräns' line at stage extract; every healthy file is stored."""
    folder = _folder(tmp_path, **{"0_bomb.pdf": flate_bomb_pdf(1024)})
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder], workers=workers,
                              limits=Limits(time_s=120, memory_mb=400))
    assert [(f["reason"], f["stage"]) for f in report.failed] == [("minnesgräns", "extract")]
    assert sorted(os.path.basename(p) for p in report.ingested) == sorted(HEALTHY)


def test_results_are_collected_as_they_finish(tmp_path):
    """With two workers, healthy files after a hanging one are stored before it is given up."""
    folder = _folder(tmp_path, **{"0_slow.pdf": many_operators_pdf(2_000_000)})
    order = []
    with Archive(tmp_path / "data") as store:
        ingest_paths(store, [folder], workers=2, limits=SMALL,
                     progress=lambda done, total, path: order.append(os.path.basename(path)))
    assert order[-1] == "0-slow.pdf" and sorted(order[:-1]) == sorted(HEALTHY)


def test_rerun_after_a_killed_file_skips_nothing_healthy(tmp_path):
    """A rerun reports the bad file again, leaves the stored files unchanged and ingests a new one."""
    folder = _folder(tmp_path, **{"0_slow.pdf": many_operators_pdf(2_000_000)})
    with Archive(tmp_path / "data") as store:
        ingest_paths(store, [folder], limits=SMALL)
        (folder / "9-protokoll.txt").write_text("Kommunstyrelsen\n\n§ 9 Nytt ärende\n\n"
                                                "Kommunstyrelsen beslutar att anta planen.\n")
        again = ingest_paths(store, [folder], limits=SMALL)
    assert [os.path.basename(p) for p in again.ingested] == ["9-protokoll.txt"]
    assert sorted(os.path.basename(p) for p in again.unchanged) == sorted(HEALTHY)
    assert _failed(again)["0-slow.pdf"]["reason"] == "tidsgräns"


def test_cli_ingest_reports_the_limit_and_records_the_run(tmp_path):
    """`flask ingest` with small limits: exit 1, one FAILED line with tidsgräns, the run record is written."""
    folder = _folder(tmp_path, **{"0_slow.pdf": many_operators_pdf(2_000_000)})
    data = tmp_path / "data"
    app = create_app({"DATA_DIR": str(data), "INGEST_TIME_LIMIT_S": 2,
                      "INGEST_MEMORY_LIMIT_MB": 400})
    result = app.test_cli_runner().invoke(args=["ingest", str(folder), "--workers", "2"])
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == 1 and "0-slow.pdf" in failed[0] and "tidsgräns" in failed[0], failed
    with Archive(data) as store:
        run = store.runs(1)[0]
    assert run["kind"] == "ingest" and run["summary"]["ingested"] == len(HEALTHY)
    assert [f["reason"] for f in run["failures"]] == ["tidsgräns"]


def test_reextract_is_bounded_per_file(tmp_path):
    """`reextract` of a stored original that now exceeds the time limit reports tidsgräns and re-parses the rest."""
    folder = _folder(tmp_path, **{"0_fine.pdf": many_operators_pdf(10)})
    with Archive(tmp_path / "data") as store:
        ingest_paths(store, [folder])
        victim = next(d for d in store.documents() if d.filename == "0-fine.pdf")
        path, _ = store.original(victim.id)
        path.chmod(0o644)
        path.write_bytes(many_operators_pdf(2_000_000))
        report = reextract_archive(store, workers=2, limits=SMALL)
    assert [(f["path"], f["reason"]) for f in report.failed] == [("0-fine.pdf", "tidsgräns")]
    assert sorted(report.replaced) == sorted(HEALTHY)


def _task(n):
    """Run in a worker: n=1 dies by SIGKILL, n=2 sleeps past any deadline, n=3 allocates."""
    if n == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    if n == 2:
        import time
        time.sleep(60)
    if n == 3:
        return len(bytearray(2**31))
    return n * 10


@pytest.mark.parametrize("workers", [1, 2])
def test_a_dead_worker_costs_only_its_own_task(workers):
    """A worker killed, hanging or over its memory limit gives one outcome; every other task gets its result."""
    tasks = [(n, (n,)) for n in (0, 1, 4, 2, 5, 3, 6)]
    got = {key: (status, value) for key, status, value, _ in run_bounded(
        _task, tasks, workers=workers, time_limit_s=1, memory_limit_mb=300)}
    assert got[1][0] in (DIED, MEMORY) and got[2][0] == TIMEOUT and got[3][0] == MEMORY
    assert {k: v for k, (s, v) in got.items() if s == "ok"} == {0: 0, 4: 40, 5: 50, 6: 60}


HEAD = "Kommunstyrelsen\nProtokoll 2025-03-04\n\n"
# refs #13: inputs that made a regex super-linear or a range unbounded (sizes of the issue)
HOSTILE = {
    "range.txt": HEAD + "Paragrafer 1-99999999999\n\n§ 1 Ärende\n\nText.\n",
    "spaces.txt": HEAD + "§ 1" + " " * 20_000 + "X\n",
    "newlines.txt": HEAD + "§ 1 Ärende\n" + "\n" * 2_000_000 + "Slut på texten.\n",
    "letters.txt": HEAD + "§ 1 Ärende\n" + "a" * 200_000 + "\nText.\n",
    "hyphen.txt": HEAD + "§ 1 Ärende\n" + ("a" * 200_000 + "-\n") * 2 + "Text.\n",
    "leaders.txt": HEAD + "Innehåll\n§ 1 Ärende " + "." * 200_000 + "x\n",
    "marker.txt": HEAD + "<!-- sida 1" + " " * 200_000 + "x\n" + "\n" * 100_000 + "Text.\n",
    "dnr.txt": HEAD + "§ 1 Ärende KS 2023-" + "\n" * 200_000 + "x\nText.\n",
    "paragrafer.txt": HEAD + "Paragrafer " + " " * 20_000 + "X\n§ 1 Ärende\n\nText.\n",
    "latex.md": "\\begin{document}\n" + "\n" * 2_000_000 + "\\section{Ärende}\nText.\n",
    "heading.md": "#" + "\n#" * 200_000 + "\n# Protokoll\nText.\n",
}


def test_hostile_text_files_are_bounded_by_the_parser_not_the_limits(tmp_path):
    """Each hostile file is stored or reported for what it is, never killed at a limit, and the healthy files in the batch are stored."""
    folder = _folder(tmp_path)
    for name, text in HOSTILE.items():
        (folder / name).write_text(text, "utf-8")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder], workers=2,
                              limits=Limits(time_s=30, memory_mb=800))
    killed = [(f["path"], f["reason"]) for f in report.failed
              if f["reason"] in ("tidsgräns", "minnesgräns")]
    assert killed == []
    names = {os.path.basename(p) for p in report.ingested} | set(_failed(report))
    assert names == set(HOSTILE) | set(HEALTHY)
    assert set(HEALTHY) <= {os.path.basename(p) for p in report.ingested}
