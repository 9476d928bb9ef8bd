"""The records API: GET /api/documents/<id> and GET /api/meetings/<org>/<body>/<date> (refs #15)."""
from __future__ import annotations

from archive import Archive

ITEM_FIELDS = {"id", "url", "number", "title", "dnr", "page_from", "page_to", "text", "decision",
               "presenter", "document_id", "meeting_id"}
DOC_FIELDS = {"id", "url", "file_url", "source", "filename", "media_type", "kind", "title",
              "organisation", "organisation_slug", "body", "body_slug", "date", "source_url",
              "pages", "meeting_id", "meeting_url"}
SVOM = "/api/meetings/region-jamtland-harjedalen/svom/2023-05-26"


def _doc_id(built_dir, filename):
    with Archive(built_dir) as store:
        return next(d.id for d in store.documents() if d.filename == filename)


def test_document_json_has_metadata_and_items(client, built_dir):
    """A minutes document comes back with its metadata and every § with text and decision."""
    doc_id = _doc_id(built_dir, "005_kungsbacka-ks-protokoll-2026-08-25-p179-180.txt")
    response = client.get(f"/api/documents/{doc_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == DOC_FIELDS | {"items"}
    assert (data["organisation"], data["body"], data["date"], data["kind"]) == (
        "Kungsbacka kommun", "Kommunstyrelsen", "2026-08-25", "protokoll")
    assert [i["number"] for i in data["items"]] == ["§ 179", "§ 180"]
    first = data["items"][0]
    assert set(first) == ITEM_FIELDS
    assert first["dnr"] and first["dnr"][0].startswith("KS-")
    assert first["decision"] and first["text"]
    assert first["page_from"] <= first["page_to"]
    assert client.get(first["url"]).status_code == 200


def test_document_json_unknown_id_is_json_404(client):
    """An unknown id answers 404 with a JSON body, not the HTML error page."""
    response = client.get("/api/documents/0000000000")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "Handlingen finns inte i arkivet.", "status": 404}


def test_meeting_json_lists_documents_and_items(client):
    """The seed meeting page's meeting: SVOM's documents and its thirteen points in order."""
    response = client.get(SVOM)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["organisation"], data["body"], data["date"]) == (
        "Region Jämtland Härjedalen", "SVOM", "2023-05-26")
    assert [d["filename"] for d in data["documents"]] == ["svom-region-jh-meeting-page.txt"]
    assert set(data["documents"][0]) == DOC_FIELDS
    assert [i["number"] for i in data["items"]] == [f"punkt {n}" for n in range(1, 14)]
    point7 = data["items"][6]
    assert point7["title"].startswith("Göteborgs universitet")
    assert point7["text"].startswith("Stefan Szücs")
    assert point7["url"] == "/m/region-jamtland-harjedalen/svom/2023-05-26/punkt-7"


def test_meeting_json_unknown_meeting_is_json_404(client):
    """A meeting that is not in the archive answers 404 with a JSON body."""
    response = client.get("/api/meetings/kungsbacka/ks/1999-01-01")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Sammanträdet finns inte i arkivet."


def test_withdrawn_document_json_is_410(own_built_dir):
    """A withdrawn document answers 410 with its reason as JSON."""
    from tests.conftest import make_app
    doc_id = _doc_id(own_built_dir, "012_botkyrka-riktlinjer-mutor-jav-ks-2013-635.txt")
    with Archive(own_built_dir) as store:
        store.withdraw_document(doc_id, "Dragen tillbaka på begäran.")
    response = make_app(own_built_dir).test_client().get(f"/api/documents/{doc_id}")
    assert response.status_code == 410
    assert response.get_json()["status"] == 410
