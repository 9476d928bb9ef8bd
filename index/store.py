"""Index directories: build into a new one, switch atomically, keep serving the old meanwhile.

DATA_DIR/index/CURRENT names the serving directory; each build writes DATA_DIR/index/<gen>/
with a paragraf.json beside the backend's files (schema version, analysis fingerprint, counts).
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

from . import backend
from .backend import IndexStorage as _IndexStorage  # noqa: F401  (older name)
from .errors import IndexBusy, IndexDamaged, IndexMissing
from .schema import FIELDS, analysis_fingerprint

META = "paragraf.json"
TEMP_DIR = backend.SORT_DIR  # the backend's writer sorts postings here; a killed update leaves it
_NOT_INDEX = (META, "paragraf-lexicon.pickle", "WRITE.lock", *backend.LOCK_FILES)
DAMAGED = ("Sökindexet är skadat och kan inte användas just nu. En administratör behöver köra "
           "'flask reindex --if-needed', som bygger om det. Försök igen om en stund.")


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


def _generation(path: Path) -> int:
    """The newest generation of the index in a folder, -1 when none."""
    return backend.latest_generation(path)


def index_files(path: Path) -> dict[str, int]:
    """The files of an index generation with their sizes (not our own side files)."""
    out = {}
    for entry in os.scandir(path):
        if entry.is_file() and entry.name not in _NOT_INDEX and not entry.name.endswith(".tmp"):
            out[entry.name] = entry.stat().st_size
    return out


def record_files(path: Path, meta: dict) -> dict:
    """Note in the meta which files (and sizes) make up the index's current generation, so
    that opening it can check they are all there (refs #13)."""
    meta["files"] = index_files(path)
    meta["files_generation"] = _generation(path)
    return meta


def damage(path: Path | None, meta: dict | None = None) -> str | None:
    """Why the index in `path` cannot be used (a file missing or of the wrong size), or None.

    Only the generation the meta describes is checked: while an update commits a newer
    one, its files are not yet listed."""
    if path is None:
        return None
    meta = read_meta(path) if meta is None else meta
    if not meta:
        return f"{META} is missing or unreadable"
    generation = _generation(path)
    if generation < 0:
        return "no table of contents (_MAIN_*.toc)"
    files = meta.get("files")
    if not files or meta.get("files_generation") != generation:
        return None
    for name, size in files.items():
        try:
            actual = os.stat(path / name).st_size
        except OSError:
            return f"file {name} is missing"
        if actual != size:
            return f"file {name} has {actual} bytes, not {size}"
    return None


def clean_leftovers(data_dir) -> list[tuple[str, int]]:
    """Remove what killed or failed index writes left behind: builds that never became
    CURRENT and the backend's sorting folder (MAIN.tmp) inside builds. Returns (path, bytes) of
    each removal. Only with the writer lock, so nothing still being written is touched;
    when another writer holds it, nothing is removed (refs #13)."""
    if not index_root(data_dir).is_dir():
        return []
    try:
        with writer_lock(data_dir):
            return remove_leftovers(data_dir)
    except IndexBusy:
        return []


def remove_leftovers(data_dir) -> list[tuple[str, int]]:
    """clean_leftovers() for a caller that already holds the writer lock."""
    root = index_root(data_dir)
    serving = current_dir(data_dir)
    removed = []
    for path in sorted(p for p in root.glob("gen-*") if p.is_dir()):
        if path != serving and not (path / META).exists():
            removed.append((str(path), _tree_size(path)))
            shutil.rmtree(path, ignore_errors=True)
        elif (path / TEMP_DIR).is_dir():
            removed.append((str(path / TEMP_DIR), _tree_size(path / TEMP_DIR)))
            shutil.rmtree(path / TEMP_DIR, ignore_errors=True)
    for tmp in root.glob("*.tmp"):
        removed.append((str(tmp), tmp.stat().st_size))
        tmp.unlink(missing_ok=True)
    return removed


def _tree_size(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                pass
    return total


def new_build_dir(data_dir) -> Path:
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = "gen-" + dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = root / name
    path.mkdir()
    backend.create_index(path, FIELDS)
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
    """The serving index, its files checked first (IndexDamaged when one is missing)."""
    path = current_dir(data_dir)
    if path is None:
        raise IndexMissing("Sökindexet är inte byggt än. Kör 'flask reindex'.")
    if damage(path):
        raise IndexDamaged(DAMAGED)
    try:
        return backend.open_index(path, shared=True), path
    except Exception as exc:       # a file gone or cut short under the backend's reader
        raise IndexDamaged(DAMAGED) from exc


def needs_rebuild(data_dir) -> str | None:
    """Why the serving index must be rebuilt, or None when it is current."""
    path = current_dir(data_dir)
    if path is None:
        return "no index"
    meta = read_meta(path)
    reason = damage(path, meta)
    if reason is None:
        try:
            backend.unit_count(path)
        except Exception as exc:
            reason = f"cannot be opened ({exc})"
    if reason:
        return f"index damaged: {reason}"
    if meta.get("fingerprint") != analysis_fingerprint():
        return ("schema, analysis or side-file format changed "
                f"({meta.get('fingerprint')} -> {analysis_fingerprint()})")
    return None
