"""Writing the index: full rebuilds into a new directory, and in-place updates after ingest."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable


from archive import Archive
from paragraf_common.workers import die_with_parent

from . import backend
from .schema import SCHEMA_VERSION, analysis_fingerprint
from .segment import BulkSegmentWriter
from .sidefiles import FORMAT_VERSION
from .store import TEMP_DIR
from .store import (current_dir, new_build_dir, open_current, read_meta, record_files,
                    remove_leftovers, remove_stale, switch_to, write_meta, writer_lock)
from .units import units_for_document


# Units per segment of a rebuild: bounds the memory of a worker's in-memory postings
# (~270 postings a unit, ~60 bytes each) while keeping the segment count small. Large
# archives get larger segments (up to 4x), so that each worker writes at most ~16 of them:
# every query term is looked up once per segment.
SEGMENT_UNITS = 8000
SEGMENTS_PER_WORKER = 16


def rebuild_index(archive: Archive, data_dir, progress: Callable[[int, int], None] | None = None,
                  workers: int = 1, segment_units: int | None = None) -> dict:
    """Build a fresh index from the archive alone, then switch to it atomically.

    Searches keep using the old index until the switch; a killed rebuild leaves only an
    unfinished directory that never became CURRENT and is cleaned up by the next run.
    Documents are written into segments by BulkSegmentWriter; with workers > 1, each worker
    process writes the segments of its share of the documents, and the parent commits them
    all together. The unit count is checked, so a lost segment fails the rebuild instead of
    shrinking the index.
    """
    with writer_lock(data_dir):
        removed = remove_leftovers(data_dir)     # refs #13: what killed builds left
        remove_stale(data_dir, min_age_s=0 if current_dir(data_dir) is None else 300)
        started = dt.datetime.now(dt.timezone.utc)
        generation = archive.generation
        path = new_build_dir(data_dir)
        doc_ids = [d.id for d in archive.documents()]
        if segment_units is None:
            wanted = archive.counts()["items"] // (max(1, workers) * SEGMENTS_PER_WORKER)
            segment_units = max(SEGMENT_UNITS, min(4 * SEGMENT_UNITS, wanted))
        if workers > 1 and len(doc_ids) >= 2 * workers:
            shares = [doc_ids[k::workers] for k in range(workers)]
            results = _build_parallel(str(archive.data_dir), path, shares, segment_units,
                                      progress, len(doc_ids))
        else:
            results = [_build_share(str(archive.data_dir), str(path), doc_ids, segment_units,
                                    progress=progress)]
        units = _commit_segments(path, results)
        _write_lexicon(path)
        meta = {"schema_version": SCHEMA_VERSION, "format_version": FORMAT_VERSION,
                "fingerprint": analysis_fingerprint(),
                "built_at": started.isoformat(timespec="seconds"), "documents": len(doc_ids),
                "units": units, "archive_generation": generation, "workers": workers,
                "segment_units": segment_units,
                "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 2)}
        write_meta(path, record_files(path, meta))
        switch_to(data_dir, path)
        remove_stale(data_dir)
        # refs #13: documents ingested while this rebuild ran (their ingest found the index
        # busy and left them to it) are indexed now, before the lock is let go
        meta["caught_up"] = _catch_up(archive, data_dir)
        meta["removed"] = removed
        return meta


def _build_share(data_dir: str, index_path: str, doc_ids: list[str], segment_units: int,
                 progress=None, done=None) -> tuple[list, int]:
    """Write the units of some documents into new segments; returns (segments, unit count).

    Runs in the parent (one worker) or in a worker process; nothing is committed here.
    `progress(done, total)` is called per document; `done` is a shared counter (workers).
    """
    backend.reseed_segment_names()    # unique segment names per worker
    ix = backend.open_index(index_path)
    segments = []
    units = 0
    writer = None
    try:
        with Archive(data_dir) as store:
            for n, doc_id in enumerate(doc_ids, start=1):
                try:
                    doc = store.document(doc_id)
                except LookupError:
                    continue
                for unit in units_for_document(doc, store.pages(doc_id),
                                               store.items(document=doc_id)):
                    if writer is None:
                        writer = BulkSegmentWriter(ix)
                    writer.add_document(**unit)
                    units += 1
                if writer is not None and writer.doc_count() >= segment_units:
                    segments.append(writer.finish())
                    writer = None
                if done is not None:
                    with done.get_lock():
                        done.value += 1
                elif progress:
                    progress(n, len(doc_ids))
        if writer is not None:
            segments.append(writer.finish())
            writer = None
        return segments, units
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise


def _init_worker(counter) -> None:
    global _DONE
    die_with_parent()
    _DONE = counter


_DONE = None


def _build_in_worker(data_dir: str, index_path: str, doc_ids: list[str], segment_units: int):
    return _build_share(data_dir, index_path, doc_ids, segment_units, done=_DONE)


def _build_parallel(data_dir: str, path, shares: list[list[str]], segment_units: int,
                    progress, total: int) -> list[tuple[list, int]]:
    import time
    context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)
    with ProcessPoolExecutor(max_workers=len(shares), mp_context=context,
                             initializer=_init_worker, initargs=(counter,)) as pool:
        futures = [pool.submit(_build_in_worker, data_dir, str(path), share, segment_units)
                   for share in shares]
        while not all(f.done() for f in futures):
            if progress:
                progress(counter.value, total)
            time.sleep(0.2)
        results = [f.result() for f in futures]
    if progress:
        progress(total, total)
    return results


def _commit_segments(path, results: list[tuple[list, int]]) -> int:
    """Commit the segments written for a rebuild as one generation; check every unit arrived."""
    segments = [segment for share, _ in results for segment in share]
    expected = sum(units for _, units in results)
    arrived = backend.commit_segments(path, segments)
    if arrived != expected:
        raise RuntimeError(f"index build lost documents: {arrived} of {expected} units arrived")
    return expected


def _write_lexicon(path) -> None:
    """The suggestion lexicon of the generation just committed (index/suggest.py), written
    once here so that no search pays for it (refs #13)."""
    from .suggest import write_lexicon
    write_lexicon(path, backend.open_index(path))


def sync_index(archive: Archive, data_dir) -> int:
    """Bring the serving index up to date with every archive change it has not seen.

    Safe after a killed ingest: changes are logged in the archive with generation numbers,
    and the index records the last generation it reflects, so nothing is missed or doubled.
    """
    path = current_dir(data_dir)
    if path is None:
        return rebuild_index(archive, data_dir)["units"]
    seen = int(read_meta(path).get("archive_generation", 0))
    generation = archive.generation
    changed = archive.changed_since(seen)
    return update_documents(archive, data_dir, changed, generation) if changed else 0


def update_documents(archive: Archive, data_dir, doc_ids: Iterable[str],
                     generation: int | None = None) -> int:
    """Re-derive the units of changed documents in the serving index (after an ingest).

    Builds a full index instead when there is none yet. Returns the number of units written.
    """
    doc_ids = list(dict.fromkeys(doc_ids))
    if current_dir(data_dir) is None:
        return rebuild_index(archive, data_dir)["units"]
    with writer_lock(data_dir):
        written = _update_locked(archive, data_dir, doc_ids, generation)
        return written + _catch_up(archive, data_dir)


def _catch_up(archive: Archive, data_dir) -> int:
    """With the writer lock held: index every change the serving index has not seen (those
    made by ingests that found the index busy meanwhile). Returns the units written."""
    written = 0
    for _ in range(100):          # each round sees the changes made during the last
        path = current_dir(data_dir)
        seen = int(read_meta(path).get("archive_generation", 0))
        generation = archive.generation
        changed = archive.changed_since(seen)
        if not changed:
            break
        written += _update_locked(archive, data_dir, changed, generation)
    return written


def _update_locked(archive: Archive, data_dir, doc_ids: list[str], generation: int | None) -> int:
    """update_documents() for a caller holding the writer lock."""
    generation = archive.generation if generation is None else generation
    ix, path = open_current(data_dir)
    shutil.rmtree(path / TEMP_DIR, ignore_errors=True)   # a failed update's sorting files
    # refs #13: the new units go into a segment of the bulk writer (arrays in memory, no
    # sorting files: the backend's pool needed ~20x the text in MAIN.tmp); the backend's
    # writer only marks the old units deleted and merges small segments, as before
    writer = backend.Update(ix)          # holds the backend's lock; see BulkSegmentWriter
    bulk = None
    written = 0
    try:
        for doc_id in doc_ids:
            writer.delete("doc_id", doc_id)
            try:
                doc = archive.document(doc_id)
            except LookupError:
                continue  # withdrawn or replaced under a new id: deleting was the update
            for unit in units_for_document(doc, archive.pages(doc_id),
                                           archive.items(document=doc_id)):
                if bulk is None:
                    backend.reseed_segment_names()
                    bulk = BulkSegmentWriter(ix)
                bulk.add_document(**unit)
                written += 1
        added = [bulk.finish()] if bulk is not None else []
        bulk = None
        writer.commit(added)
    except BaseException:
        if bulk is not None:
            bulk.cancel()
        writer.cancel()
        shutil.rmtree(path / TEMP_DIR, ignore_errors=True)   # refs #13: no MAIN.tmp left
        raise
    _write_lexicon(path)
    meta = read_meta(path)
    meta["archive_generation"] = generation
    meta["updated_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    meta["units"] = backend.unit_count(path)      # refs #13: the true count after updates
    write_meta(path, record_files(path, meta))
    return written
