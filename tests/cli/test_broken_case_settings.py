"""A broken case.yaml is a problem of ``accord run``, which goes on from the scenario's own dates (issue 14)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import accord.cases
from accord.cases import case_dir, load_case
from accord.errors import InputError

BAD_VALUE = b"as_of: 2016-09-26\nhorizon: someday\n"


@pytest.fixture
def case(tmp_path) -> Path:
    folder = tmp_path / "colombia"
    shutil.copytree(case_dir("colombia"), folder, ignore=shutil.ignore_patterns("articles", "__pycache__"))
    (folder / "case.yaml").write_bytes(BAD_VALUE)
    return folder


def test_strict_loading_still_refuses_a_broken_case_yaml(case):
    with pytest.raises(InputError) as info:
        load_case(case)
    assert (info.value.file, info.value.line, info.value.field) == (str(case / "case.yaml"), 2, "horizon")


def test_lenient_loading_keeps_the_error_and_takes_the_latest_position_date(case):
    loaded = load_case(case, lenient=True)
    assert [(p.file, p.line, p.field) for p in loaded.problems] == [(str(case / "case.yaml"), 2, "horizon")]
    assert str(loaded.config.as_of) == "2016-12-01"  # the last dated position of the scenario, not case.yaml's
    assert loaded.config.compare == [] and loaded.config.horizon is None


def test_accord_run_reports_the_broken_case_yaml_and_goes_on(case, tmp_path, cli):
    out = tmp_path / "out"
    code, stdout, _ = cli("run", str(case), "--out", str(out), "--draws", "20", "--format", "json")
    assert code == 0
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    problems = [p for p in result["problems"] if p["stage"] == "case"]
    assert len(problems) == 1 and problems[0]["file"] == str(case / "case.yaml")
    assert problems[0]["error"].startswith(f"{case / 'case.yaml'}:2: horizon: ")
    assert result["case"]["as_of"] == "2016-12-01"
    assert f"skipped{case / 'case.yaml'}:2:horizon:" in "".join(stdout.split())  # the terminal may wrap the path


def test_accord_run_exits_2_on_a_broken_case_yaml_when_no_date_is_left(case, tmp_path, cli, monkeypatch):
    monkeypatch.setattr(accord.cases, "_latest_position_date", lambda path: None)
    code, stdout, stderr = cli("run", str(case), "--out", str(tmp_path / "out"), "--draws", "20", "--format", "json")
    assert code == 2
    assert stderr.strip().splitlines()[-1].startswith(f"error: {case / 'case.yaml'}:2: horizon: ")
    assert "Traceback" not in stdout + stderr
