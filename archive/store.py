"""The archive store: one SQLite file (WAL) and the original files by content hash."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
import urllib.parse
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator

from .ids import dnr_key, document_id, meeting_id
from .records import Document, Item, Meeting, Page, ParsedDocument
from .vocabulary import MEETING_KINDS, MINUTES, ascii_slug, item_slug

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


class NotFound(LookupError):
    """No such record; the message is safe to show a user."""


class Gone(LookupError):
    """The record was withdrawn; the message is safe to show a user."""


@dataclass
class StoreResult:
    status: str                     # 'ingested', 'replaced' or 'unchanged'
    document_id: str
    removed: list[str] = field(default_factory=list)   # ids this document replaced


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _row_to(cls, row: sqlite3.Row):
    names = {f.name for f in fields(cls)}
    return cls(**{k: row[k] for k in row.keys() if k in names})


def _item_from_row(row: sqlite3.Row) -> Item:
    item = _row_to(Item, row)
    item.dnr = json.loads(row["dnr"] or "[]")
    return item


def identity_key(doc: ParsedDocument) -> str:
    """What makes two files 'the same document': its meeting, kind and file name, or its path."""
    if doc.organisation_slug and doc.body_slug and doc.date:
        return f"{doc.organisation_slug}/{doc.body_slug}/{doc.date}/{doc.kind}/{doc.filename}"
    return f"source:{doc.source}"


def _open_readonly(path: Path) -> sqlite3.Connection:
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


def _migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version):
        with db:
            db.execute("BEGIN IMMEDIATE")
            step(db)
            db.execute(f"PRAGMA user_version={number + 1}")


class Archive:
    """The archive under one data directory. One instance per thread."""

    def __init__(self, data_dir: str | os.PathLike, readonly: bool = False):
        """Open the archive; `readonly` (what serving uses) neither creates nor changes
        anything: no journal mode, no schema script, and it works in a read-only DATA_DIR
        (refs #13). Schema changes happen when a command opens it for writing."""
        self.data_dir = Path(data_dir)
        self.files_dir = self.data_dir / "files"
        path = self.data_dir / "archive.sqlite3"
        if readonly:
            self.db = _open_readonly(path)
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout=30000")
        if not readonly:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            _migrate(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing -------------------------------------------------------------------------
    def find_by_hash(self, sha256: str) -> Document | None:
        row = self.db.execute(
            "SELECT * FROM documents WHERE sha256=? AND status='active' LIMIT 1", (sha256,)
        ).fetchone()
        return _row_to(Document, row) if row else None

    def store_file(self, data: bytes) -> str:
        """Keep the original bytes, named by their hash; returns the sha256."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.files_dir / sha[:2] / sha
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        return sha

    def store_document(self, doc: ParsedDocument, data: bytes, force: bool = False) -> StoreResult:
        """Store a parsed document and its original bytes, replacing an older version.

        Idempotent: the same bytes again change nothing. All rows of one document are
        written in one transaction, so a killed ingest never leaves half a document.
        """
        sha = self.store_file(data)
        doc_id = document_id(identity_key(doc))
        same = self.db.execute(
            "SELECT id FROM documents WHERE id=? AND sha256=? AND status='active'", (doc_id, sha)
        ).fetchone()
        if same and not force:
            return StoreResult("unchanged", doc_id)
        old_ids = {r[0] for r in self.db.execute(
            "SELECT document_id FROM sources WHERE source=?", (doc.source,))}
        existed = self.db.execute("SELECT 1 FROM documents WHERE id=?", (doc_id,)).fetchone()
        mid = meeting_id(doc.organisation_slug, doc.body_slug, doc.date) if (
            doc.organisation_slug and doc.body_slug and doc.date
            and doc.kind in MEETING_KINDS) else None
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            moved = {}
            for old in old_ids - {doc_id}:
                # refs #4: the file's derived identity changed (e.g. a corrected date)
                moved[old] = self._redirect_document(old, doc_id)
                self._log_change(old)
            self._delete_document_rows(doc_id)
            if doc.organisation_slug:
                self.db.execute("INSERT OR REPLACE INTO organisations VALUES (?,?)",
                                (doc.organisation_slug, doc.organisation))
            if doc.organisation_slug and doc.body_slug:
                self.db.execute("INSERT OR REPLACE INTO bodies VALUES (?,?,?)",
                                (doc.organisation_slug, doc.body_slug, doc.body))
            if mid:
                self.db.execute("INSERT OR IGNORE INTO meetings VALUES (?,?,?,?)",
                                (mid, doc.organisation_slug, doc.body_slug, doc.date))
            self.db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'active',?)",
                (doc_id, doc.source, doc.filename, doc.media_type, doc.kind, doc.title,
                 doc.organisation, doc.organisation_slug, doc.body, doc.body_slug, doc.date,
                 doc.source_url, sha, len(data), len(doc.pages), mid, _now()))
            self.db.execute("INSERT OR REPLACE INTO sources VALUES (?,?)", (doc.source, doc_id))
            self.db.executemany("INSERT INTO pages VALUES (?,?,?)",
                                [(doc_id, p.number, p.text) for p in doc.pages])
            new_items = {}
            for ordinal, item in enumerate(doc.items):
                new_items[item_slug(item.label)] = self._insert_item(doc_id, mid, ordinal, item)
            for old_items, old_meeting in moved.values():
                self._redirect_items(old_items, old_meeting, new_items, doc_id, mid)
            self.db.execute("DELETE FROM gone WHERE path=?", (f"d/{doc_id}",))
            self.db.execute("INSERT OR REPLACE INTO sidecars VALUES (?,?)",
                            (doc_id, json.dumps(doc.sidecar, ensure_ascii=False, default=str)))
            self.db.executemany("INSERT INTO personal_data VALUES (?,?,?)",
                                [(doc_id, page, masked) for page, masked in doc.personal_data])
            self._log_change(doc_id)
        removed = sorted(old_ids - {doc_id})
        return StoreResult("replaced" if existed or removed else "ingested", doc_id, removed)

    def _insert_item(self, doc_id: str, mid: str | None, ordinal: int, item: Item) -> None:
        slug = item_slug(item.label)
        base = f"m/{mid}/{slug}" if mid else f"d/{doc_id}/{slug}"
        item_id, n = base, 1
        while self.db.execute("SELECT 1 FROM items WHERE id=?", (item_id,)).fetchone():
            # Two documents of one meeting number an item alike (a kallelse and notes)
            n += 1
            item_id = f"{base}-{n}"
        self.db.execute(
            "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (item_id, doc_id, mid, item.label, slug, ordinal, item.title, item.text,
             item.decision, json.dumps(item.dnr, ensure_ascii=False), item.presenter,
             item.page_start, item.page_end))
        for value in item.dnr:
            key = dnr_key(value)
            if key:
                self.db.execute("INSERT INTO dnr VALUES (?,?,?)", (key, item_id, doc_id))
        self.db.execute("DELETE FROM gone WHERE path=?", (item_id,))
        return item_id

    def _redirect_items(self, old_items: dict[str, str], old_meeting: str | None,
                        new_items: dict[str, str], doc_id: str, mid: str | None) -> None:
        """Old item URLs point at the same § in the moved document (else at the document)."""
        now = _now()
        for slug, old_id in old_items.items():
            target = new_items.get(slug, f"d/{doc_id}")
            if old_id != target:
                self.db.execute("INSERT OR REPLACE INTO redirects VALUES (?,?,?)",
                                (old_id, target, now))
        if old_meeting and mid and old_meeting != mid and not self.db.execute(
                "SELECT 1 FROM documents WHERE meeting_id=? AND status='active'",
                (old_meeting,)).fetchone():
            self.db.execute("INSERT OR REPLACE INTO redirects VALUES (?,?,?)",
                            (f"m/{old_meeting}", f"m/{mid}", now))

    def _delete_document_rows(self, doc_id: str) -> None:
        for table in ("pages", "items", "dnr", "personal_data"):
            self.db.execute(f"DELETE FROM {table} WHERE document_id=?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        self.db.execute("DELETE FROM sources WHERE document_id=?", (doc_id,))

    def _redirect_document(self, old_id: str, new_id: str) -> tuple[dict[str, str], str | None]:
        """Redirect the old document URL; returns its items (slug → id) and meeting."""
        now = _now()
        self.db.execute("INSERT OR REPLACE INTO redirects VALUES (?,?,?)",
                        (f"d/{old_id}", f"d/{new_id}", now))
        items = {r[0]: r[1] for r in self.db.execute(
            "SELECT slug, id FROM items WHERE document_id=?", (old_id,))}
        row = self.db.execute("SELECT meeting_id FROM documents WHERE id=?", (old_id,)).fetchone()
        self._delete_document_rows(old_id)
        return items, (row[0] if row else None)

    def add_redirect(self, old_path: str, new_path: str) -> None:
        """Record that a URL path (without leading slash) moved; answered with 301."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO redirects VALUES (?,?,?)",
                            (old_path.strip("/"), new_path.strip("/"), _now()))

    def withdraw_document(self, doc_id: str, reason: str) -> None:
        """Take a document out of the archive; its URLs answer 410 from now on."""
        doc = self.document(doc_id)
        now = _now()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            paths = [f"d/{doc_id}"] + [r[0] for r in self.db.execute(
                "SELECT id FROM items WHERE document_id=?", (doc_id,))]
            self.db.executemany("INSERT OR REPLACE INTO gone VALUES (?,?,?)",
                                [(p, reason, now) for p in paths])
            for table in ("pages", "items", "dnr", "personal_data"):
                self.db.execute(f"DELETE FROM {table} WHERE document_id=?", (doc.id,))
            self.db.execute("UPDATE documents SET status='withdrawn' WHERE id=?", (doc_id,))
            self._log_change(doc_id)

    def _log_change(self, doc_id: str) -> None:
        """Every write gets a generation number; the index remembers the last one it saw."""
        self.db.execute("INSERT INTO changes(document_id) VALUES (?)", (doc_id,))

    @property
    def generation(self) -> int:
        row = self.db.execute("SELECT MAX(generation) FROM changes").fetchone()
        return int(row[0] or 0)

    def changed_since(self, generation: int) -> list[str]:
        """Documents written or withdrawn after `generation` (what an index must catch up on)."""
        rows = self.db.execute("SELECT DISTINCT document_id FROM changes WHERE generation > ?",
                               (generation,))
        return [r[0] for r in rows]

    def sidecar(self, doc_id: str) -> dict:
        row = self.db.execute("SELECT meta FROM sidecars WHERE document_id=?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    # --- runs (ingest/reindex reports) ---------------------------------------------------
    def record_run(self, kind: str, started_at: str, summary: dict, failures: list[dict]) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs(kind, started_at, finished_at, summary, failures) "
                "VALUES (?,?,?,?,?)", (kind, started_at, _now(), json.dumps(summary),
                                       json.dumps(failures, ensure_ascii=False)))
        return cur.lastrowid

    def runs(self, limit: int = 10) -> list[dict]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(r) | {"summary": json.loads(r["summary"] or "{}"),
                           "failures": json.loads(r["failures"] or "[]")} for r in rows]

    # --- reading -------------------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        row = self.db.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound("Handlingen finns inte i arkivet.")
        if row["status"] != "active":
            raise Gone(self.gone_reason(f"d/{doc_id}") or "Handlingen har dragits tillbaka.")
        return _row_to(Document, row)

    def documents(self, meeting: str | None = None) -> list[Document]:
        if meeting:
            rows = self.db.execute("SELECT * FROM documents WHERE meeting_id=? AND status='active' "
                                   "ORDER BY kind, filename", (meeting,))
        else:
            rows = self.db.execute("SELECT * FROM documents WHERE status='active' ORDER BY id")
        return [_row_to(Document, r) for r in rows]

    def pages(self, doc_id: str) -> list[Page]:
        rows = self.db.execute("SELECT number, text FROM pages WHERE document_id=? ORDER BY number",
                               (doc_id,))
        return [Page(r[0], r[1]) for r in rows]

    def original(self, doc_id: str) -> tuple[Path, Document]:
        doc = self.document(doc_id)
        return self.files_dir / doc.sha256[:2] / doc.sha256, doc

    # --- personal data (refs #18) -------------------------------------------------------------
    def personal_data(self, doc_id: str) -> list[tuple[int, str]]:
        """The masked personal identity numbers detected in a document, by page."""
        return [(r[0], r[1]) for r in self._rows(
            "SELECT page, masked FROM personal_data WHERE document_id=? ORDER BY page, rowid",
            (doc_id,))]

    def original_withheld(self, doc: Document) -> bool:
        """True when the original carries detected numbers and nobody published it anyway."""
        if not self._rows("SELECT 1 FROM personal_data WHERE document_id=? LIMIT 1", (doc.id,)):
            return False
        return self.original_publication(doc) is None

    def _rows(self, sql: str, args: tuple = ()) -> list:
        """Rows of a table added by a later version: none where a read-only server meets an
        archive that no command has opened for writing since (its tables come then)."""
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise

    def original_publication(self, doc: Document) -> dict | None:
        """Who published the original despite detected numbers, and when (keyed by content:
        a changed file must be reviewed again)."""
        rows = self._rows("SELECT published_by, published_at FROM published_originals "
                          "WHERE sha256=?", (doc.sha256,))
        return {"by": rows[0][0], "at": rows[0][1]} if rows else None

    def publish_original(self, doc_id: str, by: str) -> None:
        """Record an archivist's decision to offer the original although numbers were found
        (it was redacted at the source, say)."""
        doc = self.document(doc_id)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO published_originals VALUES (?,?,?)",
                            (doc.sha256, by, _now()))

    def personal_data_report(self) -> list[dict]:
        """Documents with detected numbers: count, pages, masked values, publication state."""
        rows = self._rows(
            "SELECT d.id, d.title, d.filename, d.sha256, p.page, p.masked FROM personal_data p "
            "JOIN documents d ON d.id = p.document_id WHERE d.status='active' "
            "ORDER BY d.id, p.page, p.rowid")
        report: dict[str, dict] = {}
        for doc_id, title, filename, sha, page, masked in rows:
            entry = report.setdefault(doc_id, {"document_id": doc_id, "title": title,
                                               "filename": filename, "sha256": sha,
                                               "count": 0, "found": []})
            entry["count"] += 1
            entry["found"].append({"page": page, "masked": masked})
        for entry in report.values():
            found = self._rows("SELECT published_by, published_at FROM published_originals "
                               "WHERE sha256=?", (entry.pop("sha256"),))
            entry["published"] = {"by": found[0][0], "at": found[0][1]} if found else None
        return list(report.values())

    def item(self, item_id: str) -> Item:
        row = self.db.execute("SELECT * FROM items WHERE id=?", (item_id,)).fetchone()
        if row is None:
            reason = self.gone_reason(item_id)
            if reason:
                raise Gone(reason)
            raise NotFound("Ärendet finns inte i arkivet.")
        return _item_from_row(row)

    def items(self, document: str | None = None, meeting: str | None = None) -> list[Item]:
        if document:
            rows = self.db.execute("SELECT * FROM items WHERE document_id=? ORDER BY ordinal",
                                   (document,))
        else:
            rows = self.db.execute(
                "SELECT items.* FROM items JOIN documents d ON d.id = items.document_id "
                "WHERE items.meeting_id=? ORDER BY d.kind = ? DESC, d.id, ordinal",
                (meeting, MINUTES))
        return [_item_from_row(r) for r in rows]

    def meeting(self, mid: str) -> Meeting:
        row = self.db.execute(
            "SELECT m.id, o.name AS organisation, m.organisation_slug, b.name AS body, "
            "m.body_slug, m.date FROM meetings m JOIN organisations o ON o.slug=m.organisation_slug "
            "JOIN bodies b ON b.organisation_slug=m.organisation_slug AND b.slug=m.body_slug "
            "WHERE m.id=?", (mid,)).fetchone()
        if row is None or not self.db.execute(
                "SELECT 1 FROM documents WHERE meeting_id=? AND status='active'", (mid,)).fetchone():
            raise NotFound("Sammanträdet finns inte i arkivet.")
        return _row_to(Meeting, row)

    # --- browsing without a query (refs #17) -----------------------------------------------
    _ACTIVE_MEETINGS = ("SELECT DISTINCT meeting_id FROM documents WHERE status='active' "
                        "AND meeting_id IS NOT NULL")

    def organisations(self) -> list[dict]:
        """Organisations with meetings: slug, name, number of bodies and meetings, newest date."""
        rows = self.db.execute(
            "SELECT o.slug, o.name, COUNT(DISTINCT m.body_slug) AS bodies, COUNT(*) AS meetings, "
            "MAX(m.date) AS latest FROM meetings m JOIN organisations o ON o.slug=m.organisation_slug "
            f"WHERE m.id IN ({self._ACTIVE_MEETINGS}) GROUP BY o.slug ORDER BY o.name")
        return [dict(r) for r in rows]

    def organisation(self, slug: str) -> dict:
        row = self.db.execute("SELECT slug, name FROM organisations WHERE slug=?", (slug,)).fetchone()
        if row is None:
            raise NotFound("Organisationen finns inte i arkivet.")
        return dict(row)

    def bodies(self, organisation_slug: str) -> list[dict]:
        """An organisation's bodies with meetings: slug, name, meeting count, newest date."""
        rows = self.db.execute(
            "SELECT b.slug, b.name, COUNT(*) AS meetings, MAX(m.date) AS latest FROM meetings m "
            "JOIN bodies b ON b.organisation_slug=m.organisation_slug AND b.slug=m.body_slug "
            f"WHERE m.organisation_slug=? AND m.id IN ({self._ACTIVE_MEETINGS}) "
            "GROUP BY b.slug ORDER BY b.name", (organisation_slug,))
        return [dict(r) for r in rows]

    def body(self, organisation_slug: str, slug: str) -> dict:
        row = self.db.execute("SELECT b.slug, b.name, o.name AS organisation FROM bodies b "
                              "JOIN organisations o ON o.slug=b.organisation_slug "
                              "WHERE b.organisation_slug=? AND b.slug=?",
                              (organisation_slug, slug)).fetchone()
        if row is None:
            raise NotFound("Organet finns inte i arkivet.")
        return dict(row)

    def body_meetings(self, organisation_slug: str, body_slug: str) -> list[dict]:
        """A body's meetings, newest first: id, date, number of items and documents."""
        rows = self.db.execute(
            "SELECT m.id, m.date, (SELECT COUNT(*) FROM items i WHERE i.meeting_id=m.id) AS items, "
            "(SELECT COUNT(*) FROM documents d WHERE d.meeting_id=m.id AND d.status='active') "
            "AS documents FROM meetings m WHERE m.organisation_slug=? AND m.body_slug=? "
            f"AND m.id IN ({self._ACTIVE_MEETINGS}) ORDER BY m.date DESC",
            (organisation_slug, body_slug))
        return [dict(r) for r in rows]

    def neighbour_meetings(self, meeting: Meeting) -> tuple[str | None, str | None]:
        """The ids of the same body's previous and next meetings (None at either end)."""
        def one(sql):
            row = self.db.execute(sql, (meeting.organisation_slug, meeting.body_slug,
                                        meeting.date)).fetchone()
            return row[0] if row else None
        where = (f"FROM meetings WHERE organisation_slug=? AND body_slug=? AND id IN "
                 f"({self._ACTIVE_MEETINGS}) AND date")
        return (one(f"SELECT id {where} < ? ORDER BY date DESC LIMIT 1"),
                one(f"SELECT id {where} > ? ORDER BY date LIMIT 1"))

    def related_by_dnr(self, values: list[str]) -> list[tuple[Item | None, Document]]:
        """Every item and document sharing one of these case numbers (refs #4 'Ärendets historik')."""
        keys = {k for k in map(dnr_key, values) if k}
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT DISTINCT item_id, document_id FROM dnr WHERE key IN ({marks})", tuple(keys))
        out = []
        for item_id, doc_id in rows:
            try:
                out.append((self.item(item_id) if item_id else None, self.document(doc_id)))
            except LookupError:
                continue
        return out

    def redirect_for(self, path: str) -> str | None:
        row = self.db.execute("SELECT new_path FROM redirects WHERE old_path=?",
                              (path.strip("/"),)).fetchone()
        return row[0] if row else None

    def gone_reason(self, path: str) -> str | None:
        row = self.db.execute("SELECT reason FROM gone WHERE path=?", (path.strip("/"),)).fetchone()
        return row[0] if row else None

    def counts(self) -> dict:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT COUNT(*) FROM documents WHERE status='active'"),
            "meetings": one("SELECT COUNT(DISTINCT meeting_id) FROM documents "
                            "WHERE status='active' AND meeting_id IS NOT NULL"),
            "items": one("SELECT COUNT(*) FROM items"),
            "pages": one("SELECT COUNT(*) FROM pages"),
            "by_body": [dict(r) for r in self.db.execute(
                "SELECT organisation, body, COUNT(*) AS documents FROM documents "
                "WHERE status='active' GROUP BY organisation, body ORDER BY organisation, body")],
        }

    def iter_documents_with_content(self) -> Iterator[tuple[Document, list[Page], list[Item]]]:
        """Everything the index is derived from, one document at a time (no re-extraction)."""
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM documents WHERE status='active' ORDER BY id")]
        for doc_id in ids:
            try:
                doc = self.document(doc_id)
            except LookupError:
                continue
            yield doc, self.pages(doc_id), self.items(document=doc_id)
