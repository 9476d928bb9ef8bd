"""Named errors translated at the edge: each becomes a page a person can act on.

`archive.NotFound` and 404 → a moved record's 301, a withdrawn one's 410, else 404;
`archive.Gone` → 410; `index.IndexMissing` / `IndexDamaged` → 503; 400 and 500 pages.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

import archive
import index

from .context import get_archive, record_url

bp = Blueprint("errors", __name__)


def _page(status: int, title: str, message: str):
    return render_template("error.html", status=status, title=title, message=message), status


@bp.app_errorhandler(archive.NotFound)
@bp.app_errorhandler(404)
def not_found(exc):
    path = request.path.strip("/")
    store = get_archive()
    moved = store.redirect_for(path)
    if moved:
        return redirect(record_url(moved), code=301)
    reason = store.gone_reason(path)
    if reason:
        return _page(410, "Borttagen", reason)
    message = str(exc) if isinstance(exc, archive.NotFound) else \
        "Sidan finns inte. Kontrollera adressen eller sök i arkivet."
    return _page(404, "Hittades inte", message)


@bp.app_errorhandler(archive.Gone)
def gone(exc):
    return _page(410, "Borttagen", str(exc))


@bp.app_errorhandler(index.IndexMissing)
def index_missing(exc):
    return _page(503, "Sökindex saknas", str(exc))


@bp.app_errorhandler(index.IndexDamaged)
def index_damaged(exc):
    return _page(503, "Sökindexet är skadat", str(exc))


@bp.app_errorhandler(400)
def bad_request(exc):
    return _page(400, "Felaktig begäran", getattr(exc, "description", ""))


@bp.app_errorhandler(500)
def server_error(exc):
    return _page(500, "Något gick fel", "Ett oväntat fel inträffade. Försök igen om en stund.")
