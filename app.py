"""Paragraf: the Flask app factory. It reads the configuration and registers the blueprints
of web/ (search, records, admin, errors, site, cli); the views, the JSON API and the `flask`
commands live there. Only this module and web/ import Flask.

Configuration: defaults (SETTINGS) → instance/config.py → FLASK_* environment → test_config.
"""
from __future__ import annotations

import os

from flask import Flask
from flask_htmx import HTMX

import index
import ingest
import web
from archive import vocabulary
from web import admin, cli, errors, records, search, security, site
from web.context import close_archive, item_url, meeting_url, url_with

_LIMITS = ingest.Limits()          # the defaults of what parsing one file may cost
SETTINGS = {  # key: (default, help)
    "DATA_DIR": (None, "Folder holding the archive (SQLite + originals) and the index; "
                       "when unset, the app's instance/ folder."),
    "SEARCH_PAGE_SIZE": (10, "Hits per page on the search page and the API default limit."),
    "SEARCH_MAX_LIMIT": (100, "Largest `limit` the API accepts."),
    "SEARCH_TIME_LIMIT_MS": (index.TIME_LIMIT_MS,
                             "A search stops its optional work (expansion, phrase positions, "
                             "marking snippets, suggestions) after this long and shows what it "
                             "found, saying so."),
    "INGEST_MAX_FILE_MB": (100, "Files larger than this are reported as too large, not read."),
    "INGEST_TIME_LIMIT_S": (_LIMITS.time_s, "Parsing one file may take this long; then its "
                                            "worker is killed and the file reported as "
                                            "`tidsgräns`."),
    "INGEST_MEMORY_LIMIT_MB": (_LIMITS.memory_mb, "Address space of a parsing worker; a file "
                                                  "needing more is reported as `minnesgräns`."),
    "OCR_MAX_PAGES": (_LIMITS.ocr_max_pages, "Pages of one PDF read by OCR at most; the rest "
                                             "are named in a warning."),
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


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update({key: default for key, (default, _) in SETTINGS.items()})
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    app.config["DATA_DIR"] = os.path.abspath(str(app.config["DATA_DIR"] or app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = security.persistent_secret(app)
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.session_interface = security.SessionInterface()
    admin.check_admin_token(app)
    HTMX(app)
    _template_context(app)
    for module in (search, records, admin, site, errors, cli):
        app.register_blueprint(module.bp)
    app.teardown_appcontext(close_archive)
    app.after_request(security.add_headers)
    return app


def _template_context(app: Flask) -> None:
    """What every template may call: labels, counts and times in Swedish, and URLs."""
    app.jinja_env.globals.update(
        kind_label=vocabulary.kind_label, MINUTES=vocabulary.MINUTES,
        AGENDA_KINDS=vocabulary.AGENDA_KINDS, facet_label=search.FACET_LABELS.get,
        FACETS=search.FACETS, url_with=url_with, item_url=item_url, meeting_url=meeting_url,
        count_sv=web.count_sv, run_kind_label=web.run_kind_label,
        run_summary_sv=web.run_summary_sv, hits_sv=web.hits_sv, noun_sv=web.noun_sv)
    app.jinja_env.filters["local_time"] = web.local_time
    app.jinja_env.filters["label"] = web.item_label
    app.jinja_env.filters["preview"] = web.preview_text
