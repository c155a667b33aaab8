"""Per-draw values of an event's terms, one function per event kind (docs/methods/agreement.md).

Each function returns :class:`Terms` (one value in [0, 1] per Monte Carlo draw and what the
figure is conditional on) or :class:`NotModelled` (why the models cannot speak to the event).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.analysis.events import Event
from accord.analysis.uncertainty import NoiseSpec, SimulationResult, simulate
from accord.errors import AccordError
from accord.gmcr.io import load_gmcr
from accord.gmcr.model import GMCRModel
from accord.gmcr.stability import CONCEPTS, analyse_stability
from accord.io import read_yaml, validate_yaml
from accord.models.issue import IssueData
from accord.models.registry import names
from accord.packages.file_format import PackageFile
from accord.packages.io import PackageCase, load_package_model
from accord.packages.pareto import frontier_additive
from accord.packages.ratification import Context, Ratifier, win_sets
from accord.packages.space import PackageModel

if TYPE_CHECKING:
    from accord.cases import Case
    from accord.scenario.model import Scenario

#: Packages enumerated outright up to this many; beyond, the candidates are Pareto frontiers.
ENUMERATE_LIMIT = 20_000
#: Draws whose exact Pareto frontier joins the candidate pool of a large package space (two for more than two parties).
FRONTIER_DRAWS = 16
CHUNK = 100
#: At most this many candidate packages are evaluated per draw: those nearest to acceptable to all at the stated inputs.
POOL_MAX = 2_000


_PARSED: dict[tuple[str, str, int, int], Any] = {}


def parsed(path: Path, loader: Callable[[Path], Any]) -> Any:
    """``loader(path)``, parsed once while the file is unchanged (keyed by path, size and modification time):
    a rolling backtest reads the same scenario, package and truce files at every origin. The parsed
    objects are shared, so callers must not change them."""
    stat = path.stat()
    key = (loader.__qualname__, str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        stale = [k for k in _PARSED if k[:2] == key[:2]]
        for k in stale:
            del _PARSED[k]
        _PARSED[key] = loader(path)
    return _PARSED[key]


@dataclass(frozen=True)
class AgreementNoise:
    """The uncertainty of the inputs (docs/methods/agreement.md says where each figure comes from).

    ``inputs`` perturbs positions, saliences and capabilities as the Monte Carlo intervals do;
    ``reservation_sd`` is the sd of a party's reservation value on the 0–1 utility scale;
    ``preference_sd`` the sd, in preference levels, of the noise on a decision maker's ranking of states.
    """

    inputs: NoiseSpec = dataclasses.field(default_factory=NoiseSpec)
    reservation_sd: float = 0.05
    preference_sd: float = 0.5


#: Model families scored apart in the rolling backtest: issue-level models grouped by how they bargain.
#: Package events are read by the two bargaining solutions of the same names (docs/methods/agreement.md).
ISSUE_FAMILIES: dict[str, tuple[str, ...]] = {
    "compromise": ("compromise", "mean"),
    "weighted median": ("weighted-median",),
    "nash": ("nash",),
    "bdm": ("bdm",),
}
KALAI = "kalai-smorodinsky"


@dataclass(frozen=True)
class Terms:
    """Per-draw values in [0, 1], what the probability is conditional on, and the per-draw values
    of each model family (empty where the families share one computation, as for truces)."""

    values: np.ndarray
    given: str
    by_family: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class NotModelled:
    """Why the models cannot speak to an event."""

    reason: str


@dataclass(frozen=True)
class Labels:
    """How conditions name actors and issues: their names and titles in the scenario, else their ids."""

    actors: Mapping[str, str] = dataclasses.field(default_factory=dict)
    issues: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario) -> Labels:
        return cls({a.id: a.name for a in scenario.actors}, {i.id: i.title for i in scenario.issues})

    def parties(self, ids: Sequence[str]) -> str:
        words = [self.actors.get(i, i) for i in ids]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    def issue(self, iid: str) -> str:
        return f"“{self.issues.get(iid, iid)}”"


def simulation_models(event: Event) -> list[str]:
    """The event's model, or the ensemble of every simulated model."""
    model = event.params.get("model")
    return [str(model)] if model else names(tag="simulate")


def simulate_issues(events: Sequence[Event], issues: Mapping[str, IssueData], draws: int, seed: int,
                    noise: AgreementNoise) -> SimulationResult | None:
    """One Monte Carlo run over every issue the issue-level events read, with every model they name."""
    wanted = sorted({str(e.params["issue"]) for e in events if e.kind in ("issue", "partial")} & set(issues))
    if not wanted:
        return None
    models = list(dict.fromkeys(m for e in events if e.kind in ("issue", "partial") for m in simulation_models(e)))
    return simulate([issues[i] for i in wanted], models=models, draws=draws, seed=seed, noise=noise.inputs,
                    keep_inputs=True)


def _forecasts(sim: SimulationResult, iid: str, models: Sequence[str]) -> dict[str, np.ndarray]:
    """Per model covering the issue, its forecast in every draw."""
    k = sim.issue_position(iid)
    return {m: sim.values[m][k] for m in models if m in sim.values and sim.covered[m][k]}


def issue_terms(event: Event, sim: SimulationResult | None, labels: Labels) -> Terms | NotModelled:
    """Share of draws (averaged over the models) in which the issue's forecast lies beyond the value."""
    iid = str(event.params["issue"])
    if sim is None or iid not in {i.id for i in sim.issues}:
        return NotModelled(f"no position on issue {iid} is dated on or before the origin")
    models = simulation_models(event)
    values = _forecasts(sim, iid, models)
    if not values:
        return NotModelled(f"none of the models {', '.join(models)} forecasts issue {iid}")
    v = float(event.params["value"])
    hits = {m: (f > v) if event.params["side"] == "above" else (f < v) for m, f in values.items()}
    share = np.mean(np.stack(list(hits.values())).astype(float), axis=0)
    return Terms(share, f"given the {_ensemble(values)} forecast of {labels.issue(iid)} {event.params['side']} {v:g}",
                 _family_shares(hits))


def _family_shares(hits: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per family with a model among ``hits``, the per-draw share of its models' hits."""
    out = {}
    for family, members in ISSUE_FAMILIES.items():
        mine = [hits[m] for m in members if m in hits]
        if mine:
            out[family] = np.mean(np.stack(mine).astype(float), axis=0)
    return out


def _ensemble(values: Mapping[str, np.ndarray]) -> str:
    return f"{next(iter(values))} model's" if len(values) == 1 else f"{len(values)}-model ({', '.join(values)})"


def acceptable_radius(step: float, salience: np.ndarray) -> np.ndarray:
    """How far from its position a party accepts an outcome on one issue: one anchor step at full
    salience, two at none (docs/methods/agreement.md)."""
    return step * (2.0 - np.clip(salience, 0.0, 1.0))


def partial_terms(event: Event, sim: SimulationResult | None, snapshot: Scenario, labels: Labels) -> Terms | NotModelled:
    """Share of draws in which the issue's bargaining outcome lies in every named party's acceptable range."""
    iid = str(event.params["issue"])
    if sim is None or iid not in {i.id for i in sim.issues}:
        return NotModelled(f"no position on issue {iid} is dated on or before the origin")
    k = sim.issue_position(iid)
    issue = sim.issues[k]
    absent = [p for p in event.parties if p not in issue.actors]
    if absent:
        return NotModelled(f"{', '.join(absent)} has no position on issue {iid} dated on or before the origin")
    models = simulation_models(event)
    values = _forecasts(sim, iid, models)
    if not values:
        return NotModelled(f"none of the models {', '.join(models)} forecasts issue {iid}")
    x, s, _ = sim.inputs[k]  # type: ignore[index]
    cols = [issue.actors.index(p) for p in event.parties]
    radius = acceptable_radius(snapshot.issue(iid).scale.step(), s[:, cols])
    hits = {m: (np.abs(y[:, None] - x[:, cols]) <= radius).all(axis=1) for m, y in values.items()}
    share = np.mean(np.stack(list(hits.values())).astype(float), axis=0)
    return Terms(share, f"given the {_ensemble(values)} bargaining outcome on {labels.issue(iid)} inside the acceptable "
                        f"range of {labels.parties(event.parties)}", _family_shares(hits))


# -- packages -------------------------------------------------------------------------


@dataclass(frozen=True)
class _PackageInputs:
    """Stated inputs of the named parties on the event's issues, and their standard deviations."""

    ideal: np.ndarray  # parties × issues, NaN where a party gives values instead of a position
    ideal_sd: np.ndarray
    salience: np.ndarray
    fixed: list[np.ndarray]  # per issue, parties × options: the given values (NaN rows for positions)
    points: list[np.ndarray]
    reservation: np.ndarray
    lo: float
    hi: float
    loss: str
    from_scenario: int


def _package_inputs(spec: PackageFile, model: PackageModel, parties: Sequence[str], issues: Sequence[int],
                    snapshot: Scenario, noise: AgreementNoise) -> _PackageInputs:
    held = {(p.actor, p.issue): p for p in snapshot.positions}
    span = spec.scale.hi - spec.scale.lo
    P, K = len(parties), len(issues)
    ideal = np.full((P, K), np.nan)
    sd = np.zeros((P, K))
    sal = np.zeros((P, K))
    fixed, points = [], []
    used = 0
    for c, k in enumerate(issues):
        entry = spec.issues[k]
        points.append(np.array([o.point if o.point is not None else np.nan for o in entry.options]))
        tab = np.full((P, len(entry.options)), np.nan)
        for r, party in enumerate(parties):
            stated = held.get((party, entry.id))
            if stated is not None:
                ideal[r, c], sal[r, c], used = stated.position, stated.salience, used + 1
                sd[r, c] = stated.uncertainty if stated.uncertainty is not None else snapshot.issue(entry.id).scale.step()
            elif party in entry.positions:
                pos = entry.positions[party]
                ideal[r, c], sal[r, c] = pos.position, pos.salience
                sd[r, c] = noise.inputs.fallback_position_sd * span
            elif party in entry.values:
                tab[r] = entry.values[party].v
                sal[r, c] = entry.values[party].salience
        fixed.append(tab)
    reservation = np.array([model.reservation[model.party_index(p)] for p in parties])
    return _PackageInputs(ideal, sd * noise.inputs.position_scale, sal, fixed, points, reservation,
                          spec.scale.lo, spec.scale.hi, spec.loss, used)


def _draw_tables(inp: _PackageInputs, size: int, rng: np.random.Generator | None,
                 noise: AgreementNoise) -> tuple[list[np.ndarray], np.ndarray]:
    """Per issue the contribution tables ``(size, parties, options)`` and the reservations ``(size, parties)``."""
    P, K = inp.ideal.shape
    if rng is None:
        x = np.broadcast_to(inp.ideal, (size, P, K))
        s = np.broadcast_to(inp.salience, (size, P, K))
        r = np.broadcast_to(inp.reservation, (size, P))
    else:
        x = np.clip(inp.ideal + inp.ideal_sd * rng.standard_normal((size, P, K)), inp.lo, inp.hi)
        s = np.clip(inp.salience + noise.inputs.salience_sd * rng.standard_normal((size, P, K)), 0.0, 1.0)
        r = inp.reservation + noise.reservation_sd * rng.standard_normal((size, P))
    total = s.sum(axis=2, keepdims=True)
    w = np.divide(s, total, out=np.zeros_like(s), where=total > 0)
    tables = []
    for k in range(K):
        dist = (inp.points[k][None, None, :] - x[:, :, k, None]) / (inp.hi - inp.lo)
        v = 1.0 - (np.abs(dist) if inp.loss == "linear" else dist**2)
        v = np.clip(v, 0.0, 1.0)
        given = ~np.isnan(inp.fixed[k][:, 0])
        v[:, given, :] = inp.fixed[k][given][None]
        tables.append(w[:, :, k, None] * v)
    return tables, np.asarray(r)


def _candidates(inp: _PackageInputs, model: PackageModel, parties: Sequence[str], issues: Sequence[int],
                rng: np.random.Generator, noise: AgreementNoise) -> tuple[np.ndarray, str]:
    """Option-index rows of the candidate packages: all of them, or the union of Pareto frontiers."""
    radix = [len(model.options[k]) for k in issues]
    if math.prod(radix) <= ENUMERATE_LIMIT:
        return np.stack(np.unravel_index(np.arange(math.prod(radix)), radix), axis=1), "every package"
    rows = []
    stated, _ = _draw_tables(inp, 1, None, noise)
    extra = FRONTIER_DRAWS if len(parties) <= 2 else 2  # frontiers of many parties are large and slow to merge
    drawn, _ = _draw_tables(inp, extra, rng, noise)
    for j in range(extra + 1):
        tabs = tuple(t[0] for t in stated) if j == 0 else tuple(t[j - 1] for t in drawn)
        sub = PackageModel(tuple(parties), tuple(model.issues[k] for k in issues),
                           tuple(model.options[k] for k in issues), tabs, np.zeros(len(parties)))
        rows.append(frontier_additive(sub).choices)
    pool = np.unique(np.concatenate(rows), axis=0)
    described = f"the {len(pool)} packages on the Pareto frontiers of the stated inputs and {extra} draws"
    if len(pool) <= POOL_MAX:
        return pool, described
    margin = (sum(t[0][:, pool[:, k]] for k, t in enumerate(stated)) - inp.reservation[:, None]).min(axis=0)
    keep = np.argsort(-margin, kind="stable")[:POOL_MAX]
    return pool[np.sort(keep)], f"the {POOL_MAX} of {described} nearest to acceptable to all"


def _bargained_values(tables: list[np.ndarray], r: np.ndarray, pool: np.ndarray,
                      ratified: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: 0 without a package acceptable to all, else the ratification chance of the package the
    Nash bargaining solution picks (first array) and of the one Kalai–Smorodinsky picks (second)."""
    U = sum(t[:, :, pool[:, k]] for k, t in enumerate(tables))  # (draws, parties, candidates)
    gains = U - r[:, :, None]
    ok = (gains >= 0).all(axis=1)
    any_ok = ok.any(axis=1)
    nash = np.argmax(np.where(ok, np.log(np.maximum(gains, 1e-12)).sum(axis=1), -np.inf), axis=1)
    best_gain = np.where(ok[:, None, :], gains, 0.0).max(axis=2, keepdims=True)  # each party's utopia gain
    ratio = np.divide(gains, best_gain, out=np.ones_like(gains), where=best_gain > 0).min(axis=1)
    kalai = np.argmax(np.where(ok, ratio, -np.inf), axis=1)
    return np.where(any_ok, ratified[nash], 0.0), np.where(any_ok, ratified[kalai], 0.0)


def package_terms(case: Case, event: Event, origin: dt.date, snapshot: Scenario, draws: int,
                  rng: np.random.Generator, noise: AgreementNoise, labels: Labels) -> Terms | NotModelled:
    """Share of draws with a package acceptable to every named party, times its chance of ratification."""
    path = case.file(str(event.params.get("packages", "packages.yaml")))
    if path is None:
        return NotModelled(f"the case has no {event.params.get('packages', 'packages.yaml')}")
    spec, loaded = parsed(path, _package_file)
    if spec.as_of is not None and spec.as_of > origin:
        return NotModelled(f"{path.name} is dated {spec.as_of}, after the origin")
    model = loaded.model
    unknown = [p for p in event.parties if p not in model.parties]
    wanted = list(event.params.get("issues") or model.issues)
    unknown += [i for i in wanted if i not in model.issues]
    if unknown:
        return NotModelled(f"{', '.join(unknown)} not in {path.name}")
    issues = [model.issues.index(i) for i in wanted]
    inp = _package_inputs(spec, model, event.parties, issues, snapshot, noise)
    pool, described = _candidates(inp, model, event.parties, issues, rng, noise)
    whole = len(issues) == len(model.issues)
    ratified, rat_note = _ratification(loaded.ratifiers, model, event.parties, pool, labels) if whole else (
        np.ones(len(pool)), "ratification not applied (ratifiers judge whole packages)")
    picked = [_bargained_values(*_draw_tables(inp, size, rng, noise), pool, ratified) for size in _chunks(draws)]
    values = np.concatenate([nash for nash, _ in picked])
    kalai = np.concatenate([ks for _, ks in picked])
    what = "package" if whole else f"sub-package on {', '.join(labels.issue(i) for i in wanted)}"
    known = f"positions of {inp.from_scenario} party-issue pairs from the scenario at the origin, the rest from {path.name}"
    return Terms(values, f"given a {what} acceptable to {labels.parties(event.parties)} among {described} ({known}); "
                         f"{rat_note}", {"nash": values, KALAI: kalai})


def _package_file(path: Path) -> tuple[PackageFile, PackageCase]:
    data, lines = read_yaml(path)
    return validate_yaml(PackageFile, data, lines, str(path)), load_package_model(path)


def _ratification(all_ratifiers: Sequence[Ratifier], model: PackageModel, parties: Sequence[str],
                  pool: np.ndarray, labels: Labels) -> tuple[np.ndarray, str]:
    """The chance that each candidate survives the named parties' ratifiers (at the stated inputs)."""
    ratifiers = [r for r in all_ratifiers if r.side in parties]
    if not ratifiers:
        return np.ones(len(pool)), "no ratifier of these parties in the package file"
    ws = win_sets(ratifiers, Context.of(model, pool))
    return ws.p_all, f"times its chance of ratification by {labels.parties(list(dict.fromkeys(r.side for r in ratifiers)))}"


def _chunks(draws: int) -> list[int]:
    return [min(CHUNK, draws - k) for k in range(0, draws, CHUNK)]


# -- truce -------------------------------------------------------------------------------


def truce_terms(case: Case, event: Event, draws: int, seed: int, noise: AgreementNoise) -> Terms | NotModelled:
    """Share of draws in which some named state is stable for every decision maker under the event's concept,
    with their preferences perturbed (docs/methods/agreement.md)."""
    name = str(event.params.get("truce", "truce.yaml"))
    path = case.file(name)
    if path is None:
        return NotModelled(f"the case has no {name}")
    try:
        model = parsed(path, load_gmcr)
    except AccordError as exc:
        return NotModelled(f"{name} cannot be read: {exc}")
    picked = truce_states(model, event.params, name)
    if isinstance(picked, NotModelled):
        return picked
    positions, described = picked
    concept = str(event.params.get("concept", "all"))
    stable = perturbed_stability(model, draws, seed, noise.preference_sd)
    chosen = [CONCEPTS.index(concept)] if concept != "all" else list(range(len(CONCEPTS)))
    values = stable[:, chosen, :][:, :, positions].all(axis=1).any(axis=1).astype(float)
    which = "every stability concept" if concept == "all" else concept.upper()
    return Terms(values, f"given {described} of {name} stable for all decision makers under {which}")


def truce_states(model: GMCRModel, params: Mapping[str, Any], name: str) -> tuple[list[int], str] | NotModelled:
    """Positions of the states a truce event names (``state``, ``states`` or ``options``) and how to say so."""
    labels = [model.state_label(p) for p in range(model.n_states)]
    wanted = params.get("options")
    if wanted:
        unknown = [o for o in wanted if o not in model.options]
        if unknown:
            return NotModelled(f"no option {', '.join(map(repr, unknown))} in {name}")
        bit = {o: model.options.index(o) for o in wanted}
        codes = model.codes if model.codes is not None else np.zeros(0, dtype=np.int64)
        positions = [p for p, code in enumerate(codes) if all(bool(int(code) >> bit[o] & 1) == v for o, v in wanted.items())]
        said = _option_terms(wanted, model.meta.get("descriptions", {}))
        if not positions:
            return NotModelled(f"no feasible state of {name} has {said}")
        return positions, f"some state with {said} ({len(positions)} of {model.n_states})"
    refs = params.get("states") or [params["state"]]
    positions = []
    for ref in refs:
        if isinstance(ref, int):
            if ref > model.n_states:
                return NotModelled(f"{name} has {model.n_states} states, not {ref}")
            positions.append(ref - 1)
        elif ref in labels:
            positions.append(labels.index(ref))
        else:
            return NotModelled(f"no state {ref!r} in {name}")
    shown = " or ".join(f"{p + 1} ({labels[p]})" for p in positions)
    return positions, f"state {shown}"


def _option_terms(wanted: Mapping[str, bool], described: Mapping[str, str]) -> str:
    return " and ".join(f"“{described.get(o, o)}” {'taken' if v else 'not taken'}" for o, v in wanted.items())


_STABILITY_CACHE: dict[tuple[Any, ...], tuple[GMCRModel, np.ndarray]] = {}


def perturbed_stability(model: GMCRModel, draws: int, seed: int, sd: float) -> np.ndarray:
    """``(draws, concepts, states)``: whether each state is stable for every DM when each DM's preference
    levels are shifted by N(0, sd) and re-ranked (indifferent states stay tied). Kept for repeated calls
    with the same model object (the cache holds the model, so its id stays its own)."""
    key = (id(model), draws, seed, sd)
    if key in _STABILITY_CACHE:
        return _STABILITY_CACHE[key][1]
    rng = np.random.default_rng([seed, 1])
    levels = [np.unique(model.scores[i], return_inverse=True)[1].ravel() for i in range(len(model.dms))]
    out = np.zeros((draws, len(CONCEPTS), model.n_states), dtype=bool)
    seen: dict[bytes, np.ndarray] = {}
    for d in range(draws):
        scores = np.stack([_reranked(inv, sd, rng) for inv in levels])
        tag = scores.tobytes()
        if tag not in seen:
            result = analyse_stability(dataclasses.replace(model, scores=scores))
            seen[tag] = np.stack([result.stable[c].all(axis=0) for c in CONCEPTS])
        out[d] = seen[tag]
    _STABILITY_CACHE.clear()
    _STABILITY_CACHE[key] = (model, out)
    return out


def _reranked(level_of_state: np.ndarray, sd: float, rng: np.random.Generator) -> np.ndarray:
    """Preference scores after shifting every level by N(0, sd) and ranking again."""
    n = int(level_of_state.max()) + 1
    shifted = np.arange(n, dtype=float) + sd * rng.standard_normal(n)
    return np.argsort(np.argsort(shifted, kind="stable"), kind="stable")[level_of_state]
