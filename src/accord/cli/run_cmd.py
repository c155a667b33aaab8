"""``accord run``: the main job on a case, with progress and a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich import box
from rich.table import Table

from accord.cli.common import console
from accord.cli.options import parse_date
from accord.pipeline import DEFAULT_AS_OF, DEFAULT_COMPARE, RunResult, run

SHORT = {
    "compromise": "CM",
    "compromise-salience": "CMs",
    "mean": "mean",
    "weighted-median": "wmed",
    "weighted-median-salience": "wmeds",
    "median": "med",
    "nash": "NBS",
    "status-quo": "SQ",
    "midpoint": "mid",
    "bdm": "BDM",
    "exchange": "exch",
}


def print_forecasts(result: RunResult) -> None:
    """One table per date: issues down, models across, on the 0–100 scale."""
    titles = {i["id"]: i["title"] for i in result.data["issues"]}
    scale_note = result.data.get("scale_note")
    for date, table in result.data["forecasts_by_date"].items():
        t = Table(title=f"Forecasts as of {date}, 0–100", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        t.add_column("issue", no_wrap=True, max_width=22, overflow="ellipsis")
        for m in table:
            t.add_column(SHORT.get(m, m), justify="right", no_wrap=True)
        for issue_id, title in titles.items():
            cells = [f"{table[m][issue_id]:.0f}" if issue_id in table[m] else "–" for m in table]
            t.add_row(issue_id, *cells)
        console.print(t)
    if scale_note:
        console.print(scale_note)
    shown = [m for m in next(iter(result.data["forecasts_by_date"].values()), {})]
    console.print("Models: " + " · ".join(f"{SHORT.get(m, m)} = {m}" for m in shown), style="dim")


def run_cmd(
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: ukraine)."),
    as_of: str = typer.Option(DEFAULT_AS_OF, "--as-of", help="Date of the forecast (YYYY-MM-DD)."),
    compare: List[str] = typer.Option(list(DEFAULT_COMPARE), "--compare", help="Further dates to forecast (repeatable)."),
    out: Path = typer.Option(Path("accord-out"), "--out", "-o", help="Folder for the outputs."),
) -> None:
    """Run the main job on a case: forecasts of every model at the dates, written to --out."""
    parse_date(as_of)
    for d in compare:
        parse_date(d, "--compare")
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("starting", detail="", total=None)

        def progress(stage: str, detail: str) -> None:
            bar.update(task, description=stage, detail=detail)

        result = run(case, as_of=as_of, compare=compare, out=out, progress=progress)
        bar.update(task, description="done", detail=f"{result.timings['total']:.1f} s")
    print_forecasts(result)
    for p in result.problems:
        console.print(f"[yellow]skipped[/yellow] {p['file']}: {p['error']}")
    for kind, path in result.files.items():
        console.print(f"{kind}: {path}")


def register(app: typer.Typer) -> None:
    """Add ``run``."""
    app.command("run")(run_cmd)
