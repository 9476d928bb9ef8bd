"""A batch ingest: find files, skip unchanged ones by hash, parse each in a killable worker
under time and memory limits, store results as they finish."""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from archive import Archive
from paragraf_common.workers import MEMORY, TIMEOUT, run_bounded, set_stage

from .errors import Failure, UnreadableFile
from .reader import media_type_of, open_regular, parse_document, read_regular, read_sidecar

# Folder documentation and sidecars are not records (MANIFEST.tsv is read as metadata).
_NOT_RECORDS = ("readme", "structure.md", "manifest.", "leads.", "license", "changelog")


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)      # Failure.to_dict() of each
    warnings: list[dict] = field(default_factory=list)
    changed_documents: list[str] = field(default_factory=list)

    def fail(self, failure: Failure) -> None:
        """One more file not ingested: a line of the report."""
        self.failed.append(failure.to_dict())

    def summary(self) -> dict:
        return {"ingested": len(self.ingested), "replaced": len(self.replaced),
                "unchanged": len(self.unchanged), "skipped": len(self.skipped),
                "failed": len(self.failed)}


@dataclass
class Candidate:
    path: Path
    source: str          # relative to the folder given, or the file name


def find_files(paths: Iterable[str | os.PathLike], report: IngestReport) -> list[Candidate]:
    """Files to ingest under the given paths, recursively, each once; symlink loops are safe.

    Only regular files that lie inside the given folders once links are resolved are
    candidates (refs #13: a link to /etc/passwd must not be archived and served)."""
    found: list[Candidate] = []
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            _add(found, seen, root, root.name, report, explicit=True)
        elif root.is_dir():
            inside = root.resolve()
            for folder, dirs, files in os.walk(root, followlinks=False):
                here = Path(folder)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in [d for d in dirs if (here / d).is_symlink()]:
                    dirs.remove(name)       # folder links are not followed
                    _linked_folder(here / name, report)
                for name in sorted(files):
                    path = Path(folder) / name
                    _add(found, seen, path, path.relative_to(root).as_posix(), report,
                         inside=inside)
        elif root.exists() or root.is_symlink():
            _fail(report, root, "not-a-file", "Inte en vanlig fil eller mapp (t.ex. en FIFO "
                                              "eller en enhet) och lästes inte.")
        else:
            _fail(report, root, "unreadable", "Sökvägen finns inte.")
    return found


def shown_path(path: str | os.PathLike) -> str:
    """A path as text that can always be printed and stored: bytes that are not UTF-8 in a
    file name become U+FFFD (refs #13: such a name aborted the whole ingest)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _fail(report: IngestReport, path, reason: str, message: str, stage: str = "read") -> None:
    report.fail(Failure(shown_path(path), stage, reason, message))


def _linked_folder(link: Path, report: IngestReport) -> None:
    """A link to a folder is skipped; one pointing back at a folder it lies in is a loop."""
    try:
        target = link.resolve(strict=True)
        loop = link.parent.resolve().is_relative_to(target)
    except (OSError, RuntimeError):
        loop = True
    if not loop:
        report.skipped.append(shown_path(link))
    elif not any(f["path"] == shown_path(link) for f in report.failed):
        _fail(report, link, "unreadable", "Länkslinga: länken pekar tillbaka på en mapp den "
                                          "ligger i och lästes inte.")


def _add(found, seen, path: Path, source: str, report: IngestReport, explicit=False,
         inside: Path | None = None) -> None:
    if shown_path(path) != str(path):
        _fail(report, path, "bad-name", "Filnamnet är inte giltig UTF-8 och lästes inte; "
                                        "byt namn på filen.")
        return
    name = path.name.lower()
    if not explicit and (name.startswith(".") or name.startswith(_NOT_RECORDS)
                         or ".meta." in name or media_type_of(path) is None):
        report.skipped.append(str(path))
        return
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        _fail(report, path, "unreadable", "Filen kan inte läsas (trasig länk eller länkslinga).")
        return
    if inside is not None and not real.is_relative_to(inside):
        _fail(report, path, "outside", "Länken pekar utanför mappen som läses in och "
                                       "lästes inte.")
        return
    if not real.is_file() or not stat.S_ISREG(real.stat().st_mode):
        _fail(report, path, "not-a-file", "Inte en vanlig fil (t.ex. en FIFO eller en enhet) "
                                          "och lästes inte.")
        return
    if real in seen:
        return
    seen.add(real)
    found.append(Candidate(path, source))


def _parse(path: str, source: str, max_bytes: int, ocr_max_pages: int = 0):
    """Worker: read and parse one file. Returns (parsed or None, data or None, Failure or None)."""
    def read() -> tuple[bytes, str, dict]:
        return read_regular(path, max_bytes), Path(path).name, read_sidecar(Path(path))
    return _parse_safely(read, path, source, ocr_max_pages)


def _reparse(doc_id: str, path: str, filename: str, source: str, sidecar: dict,
             ocr_max_pages: int = 0):
    """Worker: parse a stored original again (same source and sidecar metadata)."""
    def read() -> tuple[bytes, str, dict]:
        with open(path, "rb") as handle:
            return handle.read(), filename, sidecar
    return _parse_safely(read, source, source, ocr_max_pages)


def _parse_safely(read, shown: str, source: str, ocr_max_pages: int = 0):
    """Run read() and the parser; every failure becomes one report line, never an exception."""
    try:
        set_stage("read")
        data, filename, sidecar = read()
        doc = parse_document(data, filename, source, sidecar, ocr_max_pages=ocr_max_pages)
        doc.sidecar = sidecar
        return doc, data, None
    except UnreadableFile as exc:
        return None, None, exc.to_failure(shown)
    except MemoryError:
        raise                # the pool reports it as "minnesgräns"
    except OSError as exc:
        return None, None, Failure(shown, "read", "unreadable",
                                   f"Filen kan inte läsas ({exc.strerror or exc}).")
    except Exception as exc:  # a parser bug must not stop the batch; report it plainly
        return None, None, Failure(shown, "structure", "error",
                                   f"Oväntat fel vid tolkning ({type(exc).__name__}: {exc}).")


@dataclass
class Limits:
    """What one file may cost (refs #13); 0 means no limit."""
    time_s: float = 120
    memory_mb: float = 1536
    ocr_max_pages: int = 50


def _bounded(func, tasks, workers: int, limits: Limits, shown):
    """(key, (doc, data, failure)) for each (key, args) task as it finishes, each parsed in a
    killable worker under the limits; a killed or dead worker costs only its own task."""
    for key, status, value, stage in run_bounded(
            func, tasks, workers=workers, time_limit_s=limits.time_s,
            memory_limit_mb=limits.memory_mb):
        if status == "ok":
            yield key, value
            continue
        stage = stage if stage in ("read", "extract", "ocr", "structure") else "extract"
        if status == TIMEOUT:
            reason, message = "tidsgräns", (f"Tolkningen tog längre än {limits.time_s:g} s "
                                            "och avbröts (INGEST_TIME_LIMIT_S).")
        elif status == MEMORY:
            reason, message = "minnesgräns", (f"Tolkningen behövde mer än {limits.memory_mb:g} "
                                              "MB minne och avbröts (INGEST_MEMORY_LIMIT_MB).")
        else:
            reason, message = "error", f"Arbetsprocessen avbröts ({value})."
        yield key, (None, None, Failure(shown(key), stage, reason, message))


def ingest_paths(archive: Archive, paths: Iterable[str | os.PathLike], *, max_file_mb: float = 100,
                 workers: int = 1, force: bool = False, limits: Limits | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
    """Ingest files and folders into the archive; returns what happened to each file.

    Each file is parsed in a worker process under `limits`; results are stored as they
    finish, so one slow or hostile file holds up nothing else."""
    limits = limits or Limits()
    report = IngestReport()
    candidates = find_files(paths, report)
    max_bytes = int(max_file_mb * 2**20)
    todo: list[Candidate] = []
    batch: set[str] = set()
    for cand in candidates:
        try:
            sha = _hash(cand.path, max_bytes)
        except UnreadableFile as exc:
            report.fail(exc.to_failure(shown_path(cand.path)))
            continue
        except OSError:
            todo.append(cand)  # the worker reports the read error
            continue
        existing = None if force else archive.find_by_hash(sha)
        if existing is not None or sha in batch:
            # refs #2: same content again changes nothing (also under a second name, also
            # twice in one batch)
            report.unchanged.append(str(cand.path))
            continue
        batch.add(sha)
        todo.append(cand)
    total, done = len(candidates), len(candidates) - len(todo)
    tasks = [(n, (str(c.path), c.source, max_bytes, limits.ocr_max_pages))
             for n, c in enumerate(todo)]
    for n, (doc, data, failure) in _bounded(_parse, tasks, workers, limits,
                                            lambda n: str(todo[n].path)):
        cand = todo[n]
        if failure:
            report.fail(failure)
        else:
            result = archive.store_document(doc, data, force=force)
            getattr(report, result.status).append(str(cand.path))
            if result.status != "unchanged":
                report.changed_documents.extend([result.document_id, *result.removed])
            report.warnings.extend({"path": str(cand.path), "message": w} for w in doc.warnings)
        done += 1
        if progress:
            progress(done, total, str(cand.path))
    return report


def reextract_archive(archive: Archive, workers: int = 1, limits: Limits | None = None,
                      progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
    """Re-parse every stored original with today's parser (no original paths needed)."""
    limits = limits or Limits()
    report = IngestReport()
    jobs = []
    for doc in archive.documents():
        path, _ = archive.original(doc.id)
        jobs.append((doc.id, str(path), doc.filename, doc.source, archive.sidecar(doc.id),
                     limits.ocr_max_pages))
    tasks = list(enumerate(jobs))
    for done, (n, (doc, data, failure)) in enumerate(
            _bounded(_reparse, tasks, workers, limits, lambda n: jobs[n][3]), start=1):
        source = jobs[n][3]
        if failure:
            report.fail(failure)
        else:
            result = archive.store_document(doc, data, force=True)
            report.replaced.append(source)
            report.changed_documents.extend([result.document_id, *result.removed])
        if progress:
            progress(done, len(jobs), source)
    return report


def _hash(path: Path, max_bytes: int) -> str:
    """SHA-256 of a regular file no larger than max_bytes; anything else raises UnreadableFile
    before a byte is read (refs #13: a FIFO or /dev/zero hung the hashing forever)."""
    digest = hashlib.sha256()
    with open_regular(path, max_bytes) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
