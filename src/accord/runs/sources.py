"""Where a command finds a run result: a ``result.json`` file, a saved run's id in an evidence database, or a
scenario at a date (forecasts only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import accord
from accord.errors import InputError
from accord.io import read_json
from accord.pipeline import Snapshot, forecast_table, missing_positions, scenario_section
from accord.result import CaseInfo, DatedForecasts, RunResult, load_result
from accord.runs.store import load_run
from accord.scenario.model import Scenario


def result_from(source: str | Path, db: str | Path) -> tuple[RunResult, str]:
    """The run result ``source`` names, and a short label of it: an existing file is read as ``result.json``,
    anything else is looked up as a saved run id in ``db``."""
    path = Path(source)
    if path.is_file():
        return load_result(read_json(path), file=str(path)), path.name
    if path.suffix.lower() == ".json":
        raise InputError("no such file", file=str(path))
    saved = load_run(db, str(source))
    if saved.result is None:
        raise InputError(f"saved run {saved.id} has no result", file=str(db), field="ID")
    return saved.result, f"run {saved.id}"


def scenario_result(scenario: Scenario, date: dt.date, models: Sequence[str]) -> RunResult:
    """The forecast-only run result of ``scenario`` at ``date``: its snapshot and every model's forecasts."""
    snap = Snapshot.of(scenario, date)
    return RunResult(
        case=CaseInfo(id=scenario.id, title=scenario.title, as_of=date, version=accord.__version__),
        scenario=scenario_section(scenario, snap), models=list(models),
        forecasts=[DatedForecasts(date=date, values=forecast_table(snap.issues, models),
                                  missing=missing_positions(snap, scenario))])
