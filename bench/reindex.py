"""Time a full reindex at several archive sizes, and PDF ingest against a plain pdfminer loop.

    python bench/reindex.py [--sizes 10000,100000] [--workers 1,2] [--pdfs 40] [--seed 1]
                            [--skip-reindex] [--skip-pdf] [--data-dir DIR]

Reindex: for each size, a generated archive under bench/out/ (made by generate.py once and
reused) is indexed by index.rebuild_index(archive, data_dir, workers=W) in a fresh child
process, so the peak RSS (getrusage maxrss; with workers > 1 also the largest worker) is that
size's alone. Prints items, units, seconds, items/s, peak RSS and the index size on disk.
Targets (issue): 100,000 items in < 2 min with peak memory < 1 GB.

PDF ingest: --pdfs synthetic multi-page protocols (generate.py --pdf) are ingested by
ingest.ingest_paths(archive, [folder], workers=1) and workers=2 into fresh data
directories, beside a single-process loop of pdfminer.high_level.extract_text per file and
the same loop run in two processes at once on half the files each (the most any process
pool around pdfminer can get from this machine). Prints pages/s and the ratio to the loop.
Target (issue): >= 2x the loop's pages/s.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from common import (OUT, ROOT, cpu_seconds, ensure_archive, index_size_mb, machine,  # noqa: E402
                    print_table, run_in_child)


def rebuild(data_dir: str, workers: int) -> dict:
    """Child process: one full rebuild, timed."""
    import archive
    import index
    with archive.Archive(data_dir) as store:
        items = store.counts()["items"]
        started, cpu = time.perf_counter(), cpu_seconds() + cpu_seconds(children=True)
        meta = index.rebuild_index(store, data_dir, workers=workers)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() + cpu_seconds(children=True) - cpu
    return {"items": items, "units": meta["units"], "documents": meta["documents"],
            "seconds": seconds, "cpu_s": cpu, "index_mb": index_size_mb(data_dir)}


def pdfminer_loop(folder: str, part: int = 0, parts: int = 1) -> dict:
    """Child process: the baseline, one file after another in one process (with parts > 1,
    every parts-th file from the part-th on)."""
    from pdfminer.high_level import extract_text
    files = sorted(Path(folder).glob("*.pdf"))[part::parts]
    started = time.perf_counter()
    pages = sum(extract_text(str(path)).count("\x0c") for path in files)
    return {"pages": pages, "seconds": time.perf_counter() - started}


def pdfminer_loops_side_by_side(folder: str, count: int) -> dict:
    """Child process: `count` baseline loops at once, each on its share of the files — what
    this machine gives to pdfminer in parallel processes with nothing else running (the
    ceiling for any process pool around the same extractor)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    import pdfminer.high_level  # noqa: F401  (imported before the clock, as in the loop)
    with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(time.sleep, [0.1] * count))            # workers started
        started = time.perf_counter()
        results = list(pool.map(pdfminer_loop, [folder] * count, range(count), [count] * count))
        seconds = time.perf_counter() - started
    return {"pages": sum(r["pages"] for r in results), "seconds": seconds}


def ingest_folder(folder: str, workers: int) -> dict:
    """Child process: ingest_paths into a fresh data directory."""
    import archive
    import ingest
    import ingest.pdf  # noqa: F401  (imported before the clock, as the baseline's pdfminer is)
    with tempfile.TemporaryDirectory(dir=OUT) as data_dir, archive.Archive(data_dir) as store:
        started = time.perf_counter()
        report = ingest.ingest_paths(store, [folder], workers=workers)
        seconds = time.perf_counter() - started
        counts = store.counts()
    return {"pages": counts["pages"], "items": counts["items"], "seconds": seconds,
            "failed": len(report.failed)}


def bench_reindex(sizes: list[int], workers: list[int], seed: int, data_dir=None) -> None:
    rows = []
    for size in ([None] if data_dir else sizes):
        data_dir = data_dir or ensure_archive(size, seed)
        for w in workers:
            r = run_in_child(rebuild, str(data_dir), w)
            peak = max(r["peak_rss_mb"], r["peak_rss_children_mb"])
            rows.append([r["items"], w, r["units"], round(r["seconds"], 1), round(r["cpu_s"], 1),
                         round(r["items"] / r["seconds"]), round(r["units"] / r["seconds"]),
                         round(peak), round(r["index_mb"])])
            print(f"… {size}: {rows[-1]}", file=sys.stderr)
    print_table(["items", "workers", "units", "seconds", "CPU s", "items/s", "units/s", "peak RSS MB",
                 "index MB"], rows, title=f"Full reindex (rebuild_index) — {machine()}")


def bench_pdf(count: int, seed: int) -> None:
    folder = OUT / f"pdf-{count}-s{seed}"
    if not (folder / ".complete").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--pdf", str(count),
                        "--pdf-out", str(folder), "--seed", str(seed)], check=True)
        (folder / ".complete").touch()
    base = run_in_child(pdfminer_loop, str(folder))
    base_rate = base["pages"] / base["seconds"]
    rows = [["pdfminer extract_text loop, 1 process", base["pages"], round(base["seconds"], 1),
             round(base_rate, 1), 1.0, round(base["peak_rss_mb"]), ""]]
    both = run_in_child(pdfminer_loops_side_by_side, str(folder), 2)
    rows.append(["the same loop in 2 processes at once (machine ceiling)", both["pages"],
                 round(both["seconds"], 1), round(both["pages"] / both["seconds"], 1),
                 round(both["pages"] / both["seconds"] / base_rate, 2), "", ""])
    for w in (1, 2):
        r = run_in_child(ingest_folder, str(folder), w)
        rate = r["pages"] / r["seconds"]
        rows.append([f"ingest_paths workers={w}", r["pages"], round(r["seconds"], 1),
                     round(rate, 1), round(rate / base_rate, 2),
                     round(max(r["peak_rss_mb"], r["peak_rss_children_mb"])),
                     f"{r['items']} items, {r['failed']} failed"])
    print_table(["method", "pages", "seconds", "pages/s", "x loop", "peak RSS MB", "result"],
                rows, title=f"PDF ingest, {count} synthetic protocols — {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workers", default="1", help="comma-separated rebuild worker counts")
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-reindex", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--data-dir", type=Path, help="an existing data directory instead of --sizes")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_reindex:
        bench_reindex([int(s) for s in args.sizes.split(",")],
                      [int(w) for w in args.workers.split(",")], args.seed, args.data_dir)
    if not args.skip_pdf:
        bench_pdf(args.pdfs, args.seed)


if __name__ == "__main__":
    main()
