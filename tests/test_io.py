"""The shared I/O module: atomic writes, YAML size limits and the JSON converter."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pytest

from accord.errors import InputError
from accord.io import atomic_write_text, json_value, load_yaml_with_lines


def test_atomic_write_gives_0644_under_the_usual_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "out" / "report.html", "hello\n")
    finally:
        os.umask(old)
    assert path.read_text() == "hello\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]  # no temporary file left


def test_atomic_write_replaces_a_planted_symlink_instead_of_following_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    atomic_write_text(link, "new report")
    assert victim.read_text() == "keep me"
    assert not link.is_symlink() and link.read_text() == "new report"


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "bad \ud800 surrogate")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        prev = chr(ord("a") + k - 1)
        name = chr(ord("a") + k)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    with pytest.raises(InputError, match="more than 1,000,000 values"):
        load_yaml_with_lines("\n".join(lines), file="bomb.yaml")


def test_lines_are_those_of_the_keys() -> None:
    data, lines = load_yaml_with_lines("top:\n  inner:\n    - 1\n    - {v: 2}\n")
    assert data == {"top": {"inner": [1, {"v": 2}]}}
    assert lines[("top",)] == 1 and lines[("top", "inner")] == 2 and lines[("top", "inner", 1, "v")] == 4


def test_json_value_converts_numpy_and_dates() -> None:
    text = json.dumps({"a": np.int64(3), "b": np.array([1.5]), "c": dt.date(2020, 1, 2)}, default=json_value)
    assert json.loads(text) == {"a": 3, "b": [1.5], "c": "2020-01-02"}
