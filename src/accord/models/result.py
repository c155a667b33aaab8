"""Result types shared by every forecasting model."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class IssueForecast:
    """One model's forecast on one issue (0–100 unless the issue says otherwise)."""

    issue: str
    model: str
    value: float
    params: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"{self.model} produced a non-finite forecast on {self.issue}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecasts over a set of issues, with its parameters."""

    model: str
    params: dict[str, Any]
    forecasts: dict[str, IssueForecast]
    details: dict[str, Any] = field(default_factory=dict)

    def value(self, issue: str) -> float:
        """The forecast on one issue."""
        return self.forecasts[issue].value

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "model": self.model,
            "params": self.params,
            "forecasts": {k: v.to_dict() for k, v in self.forecasts.items()},
            "details": self.details,
        }
