"""Every command with hostile arguments: exit 0 or 2 and at most an error line, never a traceback (issue 14).

Arguments are drawn from a vocabulary of paths (a scenario, a folder, a missing file, an
empty and a binary file, a symlink loop, a file where a folder is expected) and values
(negative, huge, 5,000-digit and non-finite numbers, bad dates, unknown names). The
commands run in process through ``accord.cli.main.main``; ``accord run`` and
``accord ingest`` take seconds per case and are driven by a fixed table instead.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from fuzz_budget import examples, fuzz_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.cases import case_dir
from cli_runner import exit_status, run_accord

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = ["-1", "0", "1", "3", "20", "1e999", "inf", "-inf", "nan", "abc", "", "9" * 5000, str(2**64), "0.5", "-0.0"]
DATES = ["2025-01-01", "2016-09-26", "2025-13-45", "yesterday", "", "0001-01-01", "9999-12-31"]
NAMES = ["bdm", "compromise", "nash", "weighted-median", "exchange", "nope", "", "BDM", "../x"]
FORMATS = ["table", "csv", "json", "yaml", "md", "html", "pdf", ""]


@pytest.fixture(scope="module")
def compiled(paths, tmp_path_factory) -> None:
    """Under the fuzz profile, the model kernels compiled before any case is timed: numba compiles
    them on first use (and caches them on disk), which in a fresh checkout can take longer than a
    case may, once; the budget is for what a case's input costs."""
    if not fuzz_profile():
        return
    for args in (["run", paths["case"], "--draws", "2", "--out", str(tmp_path_factory.mktemp("warm"))],
                 ["backtest", "colombia", "--draws", "2"]):
        with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()):
            assert exit_status(args, mp) == 0, args


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, str]:
    """The path vocabulary, made once per module."""
    root = tmp_path_factory.mktemp("cli")
    (root / "empty.yaml").write_bytes(b"")
    (root / "binary.yaml").write_bytes(b"\x00\xff\x00binary")
    (root / "folder").mkdir()
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    (root / "a-file").write_text("x\n", encoding="utf-8")
    case = root / "case"
    shutil.copytree(case_dir("colombia"), case, ignore=shutil.ignore_patterns("articles", "__pycache__"))
    # copies only: a command may write to any path it is given (convert's target, suggest's --out)
    shutil.copy(ROOT / "scenario" / "fixtures" / "small.yaml", root / "small.yaml")
    shutil.copy(ROOT / "gmcr" / "fixtures" / "elmira.yaml", root / "elmira.yaml")
    return {
        "scenario": str(root / "small.yaml"),
        "case-scenario": str(case / "scenario.yaml"),
        "packages": str(case / "packages.yaml"),
        "gmcr": str(root / "elmira.yaml"),
        "case": str(case),
        "bundled": "colombia",
        "missing": str(root / "missing.yaml"),
        "empty": str(root / "empty.yaml"),
        "binary": str(root / "binary.yaml"),
        "folder": str(root / "folder"),
        "loop": str(root / "loop-a"),
        "file-as-folder": str(root / "a-file" / "out.json"),
        "out-json": str(root / "folder" / "out.json"),
        "out-csv": str(root / "folder" / "out.csv"),
        "out-odd": str(root / "folder" / "out.xyz"),
        "db": str(root / "folder" / "ev.duckdb"),
        "dash": "-",
        "option-like": "--help-me",
    }


PATH_KEYS = ["scenario", "case-scenario", "packages", "gmcr", "case", "bundled", "missing", "empty", "binary", "folder", "loop",
             "file-as-folder", "out-json", "out-csv", "out-odd", "db", "dash", "option-like"]

# command words → options and the kind of value each takes ("flag" takes none)
COMMANDS: dict[tuple[str, ...], dict[str, str]] = {
    ("validate",): {},
    ("forecast",): {"--model": "name", "--as-of": "date", "--format": "format"},
    ("convert",): {"--to": "format"},
    ("models",): {"--format": "format"},
    ("simulate",): {"--draws": "number", "--seed": "number", "--model": "name", "--as-of": "date", "--format": "format"},
    ("sensitivity",): {"--draws": "number", "--seed": "number", "--model": "name", "--format": "format"},
    ("packages",): {"--format": "format", "--max-enumerate": "number", "--epsilon": "number", "--strict": "flag"},
    ("gmcr",): {"--format": "format"},
    ("backtest", "colombia"): {"--draws": "number", "--seed": "number", "--format": "format"},
    ("evidence",): {"--db": "path", "--format": "format"},
    ("suggest",): {"--db": "path", "--out": "path", "--as-of": "date"},
    ("events",): {"--draws": "number", "--seed": "number", "--as-of": "date", "--format": "format"},
    ("levers",): {"--model": "name", "--issue": "name", "--as-of": "date", "--target": "number", "--format": "format"},
    ("explain",): {"--model": "name", "--from": "date", "--to": "date", "--format": "format"},
    ("blocs",): {"--model": "name", "--as-of": "date", "--format": "format"},
    ("compare",): {"--from": "date", "--to": "date", "--format": "format", "--out": "path"},
    ("export",): {"--format": "format", "--db": "path"},
    ("runs", "list"): {"--db": "path", "--format": "format"},
    ("runs", "show"): {"--db": "path", "--format": "format"},
    ("runs", "diff"): {"--db": "path", "--format": "format", "--out": "path"},
}
DRAW_CAP = 50  # simulations with more draws take seconds: the cap keeps the suite fast, the values stay hostile


def _value(kind: str, draw) -> str:
    pick = {"number": NUMBERS, "date": DATES, "name": NAMES, "format": FORMATS}.get(kind)
    return draw(st.sampled_from(pick)) if pick else "<path>"


@st.composite
def command_lines(draw) -> list[str]:
    words = draw(st.sampled_from(sorted(COMMANDS)))
    args = list(words)
    for _ in range(draw(st.integers(0, 2))):
        args.append("<path>")
    for option in draw(st.lists(st.sampled_from(sorted(COMMANDS[words]) or ["--help"]), max_size=3)):
        args.append(option)
        kind = COMMANDS[words].get(option, "flag")
        if kind != "flag":
            args.append(_value(kind, draw))
    if "--draws" in COMMANDS[words] and "--draws" not in args:
        args += ["--draws", "20"]
    return [draw(st.sampled_from(PATH_KEYS)) if a == "<path>" else a for a in args]


def _bounded_draws(args: list[str]) -> list[str]:
    out = list(args)
    for k, a in enumerate(out[:-1]):
        if a == "--draws":
            try:
                if int(out[k + 1]) > DRAW_CAP:
                    out[k + 1] = str(DRAW_CAP)
            except ValueError:
                pass
    return out


def check(code: int, out: str, err: str, args: list[str]) -> None:
    assert code in (0, 2), (args, code, err[-2000:])
    assert "Traceback" not in out + err, (args, err[-2000:])
    if code == 2:  # one error line, and for a usage error the hint where help is
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, (args, err)
        after = err.split(errors[0], 1)[1].strip()
        assert after == "" or (after.startswith("see '") and "\n" not in after), (args, err)


@settings(max_examples=examples(ci=60, fuzz=800), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(line=command_lines())
def test_commands_with_hostile_arguments(line, paths, budget, compiled, monkeypatch, capsys, tmp_path_factory):
    args = _bounded_draws([paths.get(a, a) for a in line])
    monkeypatch.chdir(tmp_path_factory.getbasetemp())
    code, out, err = budget.measure(" ".join(args)[:200], lambda: run_accord(args, monkeypatch, capsys))
    check(code, out, err, args)


RUN_TABLE = [
    ["--seed", "-1"],
    ["--seed", "9" * 5000],
    ["--draws", "0"],
    ["--draws", "-5"],
    ["--as-of", "2025-13-45"],
    ["--compare", "someday"],
    ["--format", "pdf"],
    ["--markets", "<missing>"],
    ["--markets", "<binary>"],
    ["--model", "nope"],
    ["--out", "<file>"],
]


@pytest.mark.parametrize("extra", RUN_TABLE, ids=[" ".join(getattr(a, "values", [a])[0])[:30] for a in RUN_TABLE])
def test_run_with_hostile_arguments(extra, paths, budget, compiled, monkeypatch, capsys, tmp_path):
    replace = {"<missing>": paths["missing"], "<binary>": paths["binary"], "<file>": paths["scenario"]}
    args = ["run", paths["case"], "--draws", "20", "--out", str(tmp_path / "out"), *(replace.get(a, a) for a in extra)]
    code, out, err = budget.measure(" ".join(args)[:200], lambda: run_accord(args, monkeypatch, capsys))
    check(code, out, err, args)
