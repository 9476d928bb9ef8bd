"""Index directories: build into a new one, switch atomically, keep serving the old meanwhile.

DATA_DIR/index/CURRENT names the serving directory; each build writes DATA_DIR/index/<gen>/
with a paragraf.json beside the Whoosh files (schema version, analysis fingerprint, counts).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

from .errors import IndexBusy, IndexMissing
from .schema import analysis_fingerprint, build_schema

META = "paragraf.json"


def index_root(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "index"


def current_dir(data_dir) -> Path | None:
    root = index_root(data_dir)
    try:
        name = (root / "CURRENT").read_text().strip()
    except OSError:
        return None
    path = root / name
    return path if (path / META).exists() else None


def read_meta(path: Path) -> dict:
    try:
        return json.loads((path / META).read_text())
    except (OSError, ValueError):
        return {}


def write_meta(path: Path, meta: dict) -> None:
    tmp = path / (META + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1))
    os.replace(tmp, path / META)


def new_build_dir(data_dir) -> Path:
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = "gen-" + dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = root / name
    path.mkdir()
    whoosh_index.create_in(str(path), build_schema())
    return path


def switch_to(data_dir, path: Path) -> None:
    """Make `path` the serving index in one atomic rename; old builds are removed later."""
    root = index_root(data_dir)
    tmp = root / "CURRENT.tmp"
    tmp.write_text(path.name)
    with open(tmp) as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, root / "CURRENT")
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale(data_dir, keep: int = 2, min_age_s: float = 300) -> None:
    """Delete builds that are neither serving nor among the newest `keep` (unfinished or old).

    Old builds are kept for a while: a searcher opened a moment ago may still read them.
    """
    root = index_root(data_dir)
    serving = current_dir(data_dir)
    builds = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    for path in builds[:-keep]:
        if path != serving and time.time() - path.stat().st_mtime > min_age_s:
            shutil.rmtree(path, ignore_errors=True)
    for path in builds:   # builds a killed reindex left behind never became CURRENT
        if path != serving and path.exists() and not (path / META).exists() and \
                time.time() - path.stat().st_mtime > min_age_s:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def writer_lock(data_dir):
    """One writer at a time across processes (ingest, reindex); a second gets IndexBusy."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / "WRITE.lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy("En annan process skriver redan till indexet (ingest eller reindex). "
                            "Försök igen när den är klar.") from None
        yield
    finally:
        handle.close()


def open_current(data_dir):
    path = current_dir(data_dir)
    if path is None:
        raise IndexMissing("Sökindexet är inte byggt än. Kör 'flask reindex'.")
    return whoosh_index.open_dir(str(path)), path


def needs_rebuild(data_dir) -> str | None:
    """Why the serving index must be rebuilt, or None when it is current."""
    path = current_dir(data_dir)
    if path is None:
        return "no index"
    meta = read_meta(path)
    if meta.get("fingerprint") != analysis_fingerprint():
        return (f"analysis changed ({meta.get('fingerprint')} -> {analysis_fingerprint()})")
    return None
