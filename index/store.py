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
import sys
import time
from array import array
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from .errors import IndexBusy, IndexDamaged, IndexMissing
from .schema import analysis_fingerprint, build_schema

META = "paragraf.json"
TEMP_DIR = "MAIN.tmp"       # Whoosh's writer sorts postings here; a killed update leaves it
_NOT_INDEX = (META, "paragraf-lexicon.pickle", "WRITE.lock", "MAIN_WRITELOCK")
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
    """The newest Whoosh generation in an index folder (its _MAIN_<n>.toc), -1 when none."""
    found = [int(p.name[6:-4]) for p in path.glob("_MAIN_*.toc") if p.name[6:-4].isdigit()]
    return max(found, default=-1)


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
    CURRENT and Whoosh's sorting folder (MAIN.tmp) inside builds. Returns (path, bytes) of
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


class _IndexFile(StructFile):
    """A read-only index file read with positioned reads, os.pread (refs #6, #7).

    Whoosh's FileStorage reads with seek() then read() on one shared file object, which
    threads serving searches would interleave; pread() has no shared position. Unlike a
    memory map, what a search reads is not counted in the search process's memory: the
    kernel's page cache keeps the file's hot pages, shared by every worker, and drops them
    when memory is short. subset() gives a view of a part, for compound segments written
    by older versions."""

    def __init__(self, raw, name: str, base: int, size: int, owner: bool):
        # its own file object (read_pickle() and friends read through .file); without a
        # fileno, Whoosh neither maps it nor reads it as a real file
        super().__init__(self, name=name)
        # the open file (an unbuffered FileIO) is shared with subsets and closed when the
        # last of them is gone, or by close(): a searcher dropped after a reindex, still in
        # use by another thread, is never closed explicitly
        self._raw, self._fd = raw, raw.fileno()
        self._base, self._size, self._owner = base, size, owner
        self._pos = 0

    @classmethod
    def open(cls, path: str, name: str) -> "_IndexFile":
        raw = open(path, "rb", buffering=0)
        return cls(raw, name, 0, os.fstat(raw.fileno()).st_size, owner=True)

    # positioned reads: what searches use, safe to share between threads
    def get(self, position, length):
        length = min(length, max(0, self._size - position))
        return os.pread(self._fd, length, self._base + position) if length > 0 else b""

    def get_array(self, position, typecode, length):
        values = array(typecode)
        values.frombytes(self.get(position, length * values.itemsize))
        if sys.byteorder == "little":
            values.byteswap()        # Whoosh stores arrays big-endian
        return values

    def subset(self, offset, length, name=None):
        return _IndexFile(self._raw, name or self._name, self._base + offset, length, owner=False)

    # sequential reads: only while a reader opens a file (headers, the compound directory)
    def read(self, length=-1):
        if length is None or length < 0:
            length = self._size - self._pos
        data = self.get(self._pos, length)
        self._pos += len(data)
        return data

    def readline(self, limit=-1):
        line = b""
        while not line.endswith(b"\n") and self._pos < self._size and \
                (limit is None or limit < 0 or len(line) < limit):
            chunk = self.get(self._pos, 256 if limit is None or limit < 0
                             else min(256, limit - len(line)))
            cut = chunk.find(b"\n")
            chunk = chunk if cut < 0 else chunk[:cut + 1]
            self._pos += len(chunk)
            line += chunk
        return line

    def read_array(self, typecode, length):
        values = self.get_array(self._pos, typecode, length)
        self._pos += length * values.itemsize
        return values

    def seek(self, position, whence=0):
        self._pos = position if whence == 0 else (
            self._pos + position if whence == 1 else self._size + position)
        return self._pos

    def tell(self):
        return self._pos

    def flush(self):
        pass

    def close(self):
        if not self.is_closed:
            self.is_closed = True
            if self._owner:
                self._raw.close()


class _IndexStorage(FileStorage):
    """FileStorage whose files are opened as _IndexFile (safe to share between threads)."""

    def open_file(self, name, **kwargs):
        return _IndexFile.open(self._fpath(name), name)


def open_current(data_dir):
    """The serving index, its files checked first (IndexDamaged when one is missing)."""
    path = current_dir(data_dir)
    if path is None:
        raise IndexMissing("Sökindexet är inte byggt än. Kör 'flask reindex'.")
    if damage(path):
        raise IndexDamaged(DAMAGED)
    try:
        return _IndexStorage(str(path)).open_index(), path
    except Exception as exc:       # a file gone or cut short under Whoosh's reader
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
            _IndexStorage(str(path)).open_index().doc_count()
        except Exception as exc:
            reason = f"cannot be opened ({exc})"
    if reason:
        return f"index damaged: {reason}"
    if meta.get("fingerprint") != analysis_fingerprint():
        return (f"analysis changed ({meta.get('fingerprint')} -> {analysis_fingerprint()})")
    return None
