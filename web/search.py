"""The search: its page (whole, or the results partial htmx asks for), the Atom feed of a
search and `GET /api/search`, all answered by `run_search` (refs #2, #16)."""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

import index

from .context import base_url, get_archive, get_index, is_htmx, is_partial
from .swedish import feed_subtitle

bp = Blueprint("search", __name__)

FACET_LABELS = {"meeting": "Sammanträde", "item": "Ärende", "body": "Organ", "kind": "Typ",
                "year": "År", "organisation": "Organisation"}
FACETS = tuple(FACET_LABELS)           # the order the page shows them in
SORTS = {"relevans": "relevance", "nyast": "newest", "aldst": "oldest"}


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
    """What `GET /api/search` and `flask search --json` print; a public contract."""
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


def atom_feed(result: index.SearchResult | None, q: str) -> bytes:
    """An Atom document (RFC 4287) for a search; every value escaped by ElementTree."""
    from xml.etree import ElementTree as ET
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    base = base_url()
    feed = ET.Element(f"{{{ns}}}feed")
    query = request.query_string.decode()
    feed_url = f"{base}{url_for('search.search_feed')}?{query}"
    ET.SubElement(feed, f"{{{ns}}}title").text = f"Paragraf: {q}" if q else "Paragraf"
    if result is not None:     # refs #17: the count as the search page's heading says it
        ET.SubElement(feed, f"{{{ns}}}subtitle").text = feed_subtitle(result, q)
    ET.SubElement(feed, f"{{{ns}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=feed_url)
    ET.SubElement(feed, f"{{{ns}}}link", rel="alternate",
                  href=f"{base}{url_for('search.search_page')}?{query}")
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


def search_page():
    """The search page; an htmx request gets the results partial (the same template the
    whole page includes)."""
    result, error, status = run_search(request.args)
    partial = is_partial()
    organisations = [] if result or error else [
        dict(o, bodies_list=get_archive().bodies(o["slug"]))
        for o in get_archive().organisations()]
    return render_template("_results.html" if partial else "search.html", result=result,
                           error=error, q=request.args.get("q", ""), args=request.args,
                           organisations=organisations, partial=partial,
                           htmx_request=is_htmx()), status


# '/' is the home page and '/sok' the search (each its own endpoint, so url_for names the one
# meant); both show the same page
bp.add_url_rule("/", "home", search_page, methods=["GET"])
bp.add_url_rule("/sok", "search_page", search_page, methods=["GET"])


@bp.get("/sok.atom")
def search_feed():
    """'Bevaka sökning': the newest hits of a search as an Atom feed."""
    args = request.args.copy()
    args["sort"], args["limit"] = "nyast", "20"
    result, error, status = run_search(args)
    if error:
        return Response(error, status=status, mimetype="text/plain")
    return Response(atom_feed(result, request.args.get("q", "")),
                    mimetype="application/atom+xml")


@bp.get("/api/search")
def api_search():
    result, error, status = run_search(request.args)
    if error:
        return jsonify({"error": error, "query": request.args.get("q", "")}), status
    return jsonify(result_json(result, request.args.get("q", "")))
