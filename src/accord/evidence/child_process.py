"""What the helper processes of an ingest share (a segment's process, the parse process): they
start ignoring a terminal's Ctrl-C, which their parent acts on, and die with their parent."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any


def c_library() -> Any:
    """The C library the interpreter runs on, or None where ctypes cannot open it without a name
    (Windows)."""
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):
        return None


@contextlib.contextmanager
def ignoring_sigint() -> Iterator[None]:
    """SIGINT ignored while a child starts, so that it starts ignoring it (the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def die_with(parent: int) -> None:
    """Have the system kill this process when its parent ends (Linux), and exit now if it has."""
    prctl = getattr(c_library(), "prctl", None)  # None: not Linux
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
