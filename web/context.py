"""What every view shares: the request's archive, the process's search index, and URLs.

`get_archive()` opens the archive read-only once per request (closed at teardown);
`get_index()` keeps one SearchIndex per app. URLs are built with `url_for` from the record
ids the archive stores ('m/kungsbacka/ks/2026-08-25/p179', 'd/92a6bd580e'), so the routes are
defined once, in the blueprints (refs #16).
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, g, request, url_for

import archive
import index


def get_archive() -> archive.Archive:
    if "archive" not in g:
        # refs #13: serving never writes the archive (a read-only DATA_DIR serves every page)
        g.archive = archive.Archive(current_app.config["DATA_DIR"], readonly=True)
    return g.archive


def close_archive(exc=None) -> None:
    store = g.pop("archive", None)
    if store is not None:
        store.close()


def get_index() -> index.SearchIndex:
    ext = current_app.extensions
    if "paragraf_index" not in ext:
        ext["paragraf_index"] = index.SearchIndex(
            current_app.config["DATA_DIR"], int(current_app.config["SEARCH_TIME_LIMIT_MS"]))
    return ext["paragraf_index"]


def is_partial() -> bool:
    """An htmx request that swaps part of the page (refs #2): the view renders the partial.
    A history miss (HX-History-Restore-Request) needs the whole page back."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request")


def is_htmx() -> bool:
    """Any request htmx made (it takes the page title from a <title> in the answer)."""
    return bool(request.headers.get("HX-Request"))


def url_with(**changes) -> str:
    """The current search URL with some parameters changed (None removes, lists toggle)."""
    if "paragraf_args" not in g:      # a results page asks for some fifty links
        g.paragraf_args = request.args.to_dict(flat=False)
        g.paragraf_search_url = url_for("search.search_page")
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
    query = urlencode([(k, v) for k, vs in args.items() for v in vs if v != ""])
    return f"{g.paragraf_search_url}?{query}"


def base_url() -> str:
    """The site's absolute root for citations and feeds: PUBLIC_BASE_URL, else the request's."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


def record_url(path: str) -> str:
    """The URL of a record path as the archive stores it: an item id ('m/kungsbacka/ks/
    2026-08-25/p179', 'd/92a6bd580e/punkt-8'), 'm/<meeting id>', 'd/<document id>', or a
    redirect target; a path of no route we know stays as it is, under the site's root."""
    parts = path.strip("/").split("/")
    if parts[0] == "m" and 2 <= len(parts) <= 5:
        names = ("org", "body", "date", "slug")[:len(parts) - 1]
        endpoint = ("records.organisation_page", "records.body_page", "records.meeting_page",
                    "records.item_page")[len(parts) - 2]
        return url_for(endpoint, **dict(zip(names, parts[1:])))
    if parts[0] == "d" and len(parts) == 2:
        return url_for("records.document_page", doc_id=parts[1])
    if parts[0] == "d" and len(parts) == 4 and parts[2] == "sida" and parts[3].isdigit():
        return url_for("records.document_page", doc_id=parts[1], number=int(parts[3]))
    if parts[0] == "d" and len(parts) == 3:
        return url_for("records.document_item_page", doc_id=parts[1], slug=parts[2])
    return f"{request.script_root}/{path.strip('/')}"


def item_url(item_id: str) -> str:
    """An item's page: '/m/kungsbacka/ks/2026-08-25/p179' or '/d/92a6bd580e/punkt-8'."""
    return record_url(item_id)


def meeting_url(meeting_id: str) -> str:
    """A meeting's page from its id 'kungsbacka/ks/2026-08-25'."""
    return record_url(f"m/{meeting_id}")
