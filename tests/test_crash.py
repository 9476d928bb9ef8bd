"""Crashes: ingest and reindex killed with SIGKILL at random points lose nothing (refs #5, #7)."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive
from index import SearchIndex
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parent.parent


def flask(data_dir: Path, *args: str, wait: bool = True) -> subprocess.Popen | subprocess.CompletedProcess:
    env = dict(os.environ, FLASK_DATA_DIR=str(data_dir), FLASK_APP="app")
    cmd = [sys.executable, "-m", "flask", *args]
    if wait:
        return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Many files to ingest: the samples copied under several names with varied content."""
    folder = tmp_path_factory.mktemp("many")
    for n in range(8):
        for src in DATA.glob("*.txt"):
            text = src.read_text("utf-8").replace("2026", str(2000 + n), 1)
            (folder / f"{n:02d}-{src.name}").write_text(text + f"\nKopia {n}\n", "utf-8")
    return folder


def processes_for(data_dir: Path) -> list[int]:
    """Live processes started for this data directory (they inherit FLASK_DATA_DIR)."""
    marker = f"FLASK_DATA_DIR={data_dir}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes():
                    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_gone(data_dir: Path, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while processes_for(data_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    return processes_for(data_dir)


def counts(data_dir: Path) -> tuple[int, int]:
    with Archive(data_dir) as store:
        c = store.counts()
    return c["documents"], c["items"]


@pytest.fixture(scope="module")
def clean_counts(corpus, tmp_path_factory) -> tuple[int, int, int]:
    data = tmp_path_factory.mktemp("clean")
    result = flask(data, "ingest", str(corpus))
    assert result.returncode == 0, result.stderr
    docs, items = counts(data)
    return docs, items, SearchIndex(data).search("valnämnden").total


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_ingest_resumes_without_loss_or_duplicates(corpus, clean_counts, tmp_path, seed):
    """SIGKILL during ingest; the archive opens, a rerun completes, and counts equal a clean run."""
    data = tmp_path / "data"
    proc = flask(data, "ingest", str(corpus), "--workers", "2", wait=False)
    time.sleep(random.Random(seed).uniform(1.0, 3.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert wait_gone(data) == [], "extraction workers outlived the killed ingest"
    with Archive(data) as store:       # opens, WAL recovered
        store.counts()
    rerun = flask(data, "ingest", str(corpus))
    assert rerun.returncode == 0, rerun.stderr
    docs, items, hits = clean_counts
    assert counts(data) == (docs, items)
    assert SearchIndex(data).search("valnämnden").total == hits


@pytest.mark.parametrize("seed", [4, 5])
def test_killed_reindex_leaves_serving_index_untouched(corpus, clean_counts, tmp_path, seed):
    """SIGKILL during reindex; the old index still answers and the next reindex starts clean."""
    data = tmp_path / "data"
    assert flask(data, "ingest", str(corpus)).returncode == 0
    before = SearchIndex(data).search("valnämnden").total
    proc = flask(data, "reindex", "--workers", "2", wait=False)
    time.sleep(random.Random(seed).uniform(0.8, 2.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert wait_gone(data) == [], "indexing workers outlived the killed reindex"
    assert SearchIndex(data).search("valnämnden").total == before
    again = flask(data, "reindex")
    assert again.returncode == 0, again.stderr
    assert SearchIndex(data).search("valnämnden").total == before == clean_counts[2]
    leftovers = [p for p in (data / "index").glob("gen-*") if not (p / "paragraf.json").exists()]
    assert len(leftovers) <= 1  # at most the killed build, which is removed once stale


def test_a_worker_still_starting_when_its_command_is_killed_exits(tmp_path):
    """A pool worker that asks to die with its parent only after the parent was killed (it
    was still importing, as on a busy machine) gets no signal from Linux: it exits itself."""
    script = tmp_path / "pool.py"
    script.write_text(
        "import multiprocessing, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from paragraf_common.workers import die_with_parent\n"
        "def worker():\n"
        "    time.sleep(1.5)       # still starting when the parent is killed\n"
        "    die_with_parent()\n"
        "    time.sleep(60)        # waiting for work that will never come\n"
        "if __name__ == '__main__':\n"
        "    child = multiprocessing.get_context('spawn').Process(target=worker)\n"
        "    child.start()\n"
        "    print(child.pid, flush=True)\n"
        "    time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def alive() -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(), "the worker outlived its killed parent"


def test_second_writer_gets_a_clear_message(corpus, tmp_path):
    """While one reindex holds the writer lock, a second one exits with a clear message."""
    data = tmp_path / "data"
    assert flask(data, "ingest", str(corpus)).returncode == 0
    from index.store import writer_lock
    with writer_lock(data):
        second = flask(data, "reindex")
    assert second.returncode == 2 and "En annan process" in second.stderr


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_searches_keep_working_during_reindex(corpus, tmp_path):
    """Threads searching over HTTP while reindex runs twice: no errors, no empty answers."""
    import json
    import threading
    import urllib.request
    data = tmp_path / "data"
    assert flask(data, "ingest", str(corpus)).returncode == 0
    port = _free_port()
    env = dict(os.environ, FLASK_DATA_DIR=str(data))
    server = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
                               "--threads=8", "--call", "app:create_app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/search?q=valn%C3%A4mnden&limit=3"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        errors, empties, done = [], [], threading.Event()
        answered = [0]

        def client():
            while not done.is_set():
                try:
                    with urllib.request.urlopen(url, timeout=10) as response:
                        if json.load(response)["total"] == 0:
                            empties.append(1)
                        answered[0] += 1
                except Exception as exc:  # any failure is what this test is about
                    errors.append(repr(exc))
        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        for _ in range(2):
            assert flask(data, "reindex").returncode == 0
        time.sleep(1.5)   # searches after the switch use the new index
        done.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait()
    assert not errors and not empties and answered[0] > 20


def _limited(max_bytes: int):
    """Run the child with a file-size limit: writes past it fail as on a full disk."""
    import resource

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def test_full_disk_gives_a_clear_error_and_keeps_the_serving_index(corpus, tmp_path):
    """A reindex that runs out of space fails with a clear message; the old index still serves."""
    data = tmp_path / "data"
    assert flask(data, "ingest", str(corpus)).returncode == 0
    before = SearchIndex(data).search("valnämnden").total
    env = dict(os.environ, FLASK_DATA_DIR=str(data), FLASK_APP="app")
    result = subprocess.run([sys.executable, "-m", "flask", "reindex"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300,
                            preexec_fn=_limited(64 * 1024))
    assert result.returncode == 2 and "Is the disk full" in result.stderr
    assert SearchIndex(data).search("valnämnden").total == before


def test_read_only_data_dir_gives_a_clear_error(tmp_path):
    """Ingesting into a read-only data directory fails with one clear line, exit status 2.

    Root ignores mode bits, so as root the folder is made immutable (chattr +i) instead."""
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    immutable = os.access(data, os.W_OK) and shutil.which("chattr") is not None
    if immutable and subprocess.run(["chattr", "+i", str(data)]).returncode != 0:
        immutable = False
    try:
        if os.access(data, os.W_OK) and not immutable:
            pytest.skip("root on a file system without chattr +i: cannot make a folder read-only")
        result = flask(data, "ingest", str(DATA))
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(data)])
        data.chmod(0o755)
    assert result.returncode == 2 and "read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(data.iterdir()) == []


def test_unwritable_data_dir_gives_a_clear_error(tmp_path):
    """A data directory that cannot be created (its parent is a file) fails clearly, exit 2."""
    blocker = tmp_path / "fil"
    blocker.write_text("x")
    result = flask(blocker / "data", "ingest", str(DATA))
    assert result.returncode == 2 and "Cannot write to the data directory" in result.stderr
    assert "Traceback" not in result.stderr
