"""Ingest: read inputs, extract evidence, and write it to DuckDB in batches.

Articles are identified by the hash of their cleaned text, so ingesting the same input twice
adds nothing. An interrupted or killed run leaves the database as it was before the run
(:func:`ingest_run`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.evidence import store
from accord.evidence.child_process import c_library
from accord.evidence.clean import normalise
from accord.evidence.corpus_index import CorpusIndex
from accord.evidence.parse_process import ParseProcess
from accord.evidence.pipeline import ScenarioRegistry, process_documents
from accord.evidence.readers import Problem, read_inputs
from accord.evidence.records import (
    EXTRACTOR_VERSION,
    RawDocument,
    RunRow,
    content_hash,
)
from accord.execution import batched
from accord.scenario.model import Scenario

BATCH_SIZE = 16
# Articles committed at once: DuckDB holds a transaction's new rows in memory until its commit.
WRITE_EVERY = 64
# Documents whose ids are looked up in the database at once, to skip the stored ones.
CHECK_EVERY = 64
# Inputs of more documents than this are parsed in a second process by default (ingest_paths).
PARSE_PROCESS_FROM = 256
# Test hook: seconds to sleep after writing each document (to interrupt a run on purpose).
DELAY_ENV = "ACCORD_INGEST_DELAY"


@dataclass
class IngestReport:
    """What one ingest run did: ids, counts and the inputs it skipped with reasons."""

    run_id: str
    documents_read: int = 0
    articles_added: int = 0
    articles_existing: int = 0
    relinked: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    rows_added: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def messages(self) -> list[str]:
        """One line per skipped input."""
        return [str(p) for p in self.problems]


def _run_id(paths: list[str], started: dt.datetime) -> str:
    return hashlib.sha1((started.isoformat() + "|" + "|".join(paths)).encode()).hexdigest()[:16]


@contextlib.contextmanager
def ingest_run(db: str | Path, report: IngestReport, run: RunRow, all_or_nothing: bool = True,
               keep: str | None = None) -> Iterator[Any]:
    """A connection to ``db`` for the ingest run ``run``, inside a transaction.

    The run's row goes in first with no ``finished_at``; the caller commits batches of articles
    (:func:`store.commit_batch`), and the row is completed and committed when the block ends
    (``report.rows_added`` filled). ``all_or_nothing``: on any error, including an interrupt,
    the run's committed batches are removed again, and after a kill the next connection to the
    database removes them (:func:`store.discard_runs`), so the database is as before the run or
    holds all of it. Otherwise the committed batches stay, and the open one is rolled back.
    A failed write (disk full, I/O error) becomes a one-line :class:`store.StoreWriteError`.
    ``keep``: see :func:`store.connect`.
    """
    con = store.connect(db, keep=keep)
    try:
        before = store.counts(con)
        con.execute("BEGIN TRANSACTION")
        con.execute(store.insert_sql(RunRow), store.as_tuple(run))
        if all_or_nothing:
            store.mark_for_roll_back(con, report.run_id)
        yield con
        close_run(con, report)
        con.execute("COMMIT")
        after = store.counts(con)
        report.rows_added = {t: after[t] - before[t] for t in after}
    except BaseException as exc:
        done = "were rolled back" if all_or_nothing else "not yet committed were rolled back"
        failure = store.roll_back(con, exc, f"{db}: cannot write the evidence database",
                                  f"the articles of this run {done}")
        if all_or_nothing:
            with contextlib.suppress(Exception):  # else the next connection removes them
                store.discard_runs(con, [report.run_id])
        if failure is not None:
            raise failure from None
        raise
    finally:
        with contextlib.suppress(Exception):
            con.close()


def close_run(con: Any, report: IngestReport) -> None:
    """Complete the run's row from ``report`` and remove its roll-back mark (inside the caller's
    transaction): once committed, the run stays."""
    con.execute(
        "UPDATE runs SET finished_at = ?, articles_added = ?, articles_existing = ?, problems = ? WHERE id = ?",
        [dt.datetime.now(dt.UTC).replace(tzinfo=None), report.articles_added, report.articles_existing,
         json.dumps(report.messages()), report.run_id])
    store.finish_run(con, report.run_id)


def new_run(report: IngestReport, started: dt.datetime, registry: ScenarioRegistry, paths: list[str]) -> RunRow:
    """The ``runs`` row of a run as it starts (no ``finished_at`` yet)."""
    return RunRow(report.run_id, started.replace(tzinfo=None), None, EXTRACTOR_VERSION, _pipeline_name(),
                  registry.scenario_id, json.dumps(paths), 0, 0, "[]")


def ingest_paths(
    paths: Iterable[str | Path],
    db: str | Path,
    scenario: Scenario | None = None,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    segment: int = 0,
    parse_process: bool | None = None,
) -> IngestReport:
    """Ingest files, folders and URL lists into the evidence database ``db``.

    ``progress(source, n_done)`` is called after each new document; rows are written and
    committed every ``WRITE_EVERY`` documents, and an error, an interrupt or a kill leaves
    nothing of the run (:func:`ingest_run`). With ``segment`` > 0 (``accord ingest --segment``),
    an input of more than ``segment`` documents is parsed and written by a fresh process per
    ``segment`` documents, so that one process's allocator growth does not build up over the
    corpus (:mod:`accord.evidence.segments`, docs/methods/evidence.md); the database ends up the
    same. With ``parse_process`` (by default: an input of more than ``PARSE_PROCESS_FROM``
    documents) spaCy parses in a second process, a few batches ahead of the extraction and the
    writes (:mod:`accord.evidence.parse_process`; the same records). Those processes are started
    with multiprocessing's ``spawn``: call it from a script's ``if __name__ == "__main__":``
    block, and not from a daemonic process.
    """
    from accord.evidence import segments

    paths = [str(p) for p in paths]
    counted = segments.documents_up_to(paths, max(PARSE_PROCESS_FROM, segment) + 1) \
        if parse_process is None or segment > 0 else 0  # the inputs are read once to decide both
    if parse_process is None:
        parse_process = counted > PARSE_PROCESS_FROM
    if segment > 0 and counted > segment:
        return segments.ingest_in_segments(paths, db, scenario, progress, batch_size, segment, parse_process)
    started = dt.datetime.now(dt.UTC)
    report = IngestReport(_run_id(paths, started))
    registry = ScenarioRegistry.from_scenario(scenario)
    t0 = time.perf_counter()
    with ingest_run(db, report, new_run(report, started, registry, paths)) as con:
        ingest_documents(con, _documents(read_inputs(paths), report), registry, report, progress, batch_size,
                         parse_process)
        report.seconds = time.perf_counter() - t0
    return report


def _documents(items: Iterable[RawDocument | Problem], report: IngestReport) -> Iterator[RawDocument]:
    """The documents of ``items``; each problem goes to ``report.problems``."""
    for item in items:
        if isinstance(item, Problem):
            report.problems.append(item)
        else:
            yield item


def ingest_documents(
    con: Any,
    documents: Iterable[RawDocument],
    registry: ScenarioRegistry,
    report: IngestReport,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    parse_process: bool = False,
) -> None:
    """Parse the new ones of ``documents`` and write their rows to the database behind ``con``
    (inside the run's transaction, see :func:`ingest_run`), committing every ``WRITE_EVERY``;
    the counts go to ``report``. ``parse_process``: parse in a second process (:func:`ingest_paths`)."""
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    index = CorpusIndex.load(con)

    def fresh() -> Iterator[RawDocument]:
        for chunk in batched(documents, CHECK_EVERY):
            ids = [content_hash(item.text if item.verbatim else normalise(item.text)[0]) for item in chunk]
            known = index.stored(ids)
            for item, aid in zip(chunk, ids):
                report.documents_read += 1
                if (aid in known or aid in index.unwritten) and not relink(con, aid, registry, report,
                                                                           index.unwritten):
                    report.articles_existing += 1
                    continue
                index.unwritten.add(aid)
                known.add(aid)  # a copy later in the chunk is known, even once this one is written
                yield item

    waiting = 0
    with ParseProcess() if parse_process else contextlib.nullcontext() as parser:
        for rec in process_documents(fresh(), registry, batch_size=batch_size, parser=parser):
            index.add(rec, report)
            report.articles_added += 1
            waiting += 1
            if delay or waiting >= WRITE_EVERY:
                index.write()
                if waiting >= WRITE_EVERY:
                    store.commit_batch(con)
                    waiting = 0
                    trim_heap()
                time.sleep(delay)
            if progress is not None:
                progress(rec.article.source_path, report.articles_added)
    index.write()


def relink(con, article_id: str, registry: ScenarioRegistry, report: IngestReport, this_run: set[str]) -> bool:
    """True when an article stored before this run must be extracted again because the run links
    with another scenario than the one it was stored with; it is then recorded in
    ``report.relinked``, and its old rows are replaced when the new ones are written
    (:meth:`CorpusIndex.write`, in one transaction).
    ``this_run`` holds the ids the run handles and has not written yet (those it wrote are
    stored with its scenario). Without a scenario, stored links are kept."""
    if registry.key is None or article_id in this_run:
        return False
    if store.linked_scenario(con, article_id)[0] == registry.key:
        return False
    report.relinked.add(article_id)
    this_run.add(article_id)
    return True


def trim_heap() -> None:
    """Give the free pages of the C heap back to the system (glibc's ``malloc_trim``; nothing
    elsewhere). Parsing and writing a batch allocate and free hundreds of MB outside Python's own
    allocator; without this the process keeps the high-water mark of every batch so far."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Any:
    return getattr(c_library(), "malloc_trim", None)  # None: not glibc


_MALLOC_TRIM = _malloc_trim()


def _pipeline_name() -> str:
    from accord.evidence.nlp import pipeline_version

    return pipeline_version()
