"""Time in event forecasts: P(an agreement is reached by the deadline | acceptable terms exist).

A constant hazard λ per event kind: P = 1 − exp(−λ·t), t the days from the forecast's
origin to the deadline, λ = ln 2 / median_days. The median waiting times per kind are
stated per case in ``case.yaml`` (``hazard: {package: 540, ...}``); the defaults and the
published figures behind them are in docs/methods/agreement.md. Nothing is fitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from accord.errors import ModelError

#: Default median days from acceptable terms to the agreement, per event kind (docs/methods/agreement.md).
DEFAULT_MEDIAN_DAYS: Mapping[str, float] = {
    "package": 540.0,
    "issue": 365.0,
    "partial": 30.0,
    "truce": 60.0,
}


@dataclass(frozen=True)
class Hazard:
    """Median days to agreement per event kind (defaults overlaid with the case's own)."""

    median_days: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MEDIAN_DAYS))
    source: str = "defaults"

    def __post_init__(self) -> None:
        for kind, days in self.median_days.items():
            if not (math.isfinite(days) and days > 0):
                raise ModelError(f"hazard median_days of {kind} must be a finite number > 0, got {days!r}")

    def rate(self, kind: str) -> float:
        """λ of the kind, per day."""
        return math.log(2.0) / self.median_days[kind]

    def p_by(self, kind: str, days: float) -> float:
        """P(reached within ``days`` | acceptable terms) = 1 − exp(−λ·days); 0 for no time left."""
        return 0.0 if days <= 0 else 1.0 - math.exp(-self.rate(kind) * days)


def case_hazard(settings: Mapping[str, float] | None) -> Hazard:
    """The hazard of a case: the defaults, with the case's ``hazard`` settings (kind → median days) over them."""
    if not settings:
        return Hazard()
    return Hazard({**DEFAULT_MEDIAN_DAYS, **{k: float(v) for k, v in settings.items()}}, source="case.yaml")
