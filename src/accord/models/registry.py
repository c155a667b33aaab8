"""Named forecasting models: one table that the CLI, the API and the backtests share.

Every model is reached through :func:`forecast`. A model entry points at a function
``fn(issues: Sequence[IssueData], **params) -> dict[issue_id, IssueForecast]``; the
import happens on first use so that heavy models cost nothing until asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.result import IssueForecast, ModelForecast

ModelFn = Callable[..., dict[str, IssueForecast]]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its name, what it does and where its function lives."""

    name: str
    summary: str
    target: str
    defaults: dict[str, Any] = field(default_factory=dict)
    multi_issue: bool = False

    def load(self) -> ModelFn:
        """Import and return the model function."""
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


_B = "accord.models.baselines"
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        ModelSpec("compromise", "Achen's compromise model: mean weighted by salience × capability", f"{_B}:compromise_model"),
        ModelSpec("compromise-salience", "Compromise model weighted by salience only", f"{_B}:compromise_model", {"weights": "salience"}),
        ModelSpec("mean", "Unweighted mean of positions", f"{_B}:compromise_model", {"weights": "unweighted"}),
        ModelSpec("weighted-median", "Lower weighted median, weights salience × capability", f"{_B}:median_model"),
        ModelSpec("weighted-median-salience", "Lower weighted median, weights salience", f"{_B}:median_model", {"weights": "salience"}),
        ModelSpec("median", "Lower unweighted median", f"{_B}:median_model", {"weights": "unweighted"}),
        ModelSpec("nash", "Nash bargaining solution with a costly reference point (quadratic loss)", "accord.models.nash:nash_model", {"kappa": 1.0}),
        ModelSpec("status-quo", "The reference point (status quo), where the issue has one", f"{_B}:status_quo_model"),
        ModelSpec("midpoint", "The middle of the scale (predict 50)", f"{_B}:midpoint_model"),
        ModelSpec("bdm", "Bueno de Mesquita's expected-utility model (Scholz et al. 2011)", "accord.models.bdm:bdm_model", {"variant": "scholz"}),
        ModelSpec("exchange", "Stokman's equal-gain exchange model over linked issues", "accord.models.exchange:exchange_model", multi_issue=True),
    ]
}

BASELINES = ("compromise", "compromise-salience", "mean", "weighted-median", "weighted-median-salience", "median", "nash", "status-quo", "midpoint")


def available() -> list[str]:
    """Names of the models whose code is installed."""
    names = []
    for name, spec in MODELS.items():
        try:
            spec.load()
        except (ImportError, AttributeError):
            continue
        names.append(name)
    return names


def forecast(issues: Sequence[IssueData], model: str, **params: Any) -> ModelForecast:
    """Run one named model over the issues and collect its forecasts."""
    try:
        spec = MODELS[model]
    except KeyError:
        raise ModelError(f"unknown model {model!r}; choose from {', '.join(MODELS)}") from None
    try:
        fn = spec.load()
    except (ImportError, AttributeError) as exc:
        raise ModelError(f"model {model!r} is not available in this installation ({exc})") from None
    merged = {**spec.defaults, **params}
    forecasts = fn(issues, **merged)
    renamed = {
        k: IssueForecast(v.issue, model, v.value, v.params, v.flags, v.details) for k, v in forecasts.items()
    }
    return ModelForecast(model=model, params=merged, forecasts=renamed)
