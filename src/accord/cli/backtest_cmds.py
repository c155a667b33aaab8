"""``accord backtest``: model accuracy on the DEU III data (``deu``) and a case's rolling backtest (``CASE``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import click
import typer
from typer.core import TyperGroup

from accord.analysis.backtest_deu import BASELINE, RESAMPLES, BacktestRow, backtest_deu
from accord.analysis.ensemble import FOLDS
from accord.cli.common import OutputFormat, backtest_app, emit
from accord.cli.options import parse_model_params, seed_option
from accord.errors import InputError
from accord.execution import Execution

if TYPE_CHECKING:
    from accord.analysis.rolling import RollingBacktest
    from accord.analysis.scoring import Paired, Score


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


class _CaseGroup(TyperGroup):
    """``accord backtest``: a name that is not a subcommand is a case (bundled name or folder) for ``events``."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "events", self.commands["events"], args
        return super().resolve_command(ctx, args)


def register(app: typer.Typer) -> None:
    """Add ``backtest deu``, ``backtest events [CASE]`` and ``backtest CASE`` (any case folder or bundled name)."""
    from accord.cases import bundled_cases

    backtest_app.info.cls = _CaseGroup
    backtest_app.command("deu")(deu)
    backtest_app.command("events")(events)
    for name in bundled_cases():
        backtest_app.command(name, help=f"Rolling backtest of the bundled case {name} (same as: backtest events {name}).")(events)


def events(
    ctx: typer.Context,
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: the command's case, else the bundled default)."),
    draws: int = typer.Option(1000, "--draws", min=1, help="Monte Carlo draws behind each probability."),
    seed: int = seed_option(),
    markets: Optional[Path] = typer.Option(None, "--markets", help="Polymarket price CSV (time, slug, market, price, end_date, resolution), e.g. ../shared/data/markets/polymarket-russia-ukraine-ceasefire.csv."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Rolling backtest: the case's events (events.yaml) forecast at each origin (outcomes.yaml) from inputs
    dated on or before it, scored with the Brier and log scores beside the baselines (docs/methods/backtest.md).

    Works on any case folder holding events.yaml and outcomes.yaml.
    """
    import json

    from accord.analysis.rolling import has_backtest, rolling_backtest
    from accord.cases import bundled_cases, load_case
    from accord.io import json_value

    if markets is not None and not markets.is_file():
        raise InputError("no such file", file=str(markets), field="--markets")
    loaded = load_case(case if case is not None or ctx.info_name not in bundled_cases() else ctx.info_name)
    if not has_backtest(loaded.folder):
        raise InputError("this case has no rolling backtest: it needs events.yaml and outcomes.yaml", file=str(loaded.folder))
    result = rolling_backtest(loaded, draws=draws, seed=seed, markets=markets)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=json_value))
        return
    emit(origin_table(result), fmt, title=f"{loaded.name}: accord's P(yes) by origin (– not open, n/m not modelled)")
    emit([_score_row(s, result.versus_model.get(s.scorer)) for s in result.scores], fmt,
         title="Scores (lower is better; 95% intervals resample events)")
    for event_id, reason in result.not_modelled.items():
        typer.echo(f"not modelled: {event_id}: {reason}")
    for note in result.notes:
        typer.echo(f"note: {note}")


def origin_table(result: RollingBacktest) -> list[dict[str, object]]:
    """One row per event: its outcome and accord's probability at every origin."""
    from accord.analysis.rolling import MODEL

    at = {(c.origin, c.event_id): c for c in result.cells}
    rows = []
    for e in result.events:
        row: dict[str, object] = {"event": e.id, "happened": None}
        for origin in result.origins:
            cell = at.get((origin, e.id))
            row["happened"] = cell.outcome if cell else row["happened"]
            row[origin.isoformat()] = ("n/m" if MODEL not in cell.forecasts else round(cell.forecasts[MODEL], 3)) if cell else None
        row["happened"] = {1: "yes", 0: "no"}.get(row["happened"], "–")  # type: ignore[arg-type]
        rows.append(row)
    return rows


def _score_row(s: Score, versus: Paired | None) -> dict[str, object]:
    return {"forecaster": s.scorer, "n": s.n, "events": s.clusters,
            "Brier [95%]": f"{s.brier:.3f} [{s.brier_low:.3f}, {s.brier_high:.3f}]",
            "log [95%]": f"{s.log:.3f} [{s.log_low:.3f}, {s.log_high:.3f}]",
            "− accord, shared [95%]": f"{versus.diff:+.3f} [{versus.low:+.3f}, {versus.high:+.3f}] on {versus.n}"
            if versus else None}
