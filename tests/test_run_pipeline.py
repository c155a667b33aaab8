"""``accord run`` end to end on the bundled Ukraine case, and on a case folder with broken files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from accord.cases import case_dir
from accord.pipeline import STAGES, run
from accord.result import RunResult, result_schema
from accord.scenario.io import load_scenario


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    seen: list[str] = []
    res = run(out=out, draws=200, formats=("html", "md"), progress=lambda stage, detail: seen.append(stage))
    res.stages_seen = seen
    return res


def test_every_stage_reports_progress_and_writes_outputs(result) -> None:
    assert [s for s in STAGES if s in result.stages_seen] == list(STAGES)
    for kind in ("html", "md", "json"):
        assert result.files[kind].is_file() and result.files[kind].stat().st_size > 0
    assert result.problems == []


def test_forecasts_for_both_dates_match_the_models(result) -> None:
    data = json.loads(result.files["json"].read_text())
    assert [t["date"] for t in data["forecasts"]] == ["2025-11-20", "2026-02-28"]
    scenario = load_scenario(case_dir() / "scenario.yaml")
    for table in data["forecasts"]:
        expected = {i.id: float((i.x * i.s * i.c).sum() / (i.s * i.c).sum()) for i in scenario.issue_data(table["date"])}
        values = {k: v for k, v in table["values"]["compromise"].items() if v is not None}
        assert values == pytest.approx(expected, abs=1e-9)
        assert {"bdm", "exchange", "nash", "weighted-median"} <= set(table["values"])


def test_result_json_is_the_typed_result_and_follows_the_published_schema(result) -> None:
    text = result.files["json"].read_text(encoding="utf-8")
    assert RunResult.model_validate_json(text) == result.result
    schema = json.loads((Path(__file__).parents[1] / "docs" / "result-schema.json").read_text(encoding="utf-8"))
    assert schema == result_schema()
    assert set(json.loads(text)) == set(schema["properties"])
    jsonschema.validate(json.loads(text), schema)  # an independent validator of the published file
    assert set(result.timings) == {*STAGES, "total"}


def test_intervals_bracket_their_median(result) -> None:
    for model, per_issue in result.result.intervals().items():
        for issue, iv in per_issue.items():
            assert iv.q05 <= iv.q25 <= iv.q50 <= iv.q75 <= iv.q95, (model, issue)
            assert sum(iv.bands.values()) == pytest.approx(1.0)


def test_every_position_traces_to_a_source_address(result) -> None:
    for p in result.result.scenario.positions:
        assert any((s.url or "").startswith("http") for s in p.sources), p


def test_report_counts_the_real_pareto_frontier(result) -> None:
    """The report's Pareto count is the package analysis's (it once read a key that was never set and said 0)."""
    from accord.packages.analysis import analyse_packages
    from accord.packages.io import load_package_model

    case = load_package_model(case_dir() / "packages.yaml")
    expected = analyse_packages(case.model, case.ratifiers, case.named)["pareto_count"]
    pk = result.result.packages
    assert pk.n_frontier == expected == 2747
    assert 0 < len(pk.frontier) <= 400
    assert "2,747 are Pareto-optimal" in result.files["html"].read_text(encoding="utf-8")
    assert "2,747 are Pareto-optimal" in result.files["md"].read_text(encoding="utf-8")


def test_report_sections_present(result) -> None:
    html = result.files["html"].read_text()
    for anchor in ("summary", "positions", "forecasts", "bdm", "exchanges", "packages", "ratification", "truce", "evidence"):
        assert f'id="{anchor}"' in html, anchor
    assert "<script src=" not in html  # self-contained


def test_findings_are_computed(result) -> None:
    d = result.result
    assert d.packages.n_packages > 0 and isinstance(d.packages.acceptable_to_all, bool)
    assert set(d.truce.stability) == {"nash", "gmr", "smr", "seq"}
    assert d.exchanges and all(e.gain > 0 for e in d.exchanges)
    tr = d.track_record
    assert len(tr.origins) == 7 and len(tr.events) == 29
    scores = {s.scorer: s for s in tr.scores}
    assert scores["uninformed 0.5"].n == len(tr.cells) and scores["uninformed 0.5"].brier == pytest.approx(0.25)
    assert scores["accord"].n == sum("accord" in c.forecasts for c in tr.cells) > 0
    families = [s.scorer for s in tr.scores if s.scorer.startswith("accord/")]
    assert families == ["accord/compromise", "accord/weighted median", "accord/nash", "accord/bdm",
                        "accord/kalai-smorodinsky"]
    for name in families:  # each family scored on the cells it speaks to, its n shown
        assert scores[name].n == sum(name in c.forecasts for c in tr.cells) > 0
    assert any(a.by_family for a in d.agreements)
    assert d.backtest.direction and d.backtest.direction_summary["bdm"].n > 0
    assert len(d.evidence.articles) >= 15 and d.evidence.statements


def test_broken_files_are_reported_and_the_rest_is_run(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(case_dir(), case, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (case / "packages.yaml").write_text("parties: [ukraine\nissues: {")
    (case / "articles" / "scan.txt").write_bytes(b"%PDF-1.4\x00\x00\x01binary")
    res = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", str(case), "--out", str(tmp_path / "out"), "--draws", "50"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "400"},
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert "packages.yaml" in res.stdout and "scan.txt" in res.stdout
    data = json.loads((tmp_path / "out" / "result.json").read_text())
    files = {Path(p["file"]).name for p in data["problems"]}
    assert {"packages.yaml", "scan.txt"} <= files
    assert (tmp_path / "out" / "report.html").is_file() and data["packages"] is None
    quality = (tmp_path / "out" / "report.html").read_text(encoding="utf-8").split('<section id="quality">')[1]
    assert "unusable_input" in quality and "packages.yaml" in quality and "scan.txt" in quality
    assert data["simulation"]["summaries"] and data["evidence"]["articles"]


def test_bad_scenario_stops_with_one_line(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    (case / "scenario.yaml").write_text("id: x\nactors: []\nissues: []\n")
    res = subprocess.run([sys.executable, "-m", "accord.cli.main", "run", str(case)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "scenario.yaml" in res.stderr and "Traceback" not in res.stderr


def test_json_alone_is_a_valid_format(tmp_path: Path) -> None:
    """``accord run -f json`` writes result.json and no report (it used to fail after running every stage)."""
    case = tmp_path / "case"
    case.mkdir()
    shutil.copy(case_dir() / "scenario.yaml", case / "scenario.yaml")
    res = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", str(case), "--out", str(tmp_path / "out"), "--draws", "20",
         "-f", "json"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"},
    )
    assert res.returncode == 0, res.stderr
    # no report; the database holds the saved run (accord runs list)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["evidence.duckdb", "result.json"]
    data = RunResult.model_validate_json((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert data.packages is None and data.backtest is None and data.evidence is None
    assert [p.stage for p in data.problems] == []
    bad = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", str(case), "--out", str(tmp_path / "o2"), "-f", "pdf"],
        capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 2 and "unknown report format 'pdf'" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "o2").exists()


def test_actors_without_a_position_are_recorded_per_issue_and_date(result) -> None:
    scenario = load_scenario(case_dir() / "scenario.yaml")
    for table in result.result.forecasts:
        held = {(p.actor, p.issue) for p in scenario.as_of(table.date).positions}
        expected = {i.id: [a.id for a in scenario.actors if (a.id, i.id) not in held] for i in scenario.issues}
        assert table.missing == {k: v for k, v in expected.items() if v}
    first, later = result.result.forecasts
    assert "ukraine" in first.missing["amnesty"] and "amnesty" not in later.missing


def test_an_unknown_principal_stops_with_one_line(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    shutil.copy(case_dir("colombia") / "scenario.yaml", case / "scenario.yaml")
    (case / "case.yaml").write_text("principals: [government, nobody]\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "accord.cli.main", "run", str(case), "--out", str(tmp_path / "out"),
                          "--draws", "5"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 2
    assert "principals.1" in res.stderr and "unknown actor id 'nobody'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
