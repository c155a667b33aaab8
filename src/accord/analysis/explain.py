"""Why a forecast moved between two dates: Shapley values over the inputs that changed.

For a one-issue model the players of an issue are its changed inputs: each actor's position, salience
and capability that differ between the dates, and the *participation* of an actor with a position at
only one of them (it enters with its later inputs, or leaves). The value of a coalition ``S`` is the
model's forecast with the changes in ``S`` applied and the others not; the Shapley value of a change
is its average marginal effect over all orders of applying the changes, so the contributions sum to
the observed change exactly. With at most ``max_exact`` players every coalition is evaluated (exact);
above that, ``permutations`` random orders are sampled and each contribution carries its standard
error (the sampled contributions still sum to the change exactly, since every order does).

A model that links issues (the exchange model) is explained with one player per actor (all of that
actor's changes on every issue), since a change on one issue moves the forecast of the others; one
run then values a coalition for every issue at once. ``docs/methods/levers.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.analysis.sensitivity import JsonRecord
from accord.analysis.uncertainty import ModelRun, as_model_runs
from accord.models.bdm import with_missing_salience_as_zero
from accord.models.issue import IssueData
from accord.scenario.model import Scenario

#: The inputs a change can be of; ``participation`` is an actor entering or leaving the issue.
CHANGE_INPUTS = ("position", "salience", "capability", "participation")
ALL_INPUTS = "all inputs"
_ARRAY = {"position": "x", "salience": "s", "capability": "c"}


@dataclass(frozen=True)
class Contribution(JsonRecord):
    """One changed input (or, for a linked model, one actor's changes) and its share of the forecast's move."""

    actor: str
    input: str
    before: float | None
    after: float | None
    value: float
    stderr: float | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class IssueExplanation:
    """The forecast of one model on one issue at both dates and its change split into contributions.

    ``method`` is ``exact``, ``sampled`` (``permutations`` random orders) or ``none`` (nothing to split:
    ``note`` says why).
    """

    issue: str
    model: str
    before: float | None
    after: float | None
    contributions: list[Contribution]
    method: str
    permutations: int | None = None
    note: str = ""

    @property
    def change(self) -> float | None:
        """``after − before``, or None where a forecast is missing."""
        return None if self.before is None or self.after is None else self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"issue": self.issue, "model": self.model, "before": self.before, "after": self.after,
                "change": self.change, "method": self.method, "permutations": self.permutations, "note": self.note,
                "contributions": [c.to_dict() for c in self.contributions]}


# -- Shapley values from coalition values ----------------------------------------------------


def shapley_exact(values: np.ndarray) -> np.ndarray:
    """Shapley values from the values of all ``2^m`` coalitions (row ``mask``: bit j set = player j in).

    ``values`` may carry further axes (several games at once); the result has shape ``(m, ...)``.
    """
    values = np.asarray(values, dtype=float)
    m = int(round(math.log2(len(values))))
    masks = np.arange(len(values))
    sizes = np.array([bin(k).count("1") for k in masks])
    weight = np.array([math.factorial(k) * math.factorial(m - k - 1) / math.factorial(m) if k < m else 0.0
                       for k in range(m + 1)])
    out = np.zeros((m,) + values.shape[1:])
    for j in range(m):
        without = masks[(masks >> j) & 1 == 0]
        gain = values[without | (1 << j)] - values[without]
        out[j] = np.tensordot(weight[sizes[without]], gain, axes=(0, 0))
    return out


def shapley_sampled(value_of: Callable[[np.ndarray], np.ndarray], m: int, permutations: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values and their standard errors from ``permutations`` random orders of the ``m`` players.

    ``value_of(masks)`` returns the value of each coalition (bit mask, Python ints in an object array).
    """
    orders = np.array([rng.permutation(m) for _ in range(permutations)])
    prefixes = np.zeros((permutations, m + 1), dtype=object)
    for step in range(m):
        prefixes[:, step + 1] = prefixes[:, step] | (np.ones(permutations, dtype=object) << orders[:, step].astype(object))
    unique, inverse = np.unique(prefixes.ravel(), return_inverse=True)
    values = np.asarray(value_of(unique), dtype=float)[inverse].reshape(permutations, m + 1)
    gains = np.diff(values, axis=1)
    marginal = np.zeros((permutations, m))
    np.put_along_axis(marginal, orders, gains, axis=1)
    stderr = marginal.std(axis=0, ddof=1) / math.sqrt(permutations) if permutations > 1 else np.full(m, np.nan)
    return marginal.mean(axis=0), stderr


# -- the changes of one issue ---------------------------------------------------------------


@dataclass(frozen=True)
class _Player:
    actor: str
    input: str
    before: float | None
    after: float | None


class IssueGame:
    """The changed inputs of one issue between two dates, and the issue with any subset of them applied."""

    def __init__(self, old: IssueData | None, new: IssueData | None) -> None:
        self.old, self.new = old, new
        base = new if new is not None else old
        assert base is not None
        self.template = base
        before = _by_actor(old)
        after = _by_actor(new)
        self.actors = list(dict.fromkeys([*after, *before]))
        self.players: list[_Player] = []
        for a in self.actors:
            if a in before and a in after:
                for name in ("position", "salience", "capability"):
                    b, f = before[a][name], after[a][name]
                    if b != f:
                        self.players.append(_Player(a, name, b, f))
            else:
                self.players.append(_Player(a, "participation", 1.0 if a in before else 0.0, 1.0 if a in after else 0.0))
        self.before_inputs, self.after_inputs = before, after

    def issue_for(self, mask: int) -> IssueData | None:
        """The issue with the changes in ``mask`` applied (None when no actor takes part)."""
        applied = {(p.actor, p.input) for j, p in enumerate(self.players) if (mask >> j) & 1}
        rows = []
        for a in self.actors:
            if a in self.before_inputs and a in self.after_inputs:
                rows.append((a, {k: (self.after_inputs if (a, k) in applied else self.before_inputs)[a][k]
                                 for k in _ARRAY}))
            elif a in self.after_inputs and (a, "participation") in applied:
                rows.append((a, self.after_inputs[a]))
            elif a in self.before_inputs and (a, "participation") not in applied:
                rows.append((a, self.before_inputs[a]))
        if not rows:
            return None
        return self.template.with_values(
            actors=tuple(a for a, _ in rows), uncertainty=None,
            **{arr: np.array([r[name] for _, r in rows]) for name, arr in _ARRAY.items()})


def _by_actor(issue: IssueData | None) -> dict[str, dict[str, float]]:
    if issue is None:
        return {}
    return {a: {name: float(getattr(issue, arr)[i]) for name, arr in _ARRAY.items()} for i, a in enumerate(issue.actors)}


def _one_issue_values(run: ModelRun, game: IssueGame, masks: Sequence[int]) -> np.ndarray:
    """The model's forecast for each coalition, batched by which actors take part."""
    out = np.full(len(masks), np.nan)
    groups: dict[tuple[str, ...], list[tuple[int, IssueData]]] = {}
    for k, mask in enumerate(masks):
        issue = game.issue_for(int(mask))
        if issue is not None and run.covers(issue):
            groups.setdefault(issue.actors, []).append((k, issue))
    for members in groups.values():
        first = members[0][1]
        x, s, c = (np.array([getattr(i, a) for _, i in members]) for a in "xsc")
        values = run.rows([with_missing_salience_as_zero(first)], [(x, np.nan_to_num(s, nan=0.0), c)])[0]
        out[[k for k, _ in members]] = values
    return out


# -- explanations ---------------------------------------------------------------------------


def _sources(scenario: Scenario, actor: str, issue: str, d1: dt.date, d2: dt.date) -> list[dict[str, Any]]:
    """The sources of the actor's positions on the issue dated after ``d1`` and up to ``d2``."""
    return [{"date": p.date.isoformat(), **s.model_dump(exclude_none=True, mode="json")}
            for p in scenario.history(actor, issue) if d1 < p.date <= d2 for s in p.sources]


def _split(values_of: Callable[[np.ndarray], np.ndarray], m: int, max_exact: int, permutations: int,
           seed: int) -> tuple[np.ndarray, np.ndarray | None, str]:
    if m <= max_exact:
        values = values_of(np.arange(2**m, dtype=object))
        return shapley_exact(values), None, "exact"
    phi, se = shapley_sampled(values_of, m, permutations, np.random.default_rng(seed))
    return phi, se, "sampled"


def explain_issue(run: ModelRun, old: IssueData | None, new: IssueData | None, *, max_exact: int = 12,
                  permutations: int = 2000, seed: int = 0) -> IssueExplanation:
    """The change of one one-issue model's forecast on one issue, split over its changed inputs."""
    game = IssueGame(old, new)
    m = len(game.players)
    ends = _one_issue_values(run, game, [0, 2**m - 1])
    before, after = (None if math.isnan(v) else float(v) for v in ends)
    iid = game.template.id
    if before is None or after is None:
        missing = "the earlier" if before is None else "the later"
        return IssueExplanation(iid, run.name, before, after, [], "none",
                                note=f"no forecast at {missing} date: no actor holds a position the model counts")
    if m == 0:
        return IssueExplanation(iid, run.name, before, after, [], "exact", note="no input changed")
    phi, se, method = _split(lambda masks: _one_issue_values(run, game, masks), m, max_exact, permutations, seed)
    if np.isnan(phi).any():
        return IssueExplanation(iid, run.name, before, after, [], "none",
                                note="some orders of the changes leave nobody taking part; not split")
    contributions = [Contribution(p.actor, p.input, p.before, p.after, float(phi[j]),
                                  None if se is None else float(se[j])) for j, p in enumerate(game.players)]
    return IssueExplanation(iid, run.name, before, after, contributions, method,
                            permutations if method == "sampled" else None)


def explain_linked(run: ModelRun, old: Sequence[IssueData], new: Sequence[IssueData], *, max_exact: int = 12,
                   permutations: int = 2000, seed: int = 0) -> list[IssueExplanation]:
    """The change of a model that links issues, split over the actors whose inputs changed (all issues at once)."""
    old_by = {i.id: i for i in old}
    new_by = {i.id: i for i in new}
    ids = list(dict.fromkeys([*new_by, *old_by]))
    games = {iid: IssueGame(old_by.get(iid), new_by.get(iid)) for iid in ids}
    actors = list(dict.fromkeys(p.actor for g in games.values() for p in g.players))

    def values_of(masks: np.ndarray) -> np.ndarray:
        out = np.full((len(masks), len(ids)), np.nan)
        for k, mask in enumerate(masks):
            chosen = {a for j, a in enumerate(actors) if (int(mask) >> j) & 1}
            issues = []
            for g in games.values():
                sub = sum(1 << j for j, p in enumerate(g.players) if p.actor in chosen)
                issue = g.issue_for(sub)
                if issue is not None:
                    issues.append(with_missing_salience_as_zero(issue))
            rows = run.rows(issues, [tuple(getattr(i, a)[None, :] for a in "xsc") for i in issues])  # type: ignore[misc]
            for issue, v in zip(issues, rows):
                out[k, ids.index(issue.id)] = v[0]
        return out

    m = len(actors)
    ends = values_of(np.array([0, 2**m - 1], dtype=object))
    phi, se, method = _split(values_of, m, max_exact, permutations, seed) if m else (np.zeros((0, len(ids))), None, "exact")
    out = []
    for col, iid in enumerate(ids):
        before, after = (None if math.isnan(v) else float(v) for v in ends[:, col])
        if before is None or after is None or np.isnan(phi[:, col]).any():
            out.append(IssueExplanation(iid, run.name, before, after, [], "none",
                                        note="the issue has no forecast at one of the dates or in some orders"))
            continue
        contributions = [Contribution(a, ALL_INPUTS, None, None, float(phi[j, col]),
                                      None if se is None else float(se[j, col])) for j, a in enumerate(actors)
                         if any(p.actor == a for p in games[iid].players) or abs(phi[j, col]) > 0]
        out.append(IssueExplanation(iid, run.name, before, after, contributions, method,
                                    permutations if method == "sampled" else None,
                                    note="linked model: one contribution per actor, of its changes on every issue"))
    return out


def explain(scenario: Scenario, date_from: dt.date | str, date_to: dt.date | str, models: Sequence[str | ModelRun],
            *, issues: Sequence[str] | None = None, max_exact: int = 12, permutations: int = 2000,
            seed: int = 0) -> list[IssueExplanation]:
    """Why each model's forecast of each issue moved from ``date_from`` to ``date_to``, with the sources of the
    changed positions (those dated after ``date_from`` and up to ``date_to``)."""
    if not models:
        return []
    d1, d2 = (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in (date_from, date_to))
    old, new = scenario.issue_data(d1), scenario.issue_data(d2)
    out: list[IssueExplanation] = []
    for run in as_model_runs(models, None):
        if run.spec.multi_issue:
            found = explain_linked(run, old, new, max_exact=max_exact, permutations=permutations, seed=seed)
        else:
            old_by = {i.id: i for i in old}
            new_by = {i.id: i for i in new}
            ids = [i.id for i in scenario.issues if i.id in old_by or i.id in new_by]
            found = [explain_issue(run, old_by.get(iid), new_by.get(iid), max_exact=max_exact,
                                   permutations=permutations, seed=seed) for iid in ids]
        for e in found:
            if issues and e.issue not in issues:
                continue
            for c in e.contributions:
                c.sources.extend(_sources(scenario, c.actor, e.issue, min(d1, d2), max(d1, d2)))
            out.append(e)
    return out
