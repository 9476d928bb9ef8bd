"""Worker processes of ingest and reindex die with the command that started them.

A `kill -9` of `flask ingest` or `flask reindex` cannot run any cleanup, so without this the
pool's workers are re-parented and live on, idle, holding memory (refs #5, #7).
"""
from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (elsewhere: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
