"""``accord export``: the report's tables of a run as CSV files or an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import typer

from accord.cli.common import console
from accord.cli.runs_cmds import DB_OPTION


def export_cmd(
    source: str = typer.Argument(..., metavar="RUN_OR_FILE", help="A result.json file, or a saved run id "
                                 "('accord runs list')."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv (one file per table) or xlsx (one workbook, a sheet "
                            "per table)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the files (created if missing)."),
    db: Path = DB_OPTION,
) -> None:
    """Write every table of a run's report as CSV or Excel, with the report's numbers unrounded."""
    from accord.report.export import export_tables
    from accord.runs.sources import result_from

    result, label = result_from(source, db)
    files = export_tables(result, fmt.lower(), out)
    console.print(f"{label}: {len(files)} file{'s' if len(files) != 1 else ''} written to {out}")


def register(app: typer.Typer) -> None:
    """Add ``export``."""
    app.command("export")(export_cmd)
