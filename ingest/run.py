"""A batch ingest: find files, skip unchanged ones by hash, parse in workers, store in order."""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from archive import Archive
from archive.workers import die_with_parent

from .errors import UnreadableFile
from .reader import media_type_of, parse_document, read_sidecar

# Folder documentation and sidecars are not records (MANIFEST.tsv is read as metadata).
_NOT_RECORDS = ("readme", "structure.md", "manifest.", "leads.", "license", "changelog")


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)      # {path, stage, reason, message}
    warnings: list[dict] = field(default_factory=list)
    changed_documents: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {"ingested": len(self.ingested), "replaced": len(self.replaced),
                "unchanged": len(self.unchanged), "skipped": len(self.skipped),
                "failed": len(self.failed)}


@dataclass
class Candidate:
    path: Path
    source: str          # relative to the folder given, or the file name


def find_files(paths: Iterable[str | os.PathLike], report: IngestReport) -> list[Candidate]:
    """Files to ingest under the given paths, recursively, each once; symlink loops are safe."""
    found: list[Candidate] = []
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            _add(found, seen, root, root.name, report, explicit=True)
        elif root.is_dir():
            for folder, dirs, files in os.walk(root, followlinks=False):
                here = Path(folder)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in [d for d in dirs if (here / d).is_symlink()]:
                    dirs.remove(name)       # folder links are not followed
                    _linked_folder(here / name, report)
                for name in sorted(files):
                    path = Path(folder) / name
                    _add(found, seen, path, path.relative_to(root).as_posix(), report)
        else:
            report.failed.append({"path": str(root), "stage": "read", "reason": "unreadable",
                                  "message": "Sökvägen finns inte."})
    return found


def _linked_folder(link: Path, report: IngestReport) -> None:
    """A link to a folder is skipped; one pointing back at a folder it lies in is a loop."""
    try:
        target = link.resolve(strict=True)
        loop = link.parent.resolve().is_relative_to(target)
    except (OSError, RuntimeError):
        loop = True
    if not loop:
        report.skipped.append(str(link))
    elif not any(f["path"] == str(link) for f in report.failed):
        report.failed.append({"path": str(link), "stage": "read", "reason": "unreadable",
                              "message": "Länkslinga: länken pekar tillbaka på en mapp den "
                                         "ligger i och lästes inte."})


def _add(found, seen, path: Path, source: str, report: IngestReport, explicit=False) -> None:
    name = path.name.lower()
    if not explicit and (name.startswith(".") or name.startswith(_NOT_RECORDS)
                         or ".meta." in name or media_type_of(path) is None):
        report.skipped.append(str(path))
        return
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        report.failed.append({"path": str(path), "stage": "read", "reason": "unreadable",
                              "message": "Filen kan inte läsas (trasig länk eller länkslinga)."})
        return
    if real in seen:
        return
    seen.add(real)
    found.append(Candidate(path, source))


def _parse(path: str, source: str, max_bytes: int):
    """Worker: read and parse one file. Returns (parsed or None, data or None, failure or None)."""
    def read() -> tuple[bytes, str, dict]:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise UnreadableFile("too-large", f"Filen är för stor ({size / 2**20:.3g} MB; "
                                              f"gränsen är {max_bytes / 2**20:.3g} MB).", "read")
        with open(path, "rb") as handle:
            return handle.read(), Path(path).name, read_sidecar(Path(path))
    return _parse_safely(read, path, source)


def _reparse(doc_id: str, path: str, filename: str, source: str, sidecar: dict):
    """Worker: parse a stored original again (same source and sidecar metadata)."""
    def read() -> tuple[bytes, str, dict]:
        with open(path, "rb") as handle:
            return handle.read(), filename, sidecar
    return _parse_safely(read, source, source)


def _parse_safely(read, shown_path: str, source: str):
    """Run read() and the parser; every failure becomes one report line, never an exception."""
    try:
        data, filename, sidecar = read()
        doc = parse_document(data, filename, source, sidecar)
        doc.sidecar = sidecar
        return doc, data, None
    except UnreadableFile as exc:
        return None, None, {"path": shown_path, "stage": exc.stage, "reason": exc.reason,
                            "message": str(exc)}
    except OSError as exc:
        return None, None, {"path": shown_path, "stage": "read", "reason": "unreadable",
                            "message": f"Filen kan inte läsas ({exc.strerror or exc})."}
    except Exception as exc:  # a parser bug must not stop the batch; report it plainly
        return None, None, {"path": shown_path, "stage": "structure", "reason": "error",
                            "message": f"Oväntat fel vid tolkning ({type(exc).__name__}: {exc})."}


def ingest_paths(archive: Archive, paths: Iterable[str | os.PathLike], *, max_file_mb: float = 100,
                 workers: int = 1, force: bool = False,
                 progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
    """Ingest files and folders into the archive; returns what happened to each file."""
    report = IngestReport()
    candidates = find_files(paths, report)
    max_bytes = int(max_file_mb * 2**20)
    todo: list[Candidate] = []
    batch: set[str] = set()
    for cand in candidates:
        try:
            sha = _hash(cand.path)
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
    results = _run_parsers(todo, max_bytes, workers)
    for cand, (doc, data, failure) in results:
        if failure:
            report.failed.append(failure)
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


def reextract_archive(archive: Archive, workers: int = 1,
                      progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
    """Re-parse every stored original with today's parser (no original paths needed)."""
    report = IngestReport()
    jobs = []
    for doc in archive.documents():
        path, _ = archive.original(doc.id)
        jobs.append((doc.id, str(path), doc.filename, doc.source, archive.sidecar(doc.id)))
    pool = (ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent)
            if workers > 1 else None)
    try:
        results = (pool.map(_reparse, *zip(*jobs)) if pool and jobs
                   else (_reparse(*job) for job in jobs))
        for n, ((doc_id, _, _, source, _), (doc, data, failure)) in enumerate(
                zip(jobs, results), start=1):
            if failure:
                report.failed.append(failure)
            else:
                result = archive.store_document(doc, data, force=True)
                report.replaced.append(source)
                report.changed_documents.extend([result.document_id, *result.removed])
            if progress:
                progress(n, len(jobs), source)
    finally:
        if pool:
            pool.shutdown()
    return report


def _run_parsers(todo: list[Candidate], max_bytes: int, workers: int):
    if workers <= 1 or len(todo) < 2:
        for cand in todo:
            yield cand, _parse(str(cand.path), cand.source, max_bytes)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent) as pool:
        futures = [(c, pool.submit(_parse, str(c.path), c.source, max_bytes)) for c in todo]
        for cand, future in futures:
            try:
                yield cand, future.result()
            except Exception as exc:  # a worker died (e.g. out of memory on one file)
                yield cand, (None, None, {"path": str(cand.path), "stage": "extract",
                                          "reason": "error", "message": f"Arbetsprocessen "
                                          f"avbröts ({type(exc).__name__})."})


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
