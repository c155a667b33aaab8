"""Commands on levers: ``accord levers``, ``accord explain`` and ``accord blocs``.

Each builds the same typed section that ``accord run`` puts in its result (``accord.pipeline``), so the
terminal shows the numbers and sentences of the report. How they are computed: ``docs/methods/levers.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional

import typer

from accord.cli.common import OutputFormat, emit, err_console
from accord.cli.options import parse_date, seed_option
from accord.errors import InputError

FILE_HELP = ("Scenario file (YAML, JSON, long CSV), a case folder or a bundled case's name (a case's case.yaml gives "
             "the default dates).")
MODEL_HELP = ("Registered model name (repeatable; `accord models` lists them); default: every model `accord run` "
              "computes except reference points.")
LEVER_MODEL_HELP = MODEL_HELP.removesuffix(".") + " and those that link issues (ask for them: --model exchange)."


def _scenario(file: Path) -> tuple[Any, dt.date | None, list[dt.date]]:
    """The scenario, and the case's date and comparison dates when ``file`` is a case folder or a bundled case."""
    from accord.cases import bundled_cases, load_case
    from accord.scenario.io import load_scenario

    if not file.exists() and str(file) not in bundled_cases():
        raise InputError("file not found", file=str(file))
    if file.is_dir() or not file.exists():
        case = load_case(str(file))
        return load_scenario(case.scenario_path), case.config.as_of, list(case.config.compare)
    return load_scenario(file), None, []


def _models(given: Optional[list[str]], scenario: Any, *, linked: bool) -> list[str]:
    from accord.models.registry import get, names

    for m in given or []:
        if get(m).kind == "reference":
            err_console.print(f"{m}: a reference point, not a model of the actors; left out")
    if given:
        return list(given)
    return [m for m in names(tag="run") if get(m).kind != "reference" and (linked or not get(m).multi_issue)]


def _issues(given: Optional[list[str]], scenario: Any) -> list[str] | None:
    known = [i.id for i in scenario.issues]
    for k, iid in enumerate(given or []):
        if iid not in known:
            raise InputError(f"unknown issue {iid!r}; the scenario's issues: {', '.join(known)}",
                             field="--issue" if k == 0 else f"--issue ({iid})")
    return list(given) if given else None


def _date_or(value: Optional[str], option: str, default: dt.date | None) -> dt.date:
    when = parse_date(value, option) or default
    if when is None:
        raise InputError("give a date (YYYY-MM-DD): the file is not a case folder with default dates", field=option)
    return when


def _target(value: Optional[str]) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lo, hi = (float(v) for v in value.split(":"))
    except ValueError:
        raise InputError(f"not a band LO:HI of two numbers: {value!r}", field="--target") from None
    if not (0 <= lo <= hi <= 100):
        raise InputError(f"the band must satisfy 0 <= LO <= HI <= 100, got {value!r}", field="--target")
    return lo, hi


def levers_cmd(
    file: Path = typer.Argument(..., help=FILE_HELP),
    issue: Optional[list[str]] = typer.Option(None, "--issue", "-i", help="Issue id (repeatable); default: every issue."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help=LEVER_MODEL_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Each actor's latest position at this date (YYYY-MM-DD); "
                                        "default: the case's date, else every position's latest."),
    target: Optional[str] = typer.Option(None, "--target", help="Target band LO:HI on 0–100; default: the bands next "
                                         "to the forecast's band."),
    top: int = typer.Option(3, "--top", min=1, help="Levers listed per issue and model in the table."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Who moves each forecast: sensitivities, pivotal actors, and the smallest change that reaches a target band."""
    from accord.pipeline import Snapshot, levers_section

    scenario, case_date, _ = _scenario(file)
    issues = _issues(issue, scenario)
    band = _target(target)
    when = parse_date(as_of) or case_date or max(scenario.dates(), default=dt.date.today())
    snap = Snapshot.of(scenario, when)
    wanted = [i.id for i in snap.issues if issues is None or i.id in issues]
    for iid in [i.id for i in scenario.issues if (issues is None or i.id in issues) and i.id not in wanted]:
        err_console.print(f"{iid}: no actor holds a position on it on or before {when}; no levers")
    section = levers_section(scenario, snap, _models(model, scenario, linked=False), issues=issues,
                             targets={iid: [band] for iid in wanted} if band else None)
    if fmt is OutputFormat.json:
        typer.echo(section.model_dump_json(indent=2))
        return
    if not section.issues:
        return
    pivotal = [{"issue": il.issue, "model": il.model, "forecast": il.forecast,
                **{f"pivotal {k + 1}": f"{p.actor} {p.swing:.1f}" for k, p in enumerate(il.pivotal[:3])}}
               for il in section.issues]
    rows = [{"issue": il.issue, "model": il.model, "target": f"{lv.target_lo:g}–{lv.target_hi:g}",
             "size": lv.size, "lever": lv.text}
            for il in section.issues for lv in il.levers[:top]]
    if fmt is OutputFormat.csv:
        emit(rows, fmt)
        return
    emit(pivotal, fmt, title=f"Pivotal actors as of {when} (largest swing of the forecast, points)")
    emit(rows, fmt, title=f"What would it take: the {top} smallest changes per issue and model")
    for name, note in {il.model: il.note for il in section.issues if il.note}.items():
        typer.echo(f"{name}: {note}")


def explain_cmd(
    file: Path = typer.Argument(..., help=FILE_HELP),
    date_from: Optional[str] = typer.Option(None, "--from", help="Earlier date (YYYY-MM-DD); default: the case's date."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Later date (YYYY-MM-DD); default: the case's first "
                                          "comparison date."),
    issue: Optional[list[str]] = typer.Option(None, "--issue", "-i", help="Issue id (repeatable); default: every issue."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    max_exact: int = typer.Option(12, "--max-exact", min=1, max=20, help="Most changed inputs split exactly; above, "
                                  "random orders are sampled."),
    permutations: int = typer.Option(2000, "--permutations", min=2, help="Random orders sampled above --max-exact."),
    seed: int = seed_option("Random seed of the sampled orders."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Why each forecast moved between two dates: the change split over the inputs that changed (Shapley values)."""
    from accord.pipeline import explanations_section

    scenario, case_date, compare = _scenario(file)
    issues = _issues(issue, scenario)
    d1 = _date_or(date_from, "--from", case_date)
    d2 = _date_or(date_to, "--to", compare[0] if compare else None)
    section = explanations_section(scenario, d1, d2, _models(model, scenario, linked=True), issues=issues,
                                   max_exact=max_exact, permutations=permutations, seed=seed)
    if fmt is OutputFormat.json:
        typer.echo(section.model_dump_json(indent=2))
        return
    rows = []
    for e in section.issues:
        head = {"issue": e.issue, "model": e.model, "before": e.before, "after": e.after, "change": e.change}
        if not e.contributions:
            rows.append({**head, "actor": "", "input": e.note or "no input changed", "from": None, "to": None,
                         "contribution": None, "stderr": None})
        for c in sorted(e.contributions, key=lambda c: -abs(c.value or 0.0)):
            rows.append({**head, "actor": c.actor, "input": c.input, "from": c.before, "to": c.after,
                         "contribution": c.value, "stderr": c.stderr})
    emit(rows, fmt, title=f"Why the forecasts moved, {d1} to {d2} (contributions add up to the change)")


def blocs_cmd(
    file: Path = typer.Argument(..., help=FILE_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Each actor's latest position at this date (YYYY-MM-DD)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Blocs of actors by closeness of positions, and the coalition each forecast rests on."""
    from accord.pipeline import Snapshot, blocs_section

    scenario, case_date, _ = _scenario(file)
    when = parse_date(as_of) or case_date or max(scenario.dates(), default=dt.date.today())
    section = blocs_section(scenario, Snapshot.of(scenario, when), _models(model, scenario, linked=False))
    if fmt is OutputFormat.json:
        typer.echo(section.model_dump_json(indent=2))
        return
    rows = [{"issue": c.issue, "model": c.model, "forecast": c.forecast, "band": c.band_label,
             "rests on": "; ".join(" + ".join(s) for s in c.sets) or "no small coalition",
             "without them": "; ".join(f"{v:.1f}" for v in c.moved_to if v is not None) or "–"}
            for c in section.coalitions]
    if fmt is OutputFormat.table:
        typer.echo(f"Blocs as of {when} (cut at {section.threshold:.2f}): " +
                   "; ".join(" + ".join(b) for b in section.blocs))
    emit(rows, fmt, title="The coalition each forecast rests on")


def register(app: typer.Typer) -> None:
    """Add the levers, explain and blocs commands."""
    app.command("levers")(levers_cmd)
    app.command("explain")(explain_cmd)
    app.command("blocs")(blocs_cmd)
