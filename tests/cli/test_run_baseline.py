"""``accord run`` on the bundled Ukraine case: forecasts at both dates, JSON written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accord.pipeline import run
from accord.scenario.io import load_scenario
from accord.cases import case_dir


def test_run_api_writes_forecasts_for_both_dates(tmp_path: Path) -> None:
    result = run(out=tmp_path / "out")
    data = json.loads((tmp_path / "out" / "result.json").read_text())
    assert set(data["forecasts_by_date"]) == {"2025-11-20", "2026-02-28"}
    scenario = load_scenario(case_dir() / "scenario.yaml")
    for date, table in data["forecasts_by_date"].items():
        issues = scenario.issue_data(date)
        expected_cm = {
            i.id: float((i.x * i.s * i.c).sum() / (i.s * i.c).sum()) for i in issues
        }
        assert table["compromise"] == pytest.approx(expected_cm, abs=1e-9)
        assert set(table) >= {"compromise", "mean", "weighted-median", "nash", "status-quo", "midpoint"}
    assert result.data["case"]["as_of"] == "2025-11-20"


def test_run_cli_prints_tables(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "Forecasts as of 2025-11-20" in res.stdout and "Forecasts as of 2026-02-28" in res.stdout
    assert "nato" in res.stdout and (tmp_path / "o" / "result.json").is_file()


def test_run_unknown_case_is_a_clear_error(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", str(tmp_path / "nowhere")],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 2 and "no such case" in res.stderr and "Traceback" not in res.stderr
