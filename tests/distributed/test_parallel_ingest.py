"""Corpus ingestion on a local Dask cluster: same rows as the in-process ingest, crash-safe, recoverable."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import cloudpickle
import pytest

import distributed
from accord.distributed import local_cluster, worker_pids
from accord.evidence import extract, store
from accord.evidence.extract import Extractor
from accord.evidence.extract.context import DocumentContext
from accord.evidence.ingest import ingest_paths
from accord.evidence.parallel_ingest import ingest_parallel
from accord.evidence.readers import iter_files
from accord.evidence.records import Row
from accord.execution import Execution
from accord.scenario.io import load_scenario

ROOT = Path(__file__).resolve().parents[2]
N_ARTICLES = 8


def _synthetic():
    spec = importlib.util.spec_from_file_location("accord_bench_synthetic", ROOT / "benchmarks" / "synthetic.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A small synthetic corpus in two sub-folders, with one unreadable file and one exact copy."""
    root = tmp_path_factory.mktemp("corpus")
    synthetic = _synthetic()
    synthetic.ARTICLES_PER_FOLDER = 4
    assert synthetic.write_corpus(root, N_ARTICLES) == N_ARTICLES
    (root / "0000" / "broken.txt").write_bytes(b"\x00\x01binary")
    first = sorted((root / "0000").glob("*synthetic*.txt"))[0]
    (root / "0001" / "zz-copy.txt").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "skip.txt").write_text("not read", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reference(corpus, scenario, tmp_path_factory):
    """The in-process ingest of the evidence package: report and table contents."""
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    report = ingest_paths([corpus], db, scenario)
    return report, dump(db), db


@pytest.fixture(scope="module")
def address():
    """One local cluster of two single-threaded worker processes for the whole module."""
    with local_cluster(2) as lc:
        yield lc.scheduler_address


def dump(db: Path, ignore: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every evidence row, less the columns that name the run or its time (and those in ``ignore``)."""
    drop = ("run_id", "retrieved_at", *ignore)
    con = store.connect(db, read_only=True)
    try:
        out = {}
        for table in store.tables():
            if table == "runs":
                continue
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in drop]
            sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {table}"
            out[table] = sorted(con.execute(sql).fetchall(), key=repr)
        return out
    finally:
        con.close()


def test_files_are_streamed_depth_first_in_name_order(tmp_path) -> None:
    for name in ("b.txt", "a.txt", "a/z.txt", "a/sub/y.txt", ".hidden/x.txt", "a/.secret.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    got = [str(p.relative_to(tmp_path)) if isinstance(p, Path) else p.message for p in iter_files([tmp_path, tmp_path / "missing"])]
    assert got[:4] == ["a/sub/y.txt", "a/z.txt", "a.txt", "b.txt"]
    assert len(got) == 5 and "no such file" in got[4]


def test_reference_found_things(reference) -> None:
    report, rows, _ = reference
    # 24 articles + one exact copy read; the copy is recognised by its content hash
    assert report.documents_read == N_ARTICLES + 1
    assert report.articles_added == N_ARTICLES and report.articles_existing == 1
    assert len(report.problems) == 1 and "broken.txt" in str(report.problems[0])
    assert len(rows["articles"]) == N_ARTICLES
    assert rows["statements"] and rows["mentions"] and rows["quotes"]
    # the templates name the case's actors: extraction links all four
    assert {r[6] for r in rows["mentions"]} >= {"ukraine", "russia", "united_states", "europe"}


def test_cluster_ingest_equals_in_process(corpus, scenario, reference, address, tmp_path) -> None:
    report, rows, _ = reference
    db = tmp_path / "par.duckdb"
    par = ingest_parallel([corpus], db, scenario, Execution(scheduler=address), files_per_task=3, window=3)
    assert par.articles_added == report.articles_added
    assert par.articles_existing == report.articles_existing
    assert par.rows_added == report.rows_added
    assert [str(p) for p in par.problems] == [str(p) for p in report.problems]
    assert dump(db) == rows
    # idempotent: a second run adds nothing
    again = ingest_parallel([corpus / "0001"], db, scenario, Execution(scheduler=address))
    assert again.articles_added == 0 and again.articles_existing == 5
    assert {t: n for t, n in again.rows_added.items() if t != "runs"} == {t: 0 for t in store.tables() if t != "runs"}
    assert dump(db) == rows


def test_crash_leaves_whole_batches_and_rerun_completes(corpus, scenario, reference, tmp_path) -> None:
    _, rows, ref_db = reference
    db = tmp_path / "crash.duckdb"

    class Boom(RuntimeError):
        pass

    def explode(source: str, n: int) -> None:
        if n == 5:
            raise Boom(source)

    with pytest.raises(Boom):
        ingest_parallel([corpus], db, scenario, files_per_task=1, commit_every=2, progress=explode)
    con = store.connect(db, read_only=True)
    try:
        n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        orphans = sum(
            con.execute(f"SELECT count(*) FROM {t} WHERE article_id NOT IN (SELECT id FROM articles)").fetchone()[0]
            for t in ("paragraphs", "mentions", "quotes", "statements", "claims", "flags")
        )
        unfinished = con.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone()[0]
    finally:
        con.close()
    assert 2 <= n_articles < 5  # committed batches only, the open one rolled back
    assert orphans == 0
    assert unfinished == 1  # the interrupted run is recorded as unfinished
    partial = dump(db)
    for table, items in partial.items():
        assert set(items) <= set(rows[table])  # what was committed is exactly what a full run writes
    report = ingest_parallel([corpus], db, scenario)
    assert report.articles_existing == n_articles + 1
    assert report.articles_added == N_ARTICLES - n_articles
    # The same rows as one full run. Only the article a repeated paragraph is said to come from
    # may differ: across runs the store names the smallest id, within a run the first seen.
    assert dump(db, ignore=("corpus_duplicate_of", "detail")) == dump(ref_db, ignore=("corpus_duplicate_of", "detail"))


def test_killed_worker_loses_and_doubles_nothing(corpus, scenario, reference, address, tmp_path) -> None:
    report, rows, _ = reference
    db = tmp_path / "kill.duckdb"
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["report"] = ingest_parallel(
                [corpus], db, scenario, Execution(scheduler=address), files_per_task=1, window=2)
        except BaseException as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    with distributed.Client(address, set_as_default=False) as watcher:
        pids = worker_pids(watcher)
        runner = threading.Thread(target=run)
        runner.start()
        victim = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and runner.is_alive():
            busy = [w for w, keys in watcher.processing().items() if keys]
            if len(busy) == 2:
                victim = sorted(busy)[1]
                break
            time.sleep(0.05)
        assert victim is not None, "ingest tasks never reached both workers"
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(timeout=120)
        assert not runner.is_alive()
    assert "error" not in out, out.get("error")
    par = out["report"]
    assert par.articles_added == report.articles_added
    assert par.rows_added == report.rows_added
    assert dump(db) == rows


@dataclass
class ShoutRow(Row):
    """Toy table: one row per article, its number of exclamation marks."""

    TABLE: ClassVar[str] = "toy_shouts"
    id: str
    article_id: str
    marks: int


def count_marks(ctx: DocumentContext) -> None:
    ctx.add(ShoutRow(ctx.article_id, ctx.article_id, ctx.text.count("!")))


def test_cluster_workers_run_the_clients_extractor_list(corpus, scenario, address, tmp_path, monkeypatch) -> None:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module
    monkeypatch.setattr(extract, "EXTRACTORS", [*extract.EXTRACTORS, Extractor("shouts", (ShoutRow,), count_marks)])
    seq = tmp_path / "seq.duckdb"
    ingest_paths([corpus], seq, scenario)
    par = tmp_path / "par.duckdb"
    report = ingest_parallel([corpus], par, scenario, Execution(scheduler=address), files_per_task=3)
    assert report.rows_added["toy_shouts"] == N_ARTICLES
    assert dump(par) == dump(seq)
    assert len(dump(par)["toy_shouts"]) == N_ARTICLES
