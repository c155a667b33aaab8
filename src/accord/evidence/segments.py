"""A large ingest in segments of documents, each parsed and written by a fresh process.

A Python process that parses and writes tens of thousands of articles ends up holding more
memory than it uses: every batch allocates and frees hundreds of thousands of short-lived
objects next to a few long-lived ones, and the allocator cannot give back the pages those pin.
So an ingest asked for segments of ``N`` documents (``accord ingest --segment N``) runs here:
this process reads the inputs and sends the documents on; a child process parses and writes each
``N`` of them (:func:`accord.evidence.ingest.ingest_documents`) and exits, and the next segment
gets a fresh one. What it costs and gains, measured, is in docs/methods/evidence.md ("Memory of a
long ingest").

The run is one run, as in one process: its id is on every row, its segments commit batches that
stay marked for roll-back, and only this process, once every segment is written, completes the
run and removes the mark. An error, an interrupt or a kill of this process (the child dies with
it) leaves the database as it was before the run (:func:`accord.evidence.store.discard_runs`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from accord.errors import AccordError
from accord.evidence import store
from accord.evidence.child_process import die_with, ignoring_sigint
from accord.evidence.ingest import (
    IngestReport,
    _documents,
    _run_id,
    close_run,
    ingest_documents,
    ingest_run,
    new_run,
)
from accord.evidence.pipeline import ScenarioRegistry
from accord.evidence.readers import JSONL_EXT, URL_EXT, Problem, iter_files, read_inputs
from accord.evidence.records import RawDocument
from accord.execution import batched
from accord.scenario.model import Scenario

# Documents sent to the child at a time.
CHUNK = 32
# Seconds a child that has committed its segment gets to exit.
JOIN_SECONDS = 30


class SegmentError(AccordError):
    """A segment of a large ingest failed: its process ended unexpectedly, or the run was removed
    between two segments."""

    exit_code = 1


def at_least(paths: list[str], n: int) -> bool:
    """True when ``paths`` hold at least ``n`` documents (:func:`documents_up_to`)."""
    return documents_up_to(paths, n) >= n


def documents_up_to(paths: list[str], limit: int) -> int:
    """The documents ``paths`` hold, counted without parsing them, up to ``limit`` (the count
    stops there): one per file, one per non-blank line of a JSON Lines file or a URL list (``.urls``)."""
    count = 0
    for item in iter_files(paths):
        if not isinstance(item, Problem):
            count += _documents_in(item)
            if count >= limit:
                break
    return count


def _documents_in(path: Path) -> int:
    if path.suffix.lower() not in JSONL_EXT | URL_EXT:
        return 1
    try:
        with open(path, "rb") as f:
            return max(1, sum(1 for line in f if line.strip() and not line.startswith(b"#")))
    except OSError:
        return 1


def ingest_in_segments(
    paths: list[str],
    db: str | Path,
    scenario: Scenario | None,
    progress: Callable[[str, int], None] | None,
    batch_size: int,
    segment: int,
    parse_process: bool = False,
) -> IngestReport:
    """Ingest ``paths`` into ``db`` as :func:`accord.evidence.ingest.ingest_paths` does, with a
    fresh process per ``segment`` documents (each with a parse process of its own with
    ``parse_process``). Other connections to ``db`` are refused until it
    ends (:func:`accord.evidence.store.ingest_lock`)."""
    started = dt.datetime.now(dt.UTC)
    report = IngestReport(_run_id(paths, started))
    registry = ScenarioRegistry.from_scenario(scenario)
    t0 = time.perf_counter()
    with store.ingest_lock(db):
        with store.connect(db, keep=report.run_id) as con:  # creates or upgrades it, removes what a killed ingest left
            before = store.counts(con)
        documents = _documents(read_inputs(paths), report)
        first = True
        try:
            while (head := next(documents, None)) is not None:
                part = itertools.chain([head], itertools.islice(documents, segment - 1))
                start = (started, paths) if first else None
                _run_segment(db, registry, report, start, part, progress, batch_size, parse_process)
                first = False
            if first:  # no document could be read: the run is logged as in one process
                with ingest_run(db, report, new_run(report, started, registry, paths), keep=report.run_id):
                    pass
            else:
                _finish(db, report, before)
        except BaseException:
            with contextlib.suppress(Exception), store.connect(db, keep=report.run_id) as con:
                store.discard_runs(con, [report.run_id])  # else the next connection removes the run
            raise
    report.seconds = time.perf_counter() - t0
    return report


def _finish(db: str | Path, report: IngestReport, before: dict[str, int]) -> None:
    """Complete the run once all its segments are written: from then on it stays."""
    with store.connect(db, keep=report.run_id) as con:
        _check_run(con, db, report.run_id)
        con.execute("BEGIN TRANSACTION")
        close_run(con, report)
        after = store.counts(con)
        con.execute("COMMIT")
    report.rows_added = {t: after[t] - before[t] for t in after}


def _check_run(con: Any, db: str | Path, run_id: str) -> None:
    """Fail when the run's earlier segments are gone: another process opened the database
    between two segments, took the run for a killed one and removed it."""
    if not con.execute("SELECT count(*) FROM runs WHERE id = ?", [run_id]).fetchall()[0][0]:
        raise SegmentError(f"{db}: another process opened the database during this ingest and rolled "
                           "back its first segments; nothing of the run is kept, run it again")


def _run_segment(
    db: str | Path,
    registry: ScenarioRegistry,
    report: IngestReport,
    start: tuple[dt.datetime, list[str]] | None,
    documents: Iterator[RawDocument],
    progress: Callable[[str, int], None] | None,
    batch_size: int,
    parse_process: bool = False,
) -> None:
    """Ingest ``documents`` in a child process and add its counts to ``report``. ``start``
    (the run's start time and paths) is given to the first segment, which adds the run's row."""
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    # not daemonic, so that it may start its parse process; it never outlives this call (killed
    # below if it has not ended) nor this process (it dies with it, die_with)
    child = ctx.Process(target=_segment_main, daemon=False, name="accord-ingest-segment",
                        args=(there, os.getpid(), str(db), registry, report.run_id, start, batch_size,
                              parse_process))
    base = report.articles_added

    def receive() -> tuple:
        try:
            msg = here.recv()
        except (EOFError, OSError):
            child.join(timeout=JOIN_SECONDS)
            raise SegmentError(f"{db}: the ingest process of a segment ended unexpectedly (exit code "
                               f"{child.exitcode}); the articles of this run were rolled back") from None
        if msg[0] == "error":
            raise _rebuilt(*msg[1:])
        if progress is not None:
            for source, n in msg[-1]:
                progress(source, base + n)
        return msg

    try:
        with ignoring_sigint():  # a terminal's Ctrl-C reaches the child too: only this process acts on it
            child.start()
        there.close()
        for chunk in itertools.chain(batched(documents, CHUNK), [None]):
            receive()
            try:
                here.send(chunk)
            except OSError:  # the child is gone (a broken pipe): say how it ended
                receive()
                raise
        _, read, added, existing, relinked, _ = receive()
        child.join(timeout=JOIN_SECONDS)  # it has committed: one that hangs on its way out is killed below
    finally:
        here.close()
        if child.is_alive():  # interrupted or failed: its open transaction dies with it
            child.kill()
            child.join()
    report.documents_read += read
    report.articles_added += added
    report.articles_existing += existing
    report.relinked |= relinked


def _rebuilt(kind: type[AccordError] | None, message: str, fields: dict[str, Any]) -> BaseException:
    """The child's error as an exception of this process: an :class:`AccordError` of the same
    class, one-line message and fields (file, line, ...), or, for a defect, a ``RuntimeError``
    with its traceback."""
    if kind is not None:
        err = kind.__new__(kind)
        Exception.__init__(err, message)
        err.__dict__.update(fields)
        return err
    return RuntimeError(f"the ingest process of a segment failed: {message}")


def _segment_main(conn: Any, parent: int, db: str, registry: ScenarioRegistry, run_id: str,
                  start: tuple[dt.datetime, list[str]] | None, batch_size: int,
                  parse_process: bool = False) -> None:
    """The child: ingest the documents the parent sends until it sends None, and commit.

    Messages to the parent: ``("more", progress)`` before each chunk it reads, then
    ``("done", read, added, existing, relinked, progress)`` or ``("error", type, message, fields)``;
    ``progress`` lists the ``(source, n_added)`` since the previous message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops this one
    die_with(parent)
    report = IngestReport(run_id)
    events: list[tuple[str, int]] = []

    def incoming() -> Iterator[RawDocument]:
        while True:
            conn.send(("more", events[:]))
            events.clear()
            chunk = conn.recv()
            if chunk is None:
                return
            yield from chunk

    try:
        with _segment_run(db, report, registry, start) as con:
            ingest_documents(con, incoming(), registry, report, lambda s, n: events.append((s, n)), batch_size,
                             parse_process)
        conn.send(("done", report.documents_read, report.articles_added, report.articles_existing,
                   report.relinked, events))
    except BaseException as exc:  # every failure goes to the parent
        if isinstance(exc, AccordError):
            message = str(exc)
        else:  # a defect: the parent shows where it happened
            message = "".join(traceback.format_exception(exc)).rstrip()
        fields = {k: v for k, v in vars(exc).items() if isinstance(v, (str, int, float, type(None)))}
        with contextlib.suppress(Exception):
            conn.send(("error", type(exc) if isinstance(exc, AccordError) else None, message, fields))
    finally:
        conn.close()


@contextlib.contextmanager
def _segment_run(db: str, report: IngestReport, registry: ScenarioRegistry,
                 start: tuple[dt.datetime, list[str]] | None) -> Iterator[Any]:
    """A connection to ``db`` inside a transaction of the run, committed when the block ends;
    the first segment (``start`` given) adds the run's row and its roll-back mark."""
    con = store.connect(db, keep=report.run_id)
    try:
        with store.rolled_back_on_error(con, f"{db}: cannot write the evidence database",
                                        "the articles of this run were rolled back"):
            if start is None:
                _check_run(con, db, report.run_id)
            con.execute("BEGIN TRANSACTION")
            if start is not None:
                run = new_run(report, start[0], registry, start[1])
                con.execute(store.insert_sql(type(run)), store.as_tuple(run))
                store.mark_for_roll_back(con, report.run_id)
            yield con
            con.execute("COMMIT")
    finally:
        with contextlib.suppress(Exception):
            con.close()
