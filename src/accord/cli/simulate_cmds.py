"""Commands on the models: ``accord models``, ``accord simulate`` and ``accord sensitivity``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from accord.cli.common import OutputFormat, emit, err_console
from accord.cli.options import parse_date, seed_option
from accord.errors import InputError
from accord.execution import Execution
from accord.models.issue import IssueData


def _load(file: Path, as_of: Optional[str]) -> tuple[list[IssueData], dict, dict, dict]:
    """Issues at the date, with band edges, band labels and position steps from the scenario."""
    from accord.analysis.uncertainty import scenario_bands
    from accord.scenario.io import detect_format, load_issues, load_scenario

    if not file.exists():
        raise InputError("file not found", file=str(file))
    when = parse_date(as_of)
    if detect_format(file) == "deu":
        return load_issues(file, when), {}, {}, {}
    scenario = load_scenario(file)
    issues = scenario.issue_data(when)
    if not issues:
        raise InputError("no issue has a position" + (f" on or before {when}" if when else ""), file=str(file))
    edges, labels = scenario_bands(scenario)
    steps = {i.id: i.scale.step() for i in scenario.issues}
    return issues, edges, labels, steps


class _Bar:
    """A rich progress bar on stderr, driven by ``(done, total)`` callbacks."""

    def __init__(self, label: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err_console, transient=True,
        )
        self.task = self.progress.add_task(label, total=total)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def __call__(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total)


def simulate_cmd(
    file: Path = typer.Argument(..., help="Scenario file (YAML, JSON, long CSV, Decide) or DEU table."),
    draws: int = typer.Option(1000, "--draws", "-n", help="Number of Monte Carlo draws."),
    seed: int = seed_option("Random seed; the same seed gives the same intervals."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use each actor's latest position at this date (YYYY-MM-DD)."),
    model: Optional[list[str]] = typer.Option(
        None, "--model", "-m", help="Registered model name (repeatable; `accord models` lists them); default: every one-issue model `accord run` computes."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Run chunks on a local Dask cluster with this many workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a Dask scheduler to run chunks on."),
    chunk: int = typer.Option(1000, "--chunk", help="Draws per chunk (fixes the random streams; keep it when comparing runs)."),
    salience_sd: float = typer.Option(0.1, "--salience-sd", help="Sd of the additive salience noise."),
    capability_sd: float = typer.Option(0.2, "--capability-sd", help="Sd of the log-normal capability shock per actor."),
    position_scale: float = typer.Option(1.0, "--position-scale", help="Multiplier on every position's stated uncertainty."),
) -> None:
    """Forecast intervals: quantiles, mean and band probabilities per issue and model over perturbed inputs."""
    from accord.analysis.uncertainty import NoiseSpec, as_model_runs, simulate

    runs = as_model_runs(model, None)
    issues, edges, labels, _ = _load(file, as_of)
    noise = NoiseSpec(position_scale=position_scale, salience_sd=salience_sd, capability_sd=capability_sd)
    execution = Execution.from_options(workers, scheduler)
    with _Bar(f"simulating {len(issues)} issues", draws) as bar:
        result = simulate(issues, runs, draws=draws, seed=seed, noise=noise,
                          execution=execution, progress=bar, bands=edges, band_labels=labels, chunk=chunk)
    if fmt is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    rows = result.to_rows()
    if fmt is OutputFormat.table:  # the full band label: the table wraps it to the terminal's width
        rows = [{k: v for k, v in r.items() if k != "bands"} for r in rows]
    emit(rows, fmt, title=f"{draws} draws, seed {seed}: {file.name}" + (f" as of {as_of}" if as_of else ""))


def sensitivity_cmd(
    file: Path = typer.Argument(..., help="Scenario file (YAML, JSON, long CSV, Decide) or DEU table."),
    model: Optional[list[str]] = typer.Option(
        None, "--model", "-m", help="Registered model name (repeatable; `accord models` lists them); default: bdm."
    ),
    method: str = typer.Option("both", "--method", help="oat (one-at-a-time sweeps), variance (first-order indices) or both."),
    draws: int = typer.Option(2000, "--draws", "-n", help="Monte Carlo draws for the variance-based ranking."),
    seed: int = seed_option(),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use each actor's latest position at this date (YYYY-MM-DD)."),
    top: int = typer.Option(3, "--top", help="Drivers listed per issue, model and method."),
    bins: int = typer.Option(20, "--bins", help="Quantile bins of the first-order index."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Run chunks on a local Dask cluster with this many workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a Dask scheduler to run chunks on."),
) -> None:
    """Which actor and which input move each issue's forecast most."""
    from accord.analysis.sensitivity import oat_drivers, oat_sweep, variance_ranking

    if method not in ("oat", "variance", "both"):
        raise InputError(f"unknown method {method!r}; use oat, variance or both", field="--method")
    if top < 1:
        raise InputError("must be >= 1", field="--top")
    issues, _, _, steps = _load(file, as_of)
    names = list(model) if model else ["bdm"]
    drivers = []
    if method in ("oat", "both"):
        drivers += oat_drivers(oat_sweep(issues, names, steps=steps))
    if method in ("variance", "both"):
        execution = Execution.from_options(workers, scheduler)
        for name in names:
            with _Bar(f"simulating {name}", draws) as bar:
                drivers += variance_ranking(issues, name, draws=draws, seed=seed, execution=execution, bins=bins, progress=bar)
    order = {i.id: k for k, i in enumerate(issues)}
    rows = []
    counts: dict[tuple[str, str, str], int] = {}
    for d in sorted(drivers, key=lambda d: (order[d.issue], names.index(d.model), d.method)):
        key = (d.issue, d.model, d.method)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= top:
            rows.append({"issue": d.issue, "model": d.model, "method": d.method, "rank": counts[key],
                         "actor": d.actor, "input": d.input, "score": d.score})
    emit(rows, fmt, title=f"Sensitivity: {file.name}" + (f" as of {as_of}" if as_of else ""))


def models_cmd(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """The registered models: name, label, kind, tags and parameters with their defaults."""
    from accord.models.registry import get, names

    rows = []
    for name in names():
        spec = get(name)
        rows.append({
            "model": name, "label": spec.label, "kind": spec.kind + (" (links issues)" if spec.multi_issue else ""),
            "tags": " ".join(sorted(spec.tags)),
            "parameters": " ".join(f"{k}={'(rule default)' if v is None else v}" for k, v in spec.defaults().items()),
        })
    emit(rows, fmt, title="Registered models (methods: docs/methods/)")


def register(app: typer.Typer) -> None:
    """Add the models, simulate and sensitivity commands."""
    app.command("models")(models_cmd)
    app.command("simulate")(simulate_cmd)
    app.command("sensitivity")(sensitivity_cmd)
