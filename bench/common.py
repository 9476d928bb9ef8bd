"""Shared helpers of the bench/ scripts: paths, cached archives, child processes, tables, queries.

Nothing here is timed; the scripts time their own work.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STOP_WORDS_EXTRA = {"sida", "dnr", "beslut"}   # headings every item has: not interesting queries


# --- processes and sizes --------------------------------------------------------------------
def peak_rss_mb(children: bool = False) -> float:
    """Peak resident set of this process (or of its largest waited-for child), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024   # Linux reports kB


def _child_entry(queue, func, args, kwargs):
    try:
        result = func(*args, **kwargs)
        result = dict(result or {})
        result.setdefault("peak_rss_mb", peak_rss_mb())
        result["peak_rss_children_mb"] = peak_rss_mb(children=True)
        queue.put(("ok", result))
    except BaseException as exc:  # the parent prints it; a benchmark run goes on
        import traceback
        queue.put(("error", "".join(traceback.format_exception(exc))))


def run_in_child(func, *args, **kwargs) -> dict:
    """Run func in a fresh (spawned) process, so its peak RSS is its own; returns its dict."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    proc = context.Process(target=_child_entry, args=(queue, func, args, kwargs))
    proc.start()
    status, payload = queue.get()
    proc.join()
    if status != "ok":
        raise RuntimeError(f"child failed:\n{payload}")
    return payload


def dir_size_mb(path: str | os.PathLike) -> float:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                pass
    return total / 2**20


def index_size_mb(data_dir) -> float:
    from index.store import current_dir
    path = current_dir(data_dir)
    return dir_size_mb(path) if path else 0.0


def machine() -> str:
    """One line saying where the numbers come from."""
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "-uno"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        rev, dirty = "?", ""
    return (f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python "
            f"{sys.version.split()[0]}, git {rev}{' + uncommitted changes' if dirty else ''}")


def cpu_seconds(children: bool = False) -> float:
    """User + system CPU time of this process (or of its waited-for children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- generated archives -----------------------------------------------------------------------
def archive_dir(items: int, seed: int = 1) -> Path:
    return OUT / f"archive-{items}-s{seed}"


def ensure_archive(items: int, seed: int = 1) -> Path:
    """A generated archive of ~items items under bench/out/, made once and reused."""
    path = archive_dir(items, seed)
    if not (path / "generated.json").exists():
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--items", str(items),
                        "--out", str(path), "--seed", str(seed)], check=True)
    return path


def ensure_index(data_dir) -> None:
    """Build the index of a generated archive when it has none (not timed here)."""
    import archive
    import index
    if index.needs_rebuild(data_dir):
        print(f"building the index of {data_dir} …", file=sys.stderr)
        with archive.Archive(data_dir) as store:
            index.rebuild_index(store, data_dir)


# --- output -------------------------------------------------------------------------------------
def print_table(headers: list[str], rows: list[list], title: str = "") -> None:
    """A Markdown table (pastes into bench/README.md as it is)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    if title:
        print(f"\n{title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |")
    sys.stdout.flush()


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 \
            else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the query mix ------------------------------------------------------------------------------
def make_queries(data_dir, count: int = 300, seed: int = 7) -> list[dict]:
    """Realistic queries drawn from the archive itself: [{'q': str, 'filters': {...}}].

    Common and rare words (by frequency in a sample of items), two and three words, quoted
    phrases taken from real text, a case number of the archive, and the filters the page
    offers (typ:, år via the facet, datum: ranges).
    """
    from index.analysis import STOP_WORDS
    rng = random.Random(seed)
    db = sqlite3.connect(f"file:{Path(data_dir) / 'archive.sqlite3'}?mode=ro", uri=True)
    rows = db.execute("SELECT title, text FROM items ORDER BY id LIMIT 3000").fetchall()
    dnrs = [r[0] for r in db.execute("SELECT dnr FROM items WHERE dnr != '[]' ORDER BY id LIMIT 5000")]
    years = sorted({r[0][:4] for r in db.execute("SELECT DISTINCT date FROM documents") if r[0]})
    db.close()
    word = re.compile(r"[^\W\d_]{3,}")
    counts = Counter(w for title, text in rows for w in word.findall((title + " " + text).lower())
                     if w not in STOP_WORDS and w not in STOP_WORDS_EXTRA)
    ranked = [w for w, _ in counts.most_common()]
    common, middle = ranked[:100], ranked[100:2000]
    rare = [w for w, n in counts.items() if n <= 2] or ranked[-200:]

    def pick() -> str:
        return rng.choice(rng.choices([common, middle, rare], weights=[4, 4, 2])[0])

    def phrase() -> str:
        """Two neighbouring words of a real text, neither a stop word."""
        for _ in range(20):
            words = word.findall(rng.choice(rows)[1].lower())
            pairs = [(a, b) for a, b in zip(words, words[1:])
                     if a not in STOP_WORDS and b not in STOP_WORDS]
            if pairs:
                return '"%s %s"' % rng.choice(pairs)
        return pick()

    kinds = (["one"] * 20 + ["two"] * 20 + ["three"] * 10 + ["phrase"] * 12 + ["dnr"] * 8
             + ["typ"] * 10 + ["year"] * 10 + ["dates"] * 10)
    out = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        filters: dict = {}
        if kind == "one":
            q = pick()
        elif kind == "two":
            q = f"{pick()} {pick()}"
        elif kind == "three":
            q = f"{pick()} {pick()} {pick()}"
        elif kind == "phrase":
            q = phrase()
        elif kind == "dnr":
            q = rng.choice(json.loads(rng.choice(dnrs))) if dnrs else pick()
        elif kind == "typ":
            q = f"{pick()} typ:{rng.choice(['protokoll', 'protokoll', 'kallelse'])}"
        elif kind == "year":
            q, filters = pick(), {"year": [rng.choice(years[-4:] or ["2024"])]}
        else:
            year = rng.choice(years[-4:] or ["2024"])
            q = f"{pick()} datum:{year}-01..{year}-06"
        out.append({"kind": kind, "q": q, "filters": filters})
    rng.shuffle(out)
    return out
