"""The rolling backtest: a case's events forecast at several origin dates and scored against what happened.

At each origin of the case's ``outcomes.yaml`` every event still open (deadline after the
origin, not resolved by it) is forecast from inputs dated on or before the origin
(:func:`accord.analysis.agreement.forecast_events`), and the same events at the same dates get
the baselines' forecasts: an uninformed 0.5, the base rate of the outcomes resolved before the
origin, persistence ("nothing changes"), and crowd and market prices dated in the week up to
the origin. Every forecaster is scored on the cells it forecast, with its n. Rules and
method: docs/methods/backtest.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.analysis.agreement_terms import ISSUE_FAMILIES, KALAI
from accord.analysis.backtest import load_outcomes, market_history
from accord.analysis.events import EVENTS_FILE, Event, load_events
from accord.analysis.scoring import Paired, ReliabilityBin, Score, laplace_rate, paired_brier, reliability, score
from accord.errors import InputError

if TYPE_CHECKING:
    from accord.analysis.agreement import EventForecast
    from accord.cases import Case

OUTCOMES_FILE = "outcomes.yaml"
MODEL = "accord"
UNINFORMED = "uninformed 0.5"
BASE_RATE = "base rate"
PERSISTENCE = "persistence"
POLYMARKET = "polymarket"
#: A crowd or market price counts at an origin if it is dated on the origin or up to this many days before.
PRICE_WINDOW = dt.timedelta(days=7)
#: The order model families are shown in.
FAMILIES = (*ISSUE_FAMILIES, KALAI)
#: Persistence says "no" with this probability of "yes" (and "yes" with its complement): near-certain, never 0 or 1.
PERSISTENCE_DOUBT = 0.01

RULES = (
    "An event is forecast at an origin when its deadline is after the origin and it had not resolved by then.",
    "accord's forecasts read only positions, packages and evidence dated on or before the origin.",
    f"Baselines on the same cells: {UNINFORMED}; {BASE_RATE} = (yes + 1) / (resolved + 2) over the outcomes "
    f"resolved before the origin; {PERSISTENCE} = the event's 'nothing changes' answer at "
    f"{PERSISTENCE_DOUBT:.0%} doubt; crowds and markets where they priced the same question within "
    f"{PRICE_WINDOW.days} days up to the origin.",
    "Brier = mean (p − outcome)²; log score = mean −ln(probability given to what happened); lower is better.",
    "95% intervals resample whole events (with all their origins) 2,000 times.",
    "Each baseline is also compared with accord on the cells both forecast: its Brier minus accord's "
    "(positive: accord did better).",
    "Events the models cannot speak to are not scored for accord; the baselines still score them.",
    f"'{MODEL}/<family>' is accord's probability from one model family alone (issue and partial events: "
    "compromise and mean, weighted median, Nash, BDM; package events: the Nash and Kalai-Smorodinsky "
    "bargaining solutions); each family is scored on the cells it speaks to, so its n differs from accord's.",
)

Forecaster = Callable[..., "list[EventForecast]"]


@dataclass(frozen=True)
class Resolution:
    """What happened to one question: yes or no, the day it resolved, and the 'nothing changes' answer."""

    value: bool
    date: dt.date
    status_quo: bool | None = None
    market: str | None = None


@dataclass(frozen=True)
class CrowdPrice:
    """A crowd forecast (Metaculus community prediction and the like) of one question on one date."""

    source: str
    platform: str
    probability: float
    date: dt.date
    event_id: str


@dataclass(frozen=True)
class Cell:
    """One event at one origin: every forecaster's probability, accord's Monte Carlo error, the outcome."""

    origin: dt.date
    event_id: str
    outcome: int
    forecasts: dict[str, float]
    mc_error: float | None = None
    reason: str = ""


@dataclass
class RollingBacktest:
    """Cells (origins × events), scores per forecaster with n, reliability tables, the rules and notes.

    ``not_modelled`` names the events accord forecast at no origin, with the reason; a cell's
    own ``reason`` says why accord left that one cell out.
    """

    case: str
    origins: list[dt.date]
    events: list[Event]
    cells: list[Cell]
    scores: list[Score]
    reliability: dict[str, list[ReliabilityBin]]
    versus_model: dict[str, Paired]
    draws: int
    seed: int
    not_modelled: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = RULES

    def scorers(self) -> list[str]:
        """Forecasters in the order they are shown: accord first, then the baselines."""
        return [s.scorer for s in self.scores]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (dates and dataclasses as plain values)."""
        from dataclasses import asdict

        return {
            "case": self.case, "origins": self.origins, "draws": self.draws, "seed": self.seed,
            "events": [{"id": e.id, "question": e.question, "deadline": e.deadline, "kind": e.kind} for e in self.events],
            "cells": [asdict(c) for c in self.cells], "scores": [asdict(s) for s in self.scores],
            "reliability": {k: [asdict(b) for b in v] for k, v in self.reliability.items()},
            "versus_model": {k: asdict(v) for k, v in self.versus_model.items()},
            "not_modelled": self.not_modelled, "notes": self.notes, "rules": list(self.rules),
        }


def family_scorer(family: str) -> str:
    """The scorer name of one model family's forecasts."""
    return f"{MODEL}/{family}"


def has_backtest(folder: Path) -> bool:
    """True when a case folder holds both files a rolling backtest needs."""
    return (folder / EVENTS_FILE).is_file() and (folder / OUTCOMES_FILE).is_file()


def load_resolutions(path: str | Path) -> tuple[list[dt.date], dict[str, Resolution], list[CrowdPrice]]:
    """The origins, the resolution of every outcome and the dated crowd forecasts of an outcomes file."""
    data = load_outcomes(path)
    origins = sorted(set(data.get("origins") or []))
    if not origins:
        raise InputError("the rolling backtest needs 'origins', a list of dates to forecast from", file=str(path),
                         field="origins")
    resolved = {o["id"]: Resolution(value=o["value"], date=o["date"], status_quo=o.get("status_quo"),
                                    market=o.get("market")) for o in data["outcomes"]}
    crowd = [CrowdPrice(source=b["id"], platform=str(b.get("platform") or b["id"]).lower(),
                        probability=float(b["probability"]), date=b["date"], event_id=b["outcome_id"])
             for b in data.get("baselines") or []
             if b.get("probability") is not None and b.get("outcome_id") and isinstance(b.get("date"), dt.date)]
    return origins, resolved, crowd


def is_open(event: Event, resolution: Resolution, origin: dt.date) -> bool:
    """The event can be forecast at ``origin``: its deadline is later and it had not resolved by then."""
    return event.deadline > origin and resolution.date > origin


def base_rate(resolved: dict[str, Resolution], origin: dt.date) -> float:
    """Laplace rate of "yes" among the outcomes resolved strictly before ``origin``."""
    before = [r.value for r in resolved.values() if r.date < origin]
    return laplace_rate(sum(before), len(before))


def persistence(resolution: Resolution) -> float | None:
    """The 'nothing changes' forecast, None when the outcome does not state it."""
    if resolution.status_quo is None:
        return None
    return 1 - PERSISTENCE_DOUBT if resolution.status_quo else PERSISTENCE_DOUBT


def price_at(series: Sequence[tuple[dt.date, float]], origin: dt.date) -> float | None:
    """The latest price dated on ``origin`` or within the window before it, None if there is none."""
    inside = [p for d, p in series if origin - PRICE_WINDOW <= d <= origin]
    return inside[-1] if inside else None


def crowd_at(crowd: Sequence[CrowdPrice], event_id: str, origin: dt.date) -> dict[str, float]:
    """Each platform's latest forecast of the event dated in the window up to ``origin``."""
    out: dict[str, tuple[dt.date, float]] = {}
    for c in crowd:
        if c.event_id == event_id and origin - PRICE_WINDOW <= c.date <= origin:
            if c.platform not in out or c.date >= out[c.platform][0]:
                out[c.platform] = (c.date, c.probability)
    return {k: v for k, (_, v) in out.items()}


def rolling_backtest(case: Case, *, draws: int = 1000, seed: int = 0, markets: str | Path | None = None,
                     forecaster: Forecaster | None = None) -> RollingBacktest:
    """The rolling backtest of a case folder with ``events.yaml`` and ``outcomes.yaml`` (docs/methods/backtest.md).

    ``forecaster`` stands in for :func:`~accord.analysis.agreement.forecast_events` (same
    signature); ``markets`` is a price file in the Polymarket CSV format.
    """
    if forecaster is None:
        from accord.analysis.agreement import forecast_events as forecaster
    events_path, outcomes_path = case.folder / EVENTS_FILE, case.folder / OUTCOMES_FILE
    for path in (events_path, outcomes_path):
        if not path.is_file():
            raise InputError("a rolling backtest needs events.yaml and outcomes.yaml in the case folder", file=str(path))
    events = load_events(events_path)
    origins, resolved, crowd = load_resolutions(outcomes_path)
    notes = [f"{e.id}: no outcome in outcomes.yaml, not scored" for e in events if e.id not in resolved]
    prices = _prices(markets, notes)
    cells: list[Cell] = []
    not_modelled: dict[str, str] = {}
    for origin in origins:
        live = [e for e in events if e.id in resolved and is_open(e, resolved[e.id], origin)]
        if not live:
            notes.append(f"{origin}: no open event to forecast")
            continue
        made = {f.event_id: f for f in forecaster(case, live, origin, draws=draws, seed=seed)}
        rate = base_rate(resolved, origin)
        for e in live:
            cells.append(_cell(e, origin, resolved[e.id], made.get(e.id), rate, crowd, prices, not_modelled))
    modelled = {c.event_id for c in cells if MODEL in c.forecasts}
    not_modelled = {k: v for k, v in not_modelled.items() if k not in modelled}
    scores, bins = _scores(cells, seed)
    return RollingBacktest(case=case.name, origins=origins, events=events, cells=cells, scores=scores,
                           reliability=bins, versus_model=_versus_model(cells, seed), draws=draws, seed=seed, not_modelled=not_modelled, notes=notes)


def _prices(markets: str | Path | None, notes: list[str]) -> dict[str, list[tuple[dt.date, float]]]:
    if markets is None:
        notes.append("no market price file given (--markets): market baselines left out")
        return {}
    if not Path(markets).is_file():
        notes.append(f"market prices not found at {markets}: market baselines left out")
        return {}
    try:
        return market_history(markets)
    except InputError as exc:
        notes.append(f"market prices unreadable ({exc}): market baselines left out")
        return {}


def _cell(event: Event, origin: dt.date, res: Resolution, made: EventForecast | None, rate: float,
          crowd: Sequence[CrowdPrice], prices: dict[str, list[tuple[dt.date, float]]],
          not_modelled: dict[str, str]) -> Cell:
    forecasts: dict[str, float] = {}
    mc_error, reason = None, ""
    if made is not None and made.modelled and made.probability is not None:
        forecasts[MODEL] = made.probability
        forecasts.update({family_scorer(k): v for k, v in made.by_family.items()})
        mc_error = made.mc_error
    else:
        reason = made.reason if made is not None else "the forecaster returned nothing for this event"
        not_modelled[event.id] = reason
    forecasts[UNINFORMED] = 0.5
    forecasts[BASE_RATE] = rate
    sq = persistence(res)
    if sq is not None:
        forecasts[PERSISTENCE] = sq
    forecasts.update(crowd_at(crowd, event.id, origin))
    if res.market and res.market in prices:
        price = price_at(prices[res.market], origin)
        if price is not None:
            forecasts[POLYMARKET] = price
    return Cell(origin=origin, event_id=event.id, outcome=int(res.value), forecasts=forecasts, mc_error=mc_error,
                reason=reason)


def _scores(cells: Sequence[Cell], seed: int) -> tuple[list[Score], dict[str, list[ReliabilityBin]]]:
    keys = list(dict.fromkeys(k for c in cells for k in c.forecasts))
    known = [family_scorer(f) for f in FAMILIES]
    families = sorted((k for k in keys if k.startswith(family_scorer(""))),
                      key=lambda k: known.index(k) if k in known else len(known))
    order = list(dict.fromkeys([MODEL, *families, UNINFORMED, BASE_RATE, PERSISTENCE, *keys]))
    scores, bins = [], {}
    for name in order:
        mine = [c for c in cells if name in c.forecasts]
        if not mine:
            continue
        p, o = [c.forecasts[name] for c in mine], [c.outcome for c in mine]
        scores.append(score(name, p, o, [c.event_id for c in mine], seed=seed))
        bins[name] = reliability(p, o)
    return scores, bins


def _versus_model(cells: Sequence[Cell], seed: int) -> dict[str, Paired]:
    """Each baseline's Brier minus accord's on the cells both forecast (positive: accord did better)."""
    shared = [c for c in cells if MODEL in c.forecasts]
    names = dict.fromkeys(k for c in shared for k in c.forecasts if k != MODEL)
    out = {}
    for name in names:
        mine = [c for c in shared if name in c.forecasts]
        out[name] = paired_brier([c.forecasts[name] for c in mine], [c.forecasts[MODEL] for c in mine],
                                 [c.outcome for c in mine], [c.event_id for c in mine], seed=seed)
    return out
