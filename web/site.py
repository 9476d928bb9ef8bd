"""Routes that are neither search nor record: the health check and the htmx script."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Blueprint, send_file

from .context import get_index

bp = Blueprint("site", __name__)


@bp.get("/static/htmx.min.js")
def htmx_js():
    """htmx from its Python package (js_lib_htmx), so no copy of it lives in static/."""
    spec = importlib.util.find_spec("js_lib_htmx")
    root = Path(next(iter(spec.submodule_search_locations)))
    return send_file(root / "static" / "htmx" / "htmx.min.js", mimetype="text/javascript",
                     max_age=86400)


@bp.get("/healthz")
def healthz():
    """200 when the search index serves; 503 with the reason when it is missing or
    damaged (refs #13), so a load balancer or monitor notices."""
    problem = get_index().health()
    if problem:
        return {"ok": False, "index": problem}, 503
    return {"ok": True}
