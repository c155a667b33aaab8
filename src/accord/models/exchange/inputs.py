"""Input of the exchange model: actors × issues matrices and the expected outcomes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accord.errors import ModelError
from accord.models.issue import IssueData


@dataclass(frozen=True)
class ExchangeInput:
    """Actors × issues matrices of one linked group (positions on 0–100)."""

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    x: np.ndarray
    s: np.ndarray
    c: np.ndarray
    present: np.ndarray
    titles: tuple[str, ...] = ()
    raw_bounds: tuple[tuple[float, float] | None, ...] = ()
    #: Per issue, its actors in the order their rows were read (``meta["lines"]``); the
    #: ``decide`` variant sums in this order. Empty: actor order.
    row_order: tuple[tuple[int, ...], ...] = ()

    @property
    def n(self) -> int:
        """Number of actors."""
        return len(self.actors)

    @property
    def m(self) -> int:
        """Number of issues."""
        return len(self.issues)


def exchange_input(issues: Sequence[IssueData]) -> ExchangeInput:
    """Stack issues into matrices; actors in order of first appearance.

    Raises :class:`ModelError` on non-finite values, negative saliences or capabilities,
    or positions outside 0–100.
    """
    if not issues:
        raise ModelError("the exchange model needs at least one issue")
    ids = [i.id for i in issues]
    if len(set(ids)) != len(ids):
        raise ModelError("issue ids must be unique within a group")
    actors: dict[str, int] = {}
    for issue in issues:
        for a in issue.actors:
            actors.setdefault(a, len(actors))
    n, m = len(actors), len(issues)
    x = np.zeros((n, m))
    s = np.zeros((n, m))
    c = np.zeros((n, m))
    present = np.zeros((n, m), dtype=bool)
    raw: list[tuple[float, float] | None] = []
    rows: list[tuple[int, ...]] = []
    for d, issue in enumerate(issues):
        xs = _rescale(issue)
        for k, a in enumerate(issue.actors):
            i = actors[a]
            if present[i, d]:
                raise ModelError(f"issue {issue.id}: actor {a} appears twice")
            vals = (xs[k], float(issue.s[k]), float(issue.c[k]))
            if not all(math.isfinite(v) for v in vals):
                raise ModelError(f"issue {issue.id}: actor {a} has a missing or non-finite value")
            if vals[1] < 0 or vals[2] < 0:
                raise ModelError(f"issue {issue.id}: actor {a} has a negative salience or capability")
            x[i, d], s[i, d], c[i, d] = vals
            present[i, d] = True
        lo, hi = issue.meta.get("raw_lo"), issue.meta.get("raw_hi")
        if lo is None and (issue.lo, issue.hi) != (0.0, 100.0):
            lo, hi = issue.lo, issue.hi
        raw.append((float(lo), float(hi)) if lo is not None and hi is not None else None)
        rows.append(_row_order(issue, actors))
    return ExchangeInput(
        actors=tuple(actors),
        issues=tuple(ids),
        x=x,
        s=s,
        c=c,
        present=present,
        titles=tuple(i.title or i.id for i in issues),
        raw_bounds=tuple(raw),
        row_order=tuple(rows),
    )


def _row_order(issue: IssueData, actors: dict[str, int]) -> tuple[int, ...]:
    """The issue's actor indices in the order of its source lines, where ``meta["lines"]`` gives them."""
    lines = issue.meta.get("lines")
    ranked = range(len(issue.actors))
    if isinstance(lines, (list, tuple)) and len(lines) == len(issue.actors):
        ranked = sorted(ranked, key=lambda k: lines[k])
    return tuple(actors[issue.actors[k]] for k in ranked)


def _rescale(issue: IssueData) -> np.ndarray:
    """Positions on 0–100 (issues on another scale are mapped linearly from ``[lo, hi]``)."""
    x = np.asarray(issue.x, dtype=float)
    if (issue.lo, issue.hi) == (0.0, 100.0):
        out = x
    elif issue.hi > issue.lo:
        out = (x - issue.lo) * 100.0 / (issue.hi - issue.lo)
    else:
        raise ModelError(f"issue {issue.id}: scale bounds [{issue.lo}, {issue.hi}] are empty")
    if np.any(out < -1e-9) or np.any(out > 100 + 1e-9):
        raise ModelError(f"issue {issue.id}: positions must lie within the scale [{issue.lo}, {issue.hi}]")
    return np.clip(out, 0.0, 100.0)


def expected_outcomes(x: np.ndarray, s: np.ndarray, c: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``O_d = Σ c s x / Σ c s`` per issue and the total weights ``W_d``.

    An issue with ``W_d = 0`` gets the unweighted mean of its positions.
    """
    w = np.where(present, c * s, 0.0)
    W = w.sum(axis=0)
    num = (w * np.where(present, x, 0.0)).sum(axis=0)
    cnt = present.sum(axis=0)
    plain = np.where(present, x, 0.0).sum(axis=0) / np.maximum(cnt, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        O = np.where(W > 0, num / np.where(W > 0, W, 1.0), plain)
    return O, W


def outcome_of(x: np.ndarray, s: np.ndarray, c: np.ndarray, present: np.ndarray, d: int) -> float:
    mask = present[:, d]
    w = c[mask, d] * s[mask, d]
    total = w.sum()
    if total > 0:
        return float(np.dot(w, x[mask, d]) / total)
    return float(x[mask, d].mean())
