"""The bulk segment writer of full rebuilds writes what Whoosh's own writer writes (refs #5)."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from index import SearchIndex, backend, rebuild_index
from index.schema import FIELDS
from index.segment import BLOCK_COMPRESSION, INLINE_POSTINGS, BulkSegmentWriter
from index.units import units_for_document


def _units(data_dir) -> list[dict]:
    with Archive(data_dir) as store:
        return [unit for doc in store.documents()
                for unit in units_for_document(doc, store.pages(doc.id), store.items(document=doc.id))]


def _bulk_write(ix, path, units: list[dict]) -> None:
    """One BulkSegmentWriter segment of the units, committed as a rebuild commits it."""
    from index.build import _commit_segments
    writer = BulkSegmentWriter(ix)
    for unit in units:
        writer.add_document(**unit)
    _commit_segments(path, [([writer.finish()], len(units))])


_postings = backend.all_postings


@pytest.fixture(scope="module")
def two_indexes(built_dir, tmp_path_factory):
    """The same units written by the backend's own writer and by BulkSegmentWriter, one
    segment each."""
    units = _units(built_dir)
    paths = []
    for name in ("stock", "bulk"):
        path = tmp_path_factory.mktemp(name)
        ix = backend.create_index(path, FIELDS)
        if name == "stock":
            backend.write_with_stock_writer(ix, units)
        else:
            _bulk_write(ix, path, units)
        paths.append(path)
    return units, [backend.open_index(p) for p in paths]


def test_bulk_segment_has_the_same_postings_as_the_backends_writer(two_indexes):
    units, (plain, bulk) = two_indexes
    with plain.reader() as a, bulk.reader() as b:
        left, right = _postings(a), _postings(b)
        assert len(left) > 5000 and left.keys() == right.keys()
        different = [key for key in left if left[key] != right[key]]
        assert not different, different[:5]
        # short posting lists are inlined in the term table, long ones are blocks on disk
        sizes = [len(rows) for rows in right.values()]
        assert min(sizes) <= INLINE_POSTINGS < max(sizes)


def test_bulk_segment_has_the_same_term_statistics_and_blocks(two_indexes):
    """What the backend's scoring and skipping read besides the postings: each term's
    statistics and, for lists written as blocks, each block's header (the zlib level
    differs: BLOCK_COMPRESSION)."""
    _, (plain, bulk) = two_indexes
    with plain.reader() as a, bulk.reader() as b:
        blocks = 0
        for fieldname, tbytes in a.all_terms():
            assert backend.term_statistics(a, fieldname, tbytes) == \
                backend.term_statistics(b, fieldname, tbytes), (fieldname, tbytes)
            written = backend.block_headers(b, fieldname, tbytes)
            if written is not None:
                headers, compression = written
                assert backend.block_headers(a, fieldname, tbytes)[0] == headers
                assert compression == BLOCK_COMPRESSION
                blocks += 1
        assert blocks > 100


def test_bulk_segment_has_the_same_documents_lengths_and_columns(two_indexes):
    units, (plain, bulk) = two_indexes
    with plain.reader() as a, bulk.reader() as b:
        assert a.doc_count_all() == b.doc_count_all() == len(units)
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())
        for field in ("text", "title", "decision", "dnr"):
            assert a.field_length(field) == b.field_length(field)
            assert [a.doc_field_length(n, field) for n in range(len(units))] == \
                   [b.doc_field_length(n, field) for n in range(len(units))]
        for column in ("date", "body", "meeting_label", "year", "kind"):
            assert list(a.column_reader(column)) == list(b.column_reader(column))


def test_phrases_work_on_bulk_segments(two_indexes):
    """Positions are intact: a phrase query through the backend's own matchers finds the
    same units."""
    _, (plain, bulk) = two_indexes
    words = ["kommunstyrelsen", "beslutar"]
    with backend.Searcher(plain) as a, backend.Searcher(bulk) as b:
        found = sorted(a.stored_fields(d)["id"] for d in a.phrase_docnums("text", words))
        assert found and found == sorted(b.stored_fields(d)["id"]
                                         for d in b.phrase_docnums("text", words))


@pytest.mark.parametrize("workers", [1, 2])
def test_rebuild_in_small_segments_answers_like_one_segment(own_built_dir, workers):
    """Many small segments (and two workers) give the same answers as the shared index."""
    queries = ["beslutade", "samverkan primärvård", '"nära vård"', "valnämnden 2026",
               "KS 2025/620", '"kommunstyrelsen beslutar"', "budget"]
    before = {q: [h.url for h in SearchIndex(own_built_dir).search(q, page_size=50).hits]
              for q in queries}
    with Archive(own_built_dir) as store:
        meta = rebuild_index(store, own_built_dir, workers=workers, segment_units=7)
    assert backend.segment_count(_current(own_built_dir)) >= 3
    # no compound segment files: the backend would copy each into memory when opening a searcher
    assert not list(_current(own_built_dir).glob("*.seg"))
    after = {q: [h.url for h in SearchIndex(own_built_dir).search(q, page_size=50).hits]
             for q in queries}
    assert meta["units"] == len(_units(own_built_dir))
    assert after == before and all(after.values())


def _current(data_dir):
    from index.store import current_dir
    return current_dir(data_dir)


def test_side_arrays_hold_the_same_postings_as_the_blocks(built_dir, tmp_path, monkeypatch):
    """Frequent terms' postings mapped from the side arrays equal Whoosh's own blocks, and
    the search engine reads them from there."""
    import index.sidefiles as sidefiles
    from index.engine import Engine
    monkeypatch.setattr(sidefiles, "SIDE_MIN_POSTINGS", 4)
    _bulk_write(backend.create_index(tmp_path, FIELDS), tmp_path, _units(built_dir))
    with backend.Searcher(backend.open_index(tmp_path)) as searcher:
        mapped, plain = Engine(searcher, tmp_path), Engine(searcher)
        side = mapped.segments[0][2]
        assert side is not None and plain.segments[0][2] is None
        # per-document values for opening a searcher: the same as the backend's readers give
        from index.generation import Columns as _Columns
        assert side.columns is not None
        for name in ("text", "title", "decision"):
            assert mapped.lengths[name].tolist() == plain.lengths[name].tolist()
        a, b = _Columns(mapped), _Columns(plain)
        assert a.values == b.values and a.dates.tolist() == b.dates.tolist()
        assert all(a.codes[n].tolist() == b.codes[n].tolist() for n in a.codes)
        frequent = list(side.terms)
        assert len(frequent) > 500 and {f for f, _ in frequent} >= {"text", "title", "decision"}
        # the inline-term filter: never says "absent" of a term the segment has
        every = list(searcher.all_terms())
        inlined = [key for key in every if side.get(key) is None]
        assert len(inlined) > 100 and not any(side.lacks(key) for key in inlined)
        assert all(side.get(key) is not None for key in frequent)
        made_up = [("text", f"zqx{n}vw".encode()) for n in range(200)]
        assert sum(side.lacks(key) for key in made_up) >= 199
        for name, tbytes in frequent:
            if name not in ("text", "title", "decision", "dnr", "paragraph", "kind", "body"):
                continue      # binary terms of numeric fields are not read by the engine
            a, b = mapped._read(name, tbytes.decode()), plain._read(name, tbytes.decode())
            assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist(), tbytes
        # phrases: side-array positions, the backend's blocks and its own Phrase query agree
        from index.analysis import tokenize
        pairs = set()
        for unit in _units(built_dir)[:40]:
            tokens = list(tokenize(unit["text"]))
            pairs.update((x.text, y.text) for x, y in zip(tokens[::7], tokens[1::7])
                         if x.text.isalpha() and y.text.isalpha())
        assert len(pairs) > 100
        for a, b in sorted(pairs):
            expected = searcher.phrase_docnums("text", [a, b])
            assert expected, (a, b)
            for engine in (mapped, plain):
                docs, complete = engine.phrase_docs("text", [[a], [b]])
                assert complete and docs.tolist() == expected, (a, b)


def test_threads_sharing_one_searcher_get_the_answers_of_one_thread(own_built_dir):
    """The web server's threads share one SearchIndex: index files are read as slices of a
    map, never with seek() and read() on a shared file, so answers do not mix."""
    from concurrent.futures import ThreadPoolExecutor
    with Archive(own_built_dir) as store:
        rebuild_index(store, own_built_dir, segment_units=25)
    queries = ["beslutade", "samverkan primärvård", '"nära vård"', "valnämnden 2026", "budget",
               "KS 2025/620", '"kommunstyrelsen beslutar"', "nämnd*", "protokoll", "hälso"]

    def answer(shared, q):
        result = shared.search(q, page_size=20)
        return result.total, [(h.url, h.snippet) for h in result.hits], result.facets

    expected = {q: answer(SearchIndex(own_built_dir), q) for q in queries}
    shared = SearchIndex(own_built_dir)
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            got = list(pool.map(lambda q: (q, answer(shared, q)), queries * 8))
            assert all(result == expected[q] for q, result in got)


def test_compound_segments_of_older_builds_open_through_our_storage(two_indexes):
    """Segments Whoosh's writer packed into compound files (older builds, small updates)
    are read through our storage as views of the file, with the same postings."""
    _, (plain, _bulk) = two_indexes
    folder = plain.storage.folder
    assert list(Path(folder).glob("*.seg")), "the plain writer should have written a compound file"
    mapped = backend.open_index(folder, shared=True)
    with plain.reader() as a, mapped.reader() as b:
        assert _postings(a) == _postings(b)
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())


def test_unique_gives_what_numpy_unique_gives():
    """arrays.unique (a stable sort and a look at neighbours) stands in for np.unique, which
    numpy 2.4 makes slow on large integer arrays: same values, same order, same type."""
    import numpy as np
    from index.arrays import unique
    rng = np.random.default_rng(7)
    runs = [np.sort(rng.integers(0, 50, size=n)) for n in (30, 0, 45, 1)]
    for values in ([np.zeros(0, dtype=np.int64), np.array([5]), np.array([3, 3, 3]),
                    rng.integers(-1000, 1000, size=5000), np.concatenate(runs),
                    rng.integers(0, 2**32, size=3000, dtype=np.uint64).astype(np.uint32),
                    np.array(["2025-01-02", "", "2024-12-31", ""], dtype="<U10")]):
        got, expected = unique(values), np.unique(values)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_a_new_side_file_format_version_makes_the_index_need_a_rebuild(built_dir, monkeypatch):
    """The side-file format's version is part of what the index records: a writer that
    writes another format (FORMAT_VERSION bumped) makes `reindex --if-needed` rebuild."""
    import index.sidefiles as sidefiles
    from index import needs_rebuild
    from index.store import current_dir, read_meta
    assert needs_rebuild(built_dir) is None
    assert read_meta(current_dir(built_dir))["format_version"] == sidefiles.FORMAT_VERSION
    monkeypatch.setattr(sidefiles, "FORMAT_VERSION", sidefiles.FORMAT_VERSION + 1)
    assert needs_rebuild(built_dir)
