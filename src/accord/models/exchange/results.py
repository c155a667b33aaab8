"""What a run of the exchange model produced: realised exchanges, rounds, the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.models.exchange.candidates import Candidates
from accord.models.exchange.inputs import ExchangeInput


@dataclass(frozen=True)
class Exchange:
    """One realised exchange: ``j`` moves on issue ``p`` towards ``i``, ``i`` on ``q`` towards ``j``.

    ``x_jp → y_j`` and ``x_iq → y_i`` are the suppliers' moves; ``x_ip`` and ``x_jq`` the
    demanders' positions at the time.
    Indices refer to :attr:`ExchangeRun.actors` / :attr:`ExchangeRun.issues`.
    ``externality`` is every actor's gain (+) or loss (−) from the two outcome shifts
    (0 for the partners and for actors without a position on either issue); ``inner``
    marks the third actors in a partner's quadrant.
    """

    round: int
    order: int
    i: int
    j: int
    p: int
    q: int
    x_jp: float
    y_j: float
    x_iq: float
    y_i: float
    x_ip: float
    x_jq: float
    m_j: float
    m_i: float
    dp: float
    dq: float
    gain: float
    gain_i: float
    gain_j: float
    outcome_before: tuple[float, float]
    outcome_after: tuple[float, float]
    tie: bool
    externality: np.ndarray = field(repr=False)
    inner: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class RoundResult:
    """One round: start positions, candidates, realised exchanges, voting positions, prediction."""

    index: int
    start: np.ndarray
    outcome_start: np.ndarray
    candidates: Candidates | None
    n_candidates: int
    n_valid: int
    exchanges: tuple[Exchange, ...]
    voting: np.ndarray
    moved: np.ndarray
    prediction: np.ndarray
    ties: int

    def externalities(self) -> dict[str, np.ndarray]:
        """Per actor: summed gains and losses as a third party, inner and outer groups."""
        n = self.start.shape[0]
        out = {k: np.zeros(n) for k in ("inner_gain", "inner_loss", "outer_gain", "outer_loss")}
        for e in self.exchanges:
            ext = e.externality
            out["inner_gain"] += np.where(e.inner & (ext > 0), ext, 0.0)
            out["inner_loss"] += np.where(e.inner & (ext < 0), ext, 0.0)
            out["outer_gain"] += np.where(~e.inner & (ext > 0), ext, 0.0)
            out["outer_loss"] += np.where(~e.inner & (ext < 0), ext, 0.0)
        return out


@dataclass(frozen=True)
class ExchangeRun:
    """A run of the exchange model: the input, the rounds and the final prediction per issue."""

    input: ExchangeInput
    rounds: tuple[RoundResult, ...]
    initial_outcome: np.ndarray
    p: float
    seed: int | None

    @property
    def actors(self) -> tuple[str, ...]:
        """Actor ids by index."""
        return self.input.actors

    @property
    def issues(self) -> tuple[str, ...]:
        """Issue ids by index."""
        return self.input.issues

    @property
    def prediction(self) -> np.ndarray:
        """Expected outcome per issue after the last round (0–100)."""
        return self.rounds[-1].prediction if self.rounds else self.initial_outcome

    def predictions(self) -> dict[str, float]:
        """Final expected outcome per issue id."""
        return {d: float(v) for d, v in zip(self.issues, self.prediction)}

    def raw_predictions(self) -> dict[str, float]:
        """Final expected outcome on each issue's raw scale (where one is known)."""
        out = {}
        for d, v, bounds in zip(self.issues, self.prediction, self.input.raw_bounds or (None,) * len(self.issues)):
            if bounds is not None:
                out[d] = float(bounds[0] + v * (bounds[1] - bounds[0]) / 100.0)
        return out

    def exchanges(self) -> list[Exchange]:
        """Every realised exchange, round by round, in order."""
        return [e for r in self.rounds for e in r.exchanges]

    @property
    def ties(self) -> int:
        """Number of tie-breaks drawn."""
        return sum(r.ties for r in self.rounds)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: per round the prediction, candidate counts and realised exchanges."""
        a, d = self.actors, self.issues
        return {
            "actors": list(a),
            "issues": list(d),
            "p": self.p,
            "initial_outcome": [float(v) for v in self.initial_outcome],
            "prediction": self.predictions(),
            "raw_prediction": self.raw_predictions(),
            "rounds": [
                {
                    "round": r.index + 1,
                    "candidates": r.n_candidates,
                    "valid": r.n_valid,
                    "ties": r.ties,
                    "prediction": [float(v) for v in r.prediction],
                    "exchanges": [
                        {
                            "supplier_p": a[e.j], "issue_p": d[e.p], "from_p": e.x_jp, "to_p": e.y_j,
                            "supplier_q": a[e.i], "issue_q": d[e.q], "from_q": e.x_iq, "to_q": e.y_i,
                            "gain": e.gain, "gain_supplier_p": e.gain_j, "gain_supplier_q": e.gain_i,
                            "outcome_before": list(e.outcome_before), "outcome_after": list(e.outcome_after),
                            "tie": e.tie,
                        }
                        for e in r.exchanges
                    ],
                }
                for r in self.rounds
            ],
        }
