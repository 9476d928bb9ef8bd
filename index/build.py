"""Writing the index: full rebuilds into a new directory, and in-place updates after ingest."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable


from archive import Archive

from .schema import SCHEMA_VERSION, analysis_fingerprint
from .store import (current_dir, new_build_dir, open_current, read_meta, remove_stale, switch_to,
                    write_meta, writer_lock)
from .units import units_for_document


def rebuild_index(archive: Archive, data_dir, progress: Callable[[int, int], None] | None = None,
                  limit_mb: int = 256) -> dict:
    """Build a fresh index from the archive alone, then switch to it atomically.

    Searches keep using the old index until the switch; a killed rebuild leaves only an
    unfinished directory that never became CURRENT and is cleaned up by the next run.
    """
    with writer_lock(data_dir):
        remove_stale(data_dir, min_age_s=0 if current_dir(data_dir) is None else 300)
        started = dt.datetime.now(dt.timezone.utc)
        generation = archive.generation
        path = new_build_dir(data_dir)
        from whoosh import index as whoosh_index
        ix = whoosh_index.open_dir(str(path))
        writer = ix.writer(limitmb=limit_mb)
        documents = units = 0
        total = archive.counts()["documents"]
        try:
            for doc, pages, items in archive.iter_documents_with_content():
                for unit in units_for_document(doc, pages, items):
                    writer.add_document(**unit)
                    units += 1
                documents += 1
                if progress:
                    progress(documents, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        meta = {"schema_version": SCHEMA_VERSION, "fingerprint": analysis_fingerprint(),
                "built_at": started.isoformat(timespec="seconds"), "documents": documents,
                "units": units, "archive_generation": generation,
                "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 2)}
        write_meta(path, meta)
        switch_to(data_dir, path)
        remove_stale(data_dir)
        return meta


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
        generation = archive.generation if generation is None else generation
        ix, path = open_current(data_dir)
        writer = ix.writer()
        written = 0
        try:
            for doc_id in doc_ids:
                writer.delete_by_term("doc_id", doc_id)
                try:
                    doc = archive.document(doc_id)
                except LookupError:
                    continue  # withdrawn or replaced under a new id: deleting was the update
                for unit in units_for_document(doc, archive.pages(doc_id),
                                               archive.items(document=doc_id)):
                    writer.add_document(**unit)
                    written += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        meta = read_meta(path)
        meta["archive_generation"] = generation
        meta["updated_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        write_meta(path, meta)
        return written
