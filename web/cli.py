"""The `flask` commands: ingest, reextract, reindex, search and status.

Thin commands over the library: each reads `current_app.config` once and passes plain values
to ingest/ and index/, which never touch Flask. The docstring of each is its `--help`; the
commands, their options and their output are a public contract (README, CLI).
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable

import click
from flask import Blueprint, current_app

import archive
import index
import ingest

from .search import result_json
from .swedish import hits_sv

# cli_group=None: the commands are the app's own (`flask ingest`), not `flask cli ingest`
bp = Blueprint("cli", __name__, cli_group=None)


def _storage_errors(command):
    """A full disk or a read-only DATA_DIR ends a writing command with one clear line and
    exit status 2; archive writes are transactions and the index switches only when
    complete, so nothing half-written is left serving (refs #7)."""
    @functools.wraps(command)
    def guarded(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (OSError, sqlite3.OperationalError) as exc:
            click.echo(f"Cannot write to the data directory {current_app.config['DATA_DIR']}: "
                       f"{exc}. Is the disk full or the folder read-only? Nothing half-written "
                       "was left in use; run the command again when it is fixed.", err=True)
            sys.exit(2)
    return guarded


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@bp.cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--workers", type=int, default=None, help="Extraction processes.")
@click.option("--force", is_flag=True, help="Re-parse files even when unchanged.")
@click.option("--report", type=click.Path(), default=None,
              help="Write the failure report here (.json and .csv beside it).")
@_storage_errors
def ingest_command(paths, workers, force, report):
    """Ingest files and folders (PDF, HTML, TXT, MD), then update the index."""
    config = current_app.config
    report = report or os.path.join(config["DATA_DIR"], "reports", "ingest-latest")
    _run_extraction(
        "ingest", "Läser in", report,
        lambda store, **common: ingest.ingest_paths(
            store, paths, max_file_mb=float(config["INGEST_MAX_FILE_MB"]), force=force, **common),
        workers)


@bp.cli.command("reextract")
@click.option("--workers", type=int, default=None, help="Extraction processes.")
@_storage_errors
def reextract_command(workers):
    """Re-parse every stored original (after a parser improvement), then update the index."""
    config = current_app.config
    _run_extraction("reextract", "Tolkar om",
                    os.path.join(config["DATA_DIR"], "reports", "reextract-latest"),
                    ingest.reextract_archive, workers)


def _run_extraction(kind: str, label: str, report: str,
                    extract: Callable[..., ingest.IngestReport], workers: int | None) -> None:
    """What ingest and reextract share: extract under the limits with a progress bar, update
    the index, record the run, print the report and exit 1 if a file failed."""
    config = current_app.config
    _export_personal_patterns(config)
    started = _now()
    store = archive.Archive(config["DATA_DIR"])
    try:
        with _progress(label) as progress:
            done = extract(store, workers=workers or int(config["INGEST_WORKERS"]),
                           limits=_ingest_limits(config), progress=progress)
        summary = done.summary()
        summary["indexed_units"] = _sync(store, config["DATA_DIR"])
        store.record_run(kind, started, summary, done.failed)
    finally:
        store.close()
    _finish_ingest(done, summary, report)


def _export_personal_patterns(config) -> None:
    """PERSONAL_DATA_PATTERNS for the extraction processes (they inherit the environment)."""
    patterns = config["PERSONAL_DATA_PATTERNS"]
    if isinstance(patterns, str):
        patterns = [patterns] if patterns.strip() else []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            click.echo(f"PERSONAL_DATA_PATTERNS: {pattern!r} is not a regular expression ({exc}).",
                       err=True)
            sys.exit(2)
    os.environ[ingest.PERSONAL_DATA_PATTERNS_ENV] = json.dumps(list(patterns))


def _ingest_limits(config) -> ingest.Limits:
    """What parsing one file may cost, from the settings (refs #13)."""
    return ingest.Limits(time_s=float(config["INGEST_TIME_LIMIT_S"]),
                         memory_mb=float(config["INGEST_MEMORY_LIMIT_MB"]),
                         ocr_max_pages=int(config["OCR_MAX_PAGES"]))


def _finish_ingest(done: ingest.IngestReport, summary: dict, report: str) -> None:
    for failure in done.failed:
        click.echo(f"FAILED {failure['path']}: [{failure['stage']}/{failure['reason']}] "
                   f"{failure['message']}", err=True)
    for warning in done.warnings:
        click.echo(f"warning {warning['path']}: {warning['message']}", err=True)
    _write_report(report, done.failed)
    click.echo("ingested {ingested}, replaced {replaced}, unchanged {unchanged}, "
               "skipped {skipped}, failed {failed}".format(**summary))
    if done.failed:
        click.echo(f"failure report: {report}.json / {report}.csv", err=True)
        sys.exit(1)


def _write_report(stem: str, failures: list[dict]) -> None:
    """The failure report an admin opens: JSON and CSV (path, stage, reason, message)."""
    stem = str(stem).removesuffix(".json").removesuffix(".csv")
    Path(stem).parent.mkdir(parents=True, exist_ok=True)
    Path(stem + ".json").write_text(json.dumps(failures, ensure_ascii=False, indent=1))
    with open(stem + ".csv", "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "stage", "reason", "message"])
        writer.writeheader()
        writer.writerows(failures)


@bp.cli.command("reindex")
@click.option("--if-needed", is_flag=True,
              help="Rebuild only when the schema, the analysis or the side-file format changed.")
@click.option("--workers", type=int, default=None, help="Indexing processes (segments).")
@_storage_errors
def reindex_command(if_needed, workers):
    """Rebuild the search index from the archive and switch to it atomically."""
    config = current_app.config
    _report_leftovers(config["DATA_DIR"])
    if if_needed:
        reason = index.needs_rebuild(config["DATA_DIR"])
        if reason is None:
            with archive.Archive(config["DATA_DIR"]) as store:
                caught_up = _sync(store, config["DATA_DIR"])
            click.echo("index is current; nothing to do" if not caught_up else
                       f"index is current; caught up with {caught_up} changed units")
            return
        click.echo(f"rebuilding: {reason}")
    started = _now()
    store = archive.Archive(config["DATA_DIR"])
    try:
        with _progress("Indexerar", unit="dokument/s") as progress:
            meta = index.rebuild_index(
                store, config["DATA_DIR"], progress=progress,
                workers=max(1, workers or int(config["INDEX_WORKERS"])))
        # refs #17: a reindex is a run like the others on the admin page
        store.record_run("reindex", started, {key: meta[key] for key in
                                              ("documents", "units", "seconds") if key in meta}, [])
    except index.IndexBusy as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    finally:
        store.close()
    click.echo(f"indexed {meta['units']} units from {meta['documents']} documents "
               f"in {meta['seconds']} s")
    if meta.get("caught_up"):
        click.echo(f"then indexed {meta['caught_up']} units of documents ingested meanwhile")


def _sync(store: archive.Archive, data_dir: str) -> int:
    _report_leftovers(data_dir)
    try:
        return index.sync_index(store, data_dir)
    except index.IndexBusy:
        # refs #13: the process holding the index (a reindex or another ingest) indexes
        # every change it has not seen before it lets go, these documents included
        click.echo("The index is being written by another process (a reindex or ingest): "
                   "the documents stored now are indexed when it finishes, before it exits. "
                   "Should it be killed first, the next ingest or 'flask reindex --if-needed' "
                   "indexes them.", err=True)
        return 0


def _report_leftovers(data_dir: str) -> None:
    """Remove and name what killed or failed index writes left (refs #13)."""
    for path, size in index.clean_leftovers(data_dir):
        click.echo(f"removed leftover of an unfinished index write: {path} "
                   f"({size / 2**20:.1f} MB)", err=True)


@bp.cli.command("search")
@click.argument("query", nargs=-1)
@click.option("--limit", type=int, default=10, help="Number of hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
def search_command(query, limit, as_json):
    """Search the archive from the command line (same JSON as /api/search)."""
    text = " ".join(query)
    try:
        result = index.SearchIndex(current_app.config["DATA_DIR"], int(
            current_app.config["SEARCH_TIME_LIMIT_MS"])).search(
            text, page_size=max(1, limit))
    except (index.QueryError, index.IndexMissing, index.IndexDamaged) as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result_json(result, text), ensure_ascii=False, indent=1))
        return
    click.echo(hits_sv(result) + (f" – {result.notice}" if result.notice else ""))
    for hit in result.hits:
        where = " ".join(x for x in (hit.body, hit.date, hit.paragraph or "") if x)
        click.echo(f"{hit.score:8.2f}  {where}  {hit.title}  {hit.url}")


@bp.cli.command("status")
def status_command():
    """Archive counts by organisation and body, the index's version, size and age."""
    config = current_app.config
    store = archive.Archive(config["DATA_DIR"])
    try:
        counts, runs = store.counts(), store.runs(5)
        personal = store.personal_data_report()
    finally:
        store.close()
    info = index.index_info(config["DATA_DIR"])
    click.echo(json.dumps({"archive": counts, "index": info, "runs": runs,
                           "personal_data": personal},
                          ensure_ascii=False, indent=1, default=str))


class _progress:
    """click's progress bar (files done/total, ETA, rate) on a terminal; silent otherwise."""

    def __init__(self, label: str, unit: str = "filer/s"):
        self.label, self.unit, self.bar, self.started = label, unit, None, None

    def __enter__(self):
        return self.update if sys.stderr.isatty() else None

    def update(self, done: int, total: int, path: str = "") -> None:
        if self.bar is None:
            self.started = time.monotonic()
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()
        self.bar.item_show_func = lambda _: (
            f"{done / max(time.monotonic() - self.started, 1e-6):.1f} {self.unit}")
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
