"""The array view of one issue that every 1-D model consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class IssueData:
    """Positions, saliences and capabilities of the actors taking part in one issue.

    Positions are on the issue's scale ``[lo, hi]`` (canonical 0–100); saliences on
    ``[0, 1]``; capabilities ``>= 0``. ``reference`` is the status quo, ``outcome`` the
    observed result where known (backtests). ``uncertainty`` holds one standard
    deviation per position, or is ``None``.
    """

    id: str
    actors: tuple[str, ...]
    x: np.ndarray
    s: np.ndarray
    c: np.ndarray
    lo: float = 0.0
    hi: float = 100.0
    reference: float | None = None
    outcome: float | None = None
    title: str = ""
    uncertainty: np.ndarray | None = None
    group: str | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.actors)
        for name in ("x", "s", "c"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.shape != (n,):
                raise ValueError(f"issue {self.id}: {name} has shape {arr.shape}, expected ({n},)")
            object.__setattr__(self, name, arr)
        if self.uncertainty is not None:
            object.__setattr__(self, "uncertainty", np.asarray(self.uncertainty, dtype=float))

    @property
    def n(self) -> int:
        """Number of actors taking part."""
        return len(self.actors)

    @property
    def w(self) -> np.ndarray:
        """Effective weights ``c * s``."""
        return self.c * self.s

    def with_values(self, **changes: object) -> IssueData:
        """A copy with some fields replaced."""
        data = {f: getattr(self, f) for f in self.__dataclass_fields__}
        data.update(changes)
        return IssueData(**data)  # type: ignore[arg-type]
