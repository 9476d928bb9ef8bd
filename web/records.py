"""The records: pages for an organisation, a body, a meeting, an item and a document (its pages
and original file), and the records API of `GET /api/documents/<id>` and
`GET /api/meetings/<organisation>/<body>/<date>` (refs #15, #17).

The API's field names are a public contract: added to, never renamed.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, jsonify, redirect, render_template, request,
                   send_file, url_for)

import archive
import index
from archive import vocabulary

from .admin import is_admin
from .context import base_url, get_archive, get_index, item_url, meeting_url
from .render import highlight, looks_like_markdown, render_markdown

bp = Blueprint("records", __name__)


# --- records API --------------------------------------------------------------------------
def item_json(item: archive.Item) -> dict:
    """One item as the records API gives it; field names are a public contract (added to,
    never renamed)."""
    return {"id": item.id, "url": item_url(item.id), "number": item.label, "title": item.title,
            "dnr": list(item.dnr), "page_from": item.page_start, "page_to": item.page_end,
            "text": item.text, "decision": item.decision, "presenter": item.presenter,
            "document_id": item.document_id, "meeting_id": item.meeting_id}


def document_json(doc: archive.Document, items: list[archive.Item] | None = None) -> dict:
    """A document's metadata, and its items unless None (a meeting lists its items once)."""
    out = {"id": doc.id, "url": url_for("records.document_page", doc_id=doc.id),
           "file_url": url_for("records.document_file", doc_id=doc.id),
           "source": doc.source, "filename": doc.filename, "media_type": doc.media_type,
           "kind": doc.kind, "title": doc.title, "organisation": doc.organisation,
           "organisation_slug": doc.organisation_slug, "body": doc.body,
           "body_slug": doc.body_slug, "date": doc.date or None,
           "source_url": doc.source_url or None, "pages": doc.page_count,
           "meeting_id": doc.meeting_id,
           "meeting_url": meeting_url(doc.meeting_id) if doc.meeting_id else None}
    if items is not None:
        out["items"] = [item_json(i) for i in items]
    return out


def meeting_json(meeting: archive.Meeting, docs: list[archive.Document],
                 items: list[archive.Item]) -> dict:
    return {"id": meeting.id, "url": meeting_url(meeting.id),
            "organisation": meeting.organisation,
            "organisation_slug": meeting.organisation_slug, "body": meeting.body,
            "body_slug": meeting.body_slug, "date": meeting.date,
            "documents": [document_json(d) for d in docs],
            "items": [item_json(i) for i in items]}


def _api_error(exc: Exception, status: int) -> tuple[Response, int]:
    return jsonify({"error": str(exc), "status": status}), status


@bp.get("/api/documents/<doc_id>")
def api_document(doc_id):
    store = get_archive()
    try:
        doc = store.document(doc_id)
    except archive.NotFound as exc:
        return _api_error(exc, 404)
    except archive.Gone as exc:
        return _api_error(exc, 410)
    return jsonify(document_json(doc, store.items(document=doc_id)))


@bp.get("/api/meetings/<org>/<body>/<date>")
def api_meeting(org, body, date):
    store = get_archive()
    try:
        meeting = store.meeting(archive.meeting_id(org, body, date))
    except archive.NotFound as exc:
        return _api_error(exc, 404)
    return jsonify(meeting_json(meeting, store.documents(meeting=meeting.id),
                                store.items(meeting=meeting.id)))


# --- organisations, bodies, meetings --------------------------------------------------------
@bp.get("/m/<org>")
def organisation_page(org):
    """An organisation's bodies, each with its number of meetings (refs #17)."""
    store = get_archive()
    organisation = store.organisation(org)
    bodies = store.bodies(org)
    if not bodies:
        abort(404)
    return render_template("organisation.html", organisation=organisation, bodies=bodies)


@bp.get("/m/<org>/<body>")
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


@bp.get("/m/<org>/<body>/<date>")
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


def _meeting_or_none(store, mid):
    try:
        return store.meeting(mid) if mid else None
    except archive.NotFound:
        return None


# --- items ----------------------------------------------------------------------------------
@bp.get("/m/<org>/<body>/<date>/<slug>")
def item_page(org, body, date, slug):
    if slug.startswith("§"):      # refs #17: every '§86' link ever issued → 'p86'
        return _to_ascii_slug(url_for("records.item_page", org=org, body=body, date=date,
                                      slug=archive.ascii_slug(slug)))
    return _item_view(f"m/{archive.meeting_id(org, body, date)}/{slug}")


@bp.get("/d/<doc_id>/<slug>")
def document_item_page(doc_id, slug):
    if slug.startswith("§"):
        return _to_ascii_slug(url_for("records.document_item_page", doc_id=doc_id,
                                      slug=archive.ascii_slug(slug)))
    return _item_view(f"d/{doc_id}/{slug}")


def _to_ascii_slug(path: str):
    query = request.query_string.decode()
    return redirect(path + (f"?{query}" if query else ""), code=301)


def citation(item: archive.Item, doc: archive.Document) -> str:
    """A reference to paste into a tjänsteskrivelse (refs #17): 'Kungsbacka kommun,
    Nämnden för Teknik 2025-09-24 § 87, Dnr TE-2025-00826, Title – https://…'."""
    who = ", ".join(x for x in (doc.organisation, doc.body) if x)
    where = " ".join(x for x in (who, doc.date, item.label) if x)
    dnr = f", Dnr {', '.join(item.dnr)}" if item.dnr else ""
    title = f", {item.title}" if item.title else ""
    return f"{where}{dnr}{title} – {base_url()}{item_url(item.id)}".strip()


def _find_item(store: archive.Archive, item_id: str) -> archive.Item:
    try:
        return store.item(item_id)
    except archive.NotFound:
        # an archive no command has migrated yet still holds '§86' ids (refs #17)
        head, _, slug = item_id.rpartition("/")
        legacy = vocabulary.legacy_slug(slug)
        if legacy is None:
            raise
        return store.item(f"{head}/{legacy}")


def _case_history(store: archive.Archive, item: archive.Item) -> list:
    """The other items and documents of the item's case numbers, by date and then in the order
    a case's documents arise (notice, papers, memo, minutes)."""
    return sorted(
        [(i, d) for i, d in store.related_by_dnr(item.dnr) if not (i and i.id == item.id)],
        key=lambda pair: (pair[1].date, vocabulary.case_order(pair[1].kind)))


def _item_view(item_id: str):
    store = get_archive()
    item = _find_item(store, item_id)
    doc = store.document(item.document_id)
    siblings = store.items(document=doc.id)
    pos = next(i for i, s in enumerate(siblings) if s.id == item.id)
    q = request.args.get("q", "")
    text_html, marks = highlight(item.text, q)
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
        history=_case_history(store, item), similar=similar, attachments=attachments,
        citation=citation(item, doc), permalink=f"{base_url()}{item_url(item.id)}",
        links=archive.link_meeting(store.items(meeting=item.meeting_id)) if item.meeting_id
        else archive.MeetingLinks())


# --- documents ------------------------------------------------------------------------------
@bp.get("/d/<doc_id>")
@bp.get("/d/<doc_id>/sida/<int:number>")
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
                              if markdown_pages else highlight(p.text, q, anchor, budget))))
        budget = max(0, budget - len(p.text))
    return render_template("document.html", doc=doc, pages=rendered, q=q, page_number=number,
                           page_numbers=[p.number for p in pages],
                           withheld=store.original_withheld(doc),
                           items=store.items(document=doc_id), markdown_pages=markdown_pages,
                           meeting=_meeting_or_none(store, doc.meeting_id))


@bp.get("/d/<doc_id>/fil")
def document_file(doc_id):
    store = get_archive()
    path, doc = store.original(doc_id)
    if store.original_withheld(doc) and not is_admin():
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
