"""What one hostile file costs ingest (refs #13): time, worker memory and what was reported.

Each file of the table is generated here, put in a folder beside one healthy minute, and
ingested through the normal path (`ingest_paths`, one killable worker) in a fresh process, so
the peak memory is that file's own. A file is either stored for what it is, or reported with
its reason (`tidsgräns`, `minnesgräns`, `not-a-file`, …); the healthy minute is stored every
time. "before" is what the file cost before issue #13, as the issue measured it.

    python bench/hostile.py [--time-limit 120] [--memory-limit 1536] [--ocr-pages 50]
                            [--only NAME ...]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from bench.common import machine, print_table, run_in_child  # noqa: E402
from tests.hostile_files import (blank_pages_pdf, flate_bomb_pdf, many_operators_pdf,  # noqa: E402
                                 raw_pdf)

HEALTHY = ("Kommunstyrelsen\nSammanträde 2025-03-04\n\n§ 1 Ärende\n\nKommunstyrelsen "
           "beslutar att godkänna rapporten.\n")
HEAD = "Kommunstyrelsen\nSammanträde 2025-03-04\n\n"


def big_text(mb: int) -> bytes:
    line = ("Kommunstyrelsen beslutar att godkänna förslaget om ny detaljplan för "
            "Älvsåker och uppdrar åt förvaltningen att återkomma.\n").encode()
    return (HEAD.encode() + b"\xc2\xa7 1 Stort \xc3\xa4rende\n\n"
            + line * (mb * 2**20 // len(line)))


# name, maker of (folder, name) -> None, what it cost before #13 (the figures)
def _write(data: bytes):
    return lambda folder, name: (folder / name).write_bytes(data)


def _link(target: str):
    return lambda folder, name: os.symlink(target, folder / name)


CASES = [
    ("paragrafer-range.txt", lambda: _write(b"Kommunstyrelsen\n\nParagrafer 1-99999999999\n\n"
                                            b"\xc2\xa7 1 \xc3\x84rende\n\nText.\n"),
     "over 4 GB in 3.7 s"),
    ("spaces.txt", lambda: _write((HEAD + "§ 1" + " " * 20_000 + "X\n\nText.\n").encode()),
     "over 120 s"),
    ("newlines.txt", lambda: _write(HEAD.encode() + b"\n" * 2_000_000 + b"Text.\n"),
     "over 120 s"),
    ("letters.txt", lambda: _write(HEAD.encode() + b"a" * 200_000 + b"\n"), "over 60 s"),
    ("text-50mb.txt", lambda: _write(big_text(50)), "accepted; 16-34 s a search"),
    ("flate-bomb.pdf", lambda: _write(flate_bomb_pdf(8192)), "13.8 kB to 8 GB"),
    ("operators.pdf", lambda: _write(many_operators_pdf(2_000_000)), "over 300 s, 3.2 GB"),
    ("blank-pages.pdf", lambda: _write(blank_pages_pdf(100_000)), "about 23 h with OCR"),
    ("no-fonts.pdf", lambda: _write(raw_pdf(b"BT (x) Tj ET" * 10)), ""),
    ("fifo.txt", lambda: lambda folder, name: os.mkfifo(folder / name), "hung for ever"),
    ("dev-zero.pdf", lambda: _link("/dev/zero"), "hung for ever"),
    ("passwd.txt", lambda: _link("/etc/passwd"), "archived and served"),
    ("bad-name-\udcf6.txt", lambda: _write(HEALTHY.encode()), "aborted the batch"),
]


def _one(name: str, limits: dict) -> dict:
    """Ingest one hostile file beside a healthy one in a fresh data directory (in a child)."""
    from archive import Archive
    from ingest import Limits, ingest_paths
    maker = dict((n, m) for n, m, _ in CASES)[name]()
    with tempfile.TemporaryDirectory(prefix="paragraf-hostile-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        (folder / "healthy.txt").write_text(HEALTHY, "utf-8")
        maker(folder, name)
        size = os.lstat(folder / name).st_size if not os.path.islink(folder / name) else 0
        start = time.perf_counter()
        with Archive(Path(tmp) / "data") as store:
            report = ingest_paths(store, [folder], workers=1, limits=Limits(**limits))
        seconds = time.perf_counter() - start
    stored = [p for p in report.ingested if not p.endswith("healthy.txt")]
    failed = report.failed
    outcome = (f"{failed[0]['reason']} ({failed[0]['stage']})" if failed
               else "stored" if stored else "skipped")
    healthy = any(p.endswith("healthy.txt") for p in report.ingested)
    return {"size": size, "seconds": seconds, "outcome": outcome, "healthy": healthy}


def _size(n: int) -> str:
    return "link/FIFO" if not n else f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.1f} kB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=120, help="INGEST_TIME_LIMIT_S")
    parser.add_argument("--memory-limit", type=float, default=1536, help="INGEST_MEMORY_LIMIT_MB")
    parser.add_argument("--ocr-pages", type=int, default=50, help="OCR_MAX_PAGES")
    parser.add_argument("--only", nargs="*", help="names of the cases to run")
    args = parser.parse_args()
    limits = {"time_s": args.time_limit, "memory_mb": args.memory_limit,
              "ocr_max_pages": args.ocr_pages}
    rows = []
    for name, _, before in CASES:
        if args.only and name not in args.only:
            continue
        result = run_in_child(_one, name, limits)
        rows.append([name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                     _size(result["size"]), before, result["outcome"],
                     f"{result['seconds']:.1f} s", f"{result['peak_rss_children_mb']:.0f} MB",
                     "yes" if result["healthy"] else "NO"])
    print(machine())
    print(f"limits: {args.time_limit:g} s, {args.memory_limit:g} MB, OCR {args.ocr_pages} pages")
    print_table(["file", "size", "before #13", "now", "time", "worker peak", "healthy stored"],
                rows, "One hostile file beside a healthy one, one worker")


if __name__ == "__main__":
    main()
