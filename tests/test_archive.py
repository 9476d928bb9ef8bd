"""Archive: ids derived from the records, so URLs survive re-ingest and rebuilds."""
from __future__ import annotations

import pytest

from archive import Archive, Gone, NotFound, dnr_key, find_dnr, item_slug, slugify
from ingest import ingest_paths
from tests.conftest import DATA


@pytest.mark.parametrize("value, key", [
    ("KS 2023/123", "ks-2023-123"), ("KS/2023:123", "ks-2023-123"), ("KS-2023-00123", "ks-2023-123"),
    ("RS/730/2017", "rs-2017-730"), ("Dnr KS/2013:635", "ks-2013-635"),
    ("DNR:KU/2007.9", "ku-2007-9"), ("VN 2026-00031", "vn-2026-31"), ("2025-00620", "2025-620"),
    ("MH-2025-4244", "mh-2025-4244"), ("möte", None),
])
def test_dnr_spelling_variants_meet(value, key):
    """Case numbers written in different ways normalise to one key."""
    assert dnr_key(value) == key


def test_find_dnr_skips_dates_and_year_spans():
    """Dates and '2027-2031' are not case numbers; a Dnr broken by <br> is rejoined."""
    assert find_dnr("2025-09-24, 2027-2031, IF-2023-<br>00055 och KS 2025-00970") == [
        "IF-2023-00055", "KS 2025-00970"]


def test_slugs_are_readable():
    """Slugs fold Swedish letters; item slugs are ASCII: '§ 86' is 'p86' (refs #17)."""
    assert slugify("Nämnden för Miljö & Hälsoskydd") == "namnden-for-miljo-halsoskydd"
    assert (item_slug("§ 86"), item_slug("§ 3 a"), item_slug("punkt 8")) == ("p86", "p3a", "punkt-8")


def _ids(store: Archive) -> set[str]:
    return {d.id for d in store.documents()} | {
        i.id for d in store.documents() for i in store.items(document=d.id)}


def test_ids_survive_rebuild_from_scratch(tmp_path):
    """Deleting the data directory and ingesting the same files again gives the same ids."""
    with Archive(tmp_path / "one") as store:
        ingest_paths(store, [DATA])
        first = _ids(store)
    with Archive(tmp_path / "two") as store:
        ingest_paths(store, reversed(sorted(DATA.glob("*.txt"))))  # another order, same ids
        second_docs = {d.source: d.id for d in store.documents()}
        second = _ids(store)
    assert first == second
    assert "m/kungsbacka/val/2026-08-31/p27" in first
    assert len(second_docs) == len(list(DATA.glob("*.txt")))


def test_withdrawn_document_is_gone_not_missing(tmp_path):
    """A withdrawn document raises Gone with its reason; an unknown id raises NotFound."""
    with Archive(tmp_path) as store:
        ingest_paths(store, [DATA / "005_kungsbacka-ks-protokoll-2026-08-25-p179-180.txt"])
        doc = store.documents()[0]
        store.withdraw_document(doc.id, "Publicerad av misstag.")
        with pytest.raises(Gone, match="misstag"):
            store.document(doc.id)
        with pytest.raises(Gone):
            store.item("m/kungsbacka/ks/2026-08-25/p179")
        with pytest.raises(NotFound):
            store.document("finnsinte")


def test_original_bytes_are_kept(tmp_path):
    """The original file is stored by hash and can be read back byte for byte."""
    src = DATA / "003_kungsbacka-ks-kallelse-2025-10-21.txt"
    with Archive(tmp_path) as store:
        ingest_paths(store, [src])
        path, doc = store.original(store.documents()[0].id)
        assert path.read_bytes() == src.read_bytes() and doc.filename == src.name


def test_contents_list_and_signatures_are_not_content():
    """The 'Innehåll' entries and signature lines are stripped from a leftover page."""
    from paragraf_common.boilerplate import clean_text, strip_contents
    page = ("Innehåll\n\n§ 21 Dnr VN-2026-00042\nInitiativ från Peter Wesley (KD) om att göra det\n"
            "möjligt att lämna namnvalsedlar ........ 4\n\n§ 22 Dnr VN-2025-00013\n"
            "Anmälan av ordförandebeslut ............ 5\nDet här dokumentet är digitalt signerat\n"
            "Transaktionsidentitet: B011799D6EA7\nProtokollet justeras digitalt.")
    assert clean_text(strip_contents(page), set()).split() == [
        "Innehåll", "Protokollet", "justeras", "digitalt."]


def test_storing_a_document_never_scans_a_whole_table(tmp_path):
    """Every lookup store_document makes by document goes through an index: a table scan
    per document made ingest slow down with the archive's size (refs #5)."""
    with Archive(tmp_path) as store:
        for table in ("pages", "items", "dnr", "sources", "sidecars"):
            plan = " ".join(row[-1] for row in store.db.execute(
                f"EXPLAIN QUERY PLAN DELETE FROM {table} WHERE document_id=?", ("x",)))
            assert "USING" in plan and not plan.startswith("SCAN"), (table, plan)
