"""Bargaining solutions on an explicit discrete candidate set (docs/methods/packages.md §5).

Every function takes a utility matrix ``U`` (candidates × parties), the
disagreement point ``d`` and integer ``keys`` (package indices, for the last
tie-break) and returns a :class:`Solution` naming the chosen row.
Tie-break chain: the solution's own secondary key, larger Σ u, smallest key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from accord.errors import ModelError
from accord.packages.pareto import pareto_mask

TIE_TOL = 1e-12


@dataclass(frozen=True)
class Solution:
    """A chosen candidate (row of U) or None with a reason."""

    name: str
    row: int | None
    key: int | None
    utilities: np.ndarray | None
    value: float | None
    reason: str | None = None
    details: dict = field(default_factory=dict)


def _check(U: np.ndarray, d: Sequence[float] | None, keys: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    U = np.asarray(U)
    if U.ndim != 2:
        raise ModelError("utility matrix must be 2-D (candidates × parties)")
    dd = np.zeros(U.shape[1]) if d is None else np.asarray(d, dtype=float)
    if dd.shape != (U.shape[1],):
        raise ModelError(f"disagreement point must have {U.shape[1]} entries")
    k = np.arange(U.shape[0], dtype=np.int64) if keys is None else np.asarray(keys, dtype=np.int64)
    if k.shape != (U.shape[0],):
        raise ModelError("keys must have one entry per candidate")
    return U, dd, k


def _weights(beta: Sequence[float] | None, n: int) -> np.ndarray:
    if beta is None:
        return np.ones(n)
    b = np.asarray(beta, dtype=float)
    if b.shape != (n,) or np.any(b <= 0) or not np.all(np.isfinite(b)):
        raise ModelError(f"bargaining weights must be {n} positive numbers")
    return b


def _tied(values: np.ndarray, best: float) -> np.ndarray:
    return np.abs(values - best) <= TIE_TOL * max(1.0, abs(best))


def _choose(rows: np.ndarray, keys_by_priority: list[np.ndarray], sums: np.ndarray, keys: np.ndarray) -> int:
    """Among ``rows``, maximise each key in turn (ties within tolerance), then Σu, then smallest key."""
    cand = rows
    for kv in keys_by_priority:
        vals = kv[cand]
        cand = cand[_tied(vals, float(vals.max()))]
    s = sums[cand].astype(float)
    cand = cand[_tied(s, float(s.max()))]
    return int(cand[np.argmin(keys[cand])])


def _solution(name: str, row: int, U: np.ndarray, keys: np.ndarray, value: float, **details: object) -> Solution:
    return Solution(name, row, int(keys[row]), np.asarray(U[row]), float(value), None, dict(details))


def nash(U: np.ndarray, d: Sequence[float] | None = None, keys: np.ndarray | None = None,
         beta: Sequence[float] | None = None) -> Solution:
    """argmax over IR⁺ of Σ β_i ln(u_i − d_i)."""
    U, dd, keys = _check(U, d, keys)
    b = _weights(beta, U.shape[1])
    rows = np.flatnonzero((U > dd).all(axis=1))
    if rows.size == 0:
        return Solution("nash", None, None, None, None, "no_strictly_rational_outcome")
    gains = U[rows].astype(float) - dd
    obj = np.full(U.shape[0], -np.inf)
    obj[rows] = (b * np.log(gains)).sum(axis=1)
    row = _choose(rows, [obj], U.sum(axis=1), keys)
    product = float(np.prod(U[row].astype(float) - dd))
    return _solution("nash", row, U, keys, obj[row], product_of_gains=product)


def _drop_if_degenerate(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    return hi > lo


def ks(U: np.ndarray, d: Sequence[float] | None = None, keys: np.ndarray | None = None,
       mode: str = "classical", space_max: np.ndarray | None = None, pareto: np.ndarray | None = None) -> Solution:
    """Kalai–Smorodinsky point: ``classical`` (accord default), ``negmas`` or ``genius`` (docs/methods/packages.md §5).

    ``pareto`` optionally gives the Pareto mask of the candidates, if already known.
    """
    U, dd, keys = _check(U, d, keys)
    known = None if pareto is None else np.asarray(pareto, dtype=bool)
    sums = U.sum(axis=1)
    if mode == "classical":
        ir = np.flatnonzero((U >= dd).all(axis=1))
        if ir.size == 0:
            return Solution("ks", None, None, None, None, "no_rational_outcome")
        ideal = U[ir].max(axis=0).astype(float)
        pf = ir[known[ir]] if known is not None else ir[pareto_mask(U[ir])]
        use = _drop_if_degenerate(ideal, dd)
        g = _gains(U, dd, ideal, use)
        gmin = g.min(axis=1) if use.any() else np.zeros(U.shape[0])
        spread = g.max(axis=1) - gmin if use.any() else np.zeros(U.shape[0])
        row = _choose(pf, [gmin, -spread], sums, keys)
        return _solution("ks", row, U, keys, gmin[row], mode=mode, ideal=ideal.tolist(),
                         spread=float(spread[row]), dropped=[int(i) for i in np.flatnonzero(~use)])
    if mode == "negmas":
        lo = U.min(axis=0).astype(float)
        dn = np.where(np.isfinite(dd) & (dd >= lo), dd, lo)
        top = U.max(axis=0).astype(float) if space_max is None else np.asarray(space_max, dtype=float)
        pf = np.flatnonzero(known if known is not None else pareto_mask(U))
        use = _drop_if_degenerate(top, dn)
        g = _gains(U, dn, top, use)
        spread = g.max(axis=1) - g.min(axis=1) if use.any() else np.zeros(U.shape[0])
        row = _choose(pf, [-spread], sums, keys)
        return _solution("ks", row, U, keys, -spread[row], mode=mode)
    if mode == "genius":
        pf = np.flatnonzero(known if known is not None else pareto_mask(U))
        Uf = U.astype(float)
        n = U.shape[1]
        dist = np.zeros(U.shape[0])
        for i in range(n):
            for j in range(i + 1, n):
                dist += np.abs(Uf[:, i] - Uf[:, j])
        row = _choose(pf, [-dist], sums, keys)
        return _solution("ks", row, U, keys, dist[row], mode=mode)
    raise ModelError(f"unknown KS mode {mode!r} (classical, negmas or genius)")


def _gains(U: np.ndarray, d: np.ndarray, top: np.ndarray, use: np.ndarray) -> np.ndarray:
    if not use.any():
        return np.zeros((U.shape[0], 1))
    span = (top - d)[use]
    return (U[:, use].astype(float) - d[use]) / span


def egalitarian(U: np.ndarray, d: Sequence[float] | None = None, keys: np.ndarray | None = None) -> Solution:
    """argmax over IR of min_i (u_i − d_i)."""
    U, dd, keys = _check(U, d, keys)
    ir = np.flatnonzero((U >= dd).all(axis=1))
    if ir.size == 0:
        return Solution("egalitarian", None, None, None, None, "no_rational_outcome")
    m = (U.astype(float) - dd).min(axis=1)
    row = _choose(ir, [m], U.sum(axis=1), keys)
    return _solution("egalitarian", row, U, keys, m[row])


def utilitarian(U: np.ndarray, d: Sequence[float] | None = None, keys: np.ndarray | None = None,
                beta: Sequence[float] | None = None, over: str = "ir") -> Solution:
    """argmax Σ β_i u_i over IR (``over="ir"``) or all candidates (``over="all"``)."""
    U, dd, keys = _check(U, d, keys)
    b = _weights(beta, U.shape[1])
    if over == "ir":
        rows = np.flatnonzero((U >= dd).all(axis=1))
    elif over == "all":
        rows = np.arange(U.shape[0])
    else:
        raise ModelError("over must be 'ir' or 'all'")
    name = f"utilitarian_{over}"
    if rows.size == 0:
        return Solution(name, None, None, None, None, "no_rational_outcome")
    w = (U.astype(float) * b).sum(axis=1)
    row = _choose(rows, [w], U.sum(axis=1), keys)
    return _solution(name, row, U, keys, w[row])


def opposition(U: np.ndarray) -> float:
    """min over candidates of ‖1 − u/max u‖₂ (a scenario's opposition)."""
    U = np.asarray(U, dtype=float)
    top = U.max(axis=0)
    safe = np.where(top != 0, top, 1.0)
    return float(np.sqrt(((1 - U / safe) ** 2).sum(axis=1)).min())
