"""The shared I/O module: atomic writes, YAML size limits and the JSON converter."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from accord.analysis.backtest import load_outcomes
from accord.cases import load_case
from accord.errors import InputError
from accord.gmcr.io import load_gmcr
from accord.io import (
    MAX_ALIAS_VALUES,
    MAX_ALIASES,
    MAX_DOCUMENT_BYTES,
    MAX_NESTING,
    atomic_write_text,
    json_value,
    load_yaml_with_lines,
)
from accord.packages.io import load_package_model
from accord.scenario.io import load_scenario
from accord.scenario.model import MAX_CAPABILITY


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
    with pytest.raises(InputError, match="aliases add more than 100,000 values"):
        load_yaml_with_lines("\n".join(lines), file="bomb.yaml")


def test_lines_are_those_of_the_keys() -> None:
    data, lines = load_yaml_with_lines("top:\n  inner:\n    - 1\n    - {v: 2}\n")
    assert data == {"top": {"inner": [1, {"v": 2}]}}
    assert lines[("top",)] == 1 and lines[("top", "inner")] == 2 and lines[("top", "inner", 1, "v")] == 4


def test_json_value_converts_numpy_and_dates() -> None:
    text = json.dumps({"a": np.int64(3), "b": np.array([1.5]), "c": dt.date(2020, 1, 2)}, default=json_value)
    assert json.loads(text) == {"a": 3, "b": [1.5], "c": "2020-01-02"}


# -- limits of every YAML and JSON file type (docs/formats.md, "Limits") -----------------------

def _alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        prev, name = chr(ord("a") + k - 1), chr(ord("a") + k)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias-bomb": (_alias_bomb(), f"aliases add more than {MAX_ALIAS_VALUES:,} values; limit"),
    "deep-nesting": ("a: " + "[" * 5000 + "]" * 5000 + "\n", f"nesting deeper than {MAX_NESTING} levels"),
    "deep-mappings": ("".join("  " * k + f"k{k}:\n" for k in range(200)) + "  " * 200 + "x: 1\n",
                      f"nesting deeper than {MAX_NESTING} levels"),
    "recursive-alias": ("a: &a [1, *a]\n", "recursive alias"),
    "alias-chain": ("a: &a [" + "[" * 40 + "1" + "]" * 40 + "]\n" + "b: &b [*a, *a]\n" + "c: [" + ", ".join(["*b"] * 40) + "]\n"
                    + "d: &d [*b]\ne: &e [*d]\n" + "f: " + "[" * 30 + "*e" + "]" * 30 + "\n",
                    f"deeper than {MAX_NESTING} levels"),
    "many-aliases": ("a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n", f"more than {MAX_ALIASES:,} aliases"),
    "huge-integer": ("a: " + "7" * 5000 + "\n", "cannot read value"),
    "too-large": ("# " + "x" * (MAX_DOCUMENT_BYTES + 10) + "\n", f"limit {MAX_DOCUMENT_BYTES}"),
}


def _scenario_text() -> str:
    return ("id: t\nactors: [{id: a, name: A}, {id: b, name: B}]\nissues: [{id: i, title: I}]\n"
            "positions:\n  - {actor: a, issue: i, position: 10, salience: 0.5, date: 2025-01-01}\n")


def _load_case_settings(path: Path) -> object:
    (path.parent / "scenario.yaml").write_text(_scenario_text(), encoding="utf-8")
    return load_case(path.parent)


LOADERS = {
    "scenario.yaml": load_scenario,
    "packages.yaml": load_package_model,
    "truce.yaml": load_gmcr,
    "outcomes.yaml": load_outcomes,
    "case.yaml": _load_case_settings,
}


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("name", list(LOADERS))
def test_every_yaml_file_type_stops_hostile_documents_with_the_limit_named(tmp_path: Path, name: str, kind: str) -> None:
    text, expected = HOSTILE[kind]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as err:
        LOADERS[name](path)
    assert time.perf_counter() - start < 5
    message = str(err.value)
    assert message.startswith(str(path)) and expected in message, message
    assert "\n" not in message


@pytest.mark.parametrize(("text", "expected"), [
    ("[" * 100_000 + "]" * 100_000, f"nesting is too deep; limit {MAX_NESTING}"),
    ('{"a": ' + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "}", f"deeper than {MAX_NESTING} levels"),
    ('{"id": ' + "9" * 5000 + "}", "cannot read a JSON value: Exceeds the limit (4300 digits)"),
    ('{"id": "t", "actors": [{"id": "a", "name": "A", "capability": 1e999}]}', "Input should be a finite number"),
])
def test_scenario_json_limits(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(str(path)) and expected in str(err.value), str(err.value)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("capability", ".inf", "finite number"),
    ("capability", ".nan", "finite number"),
    ("capability", "2000000.0", f"less than or equal to {MAX_CAPABILITY:.0f}"),
    ("capability", "-1.0", "greater than or equal to 0"),
])
def test_scenario_refuses_non_finite_and_absurd_capabilities(tmp_path: Path, field: str, value: str, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(_scenario_text().replace("name: A}", f"name: A, {field}: {value}}}"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert f"{path}:2: actors[0].{field}: " in str(err.value) and expected in str(err.value)


def test_position_uncertainty_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(_scenario_text().replace("date: 2025-01-01}", "date: 2025-01-01, uncertainty: 1e9}"), encoding="utf-8")
    with pytest.raises(InputError, match=r"positions\[0\] \(a on i, 2025-01-01\): uncertainty: Input should be less than or equal to 100 "):
        load_scenario(path)


def test_disk_full_while_writing_keeps_the_old_file_and_names_it(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("accord.io.os.fsync", full)
    with pytest.raises(InputError) as err:
        atomic_write_text(target, "new text")
    assert str(err.value) == f"{target}: cannot write: No space left on device; the file is left as it was"
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]
