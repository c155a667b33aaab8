"""Pareto frontiers (docs/methods/packages.md §4): exact enumeration sweep and the additive issue-by-issue merge."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from accord.errors import ModelError
from accord.packages.space import PackageModel

_CELLS = 4_000_000  # pairwise comparisons held in memory at once


def _dominated_by(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """For each row of X: is it dominated (weakly better everywhere, strictly somewhere) by a row of K."""
    out = np.zeros(X.shape[0], dtype=bool)
    if K.shape[0] == 0 or X.shape[0] == 0:
        return out
    n = X.shape[1]
    KT = np.ascontiguousarray(K.T)
    step = max(1, _CELLS // max(1, K.shape[0]))
    for a in range(0, X.shape[0], step):
        x = X[a : a + step]
        ge = KT[0][None, :] >= x[:, 0:1]
        for j in range(1, n):
            ge &= KT[j][None, :] >= x[:, j : j + 1]
        rows, cols = np.nonzero(ge)
        if rows.size == 0:
            continue
        strict = (K[cols] > x[rows]).any(axis=1)
        out[a + np.unique(rows[strict])] = True
    return out


def _pareto_mask_2d(U: np.ndarray) -> np.ndarray:
    """Exact 2-party frontier in O(m log m): keep (a, b) iff b is the top of its a-group and beats all larger a."""
    m = U.shape[0]
    a, b = U[:, 0], U[:, 1]
    order = np.lexsort((-b, -a))
    sa, sb = a[order], b[order]
    starts = np.flatnonzero(np.r_[True, sa[1:] != sa[:-1]])
    gmax = sb[starts]  # sorted by b descending within group: first is the max
    prev = np.maximum.accumulate(gmax)
    before = np.r_[-np.inf, prev[:-1]]
    sizes = np.diff(np.r_[starts, m])
    top = np.repeat(gmax, sizes)
    lim = np.repeat(before, sizes)
    keep_sorted = (sb == top) & (sb > lim)
    mask = np.zeros(m, dtype=bool)
    mask[order[keep_sorted]] = True
    return mask


def pareto_mask(U: np.ndarray, block: int = 1024) -> np.ndarray:
    """Boolean mask of the rows of U (packages × parties) on the Pareto frontier (weak dominance, ties kept)."""
    U = np.asarray(U)
    if U.ndim != 2:
        raise ModelError("utility matrix must be 2-D (packages × parties)")
    m, n = U.shape
    if m == 0:
        return np.zeros(0, dtype=bool)
    if n == 1:
        return U[:, 0] == U[:, 0].max()
    if n == 2:
        return _pareto_mask_2d(U)
    order = np.lexsort((np.arange(m), -U.sum(axis=1)))
    keep = np.zeros(m, dtype=bool)
    kept = np.empty((0, n), dtype=U.dtype)
    for start in range(0, m, block):
        idx = order[start : start + block]
        X = U[idx]
        alive = ~_dominated_by(X, kept)
        X, idx = X[alive], idx[alive]
        alive = ~_dominated_by(X, X)
        keep[idx[alive]] = True
        kept = np.vstack([kept, X[alive]])
    return keep


def epsilon_prune(U: np.ndarray, delta: float, block: int = 2048) -> np.ndarray:
    """Indices of a subset K of rows such that every row a has some b in K with b ≥ a − delta (all parties).

    Greedy cover in order of decreasing Σu: a row is kept unless an already kept row covers it.
    """
    return _greedy_cover(U, delta, block)


def _greedy_cover(U: np.ndarray, delta: float, block: int) -> np.ndarray:
    m, n = U.shape
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(m), -U.sum(axis=1)))
    kept_idx: list[np.ndarray] = []
    kept = np.empty((0, n), dtype=float)
    for start in range(0, m, block):
        idx = order[start : start + block]
        X = U[idx].astype(float)
        alive = ~_covered(X, kept, delta)
        X, idx = X[alive], idx[alive]
        chosen = []
        while X.shape[0]:
            chosen.append(idx[0])
            cov = (X[None, 0, :] >= X - delta).all(axis=1)
            cov[0] = True
            X, idx = X[~cov], idx[~cov]
        if chosen:
            ch = np.array(chosen, dtype=np.int64)
            kept_idx.append(ch)
            kept = np.vstack([kept, U[ch].astype(float)])
    return np.sort(np.concatenate(kept_idx)) if kept_idx else np.zeros(0, dtype=np.int64)


def _covered(X: np.ndarray, K: np.ndarray, delta: float) -> np.ndarray:
    out = np.zeros(X.shape[0], dtype=bool)
    if K.shape[0] == 0 or X.shape[0] == 0:
        return out
    step = max(1, _CELLS // max(1, K.shape[0] * X.shape[1]))
    for a in range(0, X.shape[0], step):
        out[a : a + step] = (K[None, :, :] >= X[a : a + step, None, :] - delta).all(axis=2).any(axis=1)
    return out


@dataclass(frozen=True)
class Frontier:
    """A set of frontier packages: option-index rows and their utilities."""

    choices: np.ndarray  # (m, issues)
    utilities: np.ndarray  # (m, parties)
    approximate: bool = False
    epsilon: float | None = None
    front_sizes: tuple[int, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.choices.shape[0])


def frontier_enumerated(model: PackageModel, max_enumerate: int = 10**6) -> Frontier:
    """PF(X) by exact enumeration (docs/methods/packages.md §4), packages in flat-index order."""
    U = model.utility_matrix(max_packages=max_enumerate)
    idx = np.flatnonzero(pareto_mask(U))
    return Frontier(model.choices(idx), U[idx])


def frontier_additive(
    model: PackageModel,
    epsilon: float | None = None,
    max_front: int = 10**6,
    default_epsilon: float = 1e-3,
) -> Frontier:
    """PF(X) by merging per-issue frontiers (docs/methods/packages.md §4); exact unless ε-pruning is asked for or the cap is hit.

    With ``epsilon`` given, every step drops partial packages covered within ε/K; the
    result then guarantees that every true Pareto package is matched within ε on
    every party's utility (``approximate=True``).
    """
    K = len(model.issues)
    n = model.n_parties
    dtype = np.result_type(*[t.dtype for t in model.tables]) if K else float
    per_issue = []
    for k, tab in enumerate(model.tables):
        vecs = tab.T  # options × parties
        keep = np.flatnonzero(pareto_mask(vecs))
        per_issue.append((k, keep, vecs[keep]))
    per_issue.sort(key=lambda t: (len(t[1]), t[0]))
    eps = epsilon
    F = np.zeros((1, n), dtype=dtype)
    parents: list[np.ndarray] = []
    opts: list[np.ndarray] = []
    sizes = []
    for _k, keep, vecs in per_issue:
        p = len(keep)
        cand = (F[:, None, :] + vecs[None, :, :]).reshape(-1, n)
        if eps is None:
            sel = np.flatnonzero(pareto_mask(cand))
            if len(sel) > max_front:
                eps = default_epsilon
        if eps is not None:
            sub = epsilon_prune(cand, eps / max(K, 1))
            sel = sub
        parents.append((sel // p).astype(np.int64))
        opts.append(keep[sel % p].astype(np.int64))
        F = cand[sel]
        sizes.append(len(sel))
    final = np.flatnonzero(pareto_mask(F)) if eps is not None else np.arange(F.shape[0])
    choices = np.zeros((len(final), K), dtype=np.int64)
    cur = final
    for step in range(len(per_issue) - 1, -1, -1):
        k = per_issue[step][0]
        choices[:, k] = opts[step][cur]
        cur = parents[step][cur]
    U = F[final]
    order = np.lexsort(tuple(choices.T[::-1])) if K else np.arange(len(final))
    return Frontier(choices[order], U[order], approximate=eps is not None, epsilon=eps, front_sizes=tuple(sizes))


def frontier(model: PackageModel, max_enumerate: int = 10**6, **kw: object) -> Frontier:
    """PF(X): exact enumeration for small spaces, otherwise the additive merge."""
    if model.n_packages <= max_enumerate and not kw:
        return frontier_enumerated(model, max_enumerate)
    return frontier_additive(model, **kw)  # type: ignore[arg-type]


def coverage_gap(exact: np.ndarray, approx: np.ndarray) -> float:
    """max over exact frontier points x of min over returned y of max_i (u_i(x) − u_i(y))⁺."""
    if exact.shape[0] == 0:
        return 0.0
    if approx.shape[0] == 0:
        return float("inf")
    worst = 0.0
    step = max(1, _CELLS // max(1, approx.shape[0] * exact.shape[1]))
    for a in range(0, exact.shape[0], step):
        diff = np.clip(exact[a : a + step, None, :] - approx[None, :, :], 0, None).max(axis=2)
        worst = max(worst, float(diff.min(axis=1).max()))
    return worst
