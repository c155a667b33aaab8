"""Outcome distributions of the randomised exchange model over repeated runs."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.errors import ModelError
from accord.models.exchange.inputs import ExchangeInput
from accord.models.exchange.rounds import run_exchange

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class OutcomeDistribution:
    """Final expected outcomes of one issue over repeated randomised runs."""

    issue: str
    p: float
    samples: np.ndarray
    quantiles: dict[str, float]
    mean: float
    bands: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """``{q05, q25, q50, q75, q95, mean, bands}`` as in the run-result ``intervals``."""
        return {**self.quantiles, "mean": self.mean, "bands": dict(self.bands)}


def _bands(samples: np.ndarray, anchors: Sequence[tuple[str, float]] | None) -> dict[str, float]:
    if anchors:
        labels = [a[0] for a in anchors]
        vals = [float(a[1]) for a in anchors]
        edges = [0.0] + [(u + w) / 2 for u, w in zip(vals, vals[1:])] + [100.0]
    else:
        edges = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        labels = [f"{lo:g}–{hi:g}" for lo, hi in zip(edges, edges[1:])]
    idx = np.clip(np.searchsorted(edges, samples, side="right") - 1, 0, len(labels) - 1)
    counts = np.bincount(idx, minlength=len(labels))
    return {lab: float(cnt / samples.size) for lab, cnt in zip(labels, counts)}


def exchange_distribution(
    inp: ExchangeInput,
    p: float,
    repetitions: int,
    seed: int = 0,
    rounds: int = 10,
    anchors: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> dict[str, OutcomeDistribution]:
    """Outcome distribution per issue over ``repetitions`` randomised runs (one seeded Generator).

    ``anchors`` maps an issue id to its ``(label, value)`` scale anchors for the band
    probabilities; without them the bands are the fifths of 0–100.
    """
    if isinstance(repetitions, bool) or not isinstance(repetitions, (int, np.integer)) or repetitions < 1:
        raise ModelError(f"repetitions must be a whole number ≥ 1, got {repetitions!r}")
    rng = np.random.default_rng(seed)
    samples = np.array(
        [run_exchange(inp, rounds, p, rng, keep_candidates=False).prediction for _ in range(int(repetitions))]
    )
    out = {}
    for d, issue in enumerate(inp.issues):
        col = samples[:, d]
        qs = np.quantile(col, QUANTILES)
        out[issue] = OutcomeDistribution(
            issue=issue,
            p=float(p),
            samples=col,
            quantiles={f"q{round(100 * level):02d}": float(v) for level, v in zip(QUANTILES, qs)},
            mean=float(col.mean()),
            bands=_bands(col, (anchors or {}).get(issue)),
        )
    return out


def exchange_sweep(
    inp: ExchangeInput,
    start: float,
    step: float,
    stop: float,
    repetitions: int,
    seed: int = 0,
    rounds: int = 10,
) -> dict[float, dict[str, OutcomeDistribution]]:
    """Outcome distributions for ``p = start, start + step, …, stop`` (each sweep seeded alike)."""
    if step <= 0 or not 0 <= start <= stop <= 1:
        raise ModelError("a p sweep needs 0 ≤ start ≤ stop ≤ 1 and step > 0")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    values = [round(start + k * step, 12) for k in range(count)]
    return {v: exchange_distribution(inp, v, repetitions, seed, rounds) for v in values}
