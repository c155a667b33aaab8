"""Probabilities of agreement: a case's events forecast at an origin date from the models and their uncertainty.

For each event (:mod:`accord.analysis.events`) a Monte Carlo over the uncertain inputs gives,
per draw, a value in [0, 1]: whether (or how likely) the event's terms are acceptable to the
parties named, survive ratification, are stable, or overlap. ``p_terms`` is the mean over the
draws; the hazard (:mod:`accord.analysis.hazard`) turns it into a probability by the
deadline. Only inputs dated on or before the origin are read: the scenario's positions at the
origin, and the package file only when it is dated on or before it. Method, noise model and
the sources of every standard deviation: docs/methods/agreement.md.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from accord.analysis.agreement_terms import (
    AgreementNoise,
    Labels,
    NotModelled,
    Terms,
    issue_terms,
    package_terms,
    parsed,
    partial_terms,
    simulate_issues,
    truce_terms,
)
from accord.analysis.events import Event
from accord.analysis.hazard import Hazard, case_hazard
from accord.scenario.io import load_scenario

if TYPE_CHECKING:
    from accord.cases import Case

TALKS_REASON = ("no model quantity says whether parties meet: talks are held without any zone of agreement, "
                "so the models do not score this kind")


@dataclass(frozen=True)
class EventForecast:
    """One event's forecast at one origin: the probability by the deadline with its Monte Carlo error.

    ``probability = p_terms × p_by_deadline``, kept inside [1/(2n), 1 − 1/(2n)] (n draws: the
    Monte Carlo resolution), so it is never 0 or 1; ``mc_error`` is its binomial standard error.
    Not-modelled events have ``modelled=False``, None figures and the reason. ``by_family`` holds
    the same probability from each model family alone (empty where the families share one
    computation, as for truces).
    """

    event_id: str
    origin: dt.date
    deadline: dt.date
    probability: float | None
    mc_error: float | None
    p_terms: float | None
    p_by_deadline: float | None
    modelled: bool
    reason: str
    question: str = ""
    kind: str = ""
    draws: int = 0
    by_family: dict[str, float] = field(default_factory=dict)


def forecast_events(case: Case, events: Sequence[Event], origin: dt.date, *, draws: int = 1000, seed: int = 0,
                    noise: AgreementNoise | None = None) -> list[EventForecast]:
    """Every event's forecast at ``origin``, from inputs dated on or before it (docs/methods/agreement.md)."""
    scenario = parsed(Path(case.scenario_path), load_scenario)
    snapshot = scenario.as_of(origin)
    issues = {i.id: i for i in snapshot.issue_data()}
    hazard = case_hazard(getattr(case.config, "hazard", None))
    noise = noise or AgreementNoise()
    sim = simulate_issues(events, issues, draws, seed, noise)
    labels = Labels.of(snapshot)
    out = []
    for event in events:
        if event.kind in ("issue", "partial"):
            terms = issue_terms(event, sim, labels) if event.kind == "issue" else partial_terms(event, sim, snapshot,
                                                                                                 labels)
        elif event.kind == "package":
            rng = np.random.default_rng([seed, zlib.crc32(event.id.encode("utf-8"))])
            terms = package_terms(case, event, origin, snapshot, draws, rng, noise, labels)
        elif event.kind == "truce":
            terms = truce_terms(case, event, draws, seed, noise)
        else:
            terms = NotModelled(TALKS_REASON if event.kind == "talks" else str(event.params.get("reason", "")))
        out.append(_forecast(event, origin, terms, hazard, draws))
    return out


def _forecast(event: Event, origin: dt.date, terms: Terms | NotModelled, hazard: Hazard, draws: int) -> EventForecast:
    common = dict(event_id=event.id, origin=origin, deadline=event.deadline, question=event.question, kind=event.kind)
    if isinstance(terms, NotModelled):
        return EventForecast(probability=None, mc_error=None, p_terms=None, p_by_deadline=None, modelled=False,
                             reason=terms.reason, draws=0, **common)
    days = (event.deadline - origin).days
    if days <= 0:
        return EventForecast(probability=None, mc_error=None, p_terms=None, p_by_deadline=None, modelled=False,
                             reason=f"the deadline {event.deadline} is not after the origin {origin}", draws=0, **common)
    n = int(terms.values.size)
    p_terms = float(terms.values.mean())
    p_time = hazard.p_by(event.kind, days)
    probability, mc_error = resolved(p_terms * p_time, n)
    by_family = {name: resolved(float(v.mean()) * p_time, n)[0] for name, v in terms.by_family.items()}
    reason = (f"{terms.given}; reached by {event.deadline} with P = {p_time:.3f} "
              f"(median {hazard.median_days[event.kind]:g} days, {hazard.source})")
    return EventForecast(probability=probability, mc_error=mc_error, p_terms=p_terms, p_by_deadline=p_time,
                         modelled=True, reason=reason, draws=n, by_family=by_family, **common)


def resolved(p: float, n: int) -> tuple[float, float]:
    """``p`` kept inside [1/(2n), 1 − 1/(2n)] (the Monte Carlo resolution) and its binomial standard error."""
    floor = 1.0 / (2 * n)
    q = min(max(p, floor), 1.0 - floor)
    return q, math.sqrt(q * (1.0 - q) / n)
