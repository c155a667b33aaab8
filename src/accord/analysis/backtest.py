"""What happened in a case, as the backtests read it: the outcomes file, market prices, the direction check.

``outcomes.yaml`` (format: docs/formats.md) resolves every question of the case's ``events.yaml``
(the day it resolved, its "nothing changes" answer, the market that priced it), lists crowd
forecasts and the dates the rolling backtest forecasts from (:mod:`accord.analysis.rolling`),
and records how positions moved, which :func:`direction_check` compares with what each model
predicted. Method: docs/methods/backtest.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from accord.errors import InputError
from accord.io import Id, read_text, read_yaml, validate_yaml
from accord.models.bdm import run_bdm
from accord.models.registry import forecast
from accord.scenario.model import Scenario

DEFAULT_MODELS = ("bdm", "compromise", "nash", "weighted-median")


class _Open(BaseModel):
    """Checked fields of an outcomes-file entry; other fields (notes, sources) are kept as they are."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class _Outcome(_Open):
    id: Id
    value: StrictBool
    date: dt.date
    status_quo: Optional[StrictBool] = None
    market: Optional[Id] = None


class _Unknown(_Open):
    id: Id
    value: None = None


class _Baseline(_Open):
    id: Id
    platform: str = ""
    date: Union[dt.date, str] = ""
    probability: Optional[float] = Field(default=None, ge=0, le=1)
    outcome: Union[StrictBool, StrictInt, None] = None
    outcome_id: Optional[str] = None


class _Shift(_Open):
    actor: Id
    from_: float = Field(alias="from")
    to: float


class _IssueShifts(_Open):
    shifted: list[_Shift] = []


class _Window(_Open):
    from_: Optional[dt.date] = Field(default=None, alias="from")
    to: Optional[dt.date] = None


class _OutcomesFile(_Open):
    outcomes: list[_Outcome]
    unknown: list[_Unknown] = []
    origins: list[dt.date] = []
    baselines: list[_Baseline] = []
    position_shifts: dict[Id, _IssueShifts] = {}
    window: Optional[_Window] = None


def load_outcomes(path: str | Path) -> dict[str, Any]:
    """The case's outcomes file: observed events, baselines and position shifts (format: docs/formats.md).

    The fields the backtest reads are checked (types, probabilities in [0, 1]); a problem
    is an InputError naming the file, line and field.
    """
    data, lines = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("outcomes"), list):
        raise InputError("an outcomes file needs an 'outcomes' list", file=str(path))
    validate_yaml(_OutcomesFile, data, lines, str(path))
    return data


MARKET_COLUMNS = ("slug", "market", "time", "price", "end_date", "resolution")


def market_history(path: str | Path) -> dict[str, list[tuple[dt.date, float]]]:
    """Every market's prices by day, oldest first (Polymarket CSV format; the last price of a day counts).

    A file that cannot be read, lacks a column or holds a bad value raises an InputError
    naming the file, line and column.
    """
    file = str(path)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), strict=True)
    latest: dict[tuple[str, dt.date], tuple[str, float]] = {}
    try:
        missing = [c for c in MARKET_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}; expected {','.join(MARKET_COLUMNS)}", file=file,
                             line=1)
        for row in reader:
            rec = _market_row(row, file, reader.line_num)
            key = (rec["slug"], rec["date"])
            if key not in latest or rec["time"] >= latest[key][0]:
                latest[key] = (rec["time"], rec["price"])
    except csv.Error as exc:
        raise InputError(f"cannot split the row ({exc})", file=file, line=reader.line_num) from None
    out: dict[str, list[tuple[dt.date, float]]] = {}
    for (slug, day), (_, price) in sorted(latest.items()):
        out.setdefault(slug, []).append((day, price))
    return out


def _market_row(row: dict[str, Any], file: str, line: int) -> dict[str, Any]:
    """One price row with its dates, price and resolution read; a bad value names its column."""
    column = "time"
    try:
        if any(row.get(c) is None for c in MARKET_COLUMNS):
            raise ValueError("the row has fewer cells than the header")
        date = dt.date.fromisoformat(row["time"][:10])
        column = "end_date"
        end = dt.date.fromisoformat(row["end_date"])
        column = "price"
        price = float(row["price"])
        if not 0 <= price <= 1:
            raise ValueError(f"a price lies in [0, 1], got {price}")
        column = "resolution"
        outcome = None if row["resolution"] == "" else _resolution(row["resolution"])
    except ValueError as exc:
        raise InputError(str(exc), file=file, line=line, field=column) from None
    return {**row, "date": date, "end": end, "price": price, "outcome": outcome}


def _resolution(text: str) -> int:
    """A market's resolution: 0 or 1 (a ValueError otherwise, also for inf, nan and 0.5)."""
    value = float(text)
    if value not in (0.0, 1.0):
        raise ValueError(f"a resolution is empty, 0 or 1, got {text.strip()[:40]!r}")
    return int(value)


def _sign(v: float, eps: float = 1e-9) -> int:
    return 0 if abs(v) <= eps else (1 if v > 0 else -1)


def direction_check(scenario: Scenario, outcomes: dict[str, Any], as_of: str, models: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Did each model predict the direction of the position shifts that happened?

    BDM predicts an actor's move by its position at the end of the run; the other models
    by the pull towards their forecast (the sign of forecast − position).
    """
    issues = {i.id: i for i in scenario.issue_data(as_of)}
    rows = []
    for issue_id, shifts in (outcomes.get("position_shifts") or {}).items():
        if issue_id not in issues:
            continue
        issue = issues[issue_id]
        predicted: dict[str, dict[str, float]] = {}
        for m in models:
            if m == "bdm":
                run = run_bdm(issue)
                predicted[m] = {a: float(run.positions[-1][k] - run.positions[0][k]) for k, a in enumerate(issue.actors)}
            else:
                value = forecast([issue], m).forecasts.get(issue_id)
                if value is None:
                    continue
                predicted[m] = {a: float(value.value - x) for a, x in zip(issue.actors, issue.x)}
        for shift in shifts.get("shifted") or []:
            actual = _sign(float(shift["to"]) - float(shift["from"]))
            row = {"issue": issue_id, "actor": shift["actor"], "from": shift["from"], "to": shift["to"], "actual": actual}
            for m, moves in predicted.items():
                if shift["actor"] in moves:
                    row[m] = _sign(moves[shift["actor"]])
            rows.append(row)
    summary = {}
    for m in models:
        scored = [r for r in rows if m in r]
        hits = sum(r[m] == r["actual"] for r in scored)
        summary[m] = {"n": len(scored), "matches": hits, "share": hits / len(scored) if scored else float("nan")}
    return rows, summary
