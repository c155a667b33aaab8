"""Pieces every CLI command shares: the console, output formats and command groups."""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from typing import Any, Sequence

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

backtest_app = typer.Typer(help="Score forecasts against what happened.", no_args_is_help=True)


class OutputFormat(str, Enum):
    """How a command prints tabular results."""

    table = "table"
    csv = "csv"
    json = "json"


def emit(rows: Sequence[dict[str, Any]], fmt: OutputFormat, title: str | None = None) -> None:
    """Print rows (dicts with the same keys) as a rich table, CSV or JSON."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(list(rows), indent=2, default=str))
        return
    columns = list(rows[0].keys()) if rows else []
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
        return
    table = Table(title=title, show_lines=False)
    for col in columns:
        numeric = bool(rows) and all(isinstance(r.get(col), (int, float)) or r.get(col) is None for r in rows)
        table.add_column(str(col), justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)
