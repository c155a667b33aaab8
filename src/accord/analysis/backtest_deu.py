"""Backtest of the registered models on DEU III: mean absolute error against the recorded outcomes.

Every registered model is scored by default (:func:`accord.models.registry.names`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from accord.execution import IN_PROCESS, Execution
from accord.models.issue import IssueData
from accord.models.registry import forecast, get, names
from accord.scenario.deu import read_deu


@dataclass(frozen=True)
class BacktestRow:
    """One model's accuracy: issues scored, MAE and RMSE on the 0–100 scale, and fallbacks used."""

    model: str
    n: int
    mae: float
    rmse: float
    fallbacks: int = 0

    def to_dict(self) -> dict:
        """A JSON-ready dictionary."""
        return asdict(self)


def score_model(issues: Sequence[IssueData], model: str, **params: object) -> BacktestRow:
    """Score one model on the issues that have an outcome.

    The model sees every issue (linked issues of a proposal exchange with each other even
    where one has no recorded outcome); only issues with an outcome are scored.
    """
    scored = [i for i in issues if i.outcome is not None]
    result = forecast(list(issues), model, **params)
    errors = np.array([abs(result.value(i.id) - i.outcome) for i in scored if i.id in result.forecasts])
    fallbacks = sum(1 for f in result.forecasts.values() if f.flags.get("fallback"))
    if errors.size == 0:
        return BacktestRow(model, 0, float("nan"), float("nan"), fallbacks)
    return BacktestRow(model, int(errors.size), float(errors.mean()), float(np.sqrt((errors**2).mean())), fallbacks)


def _score_task(task: tuple[str, str]) -> BacktestRow:
    path, model = task
    return score_model(read_deu(path), model)


def backtest_deu(
    path: str | Path,
    models: Sequence[str] | None = None,
    execution: Execution = IN_PROCESS,
) -> list[BacktestRow]:
    """MAE and n per model on the DEU issues with outcomes (models run as separate tasks).

    ``models`` defaults to every registered model, in registration order.
    """
    read_deu(path, with_outcome_only=True)  # fail early, in this process, on a bad file
    chosen = list(models) if models else names()
    for m in chosen:
        get(m)
    return list(execution.map(_score_task, [(str(path), m) for m in chosen]))
