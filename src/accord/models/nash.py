"""Nash bargaining solution on one issue with a costly reference point.

``u_i(x) = −s_i ((x − x_i)/L)²``, disagreement ``d_i = u_i(r) − κ_i`` and the solution
maximises ``Σ c_i ln(u_i(x) − d_i)`` over the feasible set where every actor with
``c_i s_i > 0`` gains on the disagreement point. ``κ = 0`` gives the pure reference-point
solution (gridlock at ``r`` when ``r`` lies inside the positions); ``κ → ∞`` gives the
compromise model. Formulas, the search for the optimum and the flags:
``docs/methods/nash.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.result import IssueForecast

_ITER = 200


@dataclass(frozen=True)
class NBSResult:
    """The bargaining solution and whether it is gridlock at the reference point or a flat optimum."""

    x: float
    gridlock: bool = False
    flat: bool = False
    degenerate: bool = False


def batch_nbs(
    x: np.ndarray, s: np.ndarray, c: np.ndarray, r: float | None, kappa: float | np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quadratic-loss Nash bargaining solution of each row of ``x`` (rows: independent issues or draws).

    Returns the solutions, which rows are gridlocked at the reference point, and which rows
    have no actor with ``c·s > 0`` (solved by the plain mean).
    """
    x = np.asarray(x, dtype=float)
    s = np.nan_to_num(np.asarray(s, dtype=float), nan=0.0)
    c = np.asarray(c, dtype=float)
    kappa = np.asarray(kappa, dtype=float)
    if np.any(kappa < 0):
        raise ModelError("kappa (cost of no agreement) must be >= 0")
    if r is None and np.any(kappa <= 0):
        raise ModelError("without a reference point kappa must be > 0")
    if scale <= 0:
        raise ModelError("scale must be > 0")
    active = c * s > 0
    any_active = active.any(axis=1)
    lo = x.min(axis=1) if r is None else np.minimum(x.min(axis=1), r)
    hi = x.max(axis=1) if r is None else np.maximum(x.max(axis=1), r)
    util_r = -s * ((r - x) / scale) ** 2 if r is not None else np.zeros_like(x)
    d = util_r - kappa
    # each constraint u_i(y) > d_i is an open interval centred at x_i, of half-width
    # scale·sqrt(-d/s); it is worked out only where it ends inside the issue's range, so a tiny
    # salience (whose interval covers the range) never divides into an overflow
    reach = np.maximum(-d, 0.0)
    bounded = active & (reach < s * ((hi - lo)[:, None] / scale) ** 2)
    half = scale * np.sqrt(np.divide(reach, s, out=np.full_like(reach, np.inf), where=bounded))
    f_lo = np.maximum(lo, np.where(active, x - half, -np.inf).max(axis=1))
    f_hi = np.minimum(hi, np.where(active, x + half, np.inf).min(axis=1))
    gridlock = any_active & (f_lo >= f_hi)
    a = f_lo.copy()
    b = f_hi.copy()
    running = any_active & ~gridlock
    for _ in range(_ITER):  # bisection on the derivative, all rows at once
        if not running.any():
            break
        m = 0.5 * (a + b)
        g = -s * ((m[:, None] - x) / scale) ** 2 - d
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(active, c * (-2 * s * (m[:, None] - x) / scale**2) / g, 0.0)
        up = terms.sum(axis=1) > 0
        a = np.where(running & up, m, a)
        b = np.where(running & ~up, m, b)
        running &= ~(b - a <= 1e-12 * scale)
    out = 0.5 * (a + b)
    stuck = r if r is not None else 0.5 * (lo + hi)
    out = np.where(gridlock, stuck, out)
    return np.where(any_active, out, x.mean(axis=1)), gridlock, ~any_active


def nbs(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    r: float | None = None,
    kappa: float | np.ndarray = 1.0,
    loss: Literal["quadratic", "linear"] = "quadratic",
    scale: float = 100.0,
) -> NBSResult:
    """Nash bargaining solution of actors at ``x`` with saliences ``s`` and bargaining weights ``c``."""
    x = np.asarray(x, dtype=float)
    s = np.nan_to_num(np.asarray(s, dtype=float), nan=0.0)
    c = np.asarray(c, dtype=float)
    k = np.broadcast_to(np.asarray(kappa, dtype=float), x.shape)
    if x.size == 0:
        raise ModelError("no actor takes part in this issue")
    if np.any(k < 0):
        raise ModelError("kappa (cost of no agreement) must be >= 0")
    if scale <= 0:
        raise ModelError("scale must be > 0")
    if r is None and np.any(k <= 0):
        raise ModelError("without a reference point kappa must be > 0")
    if loss not in ("quadratic", "linear"):
        raise ModelError(f"unknown loss {loss!r}; use quadratic or linear")

    if loss == "quadratic":
        values, gridlock, degenerate = batch_nbs(x[None], s[None], c[None], r, k[None], scale)
        return NBSResult(float(values[0]), gridlock=bool(gridlock[0]), degenerate=bool(degenerate[0]))

    active = c * s > 0
    if not active.any():
        return NBSResult(float(x.mean()), degenerate=True)
    xa, sa, ca, ka = x[active], s[active], c[active], k[active]
    lo = float(min(x.min(), r)) if r is not None else float(x.min())
    hi = float(max(x.max(), r)) if r is not None else float(x.max())

    def util(y: np.ndarray | float) -> np.ndarray:
        return -sa * np.abs((np.asarray(y)[..., None] - xa) / scale)

    d = (util(r) if r is not None else np.zeros_like(xa)) - ka
    # each constraint u_i(y) > d_i is an open interval centred at x_i
    half = scale * (-d / sa)
    f_lo = max(lo, float(np.max(xa - half)))
    f_hi = min(hi, float(np.min(xa + half)))
    if f_lo >= f_hi:
        return NBSResult(float(r if r is not None else (lo + hi) / 2), gridlock=True)

    def objective(y: np.ndarray | float) -> np.ndarray:
        g = util(y) - d
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((g > 0).all(axis=-1), (ca * np.log(np.where(g > 0, g, 1.0))).sum(axis=-1), -np.inf)

    # linear loss: concave with kinks; golden-section search, then detect a flat top
    a, b = f_lo, f_hi
    phi = (np.sqrt(5) - 1) / 2
    for _ in range(_ITER):
        if b - a <= 1e-12 * scale:
            break
        m1, m2 = b - phi * (b - a), a + phi * (b - a)
        if objective(m1) < objective(m2):
            a = m1
        else:
            b = m2
    best = 0.5 * (a + b)
    top = float(objective(best))
    grid = np.linspace(f_lo, f_hi, 2001)[1:-1]
    vals = objective(grid)
    flat_pts = grid[np.abs(vals - top) <= 1e-12 * max(1.0, abs(top))]
    if flat_pts.size > 1 and flat_pts.max() - flat_pts.min() > 1e-6 * scale:
        return NBSResult(float(0.5 * (flat_pts.min() + flat_pts.max())), flat=True)
    return NBSResult(best)


def nash_model(
    issues: Sequence[IssueData],
    kappa: float = 1.0,
    loss: Literal["quadratic", "linear"] = "quadratic",
    use_reference: bool = True,
) -> dict[str, IssueForecast]:
    """Nash bargaining solution per issue (reference point = the issue's status quo, if any)."""
    out = {}
    for issue in issues:
        r = issue.reference if use_reference else None
        res = nbs(issue.x, issue.s, issue.c, r=r, kappa=kappa, loss=loss, scale=issue.hi - issue.lo)
        out[issue.id] = IssueForecast(
            issue.id,
            "nash",
            res.x,
            {"kappa": kappa, "loss": loss, "reference": r},
            {"gridlock": res.gridlock, "flat": res.flat, "degenerate": res.degenerate},
        )
    return out


def nash_batch(
    issues: Sequence[IssueData],
    drawn: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    kappa: float | np.ndarray = 1.0,
    loss: Literal["quadratic", "linear"] = "quadratic",
    use_reference: bool = True,
) -> list[np.ndarray]:
    """The Nash bargaining solution on rows of drawn ``(x, s, c)`` per issue.

    Quadratic loss with one ``κ`` for all actors runs all rows at once; otherwise row by row.
    """
    out = []
    for issue, (x, s, c) in zip(issues, drawn):
        r = issue.reference if use_reference else None
        scale = issue.hi - issue.lo
        if loss == "quadratic" and np.isscalar(kappa):
            out.append(batch_nbs(x, s, c, r, float(kappa), scale)[0])  # type: ignore[arg-type]
        else:
            out.append(np.array([nbs(x[k], s[k], c[k], r=r, kappa=kappa, loss=loss, scale=scale).x for k in range(len(x))]))
    return out
