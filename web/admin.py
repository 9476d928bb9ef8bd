"""The admin page (`/admin`): login and logout with the ADMIN_TOKEN, the archive's and the
index's state, the last runs, and publishing an original withheld for personal identity
numbers (refs #13, #18). Every form carries a CSRF token; failed logins are limited per
client address."""
from __future__ import annotations

import hmac
import secrets
import threading
import time

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   session, url_for)

import archive
import index

from .context import get_archive

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMIN_TOKEN_MIN_CHARS = 16
LOGIN_WINDOW_S = 900
_TOO_MANY = "För många misslyckade inloggningar. Vänta en stund och försök igen."


@bp.after_app_request
def _no_store(response: Response) -> Response:
    if request.path.startswith(bp.url_prefix):
        # refs #13: admin pages hold counts and failures; no cache, no back-button copy
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/logga-in", methods=["GET", "POST"])
def admin_login():
    token = _admin_token()
    error, status = "", 200
    if request.method == "POST":
        _check_csrf()
        failures = _failed_logins(current_app)
        if failures.blocked(request.remote_addr):
            error, status = _TOO_MANY, 429
        elif hmac.compare_digest(request.form.get("token", "").encode(), token.encode()):
            failures.forget(request.remote_addr)
            session.clear()
            session["admin"] = True
            return redirect(url_for("admin.admin_page"), code=303)
        else:
            failures.add(request.remote_addr)
            error, status = "Fel token.", 403
    response = render_template("admin_login.html", error=error, csrf=_csrf_token()), status
    if status == 429:
        response += ({"Retry-After": str(LOGIN_WINDOW_S)},)
    return response


@bp.post("/logga-ut")
def admin_logout():
    _check_csrf()
    session.clear()
    return redirect(url_for("search.home"), code=303)


@bp.post("/publicera/<doc_id>")
def admin_publish_original(doc_id):
    """refs #18: an archivist offers an original whose numbers were redacted at the source."""
    _require_admin()
    _check_csrf()
    by = request.form.get("by", "").strip()[:200] or "administratör"
    store = archive.Archive(current_app.config["DATA_DIR"])   # the one write of the web side
    try:
        store.publish_original(doc_id, by)
    finally:
        store.close()
    return redirect(url_for("admin.admin_page", _anchor="personnummer"), code=303)


@bp.get("")
def admin_page():
    _require_admin()
    store = get_archive()
    return render_template("admin.html", counts=store.counts(), runs=store.runs(10),
                           personal_data=store.personal_data_report(),
                           info=index.index_info(current_app.config["DATA_DIR"]),
                           csrf=_csrf_token())


# --- CSRF -----------------------------------------------------------------------------------
def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, "Formuläret har gått ut. Ladda om sidan och försök igen.")


# --- the token and who holds it -------------------------------------------------------------
def check_admin_token(app) -> None:
    """At start-up: a token too short to be safe keeps the page off, and the log says why."""
    token = str(app.config.get("ADMIN_TOKEN") or "")
    if token and len(token) < ADMIN_TOKEN_MIN_CHARS:
        app.logger.error("ADMIN_TOKEN is shorter than %d characters; the admin page is off.",
                         ADMIN_TOKEN_MIN_CHARS)


def _admin_token() -> str:
    """The configured ADMIN_TOKEN; 404 when none, 503 with the reason when too short."""
    token = str(current_app.config.get("ADMIN_TOKEN") or "")
    if not token:
        abort(404)
    if len(token) < ADMIN_TOKEN_MIN_CHARS:
        abort(Response(render_template(
            "error.html", status=503, title="Administrationen är avstängd",
            message=f"ADMIN_TOKEN är för kort: den måste ha minst {ADMIN_TOKEN_MIN_CHARS} "
                    "tecken. Sätt en längre token och starta om servern."), status=503))
    return token


def is_admin() -> bool:
    """A logged-in admin session or the admin token as a bearer header (no side effects)."""
    token = _admin_token()
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    return bool(session.get("admin"))


def _require_admin() -> None:
    """The admin page needs the configured token (bearer header or a logged-in session)."""
    token = _admin_token()
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        failures = _failed_logins(current_app)
        if failures.blocked(request.remote_addr):
            abort(Response(_TOO_MANY, status=429, mimetype="text/plain",
                           headers={"Retry-After": str(LOGIN_WINDOW_S)}))
        if hmac.compare_digest(header[7:].encode(), token.encode()):
            return
        failures.add(request.remote_addr)
    if not session.get("admin"):
        abort(redirect(url_for("admin.admin_login"), code=303))


# --- the login-failure limiter --------------------------------------------------------------
class LoginFailures:
    """Failed admin logins per client address in the last LOGIN_WINDOW_S (this process)."""

    def __init__(self, limit: int):
        self.limit, self._lock, self._seen = limit, threading.Lock(), {}

    def _recent(self, who: str, now: float) -> list[float]:
        times = [t for t in self._seen.get(who, []) if now - t < LOGIN_WINDOW_S]
        if times:
            self._seen[who] = times
        else:
            self._seen.pop(who, None)
        return times

    def blocked(self, who: str | None) -> bool:
        with self._lock:
            return len(self._recent(who or "?", time.monotonic())) >= self.limit

    def add(self, who: str | None) -> None:
        with self._lock:
            now = time.monotonic()
            self._seen.setdefault(who or "?", []).append(now)
            if len(self._seen) > 10_000:     # many addresses: forget the stale ones
                for key in list(self._seen):
                    self._recent(key, now)

    def forget(self, who: str | None) -> None:
        with self._lock:
            self._seen.pop(who or "?", None)


def _failed_logins(app) -> LoginFailures:
    if "paragraf_logins" not in app.extensions:
        app.extensions["paragraf_logins"] = LoginFailures(
            int(app.config["ADMIN_MAX_FAILED_LOGINS"]))
    return app.extensions["paragraf_logins"]
