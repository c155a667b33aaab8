"""Backtest of the registered models on DEU III: mean absolute error against the recorded
outcomes, with bootstrap intervals that resample proposals.

Every registered model is scored by default (:func:`accord.models.registry.names`). The
issues of one legislative proposal are decided together, so their errors are not
independent: the 95% intervals come from a bootstrap that draws whole proposals with
replacement (``docs/methods/baselines.md``, "Backtest on DEU III"). Each model's MAE is
compared with the compromise model's on the issues both score, with the same resamples
(a paired difference), so a difference whose interval excludes 0 is not resampling noise.
The stacking ensemble of the models is scored the same way on its out-of-fold forecasts
(``docs/methods/ensemble.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from accord.analysis.ensemble import FOLDS, CrossValidation, cross_validate, grouped_folds, proposal_index
from accord.errors import ModelError
from accord.execution import IN_PROCESS, Execution
from accord.models.issue import IssueData
from accord.models.registry import forecast, get, names
from accord.scenario.deu import read_deu

#: The model every other model is compared with.
BASELINE = "compromise"
#: The row of the stacking ensemble's cross-validated forecasts.
ENSEMBLE = "ensemble (cross-validated)"
#: Bootstrap resamples and seed used unless told otherwise.
RESAMPLES = 2000
SEED = 0


@dataclass(frozen=True)
class BacktestRow:
    """One model's accuracy on the 0–100 scale.

    ``n`` issues scored in ``proposals`` proposals, their MAE and RMSE, the fallbacks
    used; ``mae_low``/``mae_high`` the 95% bootstrap interval of the MAE; ``diff`` the MAE
    minus the compromise model's on the ``n_paired`` issues both score (negative: more
    accurate), with its interval ``diff_low``/``diff_high`` (0 for the compromise model).
    """

    model: str
    n: int
    mae: float
    rmse: float
    fallbacks: int = 0
    proposals: int = 0
    mae_low: float = math.nan
    mae_high: float = math.nan
    diff: float = math.nan
    diff_low: float = math.nan
    diff_high: float = math.nan
    n_paired: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class ModelErrors:
    """``|forecast − outcome|`` per scored issue (NaN where the model gives no forecast), the
    fallbacks used, and the forecasts themselves (NaN where none)."""

    model: str
    errors: np.ndarray
    fallbacks: int
    forecasts: np.ndarray = field(default_factory=lambda: np.empty(0))


def model_errors(issues: Sequence[IssueData], model: str, **params: Any) -> ModelErrors:
    """One model's errors on the issues that have an outcome, in their order.

    The model sees every issue (linked issues of a proposal exchange with each other even
    where one has no recorded outcome); only issues with an outcome are scored.
    """
    scored = [i for i in issues if i.outcome is not None]
    result = forecast(list(issues), model, **params)
    values = np.array([result.value(i.id) if i.id in result.forecasts else math.nan for i in scored])
    errors = np.abs(values - np.array([i.outcome for i in scored], dtype=float))
    fallbacks = sum(1 for f in result.forecasts.values() if f.flags.get("fallback"))
    return ModelErrors(model, errors, fallbacks, values)


def proposal_resamples(groups: Sequence[str | None], resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The proposal index of every scored issue, and how often each proposal is drawn in each
    resample ``(resamples, proposals)``; an issue without a proposal is its own."""
    index = proposal_index(groups)
    proposals = int(index.max()) + 1 if index.size else 0
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, proposals, (resamples, proposals))
    counts = np.stack([np.bincount(row, minlength=proposals) for row in drawn]).astype(float)
    return index, counts


def _bootstrap_mean(values: np.ndarray, index: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """95% percentile interval of the mean of ``values`` (NaN: left out) over the resampled proposals."""
    ok = ~np.isnan(values)
    sums = np.bincount(index[ok], weights=values[ok], minlength=counts.shape[1])
    sizes = np.bincount(index[ok], minlength=counts.shape[1]).astype(float)
    den = counts @ sizes
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (counts @ sums) / den
    means = means[den > 0]
    if means.size == 0:
        return math.nan, math.nan
    low, high = np.quantile(means, [0.025, 0.975])
    return float(low), float(high)


def score_errors(errs: ModelErrors, base: ModelErrors, index: np.ndarray, counts: np.ndarray) -> BacktestRow:
    """A model's row: MAE, RMSE, the interval and the paired difference to ``base``."""
    e = errs.errors
    ok = ~np.isnan(e)
    if not ok.any():
        return BacktestRow(errs.model, 0, math.nan, math.nan, errs.fallbacks)
    paired = e - base.errors
    both = ~np.isnan(paired)
    low, high = _bootstrap_mean(e, index, counts)
    d_low, d_high = _bootstrap_mean(paired, index, counts)
    return BacktestRow(
        errs.model, int(ok.sum()), float(e[ok].mean()), float(np.sqrt((e[ok] ** 2).mean())), errs.fallbacks,
        proposals=int(np.unique(index[ok]).size), mae_low=low, mae_high=high,
        diff=float(paired[both].mean()) if both.any() else math.nan, diff_low=d_low, diff_high=d_high, n_paired=int(both.sum()),
    )


def stack_inputs(errors: Sequence[ModelErrors], scored: Sequence[IssueData]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The ensemble's components (the models that forecast every scored issue), their
    forecasts (issues × components) and the outcomes."""
    parts = [e for e in errors if e.forecasts.size and not np.isnan(e.forecasts).any()]
    if len(parts) < 2:
        raise ModelError("the ensemble needs at least two models that forecast every issue with an outcome")
    outcomes = np.array([i.outcome for i in scored], dtype=float)
    return [e.model for e in parts], np.column_stack([e.forecasts for e in parts]), outcomes


def ensemble_errors(errors: Sequence[ModelErrors], scored: Sequence[IssueData], folds: int = FOLDS,
                    seed: int = SEED) -> tuple[ModelErrors, CrossValidation]:
    """The out-of-fold errors of the stacking ensemble of the models that forecast every
    scored issue (``docs/methods/ensemble.md``), and the cross-validation behind them."""
    _, forecasts, outcomes = stack_inputs(errors, scored)
    cv = cross_validate(forecasts, outcomes, [i.group for i in scored], folds, seed)
    return ModelErrors(ENSEMBLE, np.abs(cv.predictions - outcomes), 0, cv.predictions), cv


def _errors_task(task: tuple[str, str, dict[str, Any]]) -> ModelErrors:
    path, model, params = task
    return model_errors(read_deu(path), model, **params)


def backtest_deu(
    path: str | Path,
    models: Sequence[str] | None = None,
    execution: Execution = IN_PROCESS,
    *,
    params: dict[str, dict[str, Any]] | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    ensemble: bool = False,
    folds: int = FOLDS,
) -> list[BacktestRow]:
    """MAE with a 95% proposal-bootstrap interval, and the paired difference to the compromise
    model, per model on the DEU issues with outcomes (models run as separate tasks).

    ``models`` defaults to every registered model, in registration order; ``params`` gives
    a model's parameters by name. Same ``seed`` and ``resamples``, same intervals. With
    ``ensemble``, a last row scores the out-of-fold forecasts of the stacking ensemble of the
    models run (``folds`` folds of whole proposals, same ``seed``).
    """
    if int(resamples) != resamples or resamples < 1:
        raise ModelError(f"resamples must be a positive whole number, got {resamples!r}")
    scored = read_deu(path, with_outcome_only=True)  # fail early, in this process, on a bad file
    chosen = list(models) if models else names()
    for m in chosen:
        get(m)
    if ensemble:
        grouped_folds([i.group for i in scored], folds, seed)  # a bad fold count fails before the models run
    params = params or {}
    run = chosen if BASELINE in chosen else [*chosen, BASELINE]
    errors = list(execution.map(_errors_task, [(str(path), m, params.get(m, {})) for m in run]))
    base = errors[run.index(BASELINE)]
    index, counts = proposal_resamples([i.group for i in scored], int(resamples), int(seed))
    rows = [score_errors(e, base, index, counts) for e in errors[: len(chosen)]]
    if ensemble:
        rows.append(score_errors(ensemble_errors(errors, scored, folds, seed)[0], base, index, counts))
    return rows
