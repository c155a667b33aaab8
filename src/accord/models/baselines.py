"""Baseline forecasts: compromise (weighted mean), weighted quantiles, setter model, status quo.

Pure functions over numpy arrays (``x`` positions, ``w`` weights), plus the single-issue
and batched forms the model registry points at. Missing salience counts as 0; if all
weights are 0 the weighted statistic falls back to its unweighted version and is flagged
``degenerate``. Formulas and conventions: ``docs/methods/baselines.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.result import IssueForecast

Drawn = tuple[np.ndarray, np.ndarray, np.ndarray]
Weights = Literal["salience_x_capability", "salience", "unweighted"]
_WEIGHT_ALIASES = {
    "salience_x_capability": "salience_x_capability",
    "salience-x-capability": "salience_x_capability",
    "salience": "salience",
    "salience_only": "salience",
    "unweighted": "unweighted",
}


def scheme_weights(s: np.ndarray, c: np.ndarray, weights: str = "salience_x_capability") -> np.ndarray:
    """Effective weights from saliences and capabilities (any shape) under a weighting scheme."""
    try:
        scheme = _WEIGHT_ALIASES[weights]
    except KeyError:
        raise ModelError(f"unknown weighting {weights!r}; use salience_x_capability, salience or unweighted") from None
    if scheme == "unweighted":
        return np.ones(np.shape(s))
    s = np.nan_to_num(np.asarray(s, dtype=float), nan=0.0)
    return s if scheme == "salience" else s * c


def weights_of(issue: IssueData, weights: str = "salience_x_capability") -> np.ndarray:
    """Effective weights of the actors of ``issue`` under a weighting scheme."""
    return scheme_weights(issue.s, issue.c, weights)


def batch_weighted_mean(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of each row of ``x``, and which rows fell back to the plain mean (``Σw = 0``)."""
    total = w.sum(axis=-1)
    zero = total <= 0
    values = np.where(zero, x.mean(axis=-1), (w * x).sum(axis=-1) / np.where(zero, 1.0, total))
    return values, zero


def batch_weighted_quantile(x: np.ndarray, w: np.ndarray, tau: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Lower weighted quantile of each row (equal positions pooled), and which rows were unweighted."""
    if not 0 < tau <= 1:
        raise ModelError(f"quantile level must lie in (0, 1], got {tau}")
    zero = w.sum(axis=-1) <= 0
    w = np.where(zero[..., None], 1.0, w)
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    ones = np.ones(xs.shape[:-1] + (1,), dtype=bool)
    last_of_value = np.concatenate([xs[..., 1:] != xs[..., :-1], ones], axis=-1)
    total = cum[..., -1:]
    ok = (cum >= tau * total - 1e-12 * total) & last_of_value
    return np.take_along_axis(xs, np.argmax(ok, axis=-1)[..., None], axis=-1)[..., 0], zero


def weighted_mean(x: np.ndarray, w: np.ndarray) -> tuple[float, bool]:
    """Weighted mean of ``x``; falls back to the plain mean (degenerate) when ``Σw = 0``."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ModelError("no actor takes part in this issue")
    value, zero = batch_weighted_mean(x, np.asarray(w, dtype=float))
    return float(value), bool(zero)


def weighted_quantile(x: np.ndarray, w: np.ndarray, tau: float = 0.5) -> tuple[float, bool]:
    """Lower weighted quantile ``min{x : Σ_{x_i ≤ x} w_i ≥ τ Σw}``; unweighted when ``Σw = 0``."""
    x = np.asarray(x, dtype=float)
    if not 0 < tau <= 1:
        raise ModelError(f"quantile level must lie in (0, 1], got {tau}")
    if x.size == 0:
        raise ModelError("no actor takes part in this issue")
    value, zero = batch_weighted_quantile(x, np.asarray(w, dtype=float), tau)
    return float(value), bool(zero)


@dataclass(frozen=True)
class SetterResult:
    """Outcome of the agenda-setter model with its acceptable interval."""

    outcome: float
    acceptable: tuple[float, float]
    q_up: float
    q_dn: float
    gridlock: bool


def setter_outcome(x: np.ndarray, w: np.ndarray, r: float, a: float, tau: float) -> SetterResult:
    """Supermajority agenda-setter model: the point of the acceptable set nearest the setter ``a``."""
    if not 0.5 <= tau <= 1:
        raise ModelError(f"threshold must lie in [0.5, 1], got {tau}")
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if w.sum() <= 0:
        w = np.ones_like(x)
    total = w.sum()
    pts = np.unique(x)
    right = np.array([w[x >= p].sum() for p in pts])
    left = np.array([w[x <= p].sum() for p in pts])
    tol = 1e-12 * total
    q_up = float(pts[right >= tau * total - tol].max())
    q_dn = float(pts[left >= tau * total - tol].min())
    lo, hi = r, r
    if q_up > r:
        hi = 2 * q_up - r
    if q_dn < r:
        lo = 2 * q_dn - r
    gridlock = lo == r and hi == r
    return SetterResult(float(np.clip(a, lo, hi)), (float(lo), float(hi)), q_up, q_dn, gridlock)


# -- registry forms: one issue at a time, and rows of drawn inputs -----------------

def compromise_model(issues: Sequence[IssueData], weights: str = "salience_x_capability") -> dict[str, IssueForecast]:
    """Compromise model (Achen): weighted mean of positions per issue."""
    out = {}
    for issue in issues:
        value, degenerate = weighted_mean(issue.x, weights_of(issue, weights))
        out[issue.id] = IssueForecast(issue.id, "compromise", value, {"weights": weights}, {"degenerate": degenerate})
    return out


def median_model(issues: Sequence[IssueData], weights: str = "salience_x_capability", tau: float = 0.5) -> dict[str, IssueForecast]:
    """Lower weighted median (or another quantile) of positions per issue."""
    out = {}
    for issue in issues:
        value, degenerate = weighted_quantile(issue.x, weights_of(issue, weights), tau)
        out[issue.id] = IssueForecast(issue.id, "weighted-median", value, {"weights": weights, "tau": tau}, {"degenerate": degenerate})
    return out


def status_quo_model(issues: Sequence[IssueData]) -> dict[str, IssueForecast]:
    """The reference point of each issue that has one (issues without are left out)."""
    return {
        i.id: IssueForecast(i.id, "status-quo", float(i.reference), {}, {})
        for i in issues
        if i.reference is not None
    }


def midpoint_model(issues: Sequence[IssueData]) -> dict[str, IssueForecast]:
    """The middle of each issue's scale."""
    return {i.id: IssueForecast(i.id, "midpoint", (i.lo + i.hi) / 2, {}, {}) for i in issues}


def compromise_batch(issues: Sequence[IssueData], drawn: Sequence[Drawn], weights: str = "salience_x_capability") -> list[np.ndarray]:
    """The compromise model on rows of drawn ``(x, s, c)`` per issue."""
    return [batch_weighted_mean(x, scheme_weights(s, c, weights))[0] for x, s, c in drawn]


def median_batch(
    issues: Sequence[IssueData], drawn: Sequence[Drawn], weights: str = "salience_x_capability", tau: float = 0.5
) -> list[np.ndarray]:
    """The weighted quantile model on rows of drawn ``(x, s, c)`` per issue."""
    return [batch_weighted_quantile(x, scheme_weights(s, c, weights), float(tau))[0] for x, s, c in drawn]


def status_quo_batch(issues: Sequence[IssueData], drawn: Sequence[Drawn]) -> list[np.ndarray]:
    """The reference point, repeated on every row (issues must have one)."""
    out = []
    for issue, (x, _, _) in zip(issues, drawn):
        if issue.reference is None:
            raise ModelError(f"status quo: issue {issue.id} has no reference point")
        out.append(np.full(len(x), float(issue.reference)))
    return out


def midpoint_batch(issues: Sequence[IssueData], drawn: Sequence[Drawn]) -> list[np.ndarray]:
    """The middle of the scale, repeated on every row."""
    return [np.full(len(x), (issue.lo + issue.hi) / 2) for issue, (x, _, _) in zip(issues, drawn)]
