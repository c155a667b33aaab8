"""``accord backtest deu``: model accuracy on the DEU III data."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from accord.analysis.backtest_deu import backtest_deu
from accord.cli.common import OutputFormat, backtest_app, emit
from accord.execution import Execution


def deu(
    file: Path = typer.Argument(..., help="DEU III TSV file (e.g. deu3-dev.tsv)."),
    model: Optional[List[str]] = typer.Option(None, "--model", "-m", help="Model name (repeatable); default: all available."),
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
