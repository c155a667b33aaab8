"""Commands on scenario files: validate, forecast, convert."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from accord.cli.common import OutputFormat, emit, err_console
from accord.cli.options import parse_date, parse_model_params
from accord.models.registry import closed_form_names, forecast, get
from accord.scenario.io import (
    FORMATS,
    detect_format,
    dumps_scenario,
    load_issues,
    load_scenario,
    save_scenario,
    scenario_differences,
)


def validate(file: Path = typer.Argument(..., help="Scenario file (YAML, JSON, long CSV or Decide rows).")) -> None:
    """Check a scenario file; print a summary, or one line naming the problem and exit 2."""
    if detect_format(file) == "deu":
        issues = load_issues(file)
        typer.echo(f"ok {file}: DEU table with {len(issues)} issues")
        return
    scenario = load_scenario(file)
    typer.echo(
        f"ok {file}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, "
        f"{len(scenario.positions)} positions"
        + (f" dated {scenario.dates()[0]} to {scenario.dates()[-1]}" if scenario.positions else "")
    )


def forecast_cmd(
    file: Path = typer.Argument(..., help="Scenario file or DEU table."),
    model: Optional[list[str]] = typer.Option(
        None, "--model", "-m", help="Registered model name (repeatable; `accord models` lists them); default: the closed-form models."
    ),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use each actor's latest position at this date (YYYY-MM-DD)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    param: Optional[list[str]] = typer.Option(
        None, "--param", "-p", help="A model parameter as MODEL.NAME=VALUE (repeatable), e.g. exchange.variant=decide."
    ),
) -> None:
    """Forecast the outcome of every issue with one or more models."""
    names = list(model) if model else closed_form_names()
    for m in names:
        get(m)
    params = parse_model_params(param or [])
    issues = load_issues(file, parse_date(as_of))
    results = [forecast(issues, m, **params.get(m, {})) for m in names]
    rows = []
    for issue in issues:
        row: dict = {"issue": issue.id}
        for r in results:
            f = r.forecasts.get(issue.id)
            row[r.model] = None if f is None else f.value
        rows.append(row)
    emit(rows, fmt, title=f"Forecasts for {file.name}" + (f" as of {as_of}" if as_of else ""))


def convert(
    source: Path = typer.Argument(..., help="Scenario file to read."),
    target: Path = typer.Argument(..., help="File to write; the format follows the extension (.yaml, .json, .csv, .decide)."),
    to: Optional[str] = typer.Option(None, "--to", help=f"Output format: {', '.join(FORMATS)}."),
) -> None:
    """Convert a scenario between YAML, JSON, long CSV and Decide formats, keeping every field."""
    scenario = load_scenario(source)
    save_scenario(scenario, target, to)
    lost = scenario_differences(scenario, load_scenario(target))
    if lost:
        err_console.print(f"warning: {target} does not read back the same {', '.join(lost)}", markup=False, highlight=False)
    if detect_format(target) == "decide":
        err_console.print(
            "note: other Decide tools read only the latest position per actor and issue (#D rows); "
            "dates, history and the other fields are in '#/' 'accord:' rows that they skip",
            markup=False, highlight=False,
        )
    typer.echo(f"wrote {target}")


def register(app: typer.Typer) -> None:
    """Add the scenario commands."""
    app.command("validate")(validate)
    app.command("forecast")(forecast_cmd)
    app.command("convert")(convert)


__all__ = ["register", "dumps_scenario"]
