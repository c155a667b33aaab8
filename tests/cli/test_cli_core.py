"""The core commands end to end, through the installed ``accord`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "scenario" / "fixtures" / "small.yaml"


def accord(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "accord.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_validate_ok() -> None:
    res = accord("validate", str(FIXTURE))
    assert res.returncode == 0, res.stderr
    assert "3 actors, 2 issues, 6 positions" in res.stdout


def test_validate_bad_salience_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text().replace("position: 25, salience: 0.8", "position: 25, salience: 1.7"))
    res = accord("validate", str(bad))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert str(bad) in lines[0] and "positions[2] (south on border, 2025-03-01)" in lines[0] and "salience" in lines[0]
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_forecast_json_as_of() -> None:
    res = accord("forecast", str(FIXTURE), "--model", "compromise", "--model", "weighted-median", "--as-of", "2025-01-15", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = {r["issue"]: r for r in json.loads(res.stdout)}
    # border on 2025-01-15: north 100 (w = 2 × 0.9), south 0 (w = 0.8)
    assert rows["border"]["compromise"] == pytest.approx(100 * 1.8 / 2.6)
    assert rows["border"]["weighted-median"] == 100.0


def test_forecast_csv_and_unknown_model() -> None:
    res = accord("forecast", str(FIXTURE), "--format", "csv", "--model", "mean")
    assert res.returncode == 0 and res.stdout.splitlines()[0] == "issue,mean"
    bad = accord("forecast", str(FIXTURE), "--model", "oracle")
    assert bad.returncode == 2 and "unknown model 'oracle'" in bad.stderr and "Traceback" not in bad.stderr


def test_bad_date_option() -> None:
    res = accord("forecast", str(FIXTURE), "--as-of", "yesterday")
    assert res.returncode == 2 and "--as-of" in res.stderr and "Traceback" not in res.stderr


def test_missing_file() -> None:
    res = accord("validate", "/nonexistent/scenario.yaml")
    assert res.returncode == 2 and "no such file" in res.stderr


def test_convert_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    assert accord("convert", str(FIXTURE), str(out)).returncode == 0
    res = accord("validate", str(out))
    assert res.returncode == 0 and "6 positions" in res.stdout


def test_backtest_deu_json(shared_data: Path) -> None:
    res = accord("backtest", "deu", str(shared_data / "deu" / "deu3-dev.tsv"), "--model", "compromise", "--model", "midpoint", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = {r["model"]: r for r in json.loads(res.stdout)}
    assert rows["compromise"]["n"] == 230 and rows["compromise"]["mae"] == pytest.approx(22.2472, abs=1e-4)
    assert rows["midpoint"]["mae"] == pytest.approx(27.0043, abs=1e-4)


def test_backtest_deu_wrong_delimiter(tmp_path: Path) -> None:
    bad = tmp_path / "deu.tsv"
    bad.write_text('"prnr","isnr"\n"a","b"\n')
    res = accord("backtest", "deu", str(bad))
    assert res.returncode == 2 and "wrong delimiter" in res.stderr
