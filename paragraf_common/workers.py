"""Worker processes of ingest and reindex die with the command that started them.

A `kill -9` of `flask ingest` or `flask reindex` cannot run any cleanup, so without this the
pool's workers are re-parented and live on, idle, holding memory (refs #5, #7).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (elsewhere: nothing to do).

    A parent that died before the request (a worker still starting, importing its modules,
    when the command was killed) sends no signal: the worker then exits here at once, or it
    would wait for work forever."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


# --- a pool whose workers can be killed one at a time (refs #13) ----------------------------
# concurrent.futures breaks the whole pool when one worker dies and hands results back only
# in order; here each worker runs one task at a time over its own pipe, the parent kills the
# one that overruns its deadline (or dies under its memory limit) and starts a fresh one, so
# a bad file costs only its own result.

TIMEOUT, MEMORY, DIED = "timeout", "memory", "died"
_START_UP_S = 60

_stage = None           # a shared byte array in a worker: the stage its task is in


def set_stage(name: str) -> None:
    """Tell the parent which stage the current task is in (shown when it is killed)."""
    if _stage is not None:
        raw = name.encode("ascii", "replace")[:len(_stage) - 1]
        _stage.value = raw


def _limit_memory(memory_mb: float) -> None:
    if memory_mb and memory_mb > 0:
        import resource
        limit = int(memory_mb * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve(conn, stage, memory_mb: float) -> None:
    """A worker: run (func, args) tasks from the pipe one at a time until it closes."""
    global _stage
    die_with_parent()
    _stage = stage
    _limit_memory(memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        func, args = task
        set_stage("start")
        conn.send(("start", None))   # the deadline runs from here, not from a slow start-up
        try:
            outcome = ("ok", func(*args))
        except MemoryError:
            outcome = (MEMORY, None)
        except BaseException as exc:  # noqa: BLE001 — the parent reports it; the worker lives
            outcome = (DIED, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send((MEMORY, None))


class _Worker:
    def __init__(self, context, memory_mb: float):
        self.conn, child = context.Pipe()
        self.stage = context.Array("c", 32, lock=False)
        self.process = context.Process(target=_serve, args=(child, self.stage, memory_mb),
                                       daemon=True)
        self.process.start()
        child.close()
        self.key = None
        self.deadline = 0.0

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def run_bounded(func, tasks, *, workers: int = 1, time_limit_s: float = 0,
                memory_limit_mb: float = 0):
    """Run func(*args) for each (key, args) in tasks in worker processes.

    Some 75 lines long: one scheduling loop (hand out tasks, wait on pipes, sentinels and the
    nearest deadline, collect or kill) whose state is the pool; split up, the deadline
    bookkeeping would be passed between functions.

    Yields (key, status, value, stage) as tasks finish, in any order: status "ok" with the
    result, TIMEOUT (killed after time_limit_s), MEMORY (over memory_limit_mb of address
    space) or DIED (an exception, or the process died) with a message. 0 means no limit.
    """
    import time
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")   # a small, clean address space to limit
    pending = list(tasks)
    pending.reverse()
    pool = [_Worker(context, memory_limit_mb) for _ in range(max(1, min(workers, len(pending))))]
    busy: dict = {}                     # conn -> worker
    try:
        while pending or busy:
            for n, worker in enumerate(pool):
                if not pending:
                    break
                if worker.key is None:
                    if not worker.process.is_alive():
                        worker.kill()
                        worker = pool[n] = _Worker(context, memory_limit_mb)
                    worker.key, args = pending.pop()
                    worker.stage.value = b"start"
                    # until the worker says it started (spawning and importing can take a
                    # while on a busy machine), it gets a generous start-up allowance
                    worker.deadline = (time.monotonic() + time_limit_s + _START_UP_S
                                       if time_limit_s else 0)
                    try:
                        worker.conn.send((func, args))
                    except (OSError, ValueError):
                        pass             # a dead worker shows as such below
                    busy[worker.conn] = worker
            deadlines = [w.deadline for w in busy.values() if w.deadline]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            watch = list(busy) + [w.process.sentinel for w in busy.values()]
            ready = set(wait(watch, timeout))
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                outcome = None
                if conn in ready:
                    try:
                        status, value = conn.recv()
                        outcome = (status, value)
                    except (EOFError, OSError):
                        outcome = None
                    if outcome and outcome[0] == "start":
                        worker.deadline = time.monotonic() + time_limit_s if time_limit_s else 0
                        continue
                if outcome is None and (conn in ready or worker.process.sentinel in ready):
                    worker.process.join(1)
                    code = worker.process.exitcode
                    # SIGKILL from the kernel's OOM killer, or a C allocation that failed
                    outcome = ((MEMORY, None) if code in (-9, None) or code == -6
                               else (DIED, f"exit status {code}"))
                    worker.kill()
                elif outcome is None and worker.deadline and now >= worker.deadline:
                    outcome = (TIMEOUT, None)
                    worker.kill()
                if outcome is None:
                    continue
                stage = worker.stage.value.decode("ascii", "replace")
                key, worker.key = worker.key, None
                del busy[conn]
                if not worker.process.is_alive():
                    index = pool.index(worker)
                    pool[index] = _Worker(context, memory_limit_mb) if pending else worker
                yield key, outcome[0], outcome[1], stage
    finally:
        for worker in pool:
            worker.kill()
