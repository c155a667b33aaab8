"""Nash bargaining solution on one issue with a costly reference point.

``u_i(x) = −s_i ((x − x_i)/L)²``, disagreement ``d_i = u_i(r) − κ_i`` and the solution
maximises ``Σ c_i ln(u_i(x) − d_i)`` over the feasible set where every actor with
``c_i s_i > 0`` gains on the disagreement point. ``κ = 0`` gives the pure reference-point
solution (gridlock at ``r`` when ``r`` lies inside the positions); ``κ → ∞`` gives the
compromise model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

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

    active = c * s > 0
    if not active.any():
        return NBSResult(float(x.mean()), degenerate=True)
    xa, sa, ca, ka = x[active], s[active], c[active], k[active]
    lo = float(min(x.min(), r)) if r is not None else float(x.min())
    hi = float(max(x.max(), r)) if r is not None else float(x.max())

    def util(y: np.ndarray | float) -> np.ndarray:
        dist = (np.asarray(y)[..., None] - xa) / scale
        return -sa * (dist**2 if loss == "quadratic" else np.abs(dist))

    d = (util(r) if r is not None else np.zeros_like(xa)) - ka
    # each constraint u_i(y) > d_i is an open interval centred at x_i
    if loss == "quadratic":
        half = scale * np.sqrt(-d / sa)
    else:
        half = scale * (-d / sa)
    f_lo = max(lo, float(np.max(xa - half)))
    f_hi = min(hi, float(np.min(xa + half)))
    if f_lo >= f_hi:
        return NBSResult(float(r if r is not None else (lo + hi) / 2), gridlock=True)

    def objective(y: np.ndarray | float) -> np.ndarray:
        g = util(y) - d
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((g > 0).all(axis=-1), (ca * np.log(np.where(g > 0, g, 1.0))).sum(axis=-1), -np.inf)

    if loss == "quadratic":
        a, b = f_lo, f_hi
        for _ in range(_ITER):
            m = 0.5 * (a + b)
            g = util(m) - d
            deriv = float(np.sum(ca * (-2 * sa * (m - xa) / scale**2) / g))
            if deriv > 0:
                a = m
            else:
                b = m
            if b - a <= 1e-12 * scale:
                break
        return NBSResult(0.5 * (a + b))

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
    **_: object,
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
