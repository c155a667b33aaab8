"""CLI tables in an 80-column terminal: every number whole, lines within the width, text wrapped."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

import accord
from accord.cli.common import _cell, print_table

UKRAINE = str(Path(accord.__file__).parent / "cases" / "ukraine" / "scenario.yaml")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")


def _accord(*args: str, columns: int = 80) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    res = subprocess.run([sys.executable, "-m", "accord.cli.main", *args], capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _render(rows, width: int) -> str:
    out = Console(file=io.StringIO(), width=width, color_system=None)
    print_table(rows, "title", out=out)
    return out.file.getvalue()


def _numbers(rows) -> Counter:
    return Counter(_cell(v) for r in rows for v in r.values() if isinstance(v, (int, float)))


ROWS = [
    {"issue": f"issue_{'abcd'[k]}", "model": "weighted-median-salience", **{f"p{q}": 1000.0 / (k + q + 1) for q in range(12)},
     "band": "a rather long band label that has to wrap somewhere", "p_band": 0.123456}
    for k in range(4)
]


@pytest.mark.parametrize(("width", "tables"), [(60, 5), (80, 4), (120, 2), (240, 1)])
def test_print_table_keeps_numbers_whole_within_the_width(width: int, tables: int) -> None:
    text = _render(ROWS, width)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    assert "…" not in text
    body = "\n".join(line for line in text.splitlines() if "title" not in line)
    assert Counter(NUMBER.findall(body)) == _numbers(ROWS)
    assert text.count("title") == tables
    assert text.count("issue_a") == tables  # the row names repeat in every table


def test_print_table_does_not_read_markup() -> None:
    text = _render([{"name": "[bold]x[/bold]", "value": 1.5}], 80)
    assert "[bold]x[/bold]" in text and "1.50" in text


def test_forecast_table_at_80_columns_shows_every_forecast() -> None:
    table = _accord("forecast", UKRAINE)
    rows = json.loads(_accord("forecast", UKRAINE, "--format", "json"))
    assert max(len(line.rstrip()) for line in table.splitlines()) <= 80
    assert "…" not in table
    for row in rows:
        lines = [line for line in table.splitlines() if line.split()[:1] == [row["issue"]]]
        shown = Counter(tok for line in lines for tok in NUMBER.findall(line))
        assert shown == _numbers([{k: v for k, v in row.items() if k != "issue"}]), row["issue"]
    words = set(table.split())
    for model in rows[0]:
        assert all(part in words for part in re.split(r"(?<=-)", model)), model  # headers break after hyphens


def test_sensitivity_table_at_80_columns_keeps_scores_whole() -> None:
    args = ("sensitivity", UKRAINE, "--model", "compromise", "--method", "oat")
    table = _accord(*args)
    rows = json.loads(_accord(*args, "--format", "json"))
    assert max(len(line.rstrip()) for line in table.splitlines()) <= 80
    assert "…" not in table
    body = "\n".join(table.splitlines()[1:])  # below the title
    assert Counter(NUMBER.findall(body)) == _numbers(rows)


def test_simulate_table_at_80_columns_keeps_every_band_label_whole() -> None:
    args = ("simulate", UKRAINE, "-m", "compromise", "-n", "20")
    table = _accord(*args)
    bands = {row["band"] for row in csv.DictReader(io.StringIO(_accord(*args, "--format", "csv")))}
    assert max(len(line.rstrip()) for line in table.splitlines()) <= 80
    assert "…" not in table
    words = set(table.split())
    assert any(len(band) > 28 for band in bands)  # labels the table used to cut at 28 characters
    for band in bands:
        assert all(w in words for w in band.split()), band  # wrapped over lines, never cut
