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
