"""``accord backtest deu``: model accuracy on the DEU III data."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from accord.analysis.backtest_deu import BASELINE, RESAMPLES, BacktestRow, backtest_deu
from accord.analysis.ensemble import FOLDS
from accord.cli.common import OutputFormat, backtest_app, emit
from accord.cli.options import seed_option
from accord.errors import InputError
from accord.execution import Execution


def deu(
    file: Path = typer.Argument(..., help="DEU III TSV file (e.g. deu3-dev.tsv)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="Registered model name (repeatable; `accord models` lists them); default: all."),
    param: Optional[list[str]] = typer.Option(None, "--param", "-p", help="A model parameter as MODEL.NAME=VALUE (repeatable), e.g. bdm.stop=bdm_discount."),
    resamples: int = typer.Option(RESAMPLES, "--resamples", help="Bootstrap resamples of the proposals behind each interval."),
    seed: int = seed_option("Random seed of the bootstrap."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Run on a local Dask cluster with N workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler."),
    ensemble: Optional[bool] = typer.Option(None, "--ensemble/--no-ensemble", help="Add the cross-validated stacking ensemble of the models run (default: on when no --model is given)."),
    folds: int = typer.Option(FOLDS, "--folds", help="Cross-validation folds of whole proposals behind the ensemble row."),
) -> None:
    """MAE (0–100 scale) per model on issues with an outcome, with a 95% interval from a bootstrap
    over proposals, and the paired difference to the compromise model with its interval; a last
    row scores the stacking ensemble's out-of-fold forecasts (docs/methods/ensemble.md)."""
    rows = backtest_deu(file, model, Execution.from_options(workers, scheduler), params=parse_model_params(param or []),
                        resamples=resamples, seed=seed, ensemble=not model if ensemble is None else ensemble, folds=folds)
    if fmt is not OutputFormat.table:
        emit([r.to_dict() for r in rows], fmt, title=None)
        return
    emit([_table_row(r) for r in rows], fmt, title=f"DEU backtest: {file.name} (95% intervals: {resamples} resamples of proposals, seed {seed})")


def _table_row(r: BacktestRow) -> dict[str, object]:
    return {
        "model": r.model, "n": r.n, "MAE [95%]": f"{r.mae:.2f} [{r.mae_low:.2f}, {r.mae_high:.2f}]",
        f"− {BASELINE} [95%]": f"{r.diff:+.2f} [{r.diff_low:+.2f}, {r.diff_high:+.2f}]", "fallbacks": r.fallbacks,
    }


def parse_model_params(items: list[str]) -> dict[str, dict[str, object]]:
    """``["bdm.stop=bdm_discount", "bdm.rounds=50"]`` as ``{"bdm": {"stop": "bdm_discount", "rounds": 50}}``."""
    out: dict[str, dict[str, object]] = {}
    for item in items:
        head, eq, raw = item.partition("=")
        model, dot, name = head.strip().partition(".")
        if not (eq and dot and model and name.strip()):
            raise InputError(f"{item!r} is not MODEL.NAME=VALUE", field="--param")
        value: object = raw.strip()
        for kind in (int, float):
            try:
                value = kind(raw)
                break
            except ValueError:
                continue
        out.setdefault(model, {})[name.strip()] = value
    return out


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
