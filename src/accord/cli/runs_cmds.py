"""``accord runs list|show|diff``: the runs ``accord run`` saved in an output folder's evidence database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

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


@runs_app.command("diff")
def diff_cmd(
    first: str = typer.Argument(..., metavar="ID1", help="The earlier run (before)."),
    second: str = typer.Argument(..., metavar="ID2", help="The later run (after)."),
    db: Path = DB_OPTION,
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File for the HTML page (default: standard output)."),
) -> None:
    """Two saved runs side by side: input files and parameters that differ, then as 'accord compare' shows them."""
    from accord.analysis.compare import compare_results
    from accord.cli.compare_cmds import check_format, print_comparison
    from accord.runs import load_run
    from accord.runs.store import saved_differences

    fmt = check_format(fmt)
    x, y = load_run(db, first), load_run(db, second)
    assert x.result is not None and y.result is not None
    comparison = compare_results(x.result, y.result, f"run {x.id}", f"run {y.id}")
    comparison.files = saved_differences(x, y)
    print_comparison(comparison, fmt, out)


def register(app: typer.Typer) -> None:
    """Add ``runs``."""
    app.add_typer(runs_app, name="runs")
