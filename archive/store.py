"""The archive store: one SQLite file (WAL) and the original files by content hash.

`Archive` writes documents (one transaction each, with redirects for moved ids) and reads
records; its browse queries (browse.py) and personal-data records (personal.py) are its base
classes over the same connection, and its schema and migrations live in schema.py."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator

from .browse import Browsing
from .errors import Gone, NotFound
from .ids import dnr_key, document_id, meeting_id
from .personal import PersonalData
from .records import Document, Item, Meeting, Page, ParsedDocument
from .schema import SCHEMA, migrate, now_utc, open_readonly
from .vocabulary import MEETING_KINDS, MINUTES, item_slug

@dataclass
class StoreResult:
    status: str                     # 'ingested', 'replaced' or 'unchanged'
    document_id: str
    removed: list[str] = field(default_factory=list)   # ids this document replaced


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


class Archive(Browsing, PersonalData):
    """The archive under one data directory. One instance per thread."""

    def __init__(self, data_dir: str | os.PathLike, readonly: bool = False):
        """Open the archive; `readonly` (what serving uses) neither creates nor changes
        anything: no journal mode, no schema script, and it works in a read-only DATA_DIR
        (refs #13). Schema changes happen when a command opens it for writing."""
        self.data_dir = Path(data_dir)
        self.files_dir = self.data_dir / "files"
        path = self.data_dir / "archive.sqlite3"
        if readonly:
            self.db = open_readonly(path)
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout=30000")
        if not readonly:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            migrate(self.db)

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
                 doc.source_url, sha, len(data), len(doc.pages), mid, now_utc()))
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
        now = now_utc()
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
        now = now_utc()
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
                            (old_path.strip("/"), new_path.strip("/"), now_utc()))

    def withdraw_document(self, doc_id: str, reason: str) -> None:
        """Take a document out of the archive; its URLs answer 410 from now on."""
        doc = self.document(doc_id)
        now = now_utc()
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
                "VALUES (?,?,?,?,?)", (kind, started_at, now_utc(), json.dumps(summary),
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
