"""Index folders: creating, opening and counting an index, and a file storage that threads
can share (positioned reads)."""
from __future__ import annotations

import os
import random
import sys
from array import array

from whoosh import index as _whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from .schema import make_schema

SORT_DIR = "MAIN.tmp"        # Whoosh's writer sorts postings here; a killed update leaves it
LOCK_FILES = ("MAIN_WRITELOCK",)


def create_index(path, fields: dict):
    """An empty index in the folder `path`."""
    return _whoosh_index.create_in(str(path), make_schema(fields))


def open_index(path, shared: bool = False):
    """The index in `path`; shared=True reads its files with IndexFile (searching threads)."""
    if shared:
        return IndexStorage(str(path)).open_index()
    return _whoosh_index.open_dir(str(path))


def unit_count(path) -> int:
    """Live units of the index in `path` (opening it fully: raises when a file is damaged)."""
    return open_index(path, shared=True).doc_count()


def segment_count(path) -> int:
    return len(open_index(path)._segments())


def latest_generation(path) -> int:
    """The newest generation in an index folder (its _MAIN_<n>.toc), -1 when none."""
    found = [int(p.name[6:-4]) for p in path.glob("_MAIN_*.toc") if p.name[6:-4].isdigit()]
    return max(found, default=-1)


def reseed_segment_names() -> None:
    """Whoosh names segment files with `random`: reseed so processes never pick the same."""
    random.seed(os.urandom(16))


class IndexFile(StructFile):
    """A read-only index file read with positioned reads, os.pread (refs #6, #7).

    Whoosh's FileStorage reads with seek() then read() on one shared file object, which
    threads serving searches would interleave; pread() has no shared position. Unlike a
    memory map, what a search reads is not counted in the search process's memory: the
    kernel's page cache keeps the file's hot pages, shared by every worker, and drops them
    when memory is short. subset() gives a view of a part, for compound segments (Whoosh's
    own writer packs small segments into one file)."""

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
    def open(cls, path: str, name: str) -> "IndexFile":
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
        return IndexFile(self._raw, name or self._name, self._base + offset, length, owner=False)

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


class IndexStorage(FileStorage):
    """FileStorage whose files are opened as IndexFile (safe to share between threads)."""

    def open_file(self, name, **kwargs):
        return IndexFile.open(self._fpath(name), name)
