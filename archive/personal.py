"""Personal identity numbers found in documents (refs #18): where they are (masked), whether
an original is withheld for them, and an archivist's decision to publish it anyway.
A part of `Archive` (its base class), over the same connection."""
from __future__ import annotations

import sqlite3

from .records import Document
from .schema import now_utc


class PersonalData:
    """The personal-data records of Archive: `db` is its connection, `document()` its
    lookup of a document by id."""

    db: sqlite3.Connection

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
                            (doc.sha256, by, now_utc()))

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
