"""``accord runs list|show|diff``: the runs ``accord run`` saved in an output folder's evidence database."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from accord.cli.common import OutputFormat, console, emit

runs_app = typer.Typer(help="Browse and compare the runs 'accord run' saved.", no_args_is_help=True)

DEFAULT_DB = Path("accord-out") / "evidence.duckdb"


DB_OPTION = typer.Option(DEFAULT_DB, "--db", help="Evidence database of an 'accord run' output folder.")


@runs_app.command("list")
def list_cmd(
    db: Path = DB_OPTION,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Every saved run, oldest first: id, case, dates, parameters, how often it was run."""
    from accord.runs import list_runs

    rows = [r.summary() for r in list_runs(db)]
    if not rows and fmt is OutputFormat.table:
        console.print("no saved runs")
        return
    emit(rows, fmt, title=f"Saved runs in {db}")


@runs_app.command("show")
def show_cmd(
    run_id: str = typer.Argument(..., metavar="ID", help="Run id (or its first digits) from 'accord runs list'."),
    db: Path = DB_OPTION,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table or json (json: the whole "
                                     "record with its result)."),
) -> None:
    """One saved run: parameters, input files with their hashes, and its point forecasts."""
    from accord.runs import load_run

    saved = load_run(db, run_id)
    result = saved.result
    assert result is not None
    if fmt is OutputFormat.json:
        record = {**saved.summary(), "last_run_at": saved.last_run_at, "inputs_hash": saved.inputs_hash,
                  "inputs": saved.inputs, "params": saved.params, "result": result.model_dump(mode="json")}
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    emit([{"parameter": k, "value": json.dumps(v) if isinstance(v, list) else v} for k, v in saved.params.items()],
         fmt, title=f"Run {saved.id}: {result.case.title or saved.case_id}, first run {saved.first_run_at}, "
         f"{saved.times_run} times")
    emit([{"input": k, "sha256": v[:16]} for k, v in saved.inputs.items()], fmt, title="Inputs")
    forecasts = result.forecasts_at()
    emit([{"model": m, **values} for m, values in forecasts.items()], fmt,
         title=f"Point forecasts as of {result.case.as_of}, 0–100")


def register(app: typer.Typer) -> None:
    """Add ``runs``."""
    app.add_typer(runs_app, name="runs")
