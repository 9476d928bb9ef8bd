"""Benchmark for index.compounds: lexicon load time, split() cost per token, memory."""
from __future__ import annotations

import glob
import os
import re
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# bench/ holds http.py: keep it off the path, or the standard library's http breaks
sys.path[:] = [os.path.dirname(HERE)] + [p for p in sys.path if os.path.abspath(p or ".") != HERE]
from index.compounds import CompoundSplitter  # noqa: E402

CORPUS = "/work/shared/corpus/*.txt"


def main() -> None:
    tokens = [t for path in sorted(glob.glob(CORPUS))
              for t in re.findall(r"\w+", open(path, encoding="utf-8").read().lower())]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    splitter = CompoundSplitter()
    t0 = time.perf_counter()
    splitter.split("kommunstyrelsen")  # the lexicon is read on first use
    load = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    splitter._cached.cache_clear()  # measure the uncached pass from a cold cache

    rows = [("tokens", f"{len(tokens)} ({len(set(tokens))} distinct)"),
            ("available", str(splitter.available)),
            ("load time", f"{load:.2f} s"),
            ("RSS growth on load", f"{(rss1 - rss0) / 1024:.0f} MB (max RSS {rss1 / 1024:.0f} MB)")]
    for label in ("first pass (uncached for distinct words)", "second pass (all cached)"):
        t0 = time.perf_counter()
        split = sum(1 for t in tokens if splitter.split(t))
        dt = time.perf_counter() - t0
        rows.append((label, f"{dt / len(tokens) * 1e6:.1f} µs/token, {split} tokens split"))
    distinct = sorted(set(tokens))
    splitter._cached.cache_clear()
    t0 = time.perf_counter()
    for t in distinct:
        splitter.split(t)
    rows.append(("uncached, per distinct word", f"{(time.perf_counter() - t0) / len(distinct) * 1e6:.1f} µs"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
