"""Event backtests: forecasts made at one date, turned into event probabilities and scored against what happened.

The one-dimensional models forecast where each issue lands, not whether an event happens.
A case turns Monte Carlo forecasts into event probabilities with explicit rules of its
own (``EVENT_RULES`` in its ``case.py``, an :class:`EventRules`); this module applies
them, scores the probabilities with the Brier score beside the crowd and market baselines
that the case's ``outcomes.yaml`` lists (and the Polymarket prices, where given), and
checks whether the models predicted the direction in which positions moved. A case
without rules or without outcomes has no backtest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from accord.analysis.uncertainty import SimulationResult, simulate
from accord.errors import InputError
from accord.io import Id, read_text, read_yaml, validate_yaml
from accord.models.bdm import run_bdm
from accord.models.registry import forecast
from accord.scenario.model import Scenario

if TYPE_CHECKING:
    from accord.cases import Case

DEFAULT_MODELS = ("bdm", "compromise", "nash", "weighted-median")
RULE_KEYS = ("event", "question", "rule", "outcome")


@dataclass(frozen=True)
class EventRule:
    """How one observed event's probability is derived from a simulation."""

    outcome_id: str
    question: str
    rule: str
    probability: Callable[[Draws, str], float]


@dataclass(frozen=True)
class EventRules:
    """A case's event rules, the rule applied to resolved market questions, and the tolerance of "near"."""

    events: tuple[EventRule, ...]
    tolerance: float
    market_rule: EventRule | None = None


@dataclass
class Draws:
    """Per-draw forecasts and drawn positions of one simulation, by issue (what event rules read)."""

    sim: SimulationResult
    tolerance: float

    def forecast(self, issue: str, model: str) -> np.ndarray | None:
        """The model's forecast of ``issue`` in every draw, None where the issue is not covered."""
        try:
            k = self.sim.issue_position(issue)
        except KeyError:
            return None
        if not self.sim.covered[model][k]:
            return None
        return self.sim.values[model][k]

    def position(self, issue: str, actor: str) -> np.ndarray | None:
        """The actor's drawn position on ``issue`` in every draw, None where it has none."""
        try:
            k = self.sim.issue_position(issue)
        except KeyError:
            return None
        actors = self.sim.issues[k].actors
        if actor not in actors or self.sim.inputs is None:
            return None
        return self.sim.inputs[k][0][:, actors.index(actor)]

    def near(self, issue: str, model: str, actors: Sequence[str]) -> np.ndarray | None:
        """Draws where the forecast lies within the tolerance of every actor's drawn position."""
        f = self.forecast(issue, model)
        if f is None:
            return None
        ok = np.ones_like(f, dtype=bool)
        for a in actors:
            x = self.position(issue, a)
            if x is None:
                return None
            ok &= np.abs(f - x) <= self.tolerance
        return ok

    def all_near(self, issues: Sequence[str], model: str, actors: Sequence[str]) -> np.ndarray:
        """Draws where every issue (of those the simulation covers) is near every actor."""
        ok = np.ones(self.sim.draws, dtype=bool)
        for issue in issues:
            hit = self.near(issue, model, actors)
            if hit is not None:
                ok &= hit
        return ok

    def band(self, issue: str, model: str, lo: float, hi: float) -> np.ndarray | None:
        """Draws where the forecast lies in [lo, hi]."""
        f = self.forecast(issue, model)
        return None if f is None else (f >= lo) & (f <= hi)

@dataclass
class Backtest:
    """Event probabilities, Brier scores and the direction-of-movement check."""

    as_of: str
    scored_at: str
    draws: int
    rows: list[dict[str, Any]]
    brier: dict[str, dict[str, float]]
    direction: list[dict[str, Any]]
    direction_summary: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)
    shift_window: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return dict(self.__dict__)


class _Open(BaseModel):
    """Checked fields of an outcomes-file entry; other fields (notes, sources) are kept as they are."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class _Outcome(_Open):
    id: Id
    value: Union[StrictBool, StrictInt, None]


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


def market_prices(path: str | Path, on: dt.date) -> list[dict[str, Any]]:
    """Each resolved market's last price at or before ``on`` (Polymarket CSV format).

    A file that cannot be read, lacks a column or holds a bad value raises an InputError
    naming the file, line and column.
    """
    file = str(path)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), strict=True)
    latest: dict[str, dict[str, Any]] = {}
    try:
        missing = [c for c in MARKET_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}; expected {','.join(MARKET_COLUMNS)}", file=file,
                             line=1)
        for row in reader:
            rec = _market_row(row, file, reader.line_num)
            if rec["date"] > on or rec["outcome"] is None or rec["end"] < on:
                continue
            cur = latest.get(rec["slug"])
            if cur is None or rec["time"] >= cur["time"]:
                latest[rec["slug"]] = rec
    except csv.Error as exc:
        raise InputError(f"cannot split the row ({exc})", file=file, line=reader.line_num) from None
    return [
        {"slug": r["slug"], "question": r["market"], "price": r["price"], "date": r["time"][:10],
         "end_date": r["end_date"], "outcome": r["outcome"]}
        for r in sorted(latest.values(), key=lambda r: r["end_date"])
    ]


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
        outcome = None if row["resolution"] == "" else int(float(row["resolution"]))
    except ValueError as exc:
        raise InputError(str(exc), file=file, line=line, field=column) from None
    return {**row, "date": date, "end": end, "price": price, "outcome": outcome}


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


def run_backtest(
    case: Case,
    scenario: Scenario,
    as_of: str | dt.date,
    simulation: SimulationResult | None = None,
    markets: str | Path | None = None,
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    draws: int = 2000,
    seed: int = 0,
) -> Backtest | None:
    """The case's backtest at ``as_of``, or None when the case defines no event rules or has no outcomes.yaml."""
    rules = getattr(case.hooks, "EVENT_RULES", None)
    outcomes_path = case.file("outcomes.yaml")
    if rules is None or outcomes_path is None:
        return None
    return score_events(scenario, load_outcomes(outcomes_path), rules, as_of=str(as_of), models=models, draws=draws,
                        seed=seed, markets=markets, simulation=simulation)


def score_events(
    scenario: Scenario,
    outcomes: dict[str, Any],
    rules: EventRules,
    *,
    as_of: str,
    models: Sequence[str] = DEFAULT_MODELS,
    draws: int = 2000,
    seed: int = 0,
    markets: str | Path | None = None,
    simulation: SimulationResult | None = None,
) -> Backtest:
    """Score the event probabilities that ``rules`` derive from the models at ``as_of`` against the outcomes."""
    sim = simulation if simulation is not None and simulation.inputs is not None else simulate(
        scenario.issue_data(as_of), models=list(models), draws=draws, seed=seed, keep_inputs=True
    )
    d = Draws(sim, rules.tolerance)
    notes: list[str] = []
    rows = _event_rows(d, outcomes, rules, models, as_of, notes)
    rows += _market_rows(d, rules, models, as_of, markets, notes)
    direction, dsum = direction_check(scenario, outcomes, as_of, models)
    window = outcomes.get("window") or {}
    return Backtest(
        as_of=as_of,
        scored_at=str(outcomes.get("as_of")),
        draws=sim.draws,
        rows=rows,
        brier=_brier(rows, models),
        direction=direction,
        direction_summary=dsum,
        notes=sorted(set(notes)),
        shift_window=(str(window["from"]), str(window["to"])) if "from" in window and "to" in window else None,
    )


def _model_probabilities(d: Draws, rule: EventRule, models: Sequence[str]) -> dict[str, float]:
    out = {}
    for m in models:
        p = rule.probability(d, m)
        if np.isfinite(p):
            out[m] = p
    return out


def _event_rows(d: Draws, outcomes: dict[str, Any], rules: EventRules, models: Sequence[str], as_of: str,
                notes: list[str]) -> list[dict[str, Any]]:
    observed = {o["id"]: o for o in outcomes.get("outcomes", [])}
    baselines = [b for b in outcomes.get("baselines", []) if b.get("probability") is not None and b.get("outcome") is not None]
    rows = []
    for rule in rules.events:
        if rule.outcome_id not in observed:
            continue
        row: dict[str, Any] = {"event": rule.outcome_id, "question": rule.question, "rule": rule.rule,
                               "outcome": int(bool(observed[rule.outcome_id]["value"]))}
        row.update(_model_probabilities(d, rule, models))
        for b in baselines:
            if b.get("outcome_id") == rule.outcome_id:
                row[b["id"]] = float(b["probability"])
                notes.append(f"{b['id']} ({b['platform']}) is dated {b['date']}, after the forecast date {as_of}.")
        rows.append(row)
    return rows


def _market_rows(d: Draws, rules: EventRules, models: Sequence[str], as_of: str, markets: str | Path | None,
                 notes: list[str]) -> list[dict[str, Any]]:
    if markets is None:
        return []
    if not Path(markets).is_file():
        notes.append(f"market prices not found at {markets}; Polymarket rows left out")
        return []
    if rules.market_rule is None:
        notes.append("the case defines no rule for market questions; Polymarket rows left out")
        return []
    try:
        prices = market_prices(markets, dt.date.fromisoformat(as_of))
    except InputError as exc:
        notes.append(f"market prices unreadable ({exc}); Polymarket rows left out")
        return []
    rows = []
    for mk in prices:
        row = {"event": mk["slug"], "question": mk["question"], "rule": rules.market_rule.rule,
               "outcome": mk["outcome"], "polymarket": mk["price"]}
        row.update(_model_probabilities(d, rules.market_rule, models))
        rows.append(row)
    return rows


def _brier(rows: list[dict[str, Any]], models: Sequence[str]) -> dict[str, dict[str, float]]:
    """Brier score per model and baseline; each baseline also beside the models on its own events."""
    sources = list(models) + sorted({k for r in rows for k in r} - set(models) - set(RULE_KEYS))
    brier: dict[str, dict[str, float]] = {}
    for src in sources:
        scored = [(r[src], r["outcome"]) for r in rows if src in r]
        if scored:
            brier[src] = {"n": len(scored), "brier": float(np.mean([(p - o) ** 2 for p, o in scored]))}
    # the same events scored by an uninformed 50% forecaster, for scale
    brier["uninformed-0.5"] = {"n": len(rows), "brier": 0.25}
    for src in sources:
        if src in models:
            continue
        common = [r for r in rows if src in r]
        for m in models:
            pairs = [(r[m], r["outcome"]) for r in common if m in r]
            if pairs:
                brier[src][f"{m} on these events"] = float(np.mean([(p - o) ** 2 for p, o in pairs]))
    return brier
