"""``accord run``: the main job on a case, with a progress display and summary tables."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from accord.cli.common import console
from accord.cli.evidence_cmds import exit_interrupted, signals_interrupt
from accord.cli.options import parse_date, seed_option
from accord.errors import InputError
from accord.models.registry import short
from accord.pipeline import DEFAULT_DRAWS, STAGES, RunOutput, run
from accord.report.labels import fmt_pos
from accord.report.summary import executive_view
from accord.report.templating import fmt_num
from accord.report.writer import check_formats

#: The database in the output folder where the evidence is stored and every run is saved.
SAVED_RUNS_DB = "evidence.duckdb"


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False)


def print_forecasts(out: RunOutput) -> None:
    """One table per date: issues down, every model across, point forecasts on the 0–100 scale."""
    result = out.result
    issues = [i.id for i in result.scenario.issues]
    for table in result.forecasts:
        values = table.values
        t = _table(f"Point forecasts as of {table.date}, 0–100")
        t.add_column("issue", no_wrap=True, max_width=22, overflow="ellipsis")
        for m in values:  # a number is never cut short
            name = short(m)
            t.add_column(name, justify="right", no_wrap=True, min_width=max(len(name), len("100")))
        for issue_id in issues:
            t.add_row(issue_id, *(fmt_pos(values[m].get(issue_id)) for m in values))
        console.print(t)
    shown = list(result.forecasts[0].values) if result.forecasts else []
    console.print("Models: " + " · ".join(f"{short(m)} = {m}" for m in shown), style="dim")


def print_simulation(out: RunOutput, model: str = "compromise") -> None:
    """The Monte Carlo distribution of one model beside its point forecast, each labelled as what it is."""
    result = out.result
    summaries = result.intervals().get(model)
    if not summaries or result.simulation is None:
        return
    t = _table(f"{model}: point forecast and Monte Carlo simulations as of {result.simulation.date} "
               f"({result.simulation.draws} draws)")
    t.add_column("issue", no_wrap=True, max_width=22, overflow="ellipsis")
    for head in ("point", "sim. median", "sim. 5%", "sim. 95%"):
        t.add_column(head, justify="right", no_wrap=True)
    for issue in result.scenario.issues:
        s = summaries.get(issue.id)
        if s is not None:
            t.add_row(issue.id, fmt_pos(s.point), fmt_pos(s.q50), fmt_pos(s.q05), fmt_pos(s.q95))
    console.print(t)


def print_findings(out: RunOutput) -> None:
    """The package, ratification, truce and backtest answers in a few lines."""
    result = out.result
    pk = result.packages
    if pk:
        if pk.acceptable_to_all:
            console.print(f"[bold]Packages[/bold]: {pk.n_acceptable:,} of {pk.n_packages:,} acceptable to all "
                          f"{len(pk.parties)} parties; {_count(pk.n_frontier)} Pareto-optimal")
        else:
            console.print("[bold]Packages[/bold]: none acceptable to all parties")
        points = [(title, p) for title, p in (("Nash", pk.nash), ("Kalai–Smorodinsky", pk.kalai_smorodinsky)) if p]
        if points:
            t = Table(title="Bargaining packages", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                      pad_edge=False)
            t.add_column("issue", no_wrap=True)
            for title, _ in points:
                t.add_column(title)
            for k, issue in enumerate(pk.issues):
                t.add_row(issue.id, *(p.options[k].replace("_", " ") for _, p in points))
            console.print(t)
        for stage in pk.stages:
            console.print(f"  {stage.side}, {_stage_name(stage.name, stage.type)}: {stage.passing_count:,} of "
                          f"{stage.n_packages:,} packages pass with p ≥ 0.5")
    tr = result.truce
    if tr:
        labels = {s.id: s.label for s in tr.states}
        for concept, states in tr.stability.items():
            console.print(f"[bold]Truce game[/bold] {concept.upper()}-stable: " + ", ".join(labels.get(s, str(s)) for s in states))
    tr = result.track_record
    if tr:
        scores = ", ".join(f"{s.scorer} {fmt_num(s.brier, 3)} (n={s.n})" for s in tr.scores)
        console.print(f"[bold]Track record[/bold] (Brier over {len(tr.origins)} origins, lower is better): {scores}")
    ev = result.evidence
    if ev:
        rated = [s for s in ev.suggestions if s.agrees is not None]
        console.print(
            f"[bold]Evidence[/bold]: {len(ev.articles)} articles, {len(ev.statements)} statements, "
            f"{len(ev.claims)} numeric claims; {sum(1 for s in rated if s.agrees)} of {len(rated)} "
            "suggested positions agree with the hand-coded ones"
        )


def print_executive(out: RunOutput) -> None:
    """The executive summary of the result, the same words and numbers as the reports' first screen."""
    ex = executive_view(out.result)
    horizon = f"horizon {ex.horizon}" if ex.horizon else "no horizon set"
    console.rule(f"[bold]Executive summary[/bold] · as of {out.result.case.as_of} · {horizon}", align="left")
    console.print(ex.outlook, markup=False, highlight=False)
    if ex.in_short:
        console.print(ex.in_short, style="bold", markup=False, highlight=False)
    if out.result.agreements:
        console.print("[bold]Probabilities by deadline[/bold]")
        for a in out.result.agreements:
            console.print("  • " + a.text, markup=False, highlight=False, style=None if a.modelled else "dim")
    blocks = [("Is an agreement likely?", ex.evidence), ("What blocks it", [b.text for b in ex.blockers])]
    for title, lines in blocks:
        console.print(f"[bold]{title}[/bold]")
        for line in lines or ["(nothing found in this run)"]:
            console.print("  • " + line, markup=False, highlight=False)
    console.print("[bold]Likely terms if an agreement is reached[/bold]")
    if ex.conditioning:
        console.print("  " + ex.conditioning, style="dim", markup=False, highlight=False)
    for term in ex.terms:
        console.print(f"  • {term.title}: {term.text}", markup=False, highlight=False)
        if term.warning:
            console.print(f"    ⚠ {term.warning}", style="yellow", markup=False, highlight=False)
    changed = f" between {ex.changed_from} and {ex.changed_to}" if ex.changed_to else ""
    console.print(f"[bold]What changed{changed}[/bold]")
    fallback = "(the headline forecasts did not move)" if ex.changed_to else "(no comparison date in this run)"
    for line in [c.text for c in ex.changes] or [fallback]:
        console.print("  • " + line, markup=False, highlight=False)


def _stage_name(name: str, kind: str) -> str:
    """A stage's name with its type in brackets, unless the name already gives it
    ("Ukraine (threshold, τ = 0.648)")."""
    return name if f"({kind}," in name else f"{name} ({kind})"


def _count(n: int | None) -> str:
    return "–" if n is None else f"{n:,}"


def run_cmd(
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: the bundled default case)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date of the forecast (YYYY-MM-DD); default: the case's as_of."),
    compare: Optional[list[str]] = typer.Option(
        None, "--compare", help="Further dates to forecast (repeatable); default: the case's compare dates."),
    out: Path = typer.Option(Path("accord-out"), "--out", "-o", help="Folder for the outputs."),
    draws: int = typer.Option(DEFAULT_DRAWS, "--draws", help="Monte Carlo draws for the intervals."),
    seed: int = seed_option(),
    fmt: list[str] = typer.Option(["html", "json"], "--format", "-f", help="Report formats: html, md, json (repeatable)."),
    markets: Optional[Path] = typer.Option(None, "--markets", help="Market price CSV for the backtest baselines."),
) -> None:
    """Run the main job on a case: evidence, forecasts with intervals, packages, truce game, backtest and report."""
    if as_of is not None:
        parse_date(as_of)
    for d in compare or []:
        parse_date(d, "--compare")
    try:
        check_formats(fmt)
    except InputError as exc:
        raise InputError(exc.message, field="--format") from None
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

        with signals_interrupt() as received:
            try:
                result = run(case, as_of=as_of, compare=compare or None, out=out, draws=draws, seed=seed, formats=fmt,
                             markets=markets, progress=progress)
            except BaseException:
                if received.signum is None:
                    raise
        if received.signum is not None:
            bar.stop()
            exit_interrupted(received.signum, "the run stopped; an evidence ingest in progress was rolled back and "
                             "the reports in the output folder are the previous ones or complete new ones")
        bar.update(task, description="done", detail=f"{result.timings['total']:.1f} s", completed=len(STAGES))
    print_forecasts(result)
    print_simulation(result)
    print_findings(result)
    for p in result.problems:
        console.print(f"[yellow]skipped[/yellow] {p.error}")
    for kind, path in result.files.items():
        console.print(f"{kind}: {path}")
    print_saved(result, markets)
    print_executive(result)


def print_saved(out: RunOutput, markets: Optional[Path]) -> None:
    """Record the run in the output folder's evidence database (accord runs list shows it) and say so."""
    from accord.runs import save_run

    case = out.result.case
    saved = save_run(out.out_dir / SAVED_RUNS_DB, out.result, case.folder or ".", [markets] if markets else [])
    again = "" if saved.new else f" (same inputs and parameters as before: run {saved.times_run} times)"
    console.print(f"saved run: {saved.id} in {out.out_dir / SAVED_RUNS_DB}{again}")


def register(app: typer.Typer) -> None:
    """Add ``run``."""
    app.command("run")(run_cmd)
