"""``accord compare``: two scenario files (or result.json files), or one at two dates, side by side."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from accord.cli.common import OutputFormat, console, emit
from accord.cli.options import parse_date
from accord.errors import InputError

if TYPE_CHECKING:
    from accord.analysis.compare import Comparison
    from accord.result import RunResult

FORMATS = ("table", "csv", "json", "html")
INTRO = ("“before” is {a}, “after” is {b}; positions and forecasts on the issues' 0–100 scales, probabilities on "
         "0–1. A dash is a figure one side does not have.")


def load_side(source: Path, date: dt.date | None, models: list[str], option: str) -> RunResult:
    """The run result of one side: a ``result.json`` as it is, or a scenario file (or case folder) at ``date``
    (default: its latest position date, or the case's as_of)."""
    from accord.cases import load_case
    from accord.runs.sources import scenario_result
    from accord.scenario.io import load_scenario

    if source.is_file() and source.suffix.lower() == ".json":
        from accord.runs.sources import result_from

        if date is not None:
            raise InputError("a result.json has its own date; dates apply to scenario files", field=option)
        return result_from(source, source)[0]
    if source.is_dir():
        case = load_case(source)
        scenario, default = load_scenario(case.scenario_path), case.config.as_of
    elif source.is_file():
        scenario = load_scenario(source)
        default = scenario.dates()[-1] if scenario.dates() else None
    else:
        raise InputError("no such file or folder", file=str(source))
    when = date or default
    if when is None:
        raise InputError("the scenario has no dated positions; give a date", file=str(source), field=option)
    return scenario_result(scenario, when, models)


def comparison_page(comparison: Comparison) -> str:
    """The comparison as a self-contained HTML page, sources with their addresses."""
    from accord.report.tables_page import render_tables_page

    return render_tables_page(comparison.title(), INTRO.format(a=comparison.a, b=comparison.b),
                              comparison.tables(addresses=True), empty="Nothing differs or nothing to compare.")


def print_comparison(comparison: Comparison, fmt: str, out: Optional[Path]) -> None:
    """The comparison as terminal tables, CSV, JSON or an HTML page (written to ``out`` when given)."""
    from accord.report.writer import write_text

    if fmt == "html":
        page = comparison_page(comparison)
        if out is None:
            typer.echo(page, nl=False)
        else:
            console.print(f"html: {write_text(out, page)}")
        return
    if out is not None:
        raise InputError("--out applies to --format html", field="--out")
    if fmt == "json":
        typer.echo(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    for title, rows in comparison.tables():
        if rows:
            emit(rows, OutputFormat(fmt), title=f"{title}: {comparison.a} → {comparison.b}")
        elif fmt == "table":
            console.print(f"{title}: no difference or nothing to compare", style="dim")


def check_format(fmt: str) -> str:
    """The output format, lower case; InputError naming --format for an unknown one."""
    if fmt.lower() not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}", field="--format")
    return fmt.lower()


def compare_cmd(
    a: Path = typer.Argument(..., metavar="A", help="Scenario file, case folder or result.json (before)."),
    b: Optional[Path] = typer.Argument(None, metavar="[B]", help="Scenario file, case folder or result.json (after); "
                                       "omitted: A at --from and --to."),
    date_from: Optional[str] = typer.Option(None, "--from", help="Date of A (YYYY-MM-DD)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Date of B, or of A again when B is omitted."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="Models to compare (repeatable); "
                                              "default: every model accord run uses."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File for the HTML page (default: standard output)."),
) -> None:
    """Compare two scenarios (or one at two dates): inputs that differ, forecasts, probabilities, packages."""
    from accord.analysis.compare import compare_results
    from accord.models.registry import names

    fmt = check_format(fmt)
    d1, d2 = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if b is None and (d1 is None or d2 is None):
        raise InputError("with one file, give both --from and --to", field="--from" if d1 is None else "--to")
    models = list(model) if model else names(tag="run")
    known = names()
    for m in models:
        if m not in known:
            raise InputError(f"unknown model {m!r}; see 'accord models'", field="--model")
    before = load_side(a, d1, models, "--from")
    after = load_side(b if b is not None else a, d2, models, "--to")
    label_a, label_b = (a.name, (b or a).name) if b is not None else (str(d1), str(d2))
    print_comparison(compare_results(before, after, label_a, label_b), fmt, out)


def register(app: typer.Typer) -> None:
    """Add ``compare``."""
    app.command("compare")(compare_cmd)
