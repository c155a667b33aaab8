"""``accord backtest deu``: model accuracy on the DEU III data."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from accord.analysis.backtest_deu import backtest_deu
from accord.cli.common import OutputFormat, backtest_app, emit
from accord.cli.options import seed_option
from accord.execution import Execution


def deu(
    file: Path = typer.Argument(..., help="DEU III TSV file (e.g. deu3-dev.tsv)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="Registered model name (repeatable; `accord models` lists them); default: all."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Run on a local Dask cluster with N workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler."),
) -> None:
    """Mean absolute error (0–100 scale) and issues scored per model, on issues with an outcome."""
    rows = backtest_deu(file, model, Execution.from_options(workers, scheduler))
    emit([r.to_dict() for r in rows], fmt, title=f"DEU backtest: {file.name}")


def register(app: typer.Typer) -> None:
    """Add ``backtest deu``."""
    backtest_app.command("deu")(deu)
    register_event_backtests()


def register_event_backtests() -> None:
    """Add ``backtest events [CASE]``, and ``backtest NAME`` for every bundled case (NAME: the default CASE)."""
    from accord.cases import bundled_cases

    backtest_app.command("events")(events)
    for name in bundled_cases():
        backtest_app.command(name, help=f"Event backtest of the bundled case {name} (same as: backtest events {name}).")(events)


def events(
    ctx: typer.Context,
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: the command's case, else the bundled default)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date the forecasts are made (YYYY-MM-DD); default: the case's as_of."),
    draws: int = typer.Option(2000, "--draws", help="Monte Carlo draws behind each probability."),
    seed: int = seed_option(),
    markets: Optional[Path] = typer.Option(None, "--markets", help="Polymarket price CSV (time, slug, market, price, end_date, resolution), e.g. from ../shared/data/markets/."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Score event probabilities derived from the models against what happened (Brier), beside crowd and market baselines.

    Works on any case whose case.py defines EVENT_RULES and whose folder holds outcomes.yaml.
    """
    import json

    from accord.analysis.backtest import run_backtest
    from accord.cases import bundled_cases, load_case
    from accord.cli.options import parse_date
    from accord.errors import InputError
    from accord.io import json_value
    from accord.scenario.io import load_scenario

    if markets is not None and not markets.is_file():
        raise InputError("no such file", file=str(markets))
    loaded = load_case(case if case is not None or ctx.info_name not in bundled_cases() else ctx.info_name)
    when = str(parse_date(as_of)) if as_of is not None else str(loaded.config.as_of)
    result = run_backtest(loaded, load_scenario(loaded.scenario_path), when, draws=draws, seed=seed, markets=markets)
    if result is None:
        raise InputError("this case defines no backtest: it needs EVENT_RULES in case.py and an outcomes.yaml", file=str(loaded.folder))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=json_value))
        return
    rows = [{k: v for k, v in r.items() if k not in ("question", "rule")} for r in result.rows]
    emit(rows, fmt, title=f"Events as of {result.scored_at}: probabilities made on {when}")
    emit([{"forecaster": k, **v} for k, v in result.brier.items()], fmt, title="Brier score (lower is better)")
    window = f" {result.shift_window[0]} → {result.shift_window[1]}" if result.shift_window else ""
    emit([{"model": k, **v} for k, v in result.direction_summary.items()], fmt, title=f"Direction of position shifts{window} predicted")
    for note in result.notes:
        typer.echo(f"note: {note}")
