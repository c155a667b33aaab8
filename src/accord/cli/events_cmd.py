"""``accord events``: the probability of each event of a case's events.yaml by its deadline, at one date."""

from __future__ import annotations

from typing import Optional

import typer

from accord.cli.common import OutputFormat, emit
from accord.cli.options import parse_date, seed_option
from accord.errors import InputError


def events_cmd(
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: the bundled case)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Forecast origin, YYYY-MM-DD (default: the case's as_of)."),
    draws: int = typer.Option(1000, "--draws", min=1, max=1_000_000, help="Monte Carlo draws per event."),
    seed: int = seed_option(),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="Output format."),
) -> None:
    """Probability of each event of the case's events.yaml by its deadline, with its Monte Carlo error
    (docs/methods/agreement.md). Only inputs dated on or before the origin are read."""
    from accord.analysis.agreement import forecast_events
    from accord.analysis.events import EVENTS_FILE, load_events
    from accord.cases import load_case

    the_case = load_case(case)
    path = the_case.file(EVENTS_FILE)
    if path is None:
        raise InputError(f"the case has no {EVENTS_FILE}", file=str(the_case.folder))
    origin = parse_date(as_of) or the_case.config.as_of
    if origin is None:
        raise InputError("no date: give --as-of or set as_of in case.yaml", field="--as-of")
    rows = []
    for f in forecast_events(the_case, load_events(path), origin, draws=draws, seed=seed):
        rows.append({"event": f.event_id, "deadline": f.deadline.isoformat(),
                     "probability": f.probability, "mc_error": f.mc_error, "p_terms": f.p_terms,
                     "p_by_deadline": f.p_by_deadline, "modelled": f.modelled, "reason": f.reason})
    emit(rows, fmt, title=f"Events of {the_case.name} forecast at {origin.isoformat()} ({draws:,} draws)")


def register(app: typer.Typer) -> None:
    app.command("events")(events_cmd)
