"""Signature-service stamps go by their whole shape; a sentence naming one stays (refs #13)."""
from __future__ import annotations

from archive import Archive
from paragraf_common.boilerplate import BOILERPLATE
from index import rebuild_index
from ingest import ingest_paths
from tests.conftest import make_app

MINUTES = """KUNGSBACKA KOMMUN  SAMMANTRÄDESPROTOKOLL
Kommunstyrelsen
Sammanträdesdatum 2025-03-12

§ 31 Dnr KS 2025-00107
Avtal om digitala underskrifter
Beslut
Kommunstyrelsen beslutar att upphandla en ny underskriftstjänst för kommunens protokoll.

Underskriftstjänst:     twoday Underskriftstjänst
"""


def test_stamps_match_only_in_their_whole_shape():
    """The stamp lines match; a sentence of the minutes that names the service does not."""
    for stamp in ("Underskriftstjänst:     twoday Underskriftstjänst", "Visma Underskriftstjänst",
                  "Underskriftstjänst:"):
        assert BOILERPLATE.match(stamp), stamp
    assert not BOILERPLATE.match("Kommunstyrelsen beslutar att upphandla en ny "
                                 "underskriftstjänst för kommunens protokoll.")


def test_a_decision_naming_the_service_is_kept_and_found(tmp_path):
    """'upphandla' finds the decision that names a signature service; the stamp is gone."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ks-protokoll-2025-03-12.txt").write_text(MINUTES, encoding="utf-8")
    data = tmp_path / "data"
    with Archive(data) as store:
        assert not ingest_paths(store, [folder]).failed
        rebuild_index(store, data)
        item = store.items(document=store.documents()[0].id)[0]
    assert "upphandla en ny underskriftstjänst" in item.text + item.decision
    assert "twoday" not in item.text
    hits = make_app(data).test_client().get("/api/search?q=upphandla").get_json()["hits"]
    assert hits and hits[0]["paragraph"] == "§ 31"
