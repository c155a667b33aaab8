"""Levers: how each actor's inputs move an issue's forecast, who is pivotal, and what it would take.

For every issue and model (any registered model, including those that link issues):

Sensitivities
    ``∂forecast/∂input`` of each actor's position, salience and capability: exact where the model is
    smooth (:func:`accord.analysis.sensitivity.exact_gradient`), else a central finite difference over
    the one-at-a-time sweep of :mod:`accord.analysis.sensitivity` (position ± one anchor step, salience
    ± 0.1, capability × (1 ± 0.2), clipped to their ranges). The *swing* of an input is the larger
    change of the forecast over that sweep, for every model alike.

Pivotal actors
    Actors ranked by their largest swing over their three inputs.

What would it take (:func:`solve_moves`)
    The smallest common change ``t ≥ 0`` of one actor's position or salience (or of two actors'
    together, each moving by ``t`` in its own direction) that brings the forecast into a target band
    ``[lo, hi]``: a scan of ``t`` over its whole range, then repeated subdivision of the first bracket
    that enters the band (a bisection that tests ``scan`` points per step). Where the forecast is
    monotone in ``t`` (the weighted mean and medians) this finds the smallest change to the tolerance;
    elsewhere a window of the band narrower than one scan step can be missed. ``docs/methods/levers.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from accord.analysis.sensitivity import INPUTS, JsonRecord, exact_gradient, position_steps, sweep_issue
from accord.analysis.uncertainty import ModelRun
from accord.errors import ModelError
from accord.models.bdm import with_missing_salience_as_zero
from accord.models.issue import IssueData

#: Inputs a lever may move (capability is a property of the actor, not a negotiating move).
MOVABLE = ("position", "salience")
_ARRAY = {"position": "x", "salience": "s", "capability": "c"}


@dataclass(frozen=True)
class Effort:
    """How hard the solver works for one model: scan points, subdivision rounds, the inputs pairs of actors
    move together (none: no pairs), how many of the most pivotal actors are moved (None: all), which inputs
    are moved, and how many of the default target bands are tried (None: both neighbours)."""

    scan: int = 64
    rounds: int = 4
    pairs: tuple[str, ...] = MOVABLE
    top_actors: int | None = None
    inputs: tuple[str, ...] = MOVABLE
    targets: int | None = None

    def note(self) -> str:
        """In words, what this effort leaves out of the full search ('' for the full search)."""
        parts = []
        if self.top_actors is not None:
            parts.append(f"only the {self.top_actors} most pivotal actor(s) of each issue move")
        if tuple(self.pairs) != MOVABLE:
            parts.append("pairs of actors move " + " and ".join(self.pairs) + " only" if self.pairs
                         else "no pairs of actors are tried")
        if tuple(self.inputs) != MOVABLE:
            parts.append("single actors move " + " and ".join(self.inputs) + " only")
        if self.targets is not None:
            parts.append(f"only the {self.targets} nearest target band(s) are tried")
        if not parts:
            return ""
        return ("Levers searched with less effort: " + "; ".join(parts) +
                f"; a scan of {self.scan} points and {self.rounds} subdivision round(s).")


FULL = Effort()
#: The default for round-by-round models of one issue (BDM): every actor, pairs moving positions, coarser scan.
DYNAMIC = Effort(scan=24, rounds=3, pairs=("position",))
#: The default for models that link issues (each evaluation reruns every issue): the top actor's position.
LINKED = Effort(scan=8, rounds=1, pairs=(), top_actors=1, inputs=("position",), targets=1)


def default_effort(model: ModelRun) -> Effort:
    """:data:`LINKED` for models that link issues, :data:`DYNAMIC` for other dynamic models, else :data:`FULL`."""
    if model.spec.multi_issue:
        return LINKED
    return DYNAMIC if model.spec.kind == "dynamic" else FULL


@dataclass(frozen=True)
class Sensitivity(JsonRecord):
    """How one input of one actor moves the forecast: derivative per unit, and swing over a one-step move."""

    actor: str
    input: str
    value: float
    derivative: float
    swing: float
    step: float
    method: str


@dataclass(frozen=True)
class Move:
    """One actor's input before and after a lever is pulled."""

    actor: str
    input: str
    before: float
    after: float


@dataclass(frozen=True)
class Lever:
    """The smallest change found that brings the forecast into ``target``: the moves, their common size and the
    forecast after; ``size`` is None (and ``moves`` keep the inputs unchanged) when no change of these inputs
    reaches the band."""

    target: tuple[float, float]
    moves: tuple[Move, ...]
    size: float | None
    forecast_after: float | None

    @property
    def input(self) -> str:
        """The input moved (a lever moves one kind of input)."""
        return self.moves[0].input

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"target": list(self.target), "moves": [asdict(m) for m in self.moves], "size": self.size,
                "forecast_after": self.forecast_after}


@dataclass(frozen=True)
class IssueLevers:
    """Sensitivities, pivotal actors and levers of one model on one issue."""

    issue: str
    model: str
    forecast: float
    sensitivities: list[Sensitivity]
    pivotal: list[tuple[str, float]]
    levers: list[Lever] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"issue": self.issue, "model": self.model, "forecast": self.forecast,
                "sensitivities": [s.to_dict() for s in self.sensitivities],
                "pivotal": [{"actor": a, "swing": v} for a, v in self.pivotal],
                "levers": [lv.to_dict() for lv in self.levers], "note": self.note}


class IssueForecaster:
    """Forecasts of one issue for rows of its inputs, the other issues held at their stated inputs.

    A one-issue model sees the issue alone; a model that links issues is rerun on every issue for
    each row (its forecast of this issue depends on the others).
    """

    def __init__(self, model: ModelRun, issues: Sequence[IssueData], k: int) -> None:
        self.model = model
        self.issues = [with_missing_salience_as_zero(i) for i in issues]
        self.k = k
        self.issue = self.issues[k]
        self.evaluations = 0

    def __call__(self, x: np.ndarray, s: np.ndarray, c: np.ndarray) -> np.ndarray:
        rows = len(x)
        self.evaluations += rows
        if not self.model.spec.multi_issue:
            return self.model.rows([self.issue], [(x, s, c)])[0]
        drawn = [(x, s, c) if j == self.k else tuple(np.repeat(getattr(i, a)[None, :], rows, axis=0) for a in "xsc")
                 for j, i in enumerate(self.issues)]
        return self.model.rows(self.issues, drawn)[self.k]  # type: ignore[arg-type]

    def point(self) -> float:
        """The forecast on the stated inputs."""
        i = self.issue
        return float(self(i.x[None, :], i.s[None, :], i.c[None, :])[0])


def sensitivities(forecaster: IssueForecaster, pos_step: np.ndarray) -> list[Sensitivity]:
    """Every actor's sensitivities on the forecaster's issue (exact derivative where the model has one)."""
    issue = forecaster.issue
    model = forecaster.model
    grad = None if model.spec.multi_issue else exact_gradient(issue, model.name, model.params)
    rows = sweep_issue(issue, model.name, forecaster, pos_step)
    by_key: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        by_key.setdefault((r.actor, r.input), []).append(r)
    out = []
    for i, actor in enumerate(issue.actors):
        for j, name in enumerate(INPUTS):
            lo, hi = by_key[(actor, name)]
            span = hi.new_input - lo.new_input
            swing = max(abs(lo.change), abs(hi.change))
            if grad is not None:
                derivative, method = float(grad[j, i]), "exact"
            else:
                derivative = (hi.forecast - lo.forecast) / span if span > 0 else 0.0
                method = "finite difference"
            out.append(Sensitivity(actor, name, float(getattr(issue, _ARRAY[name])[i]), derivative, swing,
                                   span / 2, method))
    return out


def pivotal_actors(sens: Sequence[Sensitivity]) -> list[tuple[str, float]]:
    """Actors by their largest swing over their inputs, largest first (ties: input order)."""
    best: dict[str, float] = {}
    for s in sens:
        best[s.actor] = max(best.get(s.actor, 0.0), s.swing)
    return sorted(best.items(), key=lambda kv: -kv[1])


# -- the solver ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A joint move: actors (indices) moving one input, each in its direction (+1 or −1), by a common ``t``."""

    actors: tuple[int, ...]
    input: str
    directions: tuple[int, ...]


def _bounds(issue: IssueData, name: str) -> tuple[float, float]:
    return (issue.lo, issue.hi) if name == "position" else (0.0, 1.0)


def _reach(issue: IssueData, cand: Candidate) -> float:
    """The largest ``t`` that still changes an input of the move (beyond it every input sits at its bound)."""
    lo, hi = _bounds(issue, cand.input)
    base = getattr(issue, _ARRAY[cand.input])
    return max((hi - base[i]) if d > 0 else (base[i] - lo) for i, d in zip(cand.actors, cand.directions))


def _rows(issue: IssueData, cand: Candidate, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, s, c = (np.repeat(getattr(issue, a)[None, :], len(ts), axis=0) for a in "xsc")
    arr = x if cand.input == "position" else s
    lo, hi = _bounds(issue, cand.input)
    for i, d in zip(cand.actors, cand.directions):
        arr[:, i] = np.clip(arr[:, i] + d * ts, lo, hi)
    return x, s, c


def _inside(values: np.ndarray, target: tuple[float, float], tol: float) -> np.ndarray:
    return (values >= target[0] - tol) & (values <= target[1] + tol)


def solve_moves(forecaster: IssueForecaster, candidates: Sequence[Candidate], targets: Sequence[tuple[float, float]],
                scan: int = 64, rounds: int = 4) -> list[tuple[float, float] | None]:
    """Per candidate move and its target band, the smallest ``t`` found that puts the forecast in the band and the
    forecast there, or None when no ``t`` of the scan does; all candidates run together in one batch per round."""
    issue = forecaster.issue
    tol = 1e-9 * (issue.hi - issue.lo)
    reach = [_reach(issue, cand) for cand in candidates]
    grids = [np.linspace(0.0, r, scan + 1) if r > 0 else np.zeros(1) for r in reach]
    values = _evaluate(forecaster, candidates, grids)
    brackets: list[tuple[float, float, float] | None] = []
    for grid, vals, target in zip(grids, values, targets):
        hit = np.flatnonzero(_inside(vals, target, tol))
        if hit.size == 0:
            brackets.append(None)
        elif hit[0] == 0:
            brackets.append((0.0, 0.0, float(vals[0])))
        else:
            brackets.append((float(grid[hit[0] - 1]), float(grid[hit[0]]), float(vals[hit[0]])))
    for _ in range(rounds):
        open_ = [k for k, b in enumerate(brackets) if b is not None and b[1] > b[0]]
        if not open_:
            break
        grids = [np.linspace(brackets[k][0], brackets[k][1], scan + 1)[1:] for k in open_]  # type: ignore[index]
        values = _evaluate(forecaster, [candidates[k] for k in open_], grids)
        for k, grid, vals in zip(open_, grids, values):
            first = int(np.flatnonzero(_inside(vals, targets[k], tol))[0])  # the grid ends at the bracket's inside end
            a = brackets[k][0] if first == 0 else float(grid[first - 1])  # type: ignore[index]
            brackets[k] = (a, float(grid[first]), float(vals[first]))
    return [None if b is None else (b[1], b[2]) for b in brackets]


def _evaluate(forecaster: IssueForecaster, candidates: Sequence[Candidate], grids: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Forecasts along each candidate's grid of ``t``, in one batch."""
    parts = [_rows(forecaster.issue, cand, grid) for cand, grid in zip(candidates, grids)]
    if not parts:
        return []
    x, s, c = (np.concatenate([p[j] for p in parts]) for j in range(3))
    values = forecaster(x, s, c)
    cuts = np.cumsum([len(g) for g in grids])[:-1]
    return np.split(values, cuts)


def candidates_for(issue: IssueData, actors: Sequence[int], effort: Effort) -> list[Candidate]:
    """Single-actor moves in both directions, and two-actor moves of the inputs in ``effort.pairs`` in all four."""
    out = [Candidate((i,), name, (d,)) for name in effort.inputs for i in actors for d in (1, -1)]
    out += [Candidate((i, j), name, dirs) for name in effort.pairs for i, j in itertools.combinations(actors, 2)
            for dirs in itertools.product((1, -1), repeat=2)]
    return out


def best_levers(forecaster: IssueForecaster, targets: Sequence[tuple[float, float]], actors: Sequence[int],
                effort: Effort = FULL, pairs_kept: int = 3) -> list[Lever]:
    """Per target band, actor and input, the smallest move into the band over the directions (unreachable ones kept
    with ``size`` None), and the ``pairs_kept`` smallest reachable moves of pairs per band and input. Sorted per
    band: reachable first, by input, single before pair, then size."""
    issue = forecaster.issue
    cands = candidates_for(issue, actors, effort)
    pairs = [(cand, tuple(target)) for target in targets for cand in cands]
    found = solve_moves(forecaster, [c for c, _ in pairs], [b for _, b in pairs], effort.scan, effort.rounds)
    best: dict[tuple[tuple[float, float], tuple[int, ...], str], tuple[Candidate, tuple[float, float] | None]] = {}
    for (cand, target), hit in zip(pairs, found):
        key = (target, cand.actors, cand.input)
        old = best.get(key)
        if old is None or (hit is not None and (old[1] is None or hit[0] < old[1][0])):
            best[key] = (cand, hit)
    levers = []
    for (target, _, _), (cand, hit) in best.items():
        t = 0.0 if hit is None else hit[0]
        arrays = _rows(issue, cand, np.array([t]))
        arr = arrays[0] if cand.input == "position" else arrays[1]
        base = getattr(issue, _ARRAY[cand.input])
        moves = tuple(Move(issue.actors[i], cand.input, float(base[i]), float(arr[0, i])) for i in cand.actors)
        if len(moves) > 1 and any(m.after == m.before for m in moves):
            continue  # an actor of the pair did not move: the single move of the other says it
        levers.append(Lever(target, moves, None if hit is None else t, None if hit is None else hit[1]))
    order = {name: k for k, name in enumerate(MOVABLE)}
    bands = {tuple(b): k for k, b in enumerate(targets)}
    levers.sort(key=lambda lv: (bands[lv.target], lv.size is None, order[lv.input], len(lv.moves), lv.size or 0.0))
    kept: dict[tuple[Any, str], int] = {}
    out = []
    for lv in levers:
        if len(lv.moves) > 1:
            if lv.size is None or kept.get((lv.target, lv.input), 0) >= pairs_kept:
                continue
            kept[(lv.target, lv.input)] = kept.get((lv.target, lv.input), 0) + 1
        out.append(lv)
    return out


# -- targets and the whole analysis ---------------------------------------------------------


def neighbour_bands(value: float, edges: Sequence[float]) -> list[tuple[float, float]]:
    """The bands just below and just above the one holding ``value`` (those that exist), nearer one first."""
    inner = np.asarray(edges[1:-1], dtype=float)
    k = int(np.searchsorted(inner, value, side="right"))
    bands = [(float(edges[j]), float(edges[j + 1])) for j in (k - 1, k + 1) if 0 <= j < len(edges) - 1]
    return sorted(bands, key=lambda b: min(abs(value - b[0]), abs(value - b[1])))


def issue_levers(forecaster: IssueForecaster, targets: Sequence[tuple[float, float]] | None = None,
                 edges: Sequence[float] | None = None, pos_step: np.ndarray | None = None,
                 effort: Effort = FULL) -> IssueLevers:
    """Sensitivities, pivotal actors and levers of one model on one issue.

    ``targets`` are the bands to reach; by default the neighbouring bands of ``edges`` (the issue's anchor
    bands; five equal bands without them).
    """
    issue = forecaster.issue
    point = forecaster.point()
    sens = sensitivities(forecaster, position_steps(issue) if pos_step is None else pos_step)
    pivotal = pivotal_actors(sens)
    if targets is None:
        edges = list(edges) if edges else list(np.linspace(issue.lo, issue.hi, 6))
        targets = neighbour_bands(point, edges)[:effort.targets]
    for lo, hi in targets:
        if not lo <= hi:
            raise ModelError(f"target band must have lo <= hi, got [{lo}, {hi}]")
    ranked = [issue.actors.index(a) for a, _ in pivotal]
    actors = sorted(ranked[:effort.top_actors] if effort.top_actors is not None else ranked)
    levers = best_levers(forecaster, [(float(lo), float(hi)) for lo, hi in targets], actors, effort)
    return IssueLevers(issue.id, forecaster.model.name, point, sens, pivotal, levers, effort.note())


def levers(issues: Sequence[IssueData], models: Sequence[str | ModelRun], *,
           bands: Mapping[str, Sequence[float]] | None = None,
           targets: Mapping[str, Sequence[tuple[float, float]]] | None = None,
           steps: Mapping[str, float] | None = None,
           efforts: Mapping[str, Effort] | None = None,
           only: Sequence[str] | None = None) -> list[IssueLevers]:
    """Levers of every model on every issue it covers (or the issues in ``only``).

    ``bands`` gives each issue's band edges (default targets: the neighbouring bands), ``targets`` explicit
    target bands per issue, ``steps`` the position step per issue, ``efforts`` the solver's effort per model
    (default :func:`default_effort`).
    """
    from accord.analysis.uncertainty import as_model_runs

    out: list[IssueLevers] = []
    for run in as_model_runs(models, None) if models else ():
        effort = (efforts or {}).get(run.name) or default_effort(run)
        for k, issue in enumerate(issues):
            if (only and issue.id not in only) or not run.covers(issue):
                continue
            forecaster = IssueForecaster(run, issues, k)
            out.append(issue_levers(forecaster, (targets or {}).get(issue.id), (bands or {}).get(issue.id),
                                    position_steps(forecaster.issue, steps), effort))
    return out
