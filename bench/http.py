"""Load-test the production server: N client threads against /sok.

    python bench/http.py [--items 10000] [--clients 8] [--seconds 60] [--seed 1] [--data-dir DIR]
                         [--server gunicorn|waitress] [--workers N] [--threads N]

Starts the README's production command — gunicorn with one single-threaded worker process per
core (--workers and --threads try others; `--server waitress`: one process, 8 threads) — with
FLASK_DATA_DIR set to a generated archive (bench/out/, made and indexed once if missing),
waits until it answers, sends warm-up searches (not timed), then runs --clients threads for
--seconds, each sending GET /sok?q=... (the query mix of common.make_queries; a year filter
becomes &year=) one after another over loopback, with a 30 s timeout per request. The
--queries (10,000) are more than a run sends, so few searches repeat: the server's cache of
whole answers (index.search.ANSWER_CACHE) helps only as much as real repeats would.
--typos (3 %) of the searches are misspelt words (one or two letters wrong, dropped, added
or swapped), fuzzy `ord~` words and words of no language, the searches that pay for
'Menade du …?' and expansion (refs #13); their latency is also reported on a row of its own.
Prints requests/s, p50/p95/p99 latency, errors and the server's peak RSS, then stops the
server.
The clients run on the same machine, so they take some of its CPU too.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# this file is named http.py: keep bench/ behind the standard library, or urllib breaks
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
import urllib.parse  # noqa: E402

from common import (ROOT, ensure_archive, ensure_index, machine, make_queries,  # noqa: E402
                    percentile, print_table)


LETTERS = "abcdefghijklmnoprstuvyåäö"


def misspell(word: str, rng: random.Random) -> str:
    """One or two typing mistakes: a letter dropped, added, changed or two swapped."""
    for _ in range(rng.choice((1, 1, 2))):
        if len(word) < 3:
            break
        i = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            word = word[:i] + word[i + 1:]
        elif kind == 1:
            word = word[:i] + rng.choice(LETTERS) + word[i:]
        elif kind == 2:
            word = word[:i] + rng.choice(LETTERS) + word[i + 1:]
        else:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word


def add_typos(queries: list[dict], share: float, seed: int) -> list[dict]:
    """Replace `share` of the searches by misspelt, fuzzy (`ord~`) and unknown words."""
    rng = random.Random(seed + 1)
    words = [w for spec in queries for w in spec["q"].replace('"', " ").split()
             if w.isalpha() and len(w) > 5]
    out = list(queries)
    for n in rng.sample(range(len(out)), int(len(out) * share)) if words else []:
        kind = rng.choice(("misspelt", "misspelt", "fuzzy", "unknown"))
        if kind == "misspelt":
            q = " ".join(misspell(rng.choice(words), rng) for _ in range(rng.choice((1, 1, 2))))
        elif kind == "fuzzy":
            q = " ".join(misspell(rng.choice(words), rng) + "~" for _ in range(rng.choice((1, 4))))
        else:
            q = " ".join("".join(rng.choice(LETTERS) for _ in range(rng.randrange(6, 14)))
                         for _ in range(rng.choice((1, 4))))
        out[n] = {"kind": "typo", "q": q, "filters": {}}
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def search_url(base: str, spec: dict) -> str:
    params = [("q", spec["q"])] + [(k, v) for k, vs in spec["filters"].items() for v in vs]
    return f"{base}/sok?{urllib.parse.urlencode(params)}"


def fetch(url: str, timeout: float = 30) -> int:
    """GET over a fresh connection; returns the status. A plain HTTP/1.0 request read to the
    end: the clients share the machine's cores with the server, and urllib's machinery took
    a fifth of the CPU of a run (py-spy), so the client does as little as it can."""
    parts = urllib.parse.urlsplit(url)
    request = f"GET {parts.path}?{parts.query} HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n"
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request.encode("ascii"))
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/"):
        raise ConnectionError("no HTTP response")
    return int(response.split(b" ", 2)[1])


def start_server(data_dir: Path, port: int, threads: int, server: str, workers: int,
                 worker_threads: int) -> subprocess.Popen:
    env = dict(os.environ, FLASK_DATA_DIR=str(data_dir))
    if server == "waitress":
        command = ["-m", "waitress", f"--listen=127.0.0.1:{port}", f"--threads={threads}",
                   "--call", "app:create_app"]
    else:
        command = ["-m", "gunicorn", f"--workers={workers}", f"--threads={worker_threads}",
                   f"--bind=127.0.0.1:{port}", "app:create_app()"]
    return subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def tree_peak_rss_mb(pid: int) -> float:
    """Peak RSS of the server and its worker processes, summed (gunicorn forks workers)."""
    total = peak_rss_mb(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return total + sum(peak_rss_mb(int(child)) for child in children)


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            if fetch(f"{base}/sok?q=kommun", timeout=60) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer in time")


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process (its peak resident set), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load(base: str, queries: list[dict], clients: int, seconds: float
         ) -> tuple[list, list, set, list]:
    """Each client sends one request after another until the time is up; returns the
    latencies, errors, URLs sent and the latencies of the --typos searches."""
    latencies: list[float] = []
    typos: list[float] = []
    errors: list[str] = []
    sent: set[str] = set()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        n = k * len(queries) // clients
        while time.monotonic() < deadline:
            spec = queries[n % len(queries)]
            url = search_url(base, spec)
            n += 1
            started = time.perf_counter()
            try:
                status = fetch(url)
                error = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                error = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (errors.append(error) if error else latencies.append(elapsed))
                if not error and spec.get("kind") == "typo":
                    typos.append(elapsed)
                sent.add(url)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, sent, typos


def server_label(args) -> str:
    if args.server == "waitress":
        return f"waitress --threads={args.server_threads}"
    return f"gunicorn --workers={args.workers}" + (
        f" --threads={args.threads}" if args.threads > 1 else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--server", choices=("gunicorn", "waitress"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--typos", type=float, default=0.03,
                        help="share of misspelt, fuzzy and unknown-word searches")
    parser.add_argument("--data-dir", type=Path, help="an existing data directory instead")
    args = parser.parse_args()
    data_dir = args.data_dir or ensure_archive(args.items, args.seed)
    ensure_index(data_dir)
    queries = add_typos(make_queries(data_dir, args.queries, seed=args.seed), args.typos,
                        args.seed)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(data_dir, port, args.server_threads, args.server, args.workers,
                          args.threads)
    try:
        wait_ready(base, server)
        for spec in queries[:args.warmup]:
            fetch(search_url(base, spec))
        started = time.perf_counter()
        latencies, errors, sent, typos = load(
            base, queries[args.warmup:] + queries[:args.warmup], args.clients, args.seconds)
        elapsed = time.perf_counter() - started
        server_rss = tree_peak_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    done = len(latencies) + len(errors)
    print_table(["items", "clients", "seconds", "requests", "distinct searches", "requests/s",
                 "p50 ms", "p95 ms", "p99 ms", "errors", "server peak RSS MB"],
                [[args.items if not args.data_dir else str(data_dir), args.clients,
                  round(elapsed, 1), done, len(sent), round(done / elapsed, 1),
                  round(percentile(latencies, 50), 1), round(percentile(latencies, 95), 1),
                  round(percentile(latencies, 99), 1), len(errors), round(server_rss)]],
                title=f"GET /sok under load, {server_label(args)} — {machine()}")
    print_table(["searches", "requests", "p50 ms", "p95 ms", "p99 ms"],
                [[f"misspelt, fuzzy and unknown words ({args.typos:.0%})", len(typos),
                  round(percentile(typos, 50), 1), round(percentile(typos, 95), 1),
                  round(percentile(typos, 99), 1)]],
                title="of which the --typos searches")
    if errors:
        kinds = {e: errors.count(e) for e in set(errors)}
        print(f"errors: {kinds}")


if __name__ == "__main__":
    main()
