"""Backtest of the Ukraine case: forecasts made at one date scored against what happened.

The 1-D models forecast where each issue lands, not whether an event happens. accord turns
Monte Carlo forecasts into event probabilities with explicit rules, one per event, each
stated in :data:`EVENT_RULES`:

* a **deal** needs a point within one anchor step (``tolerance``) of both belligerents'
  positions on every core issue (territory and security): the share of draws where the
  forecast of every core issue lies within the tolerance of both drawn positions;
* a **general ceasefire** needs the truce-sequencing forecast in the "ceasefire first" or
  "unconditional partial truces" bands and within the tolerance of Russia's drawn position;
* **elections**, a **referendum** and **unfrozen assets** follow only a deal: the share of
  draws with a deal and the issue's forecast in the band that the event needs;
* **prisoner exchanges continue** when the prisoner-exchange forecast lies in the
  "all for all" or "batch swaps" bands.

Probabilities are scored with the Brier score beside the crowd and market baselines that
the case's ``outcomes.yaml`` lists (and the Polymarket prices, where that file is given).
A second check asks whether the models predicted the direction in which positions moved.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import yaml

from accord.analysis.uncertainty import SimulationResult, simulate
from accord.errors import InputError
from accord.models.bdm import run_bdm
from accord.models.registry import forecast
from accord.scenario.model import Scenario

CORE_ISSUES = ("donbas_withdrawal", "recognition", "nato", "security_guarantees")
BELLIGERENTS = ("ukraine", "russia")
DEFAULT_MODELS = ("bdm", "compromise", "nash", "weighted-median")


@dataclass(frozen=True)
class EventRule:
    """How one observed event's probability is derived from a simulation."""

    outcome_id: str
    question: str
    rule: str
    probability: Callable[["_Draws", str], float]


@dataclass
class _Draws:
    """Per-draw forecasts and drawn positions of one simulation, by issue."""

    sim: SimulationResult
    tolerance: float

    def forecast(self, issue: str, model: str) -> np.ndarray | None:
        try:
            k = self.sim.issue_position(issue)
        except KeyError:
            return None
        if not self.sim.covered[model][k]:
            return None
        return self.sim.values[model][k]

    def position(self, issue: str, actor: str) -> np.ndarray | None:
        try:
            k = self.sim.issue_position(issue)
        except KeyError:
            return None
        actors = self.sim.issues[k].actors
        if actor not in actors or self.sim.inputs is None:
            return None
        return self.sim.inputs[k][0][:, actors.index(actor)]

    def near(self, issue: str, model: str, actors: Sequence[str]) -> np.ndarray | None:
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

    def deal(self, model: str) -> np.ndarray:
        ok = np.ones(self.sim.draws, dtype=bool)
        for issue in CORE_ISSUES:
            hit = self.near(issue, model, BELLIGERENTS)
            if hit is not None:
                ok &= hit
        return ok

    def band(self, issue: str, model: str, lo: float, hi: float) -> np.ndarray | None:
        f = self.forecast(issue, model)
        return None if f is None else (f >= lo) & (f <= hi)


def _deal_and(issue: str, lo: float, hi: float) -> Callable[[_Draws, str], float]:
    def prob(d: _Draws, model: str) -> float:
        deal = d.deal(model)
        band = d.band(issue, model, lo, hi)
        return float((deal & band).mean() if band is not None else deal.mean())

    return prob


def _ceasefire(d: _Draws, model: str) -> float:
    f = d.forecast("truce_sequencing", model)
    ru = d.position("truce_sequencing", "russia")
    if f is None or ru is None:
        return float("nan")
    return float(((f <= 37.5) & (np.abs(f - ru) <= d.tolerance)).mean())


def _assets_frozen(d: _Draws, model: str) -> float:
    band = d.band("frozen_assets", model, 62.5, 100)
    deal = d.deal(model)
    return float(1 - (deal & band).mean()) if band is not None else float(1 - deal.mean())


def _exchanges(d: _Draws, model: str) -> float:
    band = d.band("prisoner_exchange", model, 0, 62.5)
    return float(band.mean()) if band is not None else float("nan")


EVENT_RULES: tuple[EventRule, ...] = (
    EventRule("comprehensive_agreement", "Comprehensive peace agreement signed",
              "forecast within one step of both Ukraine and Russia on every core issue", lambda d, m: float(d.deal(m).mean())),
    EventRule("general_ceasefire_30d", "General ceasefire of 30+ days",
              "truce forecast ≤ 37.5 (ceasefire first / unconditional truces) and within one step of Russia", _ceasefire),
    EventRule("ceasefire_before_2026_05_01", "Ceasefire agreement before 2026-05-01",
              "same rule as the general ceasefire (the models carry no time horizon)", _ceasefire),
    EventRule("elections_held", "Ukrainian national elections held",
              "a deal and the elections forecast ≥ 62.5 (elections soon after signing)", _deal_and("elections", 62.5, 100)),
    EventRule("referendum_held", "Referendum on a deal held",
              "a deal and the referendum forecast ≤ 37.5 (the deal goes to a vote)", _deal_and("referendum", 0, 37.5)),
    EventRule("assets_still_frozen", "Russian assets still immobilised",
              "not (a deal and the frozen-assets forecast ≥ 62.5, assets returned or unfrozen)", _assets_frozen),
    EventRule("prisoner_exchanges_continued", "Prisoner exchanges continued",
              "prisoner-exchange forecast ≤ 62.5 (all for all or batch swaps)", _exchanges),
)


@dataclass
class UkraineBacktest:
    """Event probabilities, Brier scores and the direction-of-movement check."""

    as_of: str
    scored_at: str
    draws: int
    rows: list[dict[str, Any]]
    brier: dict[str, dict[str, float]]
    direction: list[dict[str, Any]]
    direction_summary: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return dict(self.__dict__)


def load_outcomes(path: str | Path) -> dict[str, Any]:
    """The case's outcomes file: observed events, baselines and position shifts."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", file=str(p)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"YAML error: {getattr(exc, 'problem', exc)}", file=str(p), line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or "outcomes" not in data:
        raise InputError("an outcomes file needs an 'outcomes' list", file=str(p))
    return data


def market_prices(path: str | Path, on: dt.date) -> list[dict[str, Any]]:
    """Each resolved market's last price at or before ``on`` (Polymarket CSV format)."""
    latest: dict[str, dict[str, Any]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            when = dt.date.fromisoformat(row["time"][:10])
            if when > on or row["resolution"] == "":
                continue
            if dt.date.fromisoformat(row["end_date"]) < on:
                continue
            cur = latest.get(row["slug"])
            if cur is None or row["time"] >= cur["time"]:
                latest[row["slug"]] = row
    return [
        {"slug": r["slug"], "question": r["market"], "price": float(r["price"]), "date": r["time"][:10],
         "end_date": r["end_date"], "outcome": int(float(r["resolution"]))}
        for r in sorted(latest.values(), key=lambda r: r["end_date"])
    ]


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


def backtest_ukraine(
    scenario: Scenario,
    outcomes: dict[str, Any],
    *,
    as_of: str = "2025-11-20",
    models: Sequence[str] = DEFAULT_MODELS,
    draws: int = 2000,
    seed: int = 0,
    tolerance: float = 25.0,
    markets: str | Path | None = None,
    simulation: SimulationResult | None = None,
) -> UkraineBacktest:
    """Score event probabilities derived from the models at ``as_of`` against the outcomes."""
    issues = scenario.issue_data(as_of)
    sim = simulation if simulation is not None and simulation.inputs is not None else simulate(
        issues, models=list(models), draws=draws, seed=seed, keep_inputs=True
    )
    d = _Draws(sim, tolerance)
    observed = {o["id"]: o for o in outcomes.get("outcomes", [])}
    baselines = [b for b in outcomes.get("baselines", []) if b.get("probability") is not None and b.get("outcome") is not None]
    notes = []
    rows = []
    for rule in EVENT_RULES:
        if rule.outcome_id not in observed:
            continue
        outcome = int(bool(observed[rule.outcome_id]["value"]))
        row: dict[str, Any] = {"event": rule.outcome_id, "question": rule.question, "rule": rule.rule, "outcome": outcome}
        for m in models:
            p = rule.probability(d, m)
            if np.isfinite(p):
                row[m] = p
        for b in baselines:
            if b.get("outcome_id") == rule.outcome_id:
                row[b["id"]] = float(b["probability"])
                notes.append(f"{b['id']} ({b['platform']}) is dated {b['date']}, after the forecast date {as_of}.")
        rows.append(row)
    if markets is not None and Path(markets).is_file():
        for mk in market_prices(markets, dt.date.fromisoformat(as_of)):
            row = {"event": mk["slug"], "question": mk["question"], "rule": "same rule as the general ceasefire",
                   "outcome": mk["outcome"], "polymarket": mk["price"]}
            for m in models:
                p = _ceasefire(d, m)
                if np.isfinite(p):
                    row[m] = p
            rows.append(row)
    elif markets is not None:
        notes.append(f"market prices not found at {markets}; Polymarket rows left out")
    sources = [m for m in models] + sorted({k for r in rows for k in r} - set(models) - {"event", "question", "rule", "outcome"})
    brier: dict[str, dict[str, float]] = {}
    for src in sources:
        scored = [(r[src], r["outcome"]) for r in rows if src in r]
        if scored:
            brier[src] = {"n": len(scored), "brier": float(np.mean([(p - o) ** 2 for p, o in scored]))}
    # the same events scored by an uninformed 50% forecaster, for scale
    brier["uninformed-0.5"] = {"n": len(rows), "brier": 0.25}
    # each baseline against the models on the baseline's own events only
    for src in sources:
        if src in models:
            continue
        common = [r for r in rows if src in r]
        for m in models:
            pairs = [(r[m], r["outcome"]) for r in common if m in r]
            if pairs:
                brier[src][f"{m} on these events"] = float(np.mean([(p - o) ** 2 for p, o in pairs]))
    direction, dsum = direction_check(scenario, outcomes, as_of, models)
    return UkraineBacktest(
        as_of=as_of,
        scored_at=str(outcomes.get("as_of")),
        draws=sim.draws,
        rows=rows,
        brier=brier,
        direction=direction,
        direction_summary=dsum,
        notes=sorted(set(notes)),
    )
