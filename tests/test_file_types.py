"""Only regular files inside the folders given are read (refs #13).

A link to /etc/passwd was archived and served at /d/<id>/fil; a FIFO or a link to /dev/zero
hung ingest forever (it hashed before it checked the size); a file name that is not valid
UTF-8 aborted the whole batch with a traceback. Each is now one line in the report and the
batch goes on. The CLI cases run `flask ingest` as a subprocess with a timeout, so a hang
fails the test instead of stalling the suite.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from ingest import ingest_paths
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("KUNGSBACKA KOMMUN\nValnämnd\nDatum\n2025-02-03\n\n§ 1   Dnr VN-2025-00001\n"
        "Val av justerare\n\nBeslut\nValnämnden utser Karin Björk att justera protokollet.\n")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "protokoll.txt").write_text(GOOD, "utf-8")
    return folder


def _line(report, name: str) -> dict:
    lines = [f for f in report.failed if f["path"].endswith(name)]
    assert len(lines) == 1, report.failed
    return lines[0]


def _flask_ingest(data: Path, *paths: str, timeout: float = 60):
    """`flask ingest PATHS --report` in a subprocess; the process and the report
    (its failures from the JSON file, its counts from the summary line)."""
    env = {**os.environ, "FLASK_APP": "app", "FLASK_DATA_DIR": str(data)}
    stem = data.parent / "rapport"
    result = subprocess.run([sys.executable, "-m", "flask", "ingest", *paths, "--report",
                             str(stem)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    failed = json.loads(stem.with_suffix(".json").read_text("utf-8"))
    counts = dict(part.split() for part in result.stdout.splitlines()[0].split(", "))
    return result, {"failed": failed, "summary": {k: int(v) for k, v in counts.items()}}


def test_link_out_of_the_folder_is_reported_and_never_served(tmp_path):
    """A link to /etc/passwd named like a record is one 'outside' line; nothing of it is archived or served."""
    folder = _folder(tmp_path)
    os.symlink("/etc/passwd", folder / "losenord.txt")
    data = tmp_path / "data"
    with Archive(data) as store:
        report = ingest_paths(store, [folder])
        documents = store.documents()
    assert [Path(p).name for p in report.ingested] == ["protokoll.txt"]
    line = _line(report, "losenord.txt")
    assert line["reason"] == "outside" and "utanför" in line["message"]
    assert [d.filename for d in documents] == ["protokoll.txt"]
    client = make_app(data).test_client()
    for doc in documents:
        assert b"root:" not in client.get(f"/d/{doc.id}/fil").data
    assert b"root:x" not in client.get("/sok?q=root").data


def test_link_inside_the_folder_is_read_once(tmp_path):
    """A link to a file inside the same folder is not 'outside': the file is archived once."""
    folder = _folder(tmp_path)
    os.symlink(folder / "protokoll.txt", folder / "kopia.txt")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
        assert not report.failed and len(store.documents()) == 1


def test_fifo_and_device_links_are_reported_without_hanging(tmp_path):
    """A FIFO (no writer) and a link to /dev/zero are 'not-a-file' lines, through the CLI, in bounded time."""
    folder = _folder(tmp_path)
    os.mkfifo(folder / "ror.txt")
    os.symlink("/dev/zero", folder / "nollor.pdf")
    result, report = _flask_ingest(tmp_path / "data", str(folder))
    assert result.returncode == 1, result.stderr
    failed = {Path(f["path"]).name: f for f in report["failed"]}
    assert set(failed) == {"ror.txt", "nollor.pdf"}, report["failed"]
    # the /dev/zero link points outside the folder; either way it is refused before a byte is read
    assert failed["ror.txt"]["reason"] == "not-a-file"
    assert failed["nollor.pdf"]["reason"] in {"outside", "not-a-file"}
    assert report["summary"]["ingested"] == 1


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_named_explicitly_a_fifo_or_device_is_refused(tmp_path, target):
    """Given on the command line itself (not inside a folder), a FIFO or a device is still refused, not read."""
    path = tmp_path / "ror"
    if target == "fifo":
        os.mkfifo(path)
    else:
        path = Path(target)
    result, report = _flask_ingest(tmp_path / "data", str(path), str(_folder(tmp_path)))
    assert result.returncode == 1, result.stderr
    assert [f["reason"] for f in report["failed"]] == ["not-a-file"], report["failed"]
    assert report["summary"]["ingested"] == 1


def test_file_name_that_is_not_utf8_is_one_line_and_the_batch_goes_on(tmp_path):
    """A name with a Latin-1 byte is one 'bad-name' line (printable, with U+FFFD); the other file is ingested."""
    folder = _folder(tmp_path)
    bad = os.fsencode(folder) + b"/m\xf6te.txt"
    with open(bad, "wb") as handle:
        handle.write(GOOD.replace("§ 1", "§ 2").encode("utf-8"))
    result, report = _flask_ingest(tmp_path / "data", str(folder))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert report["summary"]["ingested"] == 1
    (line,) = report["failed"]
    assert line["reason"] == "bad-name" and line["path"].endswith("m\ufffdte.txt")
    assert "UTF-8" in line["message"]
    with Archive(tmp_path / "data") as store:
        run = store.runs(1)[0]
    assert [f["reason"] for f in run["failures"]] == ["bad-name"]
