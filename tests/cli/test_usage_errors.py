"""Usage errors of every command: one line naming the culprit (plus a help hint), exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from accord.cli.main import accord_version, app

FIXTURE = str(Path(__file__).resolve().parents[1] / "scenario" / "fixtures" / "small.yaml")

#: (command path, arguments, text the error line must contain)
BAD_INVOCATIONS = [
    ((), ["nosuchcmd"], "nosuchcmd"),
    ((), ["--bogus"], "--bogus"),
    (("validate",), ["validate"], "'file'"),
    (("validate",), ["validate", FIXTURE, "extra.yaml"], "extra.yaml"),
    (("forecast",), ["forecast"], "'file'"),
    (("forecast",), ["forecast", "--bogus", "x"], "--bogus"),
    (("forecast",), ["forecast", FIXTURE, "--format", "xml"], "--format"),
    (("convert",), ["convert", FIXTURE], "'target'"),
    (("convert",), ["convert", FIXTURE, "out.csv", "--to"], "--to"),
    (("run",), ["run", "--draws", "many"], "--draws"),
    (("run",), ["run", "--seed", "0.5"], "--seed"),
    (("serve",), ["serve", "--port", "many"], "--port"),
    (("simulate",), ["simulate", "x.yaml", "--draws", "abc"], "--draws"),
    (("simulate",), ["simulate", FIXTURE, "--salience-sd", "wide"], "--salience-sd"),
    (("simulate",), ["simulate"], "'file'"),
    (("sensitivity",), ["sensitivity", FIXTURE, "--top", "three"], "--top"),
    (("sensitivity",), ["sensitivity", FIXTURE, "-f", "xls"], "--format"),
    (("packages",), ["packages", "p.yaml", "--max-enumerate", "lots"], "--max-enumerate"),
    (("packages",), ["packages"], "'file'"),
    (("gmcr",), ["gmcr", "g.yaml", "--format", "svg"], "--format"),
    (("gmcr",), ["gmcr", "g.yaml", "--bogus"], "--bogus"),
    (("ingest",), ["ingest", "--db", "t.duckdb"], "'paths"),
    (("ingest",), ["ingest", "a.txt"], "--db"),
    (("ingest",), ["ingest", "a.txt", "--db", "t.duckdb", "--workers", "two"], "--workers"),
    (("evidence",), ["evidence", "--db", "t.duckdb", "-f", "xls"], "--format"),
    (("evidence",), ["evidence", "--db", "t.duckdb", "--limit", "all"], "--limit"),
    (("evidence",), ["evidence"], "--db"),
    (("suggest",), ["suggest", "--db", "t.duckdb"], "--scenario"),
    (("events",), ["events", "--draws", "none"], "--draws"),
    (("events",), ["events", "--seed", "-1"], "--seed"),
    (("backtest",), ["backtest", "--bogus"], "--bogus"),
    (("backtest", "deu"), ["backtest", "deu"], "'file'"),
    (("backtest", "deu"), ["backtest", "deu", "d.tsv", "--workers", "x"], "--workers"),
    (("backtest", "ukraine"), ["backtest", "ukraine", "--draws", "x"], "--draws"),
    (("backtest", "colombia"), ["backtest", "colombia", "--draws", "x"], "--draws"),
    (("backtest", "events"), ["backtest", "events", "--draws", "x"], "--draws"),
    (("models",), ["models", "--bogus"], "--bogus"),
    (("eval",), ["eval", "nosuch"], "nosuch"),
    (("eval", "quotes"), ["eval", "quotes", "--limit", "ten"], "--limit"),
    (("eval", "events"), ["eval", "events", "--bogus"], "--bogus"),
    (("eval", "statements"), ["eval", "statements", "--bogus"], "--bogus"),
    (("levers",), ["levers"], "'file'"),
    (("levers",), ["levers", FIXTURE, "--top", "three"], "--top"),
    (("explain",), ["explain", FIXTURE, "--max-exact", "many"], "--max-exact"),
    (("blocs",), ["blocs", FIXTURE, "-f", "xls"], "--format"),
    (("runs",), ["runs", "nosuch"], "nosuch"),
    (("runs", "list"), ["runs", "list", "-f", "xls"], "--format"),
    (("runs", "show"), ["runs", "show"], "'ID'"),
    (("runs", "diff"), ["runs", "diff", "abc"], "'ID2'"),
    (("export",), ["export", "r.json"], "--out"),
    (("compare",), ["compare"], "'A'"),
]


def _command_paths() -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for name, command in typer.main.get_command(app).commands.items():
        paths.add((name,))
        paths.update((name, sub) for sub in getattr(command, "commands", {}))
    return paths


def test_the_table_covers_every_command() -> None:
    assert _command_paths() <= {path for path, _, _ in BAD_INVOCATIONS}


@pytest.mark.parametrize(("path", "args", "culprit"), BAD_INVOCATIONS, ids=[" ".join(a) for _, a, _ in BAD_INVOCATIONS])
def test_usage_error_is_one_line_and_exit_2(cli, path, args, culprit) -> None:
    code, out, err = cli(*args)
    assert code == 2
    assert "Traceback" not in out + err and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("error: ") and culprit.lower() in lines[0].lower()
    assert lines[1] == f"see '{' '.join(('accord', *path))} --help'"


def test_version(cli) -> None:
    code, out, err = cli("--version")
    assert (code, out, err) == (0, f"accord {accord_version()}\n", "")
    assert accord_version() != ""


@pytest.mark.parametrize("args", [[], ["backtest"], ["eval"]], ids=["accord", "backtest", "eval"])
def test_group_without_arguments_prints_help(cli, args) -> None:
    code, out, err = cli(*args)
    assert code == 0 and err == ""
    assert "Usage: accord" in out and "Commands" in out


def test_help_exits_0(cli) -> None:
    code, out, _ = cli("forecast", "--help")
    assert code == 0 and "--model" in out


def test_an_input_error_is_one_line_even_when_a_value_holds_line_breaks() -> None:
    from accord.errors import InputError

    err = InputError("date: bad value '2\n025-01-01'", file="s.yaml", line=33, field="positions[4] (north on trade, 2\n025)")
    assert str(err) == "s.yaml:33: positions[4] (north on trade, 2 025): date: bad value '2 025-01-01'"
