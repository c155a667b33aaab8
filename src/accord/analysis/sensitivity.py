"""Which actor and which input move each issue's forecast most.

Two complementary measures, for any registered model (:mod:`accord.models.registry`);
models with a batched form run fastest:

One-at-a-time sweeps (:func:`oat_sweep`)
    Starting from the stated inputs, move one input of one actor and re-forecast:
    position ± one step (the issue's anchor step where given, else the actor's position
    uncertainty, else 10% of the scale; clipped to the scale), salience ± ``salience_step``
    (clipped to [0, 1]) and capability × (1 ± ``capability_factor``). The *swing* of an
    (actor, input) is the larger absolute change of the two directions. All perturbations
    of one issue run as one batch.

Variance-based ranking (:func:`variance_ranking`)
    From the Monte Carlo draws of :func:`~accord.analysis.uncertainty.simulate`, a
    first-order Sobol-style index per (actor, input): the correlation ratio
    ``η² = Var(E[Y | X]) / Var(Y)``, estimated by cutting X into ``bins`` quantile bins
    (tied values share a bin) and taking the between-bin share of the variance of the
    forecast Y. Indices lie in [0, 1]; an input that does not vary, or a forecast that
    does not vary, gets 0. The estimate carries an upward bias of about
    ``(bins − 1) / draws`` (1% at 20 bins and 2,000 draws).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from accord.analysis.uncertainty import ModelRun, NoiseSpec, SimulationResult, as_model_runs, evaluate_batch, simulate
from accord.errors import ModelError
from accord.execution import IN_PROCESS, Execution
from accord.models.bdm import validate_inputs, with_missing_salience_as_zero
from accord.models.issue import IssueData

INPUTS = ("position", "salience", "capability")
#: Forecasts of one issue for rows of its inputs ``(x, s, c)``, each of shape ``(rows, n)``.
Evaluate = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class JsonRecord:
    """Base of the analysis' result dataclasses: ``to_dict()`` gives a JSON-ready dictionary."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class SweepRow(JsonRecord):
    """One perturbation: an actor's input moved in one direction, and the forecast after."""

    issue: str
    model: str
    actor: str
    input: str
    direction: str
    base_input: float
    new_input: float
    base_forecast: float
    forecast: float
    change: float


@dataclass(frozen=True)
class Driver(JsonRecord):
    """An (actor, input) pair and how much it moves one model's forecast on one issue."""

    issue: str
    model: str
    actor: str
    input: str
    score: float
    method: str


def _perturbations(issue: IssueData, pos_step: np.ndarray, salience_step: float, capability_factor: float):
    """Batch of inputs: row 0 the stated inputs, then per actor and input the − and + moves."""
    n = issue.n
    rows = 1 + 6 * n
    x = np.repeat(issue.x[None, :], rows, axis=0)
    s = np.repeat(issue.s[None, :], rows, axis=0)
    c = np.repeat(issue.c[None, :], rows, axis=0)
    labels = []
    r = 1
    for i in range(n):  # builds 6n rows of a batch; the model runs once on the whole batch
        for name, arr, lo_val, hi_val in (
            ("position", x, issue.x[i] - pos_step[i], issue.x[i] + pos_step[i]),
            ("salience", s, issue.s[i] - salience_step, issue.s[i] + salience_step),
            ("capability", c, issue.c[i] * (1 - capability_factor), issue.c[i] * (1 + capability_factor)),
        ):
            lo_b, hi_b = {"position": (issue.lo, issue.hi), "salience": (0.0, 1.0), "capability": (0.0, np.inf)}[name]
            for direction, value in (("-", lo_val), ("+", hi_val)):
                arr[r, i] = float(np.clip(value, lo_b, hi_b))
                labels.append((i, name, direction, float(arr[r, i])))
                r += 1
    return x, s, c, labels


def oat_sweep(
    issues: Sequence[IssueData],
    models: Sequence[str | ModelRun] = ("bdm",),
    *,
    steps: Mapping[str, float] | None = None,
    salience_step: float = 0.1,
    capability_factor: float = 0.2,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[SweepRow]:
    """One-at-a-time sweeps of every actor's position, salience and capability.

    ``steps`` maps issue ids to the position step (e.g. ``Scale.step()``, 25 on a 0–4
    scale); otherwise each actor's position uncertainty, else 10% of the scale. Models
    that link issues are refused (a sweep moves one issue at a time).
    """
    if not (0 <= salience_step <= 1):
        raise ModelError(f"salience step must lie in [0, 1], got {salience_step!r}")
    if not (0 <= capability_factor < 1):
        raise ModelError(f"capability factor must lie in [0, 1), got {capability_factor!r}")
    runs = as_model_runs(models, params)
    for run in runs:
        if run.spec.multi_issue:
            raise ModelError(f"model {run.name!r} links issues: one-at-a-time sweeps of one issue do not apply; "
                             "use the variance-based ranking")
    out: list[SweepRow] = []
    for issue in issues:
        issue = with_missing_salience_as_zero(issue)
        validate_inputs(issue.x, issue.s, issue.c)
        pos_step = position_steps(issue, steps)
        for model in runs:
            if model.covers(issue):
                out += sweep_issue(issue, model.name, lambda x, s, c, m=model, i=issue: evaluate_batch(m, i, x, s, c),
                                   pos_step, salience_step, capability_factor)
    return out


def position_steps(issue: IssueData, steps: Mapping[str, float] | None = None) -> np.ndarray:
    """Each actor's position step: ``steps[issue]``, else the actor's uncertainty, else 10% of the scale."""
    if steps and issue.id in steps:
        return np.full(issue.n, float(steps[issue.id]))
    if issue.uncertainty is not None:
        return np.broadcast_to(np.asarray(issue.uncertainty, dtype=float), (issue.n,)).copy()
    return np.full(issue.n, 0.1 * (issue.hi - issue.lo))


def sweep_issue(issue: IssueData, model: str, evaluate: Evaluate, pos_step: np.ndarray,
                salience_step: float = 0.1, capability_factor: float = 0.2) -> list[SweepRow]:
    """The one-at-a-time sweep of one issue: ``evaluate(x, s, c)`` forecasts rows of inputs in one batch."""
    x, s, c, labels = _perturbations(issue, pos_step, salience_step, capability_factor)
    values = evaluate(x, s, c)
    base = float(values[0])
    out = []
    for row, (i, name, direction, new) in enumerate(labels, start=1):
        old = float({"position": issue.x, "salience": issue.s, "capability": issue.c}[name][i])
        out.append(SweepRow(issue.id, model, issue.actors[i], name, direction, old, new, base,
                            float(values[row]), float(values[row]) - base))
    return out


def oat_drivers(rows: Sequence[SweepRow]) -> list[Driver]:
    """Per issue and model, every (actor, input) ranked by its swing, largest first."""
    swings: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
    for r in rows:
        key = (r.issue, r.model)
        cell = swings.setdefault(key, {})
        cell[(r.actor, r.input)] = max(cell.get((r.actor, r.input), 0.0), abs(r.change))
    out = []
    for (issue, model), cell in swings.items():
        ranked = sorted(cell.items(), key=lambda kv: -kv[1])  # stable: input order on ties
        out.extend(Driver(issue, model, a, inp, v, "oat") for (a, inp), v in ranked)
    return out


def first_order_index(x: np.ndarray, y: np.ndarray, bins: int = 20) -> float:
    """Correlation ratio ``Var(E[y|x]) / Var(y)`` from ``bins`` quantile bins of ``x`` (0 if either is constant)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size != y.size or x.size == 0:
        raise ModelError("first_order_index needs equally long, non-empty samples")
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0 or np.ptp(x) == 0:
        return 0.0
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1]))
    idx = np.searchsorted(edges, x, side="right")
    counts = np.bincount(idx)
    sums = np.bincount(idx, weights=y)
    used = counts > 0
    means = sums[used] / counts[used]
    between = float((counts[used] * (means - y.mean()) ** 2).sum())
    return float(min(1.0, max(0.0, between / total)))


def variance_indices(sim: SimulationResult, model: str, bins: int = 20) -> list[Driver]:
    """First-order indices of every (actor, input) per issue from a simulation with kept inputs."""
    if sim.inputs is None:
        raise ModelError("the simulation kept no inputs; run simulate(..., keep_inputs=True)")
    if model not in sim.values:
        raise ModelError(f"model {model!r} was not simulated")
    out = []
    for k, issue in enumerate(sim.issues):
        if not sim.covered[model][k]:
            continue
        y = sim.values[model][k]
        scored = []
        for j, name in enumerate(INPUTS):
            arr = sim.inputs[k][j]
            for i, actor in enumerate(issue.actors):
                scored.append((actor, name, first_order_index(arr[:, i], y, bins)))
        scored.sort(key=lambda t: -t[2])
        out.extend(Driver(issue.id, model, a, name, v, "first_order") for a, name, v in scored)
    return out


def variance_ranking(
    issues: Sequence[IssueData],
    model: str = "bdm",
    draws: int = 2000,
    seed: int | None = 0,
    noise: NoiseSpec | None = None,
    execution: Execution = IN_PROCESS,
    *,
    bins: int = 20,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Any = None,
) -> list[Driver]:
    """Run the Monte Carlo for one model, keeping inputs, and rank drivers by first-order index."""
    if bins < 2:
        raise ModelError(f"bins must be >= 2, got {bins!r}")
    sim = simulate(issues, [model], draws=draws, seed=seed, noise=noise, execution=execution,
                   params=params, keep_inputs=True, progress=progress)
    return variance_indices(sim, model, bins)


def top_drivers(drivers: Sequence[Driver]) -> list[Driver]:
    """The first (largest) driver of each (issue, model, method), in input order of issues."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for d in drivers:
        key = (d.issue, d.model, d.method)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


# -- exact derivatives of the smooth models --------------------------------------------------


def exact_gradient(issue: IssueData, model: str, params: Mapping[str, Any] | None = None) -> np.ndarray | None:
    """``∂forecast/∂input`` of every actor, shape ``(3, n)`` in the order of :data:`INPUTS`, or None.

    Exact for the compromise family (a weighted mean) and for the quadratic-loss Nash bargaining
    solution at an interior optimum (implicit differentiation of its first-order condition); None
    where the model is not smooth there (medians, dynamic models, Nash gridlock or linear loss), so
    that the caller uses finite differences. Formulas: ``docs/methods/levers.md``.
    """
    from accord.models.registry import get

    spec = get(model)
    merged = spec.resolve(params or {})
    target = spec.single if isinstance(spec.single, str) else getattr(spec.single, "__name__", "")
    if target.endswith(":compromise_model"):
        return _compromise_gradient(issue, str(merged.get("weights", "salience_x_capability")))
    if target.endswith(":nash_model") and merged.get("loss", "quadratic") == "quadratic":
        r = issue.reference if merged.get("use_reference", True) else None
        return _nash_gradient(issue, r, merged.get("kappa", 1.0))
    return None


def _compromise_gradient(issue: IssueData, weights: str) -> np.ndarray | None:
    from accord.models.baselines import scheme_weights

    s = np.nan_to_num(issue.s, nan=0.0)
    w = scheme_weights(s, issue.c, weights)
    total = float(w.sum())
    if total <= 0:
        return None  # every weight is 0: the model falls back to the plain mean (not differentiable there)
    f = float((w * issue.x).sum() / total)
    dw_ds = {"salience_x_capability": issue.c, "salience": np.ones(issue.n)}.get(weights, np.zeros(issue.n))
    dw_dc = s if weights in ("salience_x_capability", "salience-x-capability") else np.zeros(issue.n)
    spread = (issue.x - f) / total
    return np.vstack([w / total, dw_ds * spread, dw_dc * spread])


def _nash_gradient(issue: IssueData, r: float | None, kappa: Any) -> np.ndarray | None:
    from accord.models.nash import nbs

    scale = issue.hi - issue.lo
    res = nbs(issue.x, issue.s, issue.c, r=r, kappa=kappa, scale=scale)
    if res.gridlock or res.degenerate:
        return None
    y, x, c = res.x, issue.x, issue.c
    s = np.nan_to_num(issue.s, nan=0.0)
    k = np.broadcast_to(np.asarray(kappa, dtype=float), x.shape)
    q_y = ((y - x) / scale) ** 2
    q_r = ((r - x) / scale) ** 2 if r is not None else np.zeros_like(x)
    g = s * (q_r - q_y) + k  # each actor's gain over disagreement at the solution
    if np.any(g <= 0):
        return None
    dg = -2 * s * (y - x) / scale**2  # its slope in the solution y
    d2g = -2 * s / scale**2
    f_y = float((c * (d2g * g - dg**2) / g**2).sum())
    if f_y >= 0:
        return None
    dg_dx = 2 * s * ((y - r) if r is not None else (y - x)) / scale**2
    dslope_dx = 2 * s / scale**2
    dslope_ds = -2 * (y - x) / scale**2
    f_x = c * (dslope_dx * g - dg * dg_dx) / g**2
    f_s = c * (dslope_ds * g - dg * (q_r - q_y)) / g**2
    f_c = dg / g
    return -np.vstack([f_x, f_s, f_c]) / f_y
