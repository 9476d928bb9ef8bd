"""Paragraf: the Flask app (views, JSON API and CLI). The only module that imports Flask.

Configuration: defaults (SETTINGS) → instance/config.py → FLASK_* environment → test_config.
"""
from __future__ import annotations

import csv
import datetime as dt
import hmac
import importlib.util
import json
import os
import re
import secrets
import sys
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import urlencode

import click
from flask import (Flask, Response, abort, current_app, g, jsonify, redirect, render_template,
                   request, send_file, session, url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_htmx import HTMX
from markupsafe import Markup, escape

import archive
import index
import ingest
import web

SETTINGS = {  # key: (default, help)
    "DATA_DIR": ("instance", "Folder holding the archive (SQLite + originals) and the index."),
    "SEARCH_PAGE_SIZE": (10, "Hits per page on the search page and the API default limit."),
    "SEARCH_MAX_LIMIT": (100, "Largest `limit` the API accepts."),
    "SEARCH_TIME_LIMIT_MS": (2000, "A search stops its optional work (expansion, phrase "
                                   "positions, marking snippets, suggestions) after this long "
                                   "and shows what it found, saying so."),
    "INGEST_MAX_FILE_MB": (100, "Files larger than this are reported as too large, not read."),
    "INGEST_TIME_LIMIT_S": (120, "Parsing one file may take this long; then its worker is killed "
                                 "and the file reported as `tidsgräns`."),
    "INGEST_MEMORY_LIMIT_MB": (1536, "Address space of a parsing worker; a file needing more is "
                                     "reported as `minnesgräns`."),
    "OCR_MAX_PAGES": (50, "Pages of one PDF read by OCR at most; the rest are named in a warning."),
    "INGEST_WORKERS": (1, "Extraction processes for `flask ingest` when --workers is not given."),
    "INDEX_WORKERS": (2, "Indexing processes for `flask reindex` when --workers is not given."),
    "ADMIN_TOKEN": ("", "Token for /admin (the login form, or an 'Authorization: Bearer' "
                        "header), at least 16 characters; empty means the page is off."),
    "PUBLIC_BASE_URL": ("", "Absolute base URL used in citations and feeds (else the request's)."),
    "SECRET_KEY": (None, "Flask secret; when unset, one is made once and kept in "
                         "DATA_DIR/secret_key (mode 0600), so every worker process shares it."),
    "PERSONAL_DATA_PATTERNS": ([], "Regular expressions for local identifiers treated like "
                                   "personnummer (masked, not indexed, original withheld); "
                                   "a JSON list in the environment; none by default."),
    "PERSONAL_DATA_REQUEST_TEXT": (
        "Originalfilen innehåller personnummer och lämnas därför inte ut här. Du kan begära "
        "att få ta del av handlingen hos myndighetens registratur; den prövas då enligt "
        "offentlighets- och sekretesslagen.",
        "What the public sees instead of an original withheld for personal identity numbers."),
    "REGISTRY_CONTACT": ("", "E-mail address or URL of the registry (registratur) where a "
                             "withheld original can be requested; shown beside that text."),
    "ADMIN_MAX_FAILED_LOGINS": (5, "Failed admin logins allowed per client address and "
                                   "15 minutes (per server process) before 429."),
}
ADMIN_TOKEN_MIN_CHARS = 16
LOGIN_WINDOW_S = 900
KIND_LABELS = {"protokoll": "Protokoll", "kallelse": "Kallelse", "handlingar": "Handlingar",
               "tjänsteskrivelse": "Tjänsteskrivelse", "bilaga": "Bilaga", "annat": "Annat"}
FACET_LABELS = {"meeting": "Sammanträde", "item": "Ärende", "body": "Organ", "kind": "Typ",
                "year": "År", "organisation": "Organisation"}
SORTS = {"relevans": "relevance", "nyast": "newest", "aldst": "oldest"}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update({key: default for key, (default, _) in SETTINGS.items()})
    app.config["DATA_DIR"] = os.path.join(app.instance_path)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    app.config["DATA_DIR"] = os.path.abspath(str(app.config["DATA_DIR"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret(app)
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.session_interface = _SessionInterface()
    token = str(app.config.get("ADMIN_TOKEN") or "")
    if token and len(token) < ADMIN_TOKEN_MIN_CHARS:
        app.logger.error("ADMIN_TOKEN is shorter than %d characters; the admin page is off.",
                         ADMIN_TOKEN_MIN_CHARS)
    HTMX(app)
    app.jinja_env.globals.update(kind_label=lambda k: KIND_LABELS.get(k, k or ""),
                                 facet_label=FACET_LABELS.get, url_with=url_with,
                                 count_sv=web.count_sv, run_kind_label=web.run_kind_label,
                                 run_summary_sv=web.run_summary_sv, hits_sv=web.hits_sv,
                                 noun_sv=web.noun_sv)
    app.jinja_env.filters["local_time"] = web.local_time
    app.jinja_env.filters["label"] = web.item_label
    app.jinja_env.filters["preview"] = web.preview_text
    _register_views(app)
    _register_cli(app)
    app.teardown_appcontext(_close_archive)
    app.after_request(_headers)
    return app


def _persistent_secret(app: Flask) -> str:
    """The secret of this data directory: made once (mode 0600) and read by every process,
    so that sessions and CSRF tokens made by one gunicorn worker are valid in the others
    (refs #13: with a random key per process, 19 of 20 admin logins failed)."""
    path = Path(app.config["DATA_DIR"]) / "secret_key"
    for _ in range(2):
        try:
            secret = path.read_text().strip()
            if len(secret) >= 32:
                return secret
        except OSError:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:     # another worker is writing it: read it again
            import time
            time.sleep(0.05)
            continue
        except OSError as exc:      # a read-only data directory without a key
            app.logger.warning("No SECRET_KEY and %s cannot be written (%s): this process "
                               "uses a key of its own; admin logins need one server process.",
                               path, exc)
            return secrets.token_hex(32)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
    return path.read_text().strip() or secrets.token_hex(32)


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookies marked Secure whenever the request came over HTTPS, also through a
    proxy that says so (X-Forwarded-Proto), unless SESSION_COOKIE_SECURE is set anyway."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return bool(request) and (request.is_secure or request.headers.get(
            "X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https")


# --- shared per-request resources ---------------------------------------------------------
def get_archive() -> archive.Archive:
    if "archive" not in g:
        # refs #13: serving never writes the archive (a read-only DATA_DIR serves every page)
        g.archive = archive.Archive(current_app.config["DATA_DIR"], readonly=True)
    return g.archive


def _close_archive(exc=None) -> None:
    store = g.pop("archive", None)
    if store is not None:
        store.close()


def get_index() -> index.SearchIndex:
    ext = current_app.extensions
    if "paragraf_index" not in ext:
        ext["paragraf_index"] = index.SearchIndex(
            current_app.config["DATA_DIR"], int(current_app.config["SEARCH_TIME_LIMIT_MS"]))
    return ext["paragraf_index"]


def _headers(response: Response) -> Response:
    # refs #2: the same URL answers a page or an htmx partial; caches must keep them apart
    response.vary.add("HX-Request")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/admin"):
        # refs #13: admin pages hold counts and failures; no cache, no back-button copy
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    return response


def url_with(**changes) -> str:
    """The current search URL with some parameters changed (None removes, lists toggle)."""
    if "paragraf_args" not in g:      # a results page asks for some fifty links
        g.paragraf_args = request.args.to_dict(flat=False)
    args = dict(g.paragraf_args)
    args.pop("sida", None) if "sida" not in changes else None
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        elif isinstance(value, tuple):   # ('toggle', v): add or remove one facet value
            current = args.get(key, [])
            args[key] = [v for v in current if v != value[1]] if value[1] in current \
                else current + [value[1]]
        else:
            args[key] = [str(value)]
    return "/sok?" + urlencode([(k, v) for k, vs in args.items() for v in vs if v != ""])


def base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


def citation(item: archive.Item, doc: archive.Document) -> str:
    """A reference to paste into a tjänsteskrivelse (refs #17): 'Kungsbacka kommun,
    Nämnden för Teknik 2025-09-24 § 87, Dnr TE-2025-00826, Title – https://…'."""
    who = ", ".join(x for x in (doc.organisation, doc.body) if x)
    where = " ".join(x for x in (who, doc.date, item.label) if x)
    dnr = f", Dnr {', '.join(item.dnr)}" if item.dnr else ""
    title = f", {item.title}" if item.title else ""
    return f"{where}{dnr}{title} – {base_url()}/{item.id}".strip()


# --- search -------------------------------------------------------------------------------
def run_search(args) -> tuple[index.SearchResult | None, str, int]:
    """Search from request args; returns (result, Swedish error message, status)."""
    q = (args.get("q") or "").strip()
    filters = {name: args.getlist(name) for name in FACET_LABELS if args.getlist(name)}
    try:
        page = max(1, min(int(args.get("sida", 1)), 1000))
        size = int(args.get("limit", current_app.config["SEARCH_PAGE_SIZE"]))
    except ValueError:
        return None, "Sidnummer och antal ska vara heltal.", 400
    size = max(1, min(size, int(current_app.config["SEARCH_MAX_LIMIT"])))
    if not q and not filters and not args.get("from") and not args.get("to"):
        return None, "", 200
    try:
        result = get_index().search(
            q, filters=filters, page=page, page_size=size,
            sort=SORTS.get(args.get("sort", "relevans"), "relevance"),
            date_from=_date_arg(args.get("from")), date_to=_date_arg(args.get("to")))
    except index.QueryError as exc:
        return None, str(exc), 400
    except index.IndexMissing:
        return None, "Sökindexet är inte byggt än. Be en administratör köra 'flask reindex'.", 503
    except index.IndexDamaged as exc:
        current_app.logger.exception("search index unusable")
        return None, str(exc), 503
    return result, "", 200


def _date_arg(value: str | None) -> str:
    value = (value or "").strip()
    if value and not all(c.isdigit() or c == "-" for c in value):
        raise index.QueryError("Datum skrivs som ÅÅÅÅ-MM-DD, till exempel 2024-06-30.")
    return value


def result_json(result: index.SearchResult | None, q: str) -> dict:
    if result is None:
        return {"query": q, "total": 0, "hits": [], "facets": {}}
    return {
        "query": result.query, "total": result.total, "total_all": result.total_all,
        "mode": result.mode,
        "notice": result.notice, "suggestion": result.suggestion, "timed_out": result.timed_out,
        "page": result.page, "elapsed_ms": result.elapsed_ms,
        "hits": [{
            "url": h.url, "source": h.source, "organisation": h.organisation, "body": h.body,
            "meeting": h.meeting or None, "date": h.date or None, "kind": h.kind,
            "paragraph": h.paragraph, "page": h.page, "title": h.title, "snippet": h.snippet,
            "score": h.score, "id": h.id, "unit": h.unit, "match": h.match,
            "matched": h.matched, "dnr": h.dnr, "label": h.label,
        } for h in result.hits],
        "facets": {name: [{"value": r["value"], "count": r["count"]} for r in rows]
                   for name, rows in result.facets.items()},
    }


# --- records API (refs #15) ---------------------------------------------------------------
def item_json(item: archive.Item) -> dict:
    """One item as the records API gives it; field names are a public contract (add, never rename)."""
    return {"id": item.id, "url": "/" + item.id, "number": item.label, "title": item.title,
            "dnr": list(item.dnr), "page_from": item.page_start, "page_to": item.page_end,
            "text": item.text, "decision": item.decision, "presenter": item.presenter,
            "document_id": item.document_id, "meeting_id": item.meeting_id}


def document_json(doc: archive.Document, items: list[archive.Item] | None = None) -> dict:
    """A document's metadata, and its items unless None (a meeting lists its items once)."""
    out = {"id": doc.id, "url": f"/d/{doc.id}", "file_url": f"/d/{doc.id}/fil",
            "source": doc.source, "filename": doc.filename, "media_type": doc.media_type,
            "kind": doc.kind, "title": doc.title, "organisation": doc.organisation,
            "organisation_slug": doc.organisation_slug, "body": doc.body,
            "body_slug": doc.body_slug, "date": doc.date or None,
            "source_url": doc.source_url or None, "pages": doc.page_count,
            "meeting_id": doc.meeting_id,
            "meeting_url": f"/m/{doc.meeting_id}" if doc.meeting_id else None}
    if items is not None:
        out["items"] = [item_json(i) for i in items]
    return out


def meeting_json(meeting: archive.Meeting, docs: list[archive.Document],
                 items: list[archive.Item]) -> dict:
    return {"id": meeting.id, "url": f"/m/{meeting.id}", "organisation": meeting.organisation,
            "organisation_slug": meeting.organisation_slug, "body": meeting.body,
            "body_slug": meeting.body_slug, "date": meeting.date,
            "documents": [document_json(d) for d in docs],
            "items": [item_json(i) for i in items]}


def _api_error(exc: Exception, status: int) -> tuple[Response, int]:
    return jsonify({"error": str(exc), "status": status}), status


# --- views --------------------------------------------------------------------------------
def _register_views(app: Flask) -> None:
    @app.get("/")
    @app.get("/sok")
    def search_page():
        result, error, status = run_search(request.args)
        partial = request.headers.get("HX-Request") and not request.headers.get(
            "HX-History-Restore-Request")   # a history miss needs the whole page back
        template = "_results.html" if partial else "search.html"
        organisations = [] if result or error else [
            dict(o, bodies_list=get_archive().bodies(o["slug"]))
            for o in get_archive().organisations()]
        return render_template(template, result=result, error=error, q=request.args.get("q", ""),
                               args=request.args, organisations=organisations,
                               partial=bool(partial)), status

    @app.get("/sok.atom")
    def search_feed():
        """'Bevaka sökning': the newest hits of a search as an Atom feed."""
        args = request.args.copy()
        args["sort"], args["limit"] = "nyast", "20"
        result, error, status = run_search(args)
        if error:
            return Response(error, status=status, mimetype="text/plain")
        return Response(atom_feed(result, request.args.get("q", "")),
                        mimetype="application/atom+xml")

    @app.route("/admin/logga-in", methods=["GET", "POST"])
    def admin_login():
        token = _admin_token()
        error, status = "", 200
        if request.method == "POST":
            _check_csrf()
            failures = _failed_logins(app)
            if failures.blocked(request.remote_addr):
                error, status = ("För många misslyckade inloggningar. Vänta en stund och "
                                 "försök igen."), 429
            elif hmac.compare_digest(request.form.get("token", "").encode(), token.encode()):
                failures.forget(request.remote_addr)
                session.clear()
                session["admin"] = True
                return redirect("/admin", code=303)
            else:
                failures.add(request.remote_addr)
                error, status = "Fel token.", 403
        response = render_template("admin_login.html", error=error, csrf=_csrf_token()), status
        if status == 429:
            response += ({"Retry-After": str(LOGIN_WINDOW_S)},)
        return response

    @app.post("/admin/logga-ut")
    def admin_logout():
        _check_csrf()
        session.clear()
        return redirect("/", code=303)

    @app.post("/admin/publicera/<doc_id>")
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
        return redirect("/admin#personnummer", code=303)

    @app.get("/admin")
    def admin_page():
        _require_admin()
        store = get_archive()
        return render_template("admin.html", counts=store.counts(), runs=store.runs(10),
                               personal_data=store.personal_data_report(),
                               info=index.index_info(current_app.config["DATA_DIR"]),
                               csrf=_csrf_token())

    @app.get("/api/search")
    def api_search():
        result, error, status = run_search(request.args)
        if error:
            return jsonify({"error": error, "query": request.args.get("q", "")}), status
        return jsonify(result_json(result, request.args.get("q", "")))

    @app.get("/m/<org>")
    def organisation_page(org):
        """An organisation's bodies, each with its number of meetings (refs #17)."""
        store = get_archive()
        organisation = store.organisation(org)
        bodies = store.bodies(org)
        if not bodies:
            abort(404)
        return render_template("organisation.html", organisation=organisation, bodies=bodies)

    @app.get("/m/<org>/<body>")
    def body_page(org, body):
        """A body's meetings by year, newest first (refs #17)."""
        store = get_archive()
        info = store.body(org, body)
        meetings = store.body_meetings(org, body)
        if not meetings:
            abort(404)
        years: dict[str, list] = {}
        for meeting in meetings:
            years.setdefault(meeting["date"][:4], []).append(meeting)
        return render_template("body.html", org=org, body=info, years=list(years.items()),
                               meetings=meetings)

    @app.get("/api/documents/<doc_id>")
    def api_document(doc_id):
        store = get_archive()
        try:
            doc = store.document(doc_id)
        except archive.NotFound as exc:
            return _api_error(exc, 404)
        except archive.Gone as exc:
            return _api_error(exc, 410)
        return jsonify(document_json(doc, store.items(document=doc_id)))

    @app.get("/api/meetings/<org>/<body>/<date>")
    def api_meeting(org, body, date):
        store = get_archive()
        try:
            meeting = store.meeting(archive.meeting_id(org, body, date))
        except archive.NotFound as exc:
            return _api_error(exc, 404)
        return jsonify(meeting_json(meeting, store.documents(meeting=meeting.id),
                                    store.items(meeting=meeting.id)))

    @app.get("/m/<org>/<body>/<date>")
    def meeting_page(org, body, date):
        store = get_archive()
        meeting = store.meeting(archive.meeting_id(org, body, date))
        items = store.items(meeting=meeting.id)
        docs = store.documents(meeting=meeting.id)
        by_doc = {d.id: d for d in docs}
        groups: dict[str, list] = {}        # items per document, minutes first (archive order)
        for item in items:
            groups.setdefault(item.document_id, []).append(item)
        previous, following = store.neighbour_meetings(meeting)
        return render_template("meeting.html", meeting=meeting, items=items, docs=docs,
                               previous=previous, following=following,
                               links=archive.link_meeting(items),
                               groups=[(by_doc[k], v) for k, v in groups.items()])

    @app.get("/m/<org>/<body>/<date>/<slug>")
    def item_page(org, body, date, slug):
        if slug.startswith("§"):      # refs #17: every '§86' link ever issued → 'p86'
            return _to_ascii_slug(url_for("item_page", org=org, body=body, date=date,
                                          slug=archive.ascii_slug(slug)))
        return _item_view(f"m/{archive.meeting_id(org, body, date)}/{slug}")

    @app.get("/d/<doc_id>/<slug>")
    def document_item_page(doc_id, slug):
        if slug.startswith("§"):
            return _to_ascii_slug(url_for("document_item_page", doc_id=doc_id,
                                          slug=archive.ascii_slug(slug)))
        return _item_view(f"d/{doc_id}/{slug}")

    @app.get("/d/<doc_id>")
    @app.get("/d/<doc_id>/sida/<int:number>")
    def document_page(doc_id, number=None):
        store = get_archive()
        doc = store.document(doc_id)
        pages = store.pages(doc_id)
        if number is not None and not any(p.number == number for p in pages):
            abort(404)
        q = request.args.get("q", "")
        markdown_pages = any(looks_like_markdown(doc, p.text) for p in pages)
        # refs #13: the words are marked in the first HIGHLIGHT_CHARS of the whole document,
        # not of each page, so a document of many long pages costs what one long page does
        budget, rendered = index.HIGHLIGHT_CHARS, []
        # refs #17: a page link shows that page (the others one click away), as a citation means
        shown = [p for p in pages if p.number == number] if number is not None else pages
        for p in shown:
            anchor = f"sida-{p.number}-traff"
            rendered.append((p, *(render_markdown(p.text, q if budget else "", anchor)
                                  if markdown_pages else _highlight(p.text, q, anchor, budget))))
            budget = max(0, budget - len(p.text))
        return render_template("document.html", doc=doc, pages=rendered, q=q, page_number=number,
                               page_numbers=[p.number for p in pages],
                               withheld=store.original_withheld(doc),
                               items=store.items(document=doc_id), markdown_pages=markdown_pages,
                               meeting=_meeting_or_none(store, doc.meeting_id))

    @app.get("/d/<doc_id>/fil")
    def document_file(doc_id):
        store = get_archive()
        path, doc = store.original(doc_id)
        if store.original_withheld(doc) and not _is_admin():
            # refs #18: the text is public with its numbers masked; the original is not
            return render_template("withheld.html", doc=doc,
                                   found=len(store.personal_data(doc_id))), 403
        if not path.is_file():
            abort(404)
        inline = request.args.get("visa") == "1"
        name = "".join(ch if ch.isprintable() else "_" for ch in doc.filename)
        response = send_file(path, mimetype=doc.media_type, as_attachment=not inline,
                             download_name=name, conditional=True, etag=doc.sha256)
        if doc.media_type != "application/pdf":
            # an archived page is someone else's markup: opened in the browser it runs in a
            # sandbox (an opaque origin, no scripts), never as this site (Chrome shows no PDF
            # in a sandbox, and a PDF runs no page scripts)
            response.headers["Content-Security-Policy"] = (
                "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'")
        return response

    @app.get("/static/htmx.min.js")
    def htmx_js():
        spec = importlib.util.find_spec("js_lib_htmx")
        root = Path(next(iter(spec.submodule_search_locations)))
        return send_file(root / "static" / "htmx" / "htmx.min.js", mimetype="text/javascript",
                         max_age=86400)

    @app.get("/healthz")
    def healthz():
        """200 when the search index serves; 503 with the reason when it is missing or
        damaged (refs #13), so a load balancer or monitor notices."""
        problem = get_index().health()
        if problem:
            return {"ok": False, "index": problem}, 503
        return {"ok": True}

    @app.errorhandler(archive.NotFound)
    @app.errorhandler(404)
    def not_found(exc):
        path = request.path.strip("/")
        store = get_archive()
        moved = store.redirect_for(path)
        if moved:
            return redirect("/" + moved, code=301)
        reason = store.gone_reason(path)
        if reason:
            return render_template("error.html", status=410, title="Borttagen",
                                   message=reason), 410
        message = str(exc) if isinstance(exc, archive.NotFound) else \
            "Sidan finns inte. Kontrollera adressen eller sök i arkivet."
        return render_template("error.html", status=404, title="Hittades inte",
                               message=message), 404

    @app.errorhandler(archive.Gone)
    def gone(exc):
        return render_template("error.html", status=410, title="Borttagen", message=str(exc)), 410

    @app.errorhandler(index.IndexMissing)
    def index_missing(exc):
        return render_template("error.html", status=503, title="Sökindex saknas",
                               message=str(exc)), 503

    @app.errorhandler(index.IndexDamaged)
    def index_damaged(exc):
        return render_template("error.html", status=503, title="Sökindexet är skadat",
                               message=str(exc)), 503

    @app.errorhandler(400)
    def bad_request(exc):
        return render_template("error.html", status=400, title="Felaktig begäran",
                               message=getattr(exc, "description", "")), 400

    @app.errorhandler(500)
    def server_error(exc):
        return render_template("error.html", status=500, title="Något gick fel",
                               message="Ett oväntat fel inträffade. Försök igen om en stund."), 500


def atom_feed(result: index.SearchResult | None, q: str) -> bytes:
    """An Atom document (RFC 4287) for a search; every value escaped by ElementTree."""
    from xml.etree import ElementTree as ET
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    base = base_url()
    feed = ET.Element(f"{{{ns}}}feed")
    query = request.query_string.decode()
    ET.SubElement(feed, f"{{{ns}}}title").text = f"Paragraf: {q}" if q else "Paragraf"
    if result is not None:     # refs #17: the count as the search page's heading says it
        ET.SubElement(feed, f"{{{ns}}}subtitle").text = web.feed_subtitle(result, q)
    ET.SubElement(feed, f"{{{ns}}}id").text = f"{base}/sok.atom?{query}"
    ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=f"{base}/sok.atom?{query}")
    ET.SubElement(feed, f"{{{ns}}}link", rel="alternate", href=f"{base}/sok?{query}")
    hits = result.hits if result else []
    newest = max((h.date for h in hits if h.date), default="2000-01-01")
    ET.SubElement(feed, f"{{{ns}}}updated").text = f"{newest}T00:00:00Z"
    ET.SubElement(ET.SubElement(feed, f"{{{ns}}}author"), f"{{{ns}}}name").text = "Paragraf"
    for hit in hits:
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        where = " ".join(x for x in (hit.body or hit.organisation, hit.date, hit.label or "")
                         if x)
        ET.SubElement(entry, f"{{{ns}}}title").text = f"{where} {hit.title}".strip()
        ET.SubElement(entry, f"{{{ns}}}id").text = base + hit.url
        ET.SubElement(entry, f"{{{ns}}}link", href=base + hit.url)
        ET.SubElement(entry, f"{{{ns}}}updated").text = f"{hit.date or newest}T00:00:00Z"
        summary = re.sub(r"</?mark>", "", hit.snippet)
        ET.SubElement(entry, f"{{{ns}}}summary", type="html").text = summary
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, "Formuläret har gått ut. Ladda om sidan och försök igen.")


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


class _LoginFailures:
    """Failed admin logins per client address in the last LOGIN_WINDOW_S (this process)."""

    def __init__(self, limit: int):
        import threading
        self.limit, self._lock, self._seen = limit, threading.Lock(), {}

    def _recent(self, who: str, now: float) -> list[float]:
        times = [t for t in self._seen.get(who, []) if now - t < LOGIN_WINDOW_S]
        if times:
            self._seen[who] = times
        else:
            self._seen.pop(who, None)
        return times

    def blocked(self, who: str | None) -> bool:
        import time
        with self._lock:
            return len(self._recent(who or "?", time.monotonic())) >= self.limit

    def add(self, who: str | None) -> None:
        import time
        with self._lock:
            now = time.monotonic()
            self._seen.setdefault(who or "?", []).append(now)
            if len(self._seen) > 10_000:     # many addresses: forget the stale ones
                for key in list(self._seen):
                    self._recent(key, now)

    def forget(self, who: str | None) -> None:
        with self._lock:
            self._seen.pop(who or "?", None)


def _failed_logins(app: Flask) -> _LoginFailures:
    if "paragraf_logins" not in app.extensions:
        app.extensions["paragraf_logins"] = _LoginFailures(
            int(app.config["ADMIN_MAX_FAILED_LOGINS"]))
    return app.extensions["paragraf_logins"]


def _is_admin() -> bool:
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
            abort(Response("För många misslyckade inloggningar. Vänta en stund och försök igen.",
                           status=429, mimetype="text/plain",
                           headers={"Retry-After": str(LOGIN_WINDOW_S)}))
        if hmac.compare_digest(header[7:].encode(), token.encode()):
            return
        failures.add(request.remote_addr)
    if not session.get("admin"):
        abort(redirect("/admin/logga-in", code=303))


def _meeting_or_none(store, mid):
    try:
        return store.meeting(mid) if mid else None
    except archive.NotFound:
        return None


def _highlight(text: str, q: str, id_prefix: str = "traff",
               limit: int | None = None) -> tuple[Markup, int]:
    if not q or limit == 0:
        return escape(text), 0
    html, count = index.highlight_query(text, q, id_prefix,
                                        index.HIGHLIGHT_CHARS if limit is None else limit)
    return Markup(html), count


def _to_ascii_slug(path: str):
    query = request.query_string.decode()
    return redirect(path + (f"?{query}" if query else ""), code=301)


# refs #15: Markdown sources (and text files converted to Markdown) render as HTML: tables as
# tables, headings as headings. The text is someone else's: raw HTML, links and images are not
# Markdown we honour, so they stay text; search matches are marked inside the text nodes.
_MARKDOWN_SIGNS = re.compile(r"(?m)^\s*\|?\s*:?-{3,}:?\s*\|[-|: ]*$|^#{1,6}\s+\S")
_UNSAFE_MARKDOWN = ("html", "link", "reference", "image_link", "image_reference",
                    "short_reference", "short_image_ref", "autolink", "automail")


def looks_like_markdown(doc: archive.Document, text: str) -> bool:
    return doc.media_type in ("text/markdown", "text/plain") and bool(_MARKDOWN_SIGNS.search(text))


def render_markdown(text: str, q: str, id_prefix: str) -> tuple[Markup, int]:
    """Markdown as safe HTML (raw HTML escaped, no links or images), wide tables in their own
    scroll box, query matches marked; returns (html, number of marks)."""
    import markdown
    md = markdown.Markdown(extensions=["tables"])
    md.preprocessors.deregister("html_block")
    md.parser.blockprocessors.deregister("reference")   # "[1]: url" lines stay text
    for name in _UNSAFE_MARKDOWN:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    html = md.convert(text)
    # the one tag converters put in table cells is a line break: the escaped "<br>" becomes one
    html = re.sub(r"&lt;br\s*/?&gt;", "<br>", html, flags=re.I)
    html = html.replace("<table>", '<div class="table-scroll" tabindex="0" role="region" '
                                   'aria-label="Tabell"><table>').replace("</table>", "</table></div>")
    if not q:
        return Markup(html), 0
    out, count = [], 0
    for part in re.split(r"(<[^>]*>)", html):
        if part.startswith("<") or not part:
            out.append(part)
            continue
        marked, n = index.highlight_query(html_unescape(part), q, id_prefix)
        out.append(re.sub(r'<mark id="[^"]*-(\d+)">',
                          lambda m: f'<mark id="{id_prefix}-{count + int(m.group(1))}">', marked))
        count += n
    return Markup("".join(out)), count


def _item_view(item_id: str):
    store = get_archive()
    try:
        item = store.item(item_id)
    except archive.NotFound:
        # an archive no command has migrated yet still holds '§86' ids (refs #17)
        head, _, slug = item_id.rpartition("/")
        if not re.fullmatch(r"p\d+[a-z]?", slug):
            raise
        item = store.item(f"{head}/§{slug[1:]}")
    doc = store.document(item.document_id)
    siblings = store.items(document=doc.id)
    pos = next(i for i, s in enumerate(siblings) if s.id == item.id)
    q = request.args.get("q", "")
    text_html, marks = _highlight(item.text, q)
    history = sorted(
        [(i, d) for i, d in store.related_by_dnr(item.dnr) if not (i and i.id == item.id)],
        key=lambda pair: (pair[1].date, ["kallelse", "handlingar", "tjänsteskrivelse",
                                         "protokoll"].index(pair[1].kind)
                          if pair[1].kind in ("kallelse", "handlingar", "tjänsteskrivelse",
                                              "protokoll") else 9))
    try:
        similar = get_index().more_like_this(item.id)
    except (index.IndexMissing, index.IndexDamaged):
        similar = []      # the record page works without the index
    meeting = _meeting_or_none(store, item.meeting_id)
    attachments = [d for d in store.documents(meeting=item.meeting_id)
                   if d.id != doc.id] if item.meeting_id else []
    return render_template(
        "item.html", item=item, doc=doc, meeting=meeting, text_html=text_html, marks=marks, q=q,
        previous=siblings[pos - 1] if pos > 0 else None,
        next=siblings[pos + 1] if pos + 1 < len(siblings) else None,
        history=history, similar=similar, attachments=attachments,
        citation=citation(item, doc), permalink=f"{base_url()}/{item.id}",
        links=archive.link_meeting(store.items(meeting=item.meeting_id)) if item.meeting_id
        else archive.MeetingLinks())


# --- CLI ----------------------------------------------------------------------------------
def _storage_errors(command):
    """A full disk or a read-only DATA_DIR ends a writing command with one clear line and
    exit status 2; archive writes are transactions and the index switches only when
    complete, so nothing half-written is left serving (refs #7)."""
    import functools
    import sqlite3

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


def _register_cli(app: Flask) -> None:
    @app.cli.command("ingest")
    @click.argument("paths", nargs=-1, required=True, type=click.Path())
    @click.option("--workers", type=int, default=None, help="Extraction processes.")
    @click.option("--force", is_flag=True, help="Re-parse files even when unchanged.")
    @click.option("--report", type=click.Path(), default=None,
                  help="Write the failure report here (.json and .csv beside it).")
    @_storage_errors
    def ingest_command(paths, workers, force, report):
        """Ingest files and folders (PDF, HTML, TXT, MD), then update the index."""
        config = current_app.config
        _export_personal_patterns(config)
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        store = archive.Archive(config["DATA_DIR"])
        try:
            with _progress("Läser in") as progress:
                done = ingest.ingest_paths(
                    store, paths, max_file_mb=float(config["INGEST_MAX_FILE_MB"]),
                    workers=workers or int(config["INGEST_WORKERS"]), force=force,
                    limits=_ingest_limits(config), progress=progress)
            summary = done.summary()
            summary["indexed_units"] = _sync(store, config["DATA_DIR"])
            store.record_run("ingest", started, summary, done.failed)
        finally:
            store.close()
        _finish_ingest(done, summary, report or os.path.join(config["DATA_DIR"], "reports",
                                                             "ingest-latest"))

    @app.cli.command("reextract")
    @click.option("--workers", type=int, default=None, help="Extraction processes.")
    @_storage_errors
    def reextract_command(workers):
        """Re-parse every stored original (after a parser improvement), then update the index."""
        config = current_app.config
        _export_personal_patterns(config)
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        store = archive.Archive(config["DATA_DIR"])
        try:
            with _progress("Tolkar om") as progress:
                done = ingest.reextract_archive(store, workers=workers or
                                                int(config["INGEST_WORKERS"]),
                                                limits=_ingest_limits(config), progress=progress)
            summary = done.summary()
            summary["indexed_units"] = _sync(store, config["DATA_DIR"])
            store.record_run("reextract", started, summary, done.failed)
        finally:
            store.close()
        _finish_ingest(done, summary, os.path.join(config["DATA_DIR"], "reports",
                                                   "reextract-latest"))

    @app.cli.command("reindex")
    @click.option("--if-needed", is_flag=True,
                  help="Rebuild only when the schema or analysis changed.")
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
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
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

    @app.cli.command("search")
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
        click.echo(web.hits_sv(result) + (f" – {result.notice}" if result.notice else ""))
        for hit in result.hits:
            where = " ".join(x for x in (hit.body, hit.date, hit.paragraph or "") if x)
            click.echo(f"{hit.score:8.2f}  {where}  {hit.title}  {hit.url}")

    @app.cli.command("status")
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
        import time
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


def _finish_ingest(done, summary: dict, report: str) -> None:
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
