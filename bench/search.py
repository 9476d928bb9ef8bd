"""Search latency on a generated archive: Paragraf's full search beside SQLite FTS5.

    python bench/search.py [--items 100000] [--queries 300] [--warmup 20] [--seed 1]
                           [--data-dir DIR] [--show]

The archive is generated once under bench/out/ (generate.py) and indexed if it has no
current index (not timed). The query mix (common.make_queries) draws 1–3 words of common,
middle and rare frequency from the archive's own items, quoted phrases from its text, a case
number (Dnr) of the archive, `typ:protokoll`, a year facet filter and `datum:YYYY-01..YYYY-06`.

Paragraf: each query runs through index.SearchIndex(data_dir).search(q, page_size=10) — what
the search page does: top 10 with highlighted snippets, total, facet counts.
FTS5: one table of the same search units (index.units.units_for_document), tokenize
'unicode61 remove_diacritics 2'; per query: the top 10 by bm25 with snippet(), COUNT(*),
and GROUP BY counts for body, kind, year and meeting. Filters become WHERE clauses.

Each engine runs in its own child process (its peak RSS is its own); warm-up queries are
not timed. Prints p50/p95/p99/mean ms, index size, peak RSS and Paragraf/FTS5 per percentile.

--hostile (refs #13) instead times, each once in a fresh process with the default
SEARCH_TIME_LIMIT_MS, the searches of issue #13 that used to take seconds to a minute
(fuzzy long words, unknown words, a typo that asks for 'Menade du'), and the snippet and
page highlight of a generated 50 MB text (the functions the hit list and the page use).
"""
from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from common import (ensure_archive, ensure_index, index_size_mb, machine, make_queries,  # noqa: E402
                    percentile, print_table, run_in_child)

FACET_COLUMNS = ("body", "kind", "year", "meeting_label")


def time_queries(run, warm: list[dict], timed: list[dict]) -> list[float]:
    for spec in warm:
        run(spec)
    timings = []
    for spec in timed:
        started = time.perf_counter()
        run(spec)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def paragraf(data_dir: str, warm: list[dict], timed: list[dict]) -> dict:
    """Child process: the search the web page does."""
    import index
    searcher = index.SearchIndex(data_dir)
    totals = []

    def run(spec):
        result = searcher.search(spec["q"], filters=spec["filters"], page_size=10)
        totals.append(result.total)

    started = time.perf_counter()
    run({"q": "kommun", "filters": {}})     # opening the index and loading facet columns
    open_ms = (time.perf_counter() - started) * 1000
    timings = time_queries(run, warm, timed)
    return {"timings": timings, "open_ms": open_ms, "index_mb": index_size_mb(data_dir),
            "zero": sum(1 for t in totals[-len(timed):] if t == 0), **resident_mb()}


def resident_mb() -> dict:
    """This process's resident memory now, split as Linux counts it: its own (heap, numpy
    arrays, caches) and pages of mapped files (Python and its libraries; the index is read
    with pread, not mapped, so its pages sit in the kernel's page cache, shared between
    processes and dropped when memory is short, and are not counted here)."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return {"rss_anon_mb": fields.get("RssAnon", 0.0), "rss_file_mb": fields.get("RssFile", 0.0)}


def build_fts(data_dir: str, path: Path) -> float:
    """The same units in one FTS5 table; returns seconds."""
    import archive
    from index.units import units_for_document
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE u USING fts5(title, text, decision, dnr, id UNINDEXED, "
               "body UNINDEXED, kind UNINDEXED, year UNINDEXED, meeting_label UNINDEXED, "
               "date UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    with archive.Archive(data_dir) as store, db:
        for doc, pages, items in store.iter_documents_with_content():
            db.executemany("INSERT INTO u VALUES (?,?,?,?,?,?,?,?,?,?)", [
                (u["title"], u["text"], u["decision"], u["dnr"], u["id"], u["body"], u["kind"],
                 u["year"], u["meeting_label"], u["date"])
                for u in units_for_document(doc, pages, items)])
    db.execute("INSERT INTO u(u) VALUES ('optimize')")
    db.commit()
    db.close()
    return time.perf_counter() - started


def fts_query(spec: dict) -> tuple[str, str, list]:
    """(MATCH expression, extra WHERE, parameters) for one query of the mix."""
    text, where, params = spec["q"], [], []
    if spec["kind"] == "dnr":   # the units' dnr field holds normalised keys (ks-2025-970)
        from archive import dnr_key
        return 'dnr : "' + " ".join(re.findall(r"\w+", dnr_key(text) or text)) + '"', "", []
    kind = re.search(r"typ:(\S+)", text)
    if kind:
        where.append("kind = ?")
        params.append(kind.group(1))
    dates = re.search(r"datum:(\S+)\.\.(\S+)", text)
    if dates:
        where.append("date >= ? AND date <= ?")
        params += [dates.group(1), dates.group(2) + "\uffff"]
    for value in spec["filters"].get("year", []):
        where.append("year = ?")
        params.append(value)
    text = re.sub(r"\S+:\S+", " ", text)
    terms = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', text):
        words = re.findall(r"\w+", quoted or bare)
        if words:
            terms.append('"' + " ".join(words) + '"')
    return " AND ".join(terms), "".join(f" AND {w}" for w in where), params


def fts(data_dir: str, warm: list[dict], timed: list[dict]) -> dict:
    """Child process: the same work on SQLite FTS5."""
    path = Path(data_dir) / "fts5.sqlite3"
    build_s = build_fts(data_dir, path)
    db = sqlite3.connect(path)

    def run(spec):
        match, where, params = fts_query(spec)
        args = [match, *params]
        db.execute(f"SELECT id, title, snippet(u, 1, '<mark>', '</mark>', '…', 32), "
                   f"bm25(u, 2.2, 1.0, 0.8, 6.0) AS score FROM u WHERE u MATCH ?{where} "
                   f"ORDER BY score LIMIT 10", args).fetchall()
        db.execute(f"SELECT COUNT(*) FROM u WHERE u MATCH ?{where}", args).fetchone()
        for column in FACET_COLUMNS:
            db.execute(f"SELECT {column}, COUNT(*) AS n FROM u WHERE u MATCH ?{where} "
                       f"GROUP BY {column} ORDER BY n DESC LIMIT 12", args).fetchall()

    timings = time_queries(run, warm, timed)
    return {"timings": timings, "build_s": build_s, "index_mb": path.stat().st_size / 2**20}


def item_count(data_dir) -> int:
    db = sqlite3.connect(f"file:{Path(data_dir) / 'archive.sqlite3'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    finally:
        db.close()


HOSTILE = [
    "kommunstyrelsensarbetsutskott~ sammanträdesprotokollen~ förvaltningschefens~ "
    "beslutsunderlagen~",
    "qxvwzt bvtrplm jjkkllm zzqqyyx",
    "kommunstyrelsn",
    "budjet förvaltnigen",
    "detaljpla* nämnd~",
]


def hostile(data_dir: str) -> dict:
    """Child process: the searches of issue #13, then a 50 MB text's snippet and page."""
    import index
    from index.highlight import highlight_html, make_snippet, snippet_spans
    searcher = index.SearchIndex(data_dir)
    searcher.search("kommun")                 # opening the index is not what is measured
    rows = []
    for q in HOSTILE:
        started = time.perf_counter()
        result = searcher.search(q, page_size=10)
        rows.append([q, round((time.perf_counter() - started) * 1000, 1), result.total,
                     result.suggestion or "", "yes" if result.timed_out else "no"])
    text = "Ordföranden konstaterar att nämnden har fattat beslut. " * 950_000
    text += " Slutligen godkänns budgeten."
    wanted = {"exact": {"budgeten"}, "stem": {"budget"}, "folded": {"budget"}}
    started = time.perf_counter()
    make_snippet(text, snippet_spans(text, wanted))
    rows.append([f"snippet of a {len(text) / 1e6:.0f} MB text", round(
        (time.perf_counter() - started) * 1000, 1), "", "", ""])
    started = time.perf_counter()
    highlight_html(text, wanted)
    rows.append([f"page highlight of a {len(text) / 1e6:.0f} MB text", round(
        (time.perf_counter() - started) * 1000, 1), "", "", ""])
    return {"rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="an existing data directory instead")
    parser.add_argument("--show", action="store_true", help="print the slowest queries")
    parser.add_argument("--skip-fts", action="store_true", help="Paragraf only")
    parser.add_argument("--hostile", action="store_true",
                        help="time the searches and the 50 MB text of issue #13 instead")
    args = parser.parse_args()
    data_dir = args.data_dir or ensure_archive(args.items, args.seed)
    ensure_index(data_dir)
    if args.hostile:
        print_table(["search", "ms", "total", "Menade du", "timed out"],
                    run_in_child(hostile, str(data_dir))["rows"],
                    title=f"Issue #13's searches, {item_count(data_dir):,} items — {machine()}")
        return
    queries = make_queries(data_dir, args.queries + args.warmup, seed=args.seed)
    warm, timed = queries[:args.warmup], queries[args.warmup:]
    ours = run_in_child(paragraf, str(data_dir), warm, timed)
    theirs = None if args.skip_fts else run_in_child(fts, str(data_dir), warm, timed)
    rows = []
    stats = {}
    for name, r in (("Paragraf (Whoosh)", ours), ("SQLite FTS5", theirs)):
        if r is None:
            continue
        t = r["timings"]
        stats[name] = [percentile(t, p) for p in (50, 95, 99)] + [sum(t) / len(t)]
        rows.append([name, *(round(v, 1) for v in stats[name]), round(max(t), 1),
                     round(r["index_mb"]), round(r["peak_rss_mb"])])
    if theirs is not None:
        ratio = [a / b if b else float("nan") for a, b in zip(*stats.values())]
        rows.append(["ratio Paragraf/FTS5", *(f"{v:.1f}x" for v in ratio), "", "", ""])
    print_table(["engine", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms", "index MB",
                 "peak RSS MB"], rows,
                title=f"Search, {item_count(data_dir):,} items, {len(timed)} queries "
                      f"({args.warmup} warm-up) — {machine()}")
    print(f"\nParagraf: first search (open + facet columns) {ours['open_ms']:.0f} ms; "
          f"{ours['zero']} queries without hits; resident at the end {ours['rss_anon_mb']:.0f} MB "
          f"own + {ours['rss_file_mb']:.0f} MB of mapped files (libraries)."
          + (f" FTS5 table built in {theirs['build_s']:.1f} s." if theirs else ""))
    if args.show:
        slow = sorted(zip(ours["timings"], timed), key=lambda x: -x[0])[:15]
        print_table(["ms", "kind", "query", "filters"],
                    [[round(ms, 1), q["kind"], q["q"], q["filters"] or ""] for ms, q in slow],
                    title="Slowest Paragraf queries")


if __name__ == "__main__":
    main()
