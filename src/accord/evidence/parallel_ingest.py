"""Corpus ingestion partitioned by files: extraction on Dask workers, merging into DuckDB here.

Workers read, clean and parse their share of the files (the expensive part) and send back the
records. This process merges them in input order, with the same corpus-level checks (already
known articles, repeated paragraphs, syndicated copies) as :func:`accord.evidence.ingest.ingest_paths`,
so the database ends up with the same rows whatever the number of workers.

Memory stays bounded whatever the corpus size: file names are streamed from the folders, at most
``window`` tasks of ``files_per_task`` files are in flight, and rows are written and committed
every ``commit_every`` articles. Each commit is one transaction: a crash leaves only whole batches,
and running the same ingest again adds exactly the missing articles (ids are content hashes).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.evidence import extract, store
from accord.evidence.corpus_index import CorpusIndex
from accord.evidence.extract import Extractor
from accord.evidence.ingest import IngestReport, _run_id, ingest_run, new_run, relink
from accord.evidence.pipeline import ScenarioRegistry, process_documents
from accord.evidence.readers import Problem, iter_files, read_path
from accord.evidence.records import DocumentRecords, RawDocument
from accord.execution import IN_PROCESS, Execution, batched
from accord.scenario.model import Scenario

FILES_PER_TASK = 16
COMMIT_EVERY = 500
NLP_BATCH = 16


def extract_files(
    items: Sequence[str | Problem], registry: ScenarioRegistry | None = None,
    extractors: list[Extractor] | None = None,
) -> list[DocumentRecords | Problem]:
    """Records of every document in a group of files (runs on a worker; pure).

    Returns, in file order, each document's records and a ``Problem`` for each input that
    could not be read. ``extractors`` is the extractor list of the client (default: the registry).
    """
    out: list[DocumentRecords | Problem | None] = []
    raws: list[RawDocument] = []
    slots: list[int] = []
    for item in items:
        if isinstance(item, Problem):
            out.append(item)
            continue
        for doc in read_path(Path(item)):
            if isinstance(doc, Problem):
                out.append(doc)
            else:
                slots.append(len(out))
                out.append(None)
                raws.append(doc)
    for slot, rec in zip(slots, process_documents(raws, registry, batch_size=NLP_BATCH, extractors=extractors)):
        out[slot] = rec
    return out  # type: ignore[return-value]


class _Merger:
    """The corpus index of the database, which holds the rows waiting for the next commit."""

    def __init__(self, con: Any, report: IngestReport, registry: ScenarioRegistry) -> None:
        self.con = con
        self.report = report
        self.registry = registry
        self.index = CorpusIndex.load(con)

    def add(self, rec: DocumentRecords) -> bool:
        """Flag one document against the corpus and queue its rows; False when already known."""
        self.report.documents_read += 1
        if self.index.is_known(rec.article_id) and not relink(self.con, rec.article_id, self.registry, self.report,
                                                              self.index.unwritten):
            self.report.articles_existing += 1
            return False
        self.index.add(rec, self.report)
        self.report.articles_added += 1
        return True

    def commit(self) -> None:
        """Write the queued rows and commit them; open the next transaction."""
        self.index.write()
        store.commit_batch(self.con)


def _tasks(paths: Sequence[str], files_per_task: int) -> Iterator[list[str | Problem]]:
    stream = (str(f) if isinstance(f, Path) else f for f in iter_files(paths))
    yield from batched(stream, files_per_task)


def ingest_parallel(
    paths: Iterable[str | Path],
    db: str | Path,
    scenario: Scenario | None = None,
    execution: Execution = IN_PROCESS,
    *,
    files_per_task: int = FILES_PER_TASK,
    commit_every: int | None = COMMIT_EVERY,
    window: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders into the evidence database ``db``, extracting on ``execution``'s workers.

    Gives the same rows as :func:`accord.evidence.ingest.ingest_paths`. ``commit_every`` articles
    are committed at a time and kept when the run fails later (``None``: the whole run is one
    transaction). On a distributed run, files are read by the workers, so they must see the same
    paths (a shared file system). ``progress(source, n_added)`` is called after each new article.
    """
    paths = [str(p) for p in paths]
    if files_per_task < 1:
        raise InputError(f"must be at least 1, got {files_per_task}", field="files_per_task")
    if commit_every is not None and commit_every < 1:
        raise InputError(f"must be at least 1, got {commit_every}", field="commit_every")
    started = dt.datetime.now(dt.UTC)
    report = IngestReport(_run_id(paths, started))
    registry = ScenarioRegistry.from_scenario(scenario)
    t0 = time.perf_counter()
    with ingest_run(db, report, new_run(report, started, registry, paths), all_or_nothing=False) as con:
        merger = _Merger(con, report, registry)
        since_commit = 0
        for results in _extracted(paths, registry, execution, files_per_task, window):
            for entry in results:
                if isinstance(entry, Problem):
                    report.problems.append(entry)
                    continue
                rec = entry
                if merger.add(rec):
                    since_commit += 1
                    if progress is not None:
                        progress(rec.article.source_path, report.articles_added)
            if commit_every is not None and since_commit >= commit_every:
                merger.commit()
                since_commit = 0
        merger.index.write()
        report.seconds = time.perf_counter() - t0
    return report


def _extracted(
    paths: Sequence[str],
    registry: ScenarioRegistry,
    execution: Execution,
    files_per_task: int,
    window: int | None,
) -> Iterator[list[DocumentRecords | Problem]]:
    """Extraction results task by task, in input order, here or on the cluster.

    The workers run this process's extractor registry (sent with the scenario registry), so a
    distributed ingest extracts exactly what the sequential one does.
    """
    tasks = _tasks(paths, files_per_task)
    extractors = list(extract.EXTRACTORS)
    if not execution.distributed:
        for task in tasks:
            yield extract_files(task, registry, extractors)
        return
    from accord.distributed import bounded_map, dask_client

    with dask_client(workers=execution.workers, scheduler=execution.scheduler) as client:
        [reg, plan] = client.scatter([registry, extractors], broadcast=True, hash=False)
        yield from bounded_map(client, extract_files, tasks, window=window, extra=(reg, plan))
