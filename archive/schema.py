"""The archive's SQLite schema and its ordered migrations (PRAGMA user_version).

SCHEMA is run (idempotently) whenever a command opens the archive for writing; MIGRATIONS[n]
then takes user_version n to n + 1, so an archive made by any earlier version catches up.
Serving opens the file read-only (open_readonly) and changes nothing.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import urllib.parse
from pathlib import Path

from .vocabulary import ascii_slug


def now_utc() -> str:
    """The time a row is written, as the archive stores it (UTC, ISO 8601, seconds)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

SCHEMA = """
CREATE TABLE IF NOT EXISTS organisations(slug TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies(organisation_slug TEXT, slug TEXT, name TEXT NOT NULL,
    PRIMARY KEY (organisation_slug, slug));
CREATE TABLE IF NOT EXISTS meetings(id TEXT PRIMARY KEY, organisation_slug TEXT, body_slug TEXT,
    date TEXT);
CREATE TABLE IF NOT EXISTS documents(id TEXT PRIMARY KEY, source TEXT, filename TEXT,
    media_type TEXT, kind TEXT, title TEXT, organisation TEXT, organisation_slug TEXT, body TEXT,
    body_slug TEXT, date TEXT, source_url TEXT, sha256 TEXT, size INTEGER, page_count INTEGER,
    meeting_id TEXT, status TEXT NOT NULL DEFAULT 'active', ingested_at TEXT);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE INDEX IF NOT EXISTS documents_meeting ON documents(meeting_id);
CREATE TABLE IF NOT EXISTS sources(source TEXT PRIMARY KEY, document_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages(document_id TEXT, number INTEGER, text TEXT,
    PRIMARY KEY (document_id, number));
CREATE TABLE IF NOT EXISTS items(id TEXT PRIMARY KEY, document_id TEXT NOT NULL, meeting_id TEXT,
    label TEXT, slug TEXT, ordinal INTEGER, title TEXT, text TEXT, decision TEXT, dnr TEXT,
    presenter TEXT, page_start INTEGER, page_end INTEGER);
CREATE INDEX IF NOT EXISTS items_document ON items(document_id, ordinal);
CREATE INDEX IF NOT EXISTS items_meeting ON items(meeting_id);
CREATE TABLE IF NOT EXISTS dnr(key TEXT, item_id TEXT, document_id TEXT);
CREATE INDEX IF NOT EXISTS dnr_key ON dnr(key);
CREATE INDEX IF NOT EXISTS dnr_document ON dnr(document_id);
CREATE INDEX IF NOT EXISTS sources_document ON sources(document_id);
CREATE TABLE IF NOT EXISTS redirects(old_path TEXT PRIMARY KEY, new_path TEXT NOT NULL,
    created_at TEXT);
CREATE TABLE IF NOT EXISTS gone(path TEXT PRIMARY KEY, reason TEXT, created_at TEXT);
CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, kind TEXT, started_at TEXT,
    finished_at TEXT, summary TEXT, failures TEXT);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS changes(generation INTEGER PRIMARY KEY, document_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sidecars(document_id TEXT PRIMARY KEY, meta TEXT);
CREATE TABLE IF NOT EXISTS personal_data(document_id TEXT, page INTEGER, masked TEXT);
CREATE INDEX IF NOT EXISTS personal_data_document ON personal_data(document_id);
CREATE TABLE IF NOT EXISTS published_originals(sha256 TEXT PRIMARY KEY, published_by TEXT,
    published_at TEXT);
"""



def open_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: the file read-only (sharing the WAL with writers);
    where even the WAL's index cannot be created (a read-only folder) the file as immutable,
    as nothing can change it there; no file yet: an empty archive in memory."""
    uri = "file:" + urllib.parse.quote(os.fspath(path))
    if path.exists():
        for mode in ("?mode=ro", "?mode=ro&immutable=1"):
            db = sqlite3.connect(uri + mode, uri=True, timeout=30, isolation_level=None)
            try:
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.OperationalError:
                db.close()
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    return db


def _ascii_item_ids(db: sqlite3.Connection) -> None:
    """refs #17: item ids ('m/…/§86') become ASCII ('m/…/p86'); the documents are logged as
    changed so `reindex --if-needed` gives the index the new ids."""
    rows = db.execute("SELECT id, document_id, slug FROM items WHERE id LIKE '%§%'").fetchall()
    for item_id, doc_id, slug in rows:
        head, _, tail = item_id.rpartition("/")
        new_id = f"{head}/{ascii_slug(tail)}"
        db.execute("UPDATE items SET id=?, slug=? WHERE id=?", (new_id, ascii_slug(slug), item_id))
        db.execute("UPDATE dnr SET item_id=? WHERE item_id=?", (new_id, item_id))
        db.execute("UPDATE redirects SET new_path=? WHERE new_path=?", (new_id, item_id))
    for doc_id in sorted({r[1] for r in rows}):
        db.execute("INSERT INTO changes(document_id) VALUES (?)", (doc_id,))


# Ordered migrations of the archive: MIGRATIONS[n] takes PRAGMA user_version n to n + 1.
MIGRATIONS = [_ascii_item_ids]


def migrate(db: sqlite3.Connection) -> None:
    """Run the migrations this archive has not had yet, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version):
        with db:
            db.execute("BEGIN IMMEDIATE")
            step(db)
            db.execute(f"PRAGMA user_version={number + 1}")
