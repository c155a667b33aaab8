"""A stacking ensemble of model forecasts: non-negative weights summing to 1 that minimise
the absolute error, evaluated by cross-validation that holds out whole proposals.

Method, choice of loss and the criterion for shipping it: ``docs/methods/ensemble.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from accord.errors import ModelError

#: Folds and seed of the cross-validation unless told otherwise.
FOLDS = 10
SEED = 0


def proposal_index(groups: Sequence[str | None]) -> np.ndarray:
    """The proposal number of every issue in order of first appearance; an issue without a
    proposal is its own."""
    labels: dict[str, int] = {}
    return np.array([labels.setdefault(g if g is not None else f"\0{k}", len(labels)) for k, g in enumerate(groups)],
                    dtype=np.int64)


def grouped_folds(groups: Sequence[str | None], folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """The fold (0 … folds−1) of every issue: proposals shuffled with ``seed`` and dealt
    round-robin, so the issues of one proposal share a fold."""
    index = proposal_index(groups)
    proposals = int(index.max()) + 1 if index.size else 0
    if not 2 <= folds <= proposals:
        raise ModelError(f"cross-validation needs between 2 and {proposals} folds (one per proposal at most), got {folds}")
    order = np.random.default_rng(seed).permutation(proposals)
    fold_of = np.empty(proposals, dtype=np.int64)
    fold_of[order] = np.arange(proposals) % folds
    return fold_of[index]


def fit_weights(forecasts: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Weights ``w ≥ 0``, ``Σ w = 1`` minimising ``Σ_i |forecasts[i] · w − outcomes[i]|``
    (``forecasts``: issues × models), solved exactly as a linear programme."""
    f = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    n, m = f.shape
    if n == 0 or m == 0 or not (np.isfinite(f).all() and np.isfinite(y).all()):
        raise ModelError("stacking needs at least one issue and one model, with finite forecasts and outcomes")
    # variables: the m weights, then one bound t_i on each issue's absolute error
    cost = np.concatenate([np.zeros(m), np.ones(n)])
    eye = np.eye(n)
    upper = np.block([[f, -eye], [-f, -eye]])
    bound = np.concatenate([y, -y])
    equal = np.concatenate([np.ones(m), np.zeros(n)])[None, :]
    res = linprog(cost, A_ub=upper, b_ub=bound, A_eq=equal, b_eq=[1.0], bounds=(0, None), method="highs")
    if not res.success:
        raise ModelError(f"the stacking fit failed: {res.message}")
    w = np.clip(res.x[:m], 0.0, None)
    return w / w.sum()


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold forecasts of every issue, the fold of each issue, and the weights fitted
    on the other folds (``weights[k]``: fitted without fold ``k``)."""

    predictions: np.ndarray
    folds: np.ndarray
    weights: np.ndarray


def cross_validate(forecasts: np.ndarray, outcomes: np.ndarray, groups: Sequence[str | None],
                   folds: int = FOLDS, seed: int = SEED) -> CrossValidation:
    """Stacking weights fitted on all folds but one and applied to the held-out one, for each fold."""
    f = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    fold = grouped_folds(groups, folds, seed)
    predictions = np.empty(len(y))
    weights = np.empty((folds, f.shape[1]))
    for k in range(folds):
        held = fold == k
        weights[k] = fit_weights(f[~held], y[~held])
        predictions[held] = f[held] @ weights[k]
    return CrossValidation(predictions, fold, weights)
