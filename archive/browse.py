"""Browsing the archive without a query: organisations, their bodies, a body's meetings and
a meeting's neighbours (refs #17). A part of `Archive` (its base class), over the same
connection; only meetings with an active document count."""
from __future__ import annotations

import sqlite3

from .records import Meeting
from .errors import NotFound


class Browsing:
    """The browse queries of Archive; `db` is the archive's connection."""

    db: sqlite3.Connection

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
