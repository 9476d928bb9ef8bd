"""The web side: blueprints for the Flask app that app.py's create_app() assembles (refs #16).

Modules: `search` (the search page, its Atom feed, GET /api/search), `records` (organisation,
body, meeting, item and document pages, the original file, the records API), `admin` (login,
logout, publishing a withheld original, CSRF, the login-failure limiter), `errors` (named
errors → pages), `site` (/healthz, the htmx script), `cli` (the `flask` commands), with
`context` (the request's archive, the index, URLs from record ids), `render` (text as safe HTML,
Markdown, marks) and `security` (session cookie, secret key, response headers) under them.
Only app.py and this package import Flask.

Public names here are the plain helpers (no Flask): count_sv, feed_subtitle, hits_sv,
item_label, local_time, noun_sv, preview_text, run_kind_label, run_summary_sv (Swedish text
for counts, labels, run summaries and times).
"""
from .preview import preview_text
from .swedish import (count_sv, feed_subtitle, hits_sv, item_label, local_time, noun_sv,
                      run_kind_label, run_summary_sv)

__all__ = ["count_sv", "feed_subtitle", "hits_sv", "item_label", "local_time", "noun_sv",
           "preview_text", "run_kind_label", "run_summary_sv"]
