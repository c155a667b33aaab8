"""spaCy's parse in a process of its own, a few batches ahead of the extraction and the writes.

The small English pipeline holds Python's interpreter lock while it parses, so a thread cannot
overlap the parse with the rest of an ingest; a second process can. The child parses batches of
cleaned texts and sends each document back as ``Doc.to_bytes`` (tensor included: the learned
typer reads it); the parent rebuilds the documents on its own pipeline's vocabulary, so the
records are the same as from a parse in the parent (docs/methods/evidence.md, "The parse in a
process of its own").
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

from accord.errors import AccordError, ModelError
from accord.evidence.child_process import die_with, ignoring_sigint
from accord.execution import batched

AHEAD = 2  # batches the child may parse before the parent has taken the first
POLL_SECONDS = 1.0  # how often the parent, waiting for a batch, checks that the child lives
JOIN_SECONDS = 10.0


class ParseProcessError(AccordError):
    """The parse process ended before it sent every document back."""


class ParseProcess:
    """A child process that parses what :meth:`pipe` sends it, started on first use and
    stopped by :meth:`close` (or the ``with`` block's end). It dies with the parent (Linux)."""

    def __init__(self) -> None:
        self._child: Any = None
        self._to: Any = None
        self._back: Any = None

    def __enter__(self) -> ParseProcess:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(kill=exc_type is not None)  # after an error or an interrupt nothing is waited for

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._to, self._back = ctx.Queue(), ctx.Queue()
        self._child = ctx.Process(target=_serve, args=(self._to, self._back, os.getpid()), daemon=True,
                                  name="accord-parse")
        with ignoring_sigint():  # a terminal's Ctrl-C reaches the child too: only the parent acts on it
            self._child.start()

    def pipe(self, nlp: Any, texts: Iterable[str], batch_size: int) -> Iterator[Any]:
        """The parsed documents of ``texts``, in order, as ``nlp.pipe`` would give them; ``nlp``
        gives the vocabulary they are rebuilt on (the same pipeline the child loads)."""
        from spacy.tokens import Doc

        if self._child is None:
            self._start()
        batches = batched(texts, batch_size)
        pending = 0

        def send() -> int:
            batch = next(batches, None)
            if batch is not None:
                self._to.put(batch)
            return int(batch is not None)

        try:
            for _ in range(AHEAD):
                pending += send()
            while pending:
                blobs = self._receive()
                pending -= 1
                pending += send()  # the child parses the next batch while this one is extracted
                for blob in blobs:
                    yield Doc(nlp.vocab).from_bytes(blob)
        finally:
            if pending:  # stopped early: what the child still sends belongs to no one
                self.close(kill=True)

    def _receive(self) -> list[bytes]:
        while True:
            try:
                msg = self._back.get(timeout=POLL_SECONDS)
                break
            except queue.Empty:
                if not self._child.is_alive():
                    raise ParseProcessError(f"the parse process ended unexpectedly (exit code "
                                            f"{self._child.exitcode})") from None
        if msg[0] == "error":
            kind, message = msg[1], msg[2]
            raise ModelError(message) if kind == "ModelError" else RuntimeError(message)  # the latter: a defect
        return msg[1]

    def close(self, kill: bool = False) -> None:
        """Stop the child: asked to end and killed if it has not within ``JOIN_SECONDS``, or
        killed at once (``kill``)."""
        if self._child is None:
            return
        child, self._child = self._child, None
        if not kill:
            with contextlib.suppress(Exception):
                self._to.put(None)
            child.join(timeout=JOIN_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()
        for q in (self._to, self._back):
            q.cancel_join_thread()  # what is left in them is of no use
            q.close()


def _serve(to: Any, back: Any, parent: int) -> None:
    """The child: parse each batch it gets until it gets None; a failure goes to the parent."""
    from accord.evidence.nlp import get_nlp, reload_nlp
    from accord.evidence.pipeline import RELOAD_EVERY

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops this one
    die_with(parent)
    try:
        nlp = get_nlp()
        parsed = 0
        while (batch := to.get()) is not None:
            back.put(("docs", [doc.to_bytes(exclude=["user_data"]) for doc in nlp.pipe(batch, batch_size=len(batch))]))
            parsed += len(batch)
            if parsed >= RELOAD_EVERY:
                reload_nlp()
                nlp, parsed = get_nlp(), 0
    except BaseException as exc:  # every failure goes to the parent
        kind = type(exc).__name__ if isinstance(exc, ModelError) else None
        message = str(exc) if kind else "".join(traceback.format_exception(exc)).rstrip()
        with contextlib.suppress(Exception):
            back.put(("error", kind, message if kind else f"the parse process failed: {message}"))
    finally:
        back.close()
        back.join_thread()
