"""``accord run``: the main job on a case, with a progress display and summary tables."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich import box
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.cli.common import console
from accord.cli.options import parse_date
from accord.errors import InputError
from accord.pipeline import DEFAULT_AS_OF, DEFAULT_COMPARE, DEFAULT_DRAWS, STAGES, RunResult, run

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


TABLE_MODELS = ("compromise", "mean", "weighted-median", "nash", "bdm", "exchange", "status-quo")


def print_forecasts(result: RunResult) -> None:
    """One table per date: issues down, the main models across, on the 0–100 scale (all models are in the JSON)."""
    titles = {i["id"]: i["title"] for i in result.data["issues"]}
    intervals = result.data.get("intervals", {}).get("compromise", {})
    for date, full in result.data["forecasts_by_date"].items():
        table = {m: v for m, v in full.items() if m in TABLE_MODELS} or full
        t = Table(title=f"Forecasts as of {date}, 0–100", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        t.add_column("issue", no_wrap=True, max_width=22, overflow="ellipsis")
        for m in table:
            t.add_column(SHORT.get(m, m), justify="right", no_wrap=True)
        show_interval = date == result.data["case"]["as_of"] and intervals
        if show_interval:
            t.add_column("CM 90%", justify="right", no_wrap=True)
        for issue_id in titles:
            cells = [f"{table[m][issue_id]:.0f}" if issue_id in table[m] else "–" for m in table]
            if show_interval:
                iv = intervals.get(issue_id)
                cells.append(f"{iv['q05']:.0f}–{iv['q95']:.0f}" if iv else "–")
            t.add_row(issue_id, *cells)
        console.print(t)
    shown = [m for m in next(iter(result.data["forecasts_by_date"].values()), {}) if m in TABLE_MODELS]
    console.print("Models: " + " · ".join(f"{SHORT.get(m, m)} = {m}" for m in shown), style="dim")


def print_findings(result: RunResult) -> None:
    """The package, ratification, truce and backtest answers in a few lines."""
    d = result.data
    pk = d.get("packages")
    if pk:
        console.print(
            f"[bold]Packages[/bold]: {pk['n_acceptable']:,} of {pk['n_packages']:,} acceptable to all "
            f"{len(pk['parties'])} parties" if pk["acceptable_to_all"] else "[bold]Packages[/bold]: none acceptable to all parties"
        )
        points = [(title, pk[key]) for key, title in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")) if pk.get(key)]
        if points:
            t = Table(title="Bargaining packages", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
            t.add_column("issue", no_wrap=True)
            for title, _ in points:
                t.add_column(title)
            for k, issue in enumerate(pk["issues"]):
                t.add_row(issue["id"], *(rec["package"][k].replace("_", " ") for _, rec in points))
            console.print(t)
        for side, n in (pk.get("passing_count") or {}).items():
            console.print(f"  {side}: {n:,} packages pass the referendum with p ≥ 0.5")
    tr = d.get("truce")
    if tr:
        labels = {s["id"]: s["label"] for s in tr["states"]}
        for concept, states in tr["stability"].items():
            console.print(f"[bold]Truce game[/bold] {concept.upper()}-stable: " + ", ".join(labels.get(s, str(s)) for s in states))
    bt = d.get("backtest")
    if bt:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in bt["brier"].items())
        console.print(f"[bold]Backtest[/bold] (Brier, lower is better): {scores}")
    ev = d.get("evidence")
    if ev:
        agree = [s for s in ev.get("suggestions", []) if s.get("agrees") is not None]
        console.print(
            f"[bold]Evidence[/bold]: {len(ev.get('articles', []))} articles, {len(ev.get('statements', []))} statements, "
            f"{len(ev.get('claims', []))} numeric claims; {sum(1 for s in agree if s['agrees'])} of {len(agree)} "
            "suggested positions agree with the hand-coded ones"
        )


def run_cmd(
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: ukraine)."),
    as_of: str = typer.Option(DEFAULT_AS_OF, "--as-of", help="Date of the forecast (YYYY-MM-DD)."),
    compare: List[str] = typer.Option(list(DEFAULT_COMPARE), "--compare", help="Further dates to forecast (repeatable)."),
    out: Path = typer.Option(Path("accord-out"), "--out", "-o", help="Folder for the outputs."),
    draws: int = typer.Option(DEFAULT_DRAWS, "--draws", help="Monte Carlo draws for the intervals."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    fmt: List[str] = typer.Option(["html", "json"], "--format", "-f", help="Report formats: html, md, json (repeatable)."),
    markets: Optional[Path] = typer.Option(None, "--markets", help="Market price CSV for the backtest baselines."),
) -> None:
    """Run the main job on a case: evidence, forecasts with intervals, packages, truce game, backtest and report."""
    parse_date(as_of)
    for d in compare:
        parse_date(d, "--compare")
    bad = [f for f in fmt if f not in ("html", "md", "json")]
    if bad:
        raise InputError(f"unknown report format {bad[0]!r}; use html, md or json", field="--format")
    if draws < 1:
        raise InputError("must be at least 1", field="--draws")
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description:<12}"), BarColumn(bar_width=24),
               TextColumn("{task.completed}/{task.total} stages"), TextColumn("[dim]{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("starting", detail="", total=len(STAGES))
        seen: list[str] = []

        def progress(stage: str, detail: str) -> None:
            if stage not in seen:
                seen.append(stage)
            bar.update(task, description=stage, detail=detail[:60], completed=max(0, STAGES.index(stage) if stage in STAGES else len(seen) - 1))

        result = run(case, as_of=as_of, compare=compare, out=out, draws=draws, seed=seed, formats=fmt,
                     markets=markets, progress=progress)
        bar.update(task, description="done", detail=f"{result.timings['total']:.1f} s", completed=len(STAGES))
    print_forecasts(result)
    print_findings(result)
    for p in result.problems:
        console.print(f"[yellow]skipped[/yellow] {p['error']}")
    for kind, path in result.files.items():
        console.print(f"{kind}: {path}")


def register(app: typer.Typer) -> None:
    """Add ``run``."""
    app.command("run")(run_cmd)
