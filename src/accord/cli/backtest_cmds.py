"""``accord backtest deu``: model accuracy on the DEU III data."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from accord.analysis.backtest_deu import BASELINE, RESAMPLES, SEED, BacktestRow, backtest_deu
from accord.cli.common import OutputFormat, backtest_app, emit
from accord.errors import InputError
from accord.execution import Execution


def deu(
    file: Path = typer.Argument(..., help="DEU III TSV file (e.g. deu3-dev.tsv)."),
    model: Optional[List[str]] = typer.Option(None, "--model", "-m", help="Registered model name (repeatable; `accord models` lists them); default: all."),
    param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="A model parameter as MODEL.NAME=VALUE (repeatable), e.g. bdm.stop=bdm_discount."),
    resamples: int = typer.Option(RESAMPLES, "--resamples", help="Bootstrap resamples of the proposals behind each interval."),
    seed: int = typer.Option(SEED, "--seed", help="Random seed of the bootstrap."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Run on a local Dask cluster with N workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler."),
) -> None:
    """MAE (0–100 scale) per model on issues with an outcome, with a 95% interval from a bootstrap
    over proposals, and the paired difference to the compromise model with its interval."""
    rows = backtest_deu(file, model, Execution.from_options(workers, scheduler), params=parse_model_params(param or []),
                        resamples=resamples, seed=seed)
    if fmt is not OutputFormat.table:
        emit([r.to_dict() for r in rows], fmt, title=None)
        return
    emit([_table_row(r) for r in rows], fmt, title=f"DEU backtest: {file.name} (95% intervals: {resamples} resamples of proposals, seed {seed})")


def _table_row(r: BacktestRow) -> dict[str, object]:
    return {
        "model": r.model, "n": r.n, "MAE [95%]": f"{r.mae:.2f} [{r.mae_low:.2f}, {r.mae_high:.2f}]",
        f"− {BASELINE} [95%]": f"{r.diff:+.2f} [{r.diff_low:+.2f}, {r.diff_high:+.2f}]", "fallbacks": r.fallbacks,
    }


def parse_model_params(items: List[str]) -> dict[str, dict[str, object]]:
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
    backtest_app.command("ukraine")(ukraine)


def ukraine(
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: ukraine)."),
    as_of: str = typer.Option("2025-11-20", "--as-of", help="Date the forecasts are made (YYYY-MM-DD)."),
    draws: int = typer.Option(2000, "--draws", help="Monte Carlo draws behind each probability."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    markets: Optional[Path] = typer.Option(None, "--markets", help="Polymarket price CSV (e.g. ../shared/data/markets/polymarket-russia-ukraine-ceasefire.csv)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Score event probabilities derived from the models against what happened (Brier), beside crowd and market baselines."""
    import json

    from accord.analysis.backtest_ukraine import backtest_ukraine, load_outcomes
    from accord.cases import case_dir
    from accord.cli.options import parse_date
    from accord.scenario.io import load_scenario

    parse_date(as_of)
    if markets is not None and not markets.is_file():
        from accord.errors import InputError

        raise InputError("no such file", file=str(markets))
    folder = case_dir(case)
    result = backtest_ukraine(
        load_scenario(folder / "scenario.yaml"), load_outcomes(folder / "outcomes.yaml"),
        as_of=as_of, draws=draws, seed=seed, markets=markets,
    )
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    rows = [{k: v for k, v in r.items() if k not in ("question", "rule")} for r in result.rows]
    emit(rows, fmt, title=f"Events as of {result.scored_at}: probabilities made on {as_of}")
    emit([{"forecaster": k, **v} for k, v in result.brier.items()], fmt, title="Brier score (lower is better)")
    emit([{"model": k, **v} for k, v in result.direction_summary.items()], fmt, title="Direction of position shifts 2025-11-20 → 2026-02-28 predicted")
    for note in result.notes:
        typer.echo(f"note: {note}")
