"""Monte Carlo forecast intervals: how uncertain inputs spread each model's forecast.

Every draw perturbs the inputs of all issues at once, then every model forecasts every
issue of the draw. Noise model (:class:`NoiseSpec`, defaults in brackets):

* position of actor i on issue k: ``x + sd·N(0,1)``, clipped to the issue's ``[lo, hi]``;
  ``sd = position_scale × IssueData.uncertainty[i]`` [1 ×; the scenario default is one
  anchor step, 25 on a 0–4 scale], or ``fallback_position_sd × (hi − lo)`` where an
  issue carries no uncertainty [0.1];
* salience: ``s + salience_sd·N(0,1)``, clipped to ``[0, 1]`` [sd 0.1];
* capability: ``c × exp(capability_sd·N(0,1) − capability_sd²/2)``, one mean-preserving
  log-normal shock per actor and draw, shared by all issues of the draw [sd 0.2].

Draws run in chunks of ``chunk`` draws (bounded memory). Chunk j is seeded with
``chunk_seeds(seed, n_chunks)[j]`` and run through :meth:`Execution.map`, so the result
is bit-identical whether the chunks run here or on a Dask cluster. The chunking, not the
number of workers, fixes the random streams: keep ``chunk`` when comparing runs.

Each model runs through its registry entry (:mod:`accord.models.registry`): its batched
form evaluates all draws of an issue at once (arrays ``(draws, n)``); a model without one
(e.g. ``exchange``) runs draw by draw through its single form, correct but slow. A model
that links issues sees all issues of a draw together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.errors import ModelError
from accord.execution import IN_PROCESS, Execution, chunk_seeds, chunk_sizes
from accord.models import bdm as bdm_mod
from accord.models.issue import IssueData
from accord.models.registry import ModelSpec, get, names

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
DEFAULT_CHUNK = 1000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NoiseSpec:
    """How inputs are perturbed in each draw (see the module docstring)."""

    position_scale: float = 1.0
    fallback_position_sd: float = 0.1
    salience_sd: float = 0.1
    capability_sd: float = 0.2

    def __post_init__(self) -> None:
        for name in ("position_scale", "fallback_position_sd", "salience_sd", "capability_sd"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ModelError(f"noise {name} must be a finite number >= 0, got {v!r}")

    def to_dict(self) -> dict[str, float]:
        """The noise parameters."""
        return dict(self.__dict__)


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class ModelRun:
    """A model to run on every draw: a registry name and its parameters.

    The registry entry is looked up once, here, and travels with the run, so chunks sent to
    other processes (Dask workers) use it even where the model was registered at run time.
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    spec: ModelSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", get(self.name))

    def merged(self) -> dict[str, Any]:
        """Registry presets overlaid with the given parameters (names and types checked)."""
        return self.spec.resolve(self.params)

    def covers(self, issue: IssueData) -> bool:
        """Whether the model gives a forecast on the issue at all."""
        return self.spec.covers(issue)

    def rows(self, issues: Sequence[IssueData], drawn: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        """Forecasts for the drawn rows of the issues the model covers (0 on the others).

        A model that links issues sees all its covered issues together; any other model
        sees them one at a time, so a result does not depend on the other issues.
        """
        out = [np.zeros(len(d[0])) for d in drawn]
        covered = [k for k, issue in enumerate(issues) if self.covers(issue)]
        if not covered:
            return out
        spec, params = self.spec, self.merged()
        values = spec.forecast_rows([issues[k] for k in covered], [drawn[k] for k in covered], params)
        for k, v in zip(covered, values):
            out[k] = v
        return out


def evaluate_batch(model: ModelRun, issue: IssueData, x: np.ndarray, s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Forecasts of a one-issue model for rows of perturbed inputs of one issue, shape ``(B,)``."""
    return model.spec.forecast_rows([issue], [(x, s, c)], model.merged())[0]


# --------------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class _ChunkTask:
    issues: tuple[IssueData, ...]
    models: tuple[ModelRun, ...]
    noise: NoiseSpec
    seed: np.random.SeedSequence
    size: int
    keep_inputs: bool


def actor_index(issues: Sequence[IssueData]) -> dict[str, int]:
    """Every actor id in order of first appearance over the issues."""
    index: dict[str, int] = {}
    for issue in issues:
        for a in issue.actors:
            index.setdefault(a, len(index))
    return index


def draw_inputs(
    issues: Sequence[IssueData], noise: NoiseSpec, rng: np.random.Generator, size: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Perturbed ``(x, s, c)`` arrays of shape ``(size, n)`` for every issue, in a fixed order."""
    index = actor_index(issues)
    shocks = rng.standard_normal((size, len(index)))
    cap_factor = np.exp(noise.capability_sd * shocks - 0.5 * noise.capability_sd**2)
    out = []
    for issue in issues:
        n = issue.n
        sd = (
            noise.position_scale * np.broadcast_to(issue.uncertainty, (n,))
            if issue.uncertainty is not None
            else np.full(n, noise.fallback_position_sd * (issue.hi - issue.lo))
        )
        x = np.clip(issue.x + sd * rng.standard_normal((size, n)), issue.lo, issue.hi)
        s = np.clip(issue.s + noise.salience_sd * rng.standard_normal((size, n)), 0.0, 1.0)
        cols = np.array([index[a] for a in issue.actors], dtype=np.intp)
        c = issue.c * cap_factor[:, cols]
        out.append((x, s, c))
    return out


def _simulate_chunk(task: _ChunkTask) -> dict[str, Any]:
    """Forecasts of every model on every issue for one chunk of draws (module level: picklable)."""
    rng = np.random.default_rng(task.seed)
    drawn = draw_inputs(task.issues, task.noise, rng, task.size)
    values = np.zeros((len(task.models), len(task.issues), task.size))
    for m, model in enumerate(task.models):
        values[m] = model.rows(task.issues, drawn)
    out: dict[str, Any] = {"values": values}
    if task.keep_inputs:
        out["inputs"] = drawn
    return out


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ForecastSummary:
    """The Monte Carlo distribution of one model's forecast on one issue."""

    issue: str
    model: str
    point: float
    mean: float
    sd: float
    quantiles: dict[float, float]
    band_labels: tuple[str, ...]
    band_edges: tuple[float, ...]
    band_probs: tuple[float, ...]

    @property
    def likeliest_band(self) -> tuple[str, float]:
        """The band with the highest probability (first on ties) and that probability."""
        k = int(np.argmax(self.band_probs))
        return self.band_labels[k], self.band_probs[k]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "issue": self.issue,
            "model": self.model,
            "point": self.point,
            "mean": self.mean,
            "sd": self.sd,
            "quantiles": {f"{q:g}": v for q, v in self.quantiles.items()},
            "bands": [
                {"label": lab, "lo": lo, "hi": hi, "p": p}
                for lab, lo, hi, p in zip(self.band_labels, self.band_edges[:-1], self.band_edges[1:], self.band_probs)
            ],
        }


@dataclass
class SimulationResult:
    """Per issue and model: the forecast distribution over ``draws`` perturbed inputs.

    ``values[model]`` has shape ``(n_issues, draws)``; ``covered[model][k]`` says whether
    the model forecasts issue k at all (``status-quo`` needs a reference point).
    ``inputs`` (when kept) holds each issue's drawn ``(x, s, c)`` arrays ``(draws, n)``.
    """

    issues: tuple[IssueData, ...]
    models: tuple[ModelRun, ...]
    draws: int
    seed: int | None
    noise: NoiseSpec
    chunk: int
    values: dict[str, np.ndarray]
    covered: dict[str, np.ndarray]
    points: dict[str, np.ndarray]
    band_edges: dict[str, tuple[float, ...]]
    band_labels: dict[str, tuple[str, ...]]
    inputs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def issue_position(self, issue_id: str) -> int:
        """Index of an issue."""
        for k, issue in enumerate(self.issues):
            if issue.id == issue_id:
                return k
        raise KeyError(issue_id)

    def samples(self, issue_id: str, model: str) -> np.ndarray:
        """The forecasts of one model on one issue, one per draw."""
        return self.values[model][self.issue_position(issue_id)]

    def summary(self, issue_id: str, model: str) -> ForecastSummary:
        """Quantiles, mean and band probabilities of one model on one issue."""
        k = self.issue_position(issue_id)
        if not self.covered[model][k]:
            raise KeyError(f"{model} gives no forecast on {issue_id}")
        v = self.values[model][k]
        edges = self.band_edges[issue_id]
        qs = np.quantile(v, QUANTILES)
        probs = band_probabilities(v, edges)
        return ForecastSummary(
            issue=issue_id,
            model=model,
            point=float(self.points[model][k]),
            mean=float(v.mean()),
            sd=float(v.std()),
            quantiles={q: float(val) for q, val in zip(QUANTILES, qs)},
            band_labels=self.band_labels[issue_id],
            band_edges=tuple(edges),
            band_probs=tuple(float(p) for p in probs),
        )

    def summaries(self) -> list[ForecastSummary]:
        """Every covered (issue, model) summary, issues first."""
        out = []
        for k, issue in enumerate(self.issues):
            for m in self.models:
                if self.covered[m.name][k]:
                    out.append(self.summary(issue.id, m.name))
        return out

    def to_rows(self) -> list[dict[str, Any]]:
        """Flat rows: issue, model, point forecast, mean, quantiles, likeliest band, all bands."""
        rows = []
        for sm in self.summaries():
            band, p = sm.likeliest_band
            rows.append(
                {
                    "issue": sm.issue,
                    "model": sm.model,
                    "point": sm.point,
                    "mean": sm.mean,
                    "p5": sm.quantiles[0.05],
                    "p25": sm.quantiles[0.25],
                    "p50": sm.quantiles[0.5],
                    "p75": sm.quantiles[0.75],
                    "p95": sm.quantiles[0.95],
                    "band": band,
                    "p_band": p,
                    "bands": " | ".join(f"{lab} {q:.0%}" for lab, q in zip(sm.band_labels, sm.band_probs)),
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary with the run's parameters and every summary."""
        return {
            "draws": self.draws,
            "seed": self.seed,
            "chunk": self.chunk,
            "noise": self.noise.to_dict(),
            "models": [{"name": m.name, "params": m.merged()} for m in self.models],
            "summaries": [s.to_dict() for s in self.summaries()],
        }


def band_probabilities(values: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Share of values in each band ``[e_k, e_{k+1})`` (values beyond the ends count in the end bands)."""
    inner = np.asarray(edges[1:-1], dtype=float)
    idx = np.searchsorted(inner, values, side="right")
    return np.bincount(idx, minlength=len(edges) - 1) / max(1, values.size)


def default_bands(issue: IssueData, k: int = 5) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """``k`` equal bands over the issue's scale, labelled by their ranges."""
    edges = np.linspace(issue.lo, issue.hi, k + 1)
    labels = tuple(f"{a:g}-{b:g}" for a, b in zip(edges[:-1], edges[1:]))
    return tuple(float(e) for e in edges), labels


def default_models() -> list[str]:
    """The models simulated when none are named: the closed-form ones that ``accord run``
    computes, and the one-issue dynamic ones (BDM)."""
    return [n for n in names(tag="run") if not get(n).multi_issue]


def as_model_runs(models: Sequence[str | ModelRun] | None, params: Mapping[str, Mapping[str, Any]] | None) -> tuple[ModelRun, ...]:
    """Model names (or runs) with their parameters, checked against the registry."""
    out = []
    for m in list(models) if models else default_models():
        run = m if isinstance(m, ModelRun) else ModelRun(m, dict((params or {}).get(m, {})))
        run.merged()
        out.append(run)
    return tuple(out)


def simulate(
    issues: Sequence[IssueData],
    models: Sequence[str | ModelRun] | None = None,
    draws: int = 1000,
    seed: int | None = 0,
    noise: NoiseSpec | None = None,
    execution: Execution = IN_PROCESS,
    progress: Progress | None = None,
    *,
    bands: Mapping[str, Sequence[float]] | None = None,
    band_labels: Mapping[str, Sequence[str]] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    chunk: int = DEFAULT_CHUNK,
    keep_inputs: bool = False,
) -> SimulationResult:
    """Monte Carlo forecast distributions of several models over perturbed inputs.

    ``bands`` maps issue ids to band edges (e.g. ``Scenario.issue(k).scale.band_edges()``);
    issues without get five equal bands. ``params`` maps model names to parameters.
    ``progress(done, total)`` is called after each chunk. Same ``seed`` and ``chunk`` give
    bit-identical results wherever the chunks run.
    """
    if int(draws) != draws or draws < 1:
        raise ModelError(f"draws must be a positive integer, got {draws!r}")
    if int(chunk) != chunk or chunk < 1:
        raise ModelError(f"chunk must be a positive integer, got {chunk!r}")
    if not issues:
        raise ModelError("no issues to simulate")
    noise = noise or NoiseSpec()
    runs = as_model_runs(models, params)
    issues = tuple(bdm_mod.with_missing_salience_as_zero(i) for i in issues)
    for issue in issues:
        if issue.n == 0:
            raise ModelError(f"issue {issue.id} has no actors")
        try:
            bdm_mod.validate_inputs(issue.x, issue.s, issue.c)
        except ModelError as exc:
            raise ModelError(f"issue {issue.id}: {exc}") from None
        if issue.uncertainty is not None and (np.any(~np.isfinite(issue.uncertainty)) or np.any(np.asarray(issue.uncertainty) < 0)):
            raise ModelError(f"issue {issue.id}: position uncertainty must be finite and >= 0")
    edges_by_issue: dict[str, tuple[float, ...]] = {}
    labels_by_issue: dict[str, tuple[str, ...]] = {}
    for issue in issues:
        if bands and issue.id in bands:
            e = tuple(float(v) for v in bands[issue.id])
            if len(e) < 2 or any(b <= a for a, b in zip(e, e[1:])):
                raise ModelError(f"issue {issue.id}: band edges must increase strictly")
            given = (band_labels or {}).get(issue.id)
            labs = tuple(given) if given else tuple(f"{a:g}-{b:g}" for a, b in zip(e[:-1], e[1:]))
            if len(labs) != len(e) - 1:
                raise ModelError(f"issue {issue.id}: {len(labs)} band labels for {len(e) - 1} bands")
        else:
            e, labs = default_bands(issue)
        edges_by_issue[issue.id] = e
        labels_by_issue[issue.id] = labs

    sizes = chunk_sizes(int(draws), int(chunk))
    seeds = chunk_seeds(seed, len(sizes))
    tasks = [_ChunkTask(issues, runs, noise, sq, size, keep_inputs) for sq, size in zip(seeds, sizes)]
    parts = []
    done = 0
    for part in execution.map(_simulate_chunk, tasks):
        parts.append(part)
        done += part["values"].shape[2]
        if progress is not None:
            progress(done, int(draws))
    values = np.concatenate([p["values"] for p in parts], axis=2)
    covered = {m.name: np.array([m.covers(i) for i in issues]) for m in runs}
    stated = [(i.x[None, :], i.s[None, :], i.c[None, :]) for i in issues]
    points = {m.name: np.array([float(v[0]) for v in m.rows(issues, stated)]) for m in runs}
    inputs = None
    if keep_inputs:
        inputs = [
            tuple(np.concatenate([p["inputs"][k][j] for p in parts], axis=0) for j in range(3))
            for k in range(len(issues))
        ]
    return SimulationResult(
        issues=issues,
        models=runs,
        draws=int(draws),
        seed=seed,
        noise=noise,
        chunk=int(chunk),
        values={m.name: values[j] for j, m in enumerate(runs)},
        covered=covered,
        points=points,
        band_edges=edges_by_issue,
        band_labels=labels_by_issue,
        inputs=inputs,  # type: ignore[arg-type]
    )


def scenario_bands(scenario: Any) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Band edges and labels (nearest anchor) of every scenario issue that has anchors."""
    edges: dict[str, list[float]] = {}
    labels: dict[str, list[str]] = {}
    for issue in scenario.issues:
        if len(issue.scale.anchors) >= 2:
            edges[issue.id] = list(issue.scale.band_edges())
            labels[issue.id] = [a.label for a in issue.scale.anchors]
    return edges, labels
