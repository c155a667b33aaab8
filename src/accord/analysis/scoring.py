"""Scores of probability forecasts of yes/no events: Brier and log score with cluster-bootstrap intervals, reliability bins.

Lower is better for both scores. The intervals resample whole clusters (in the rolling backtest
an event, with every origin it was forecast at), so forecasts of one event at several dates do
not count as independent evidence. Method and rules: docs/methods/backtest.md.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

#: Probabilities are held inside [CLIP, 1 − CLIP] for the log score only, so that a market price of
#: exactly 0 or 1 costs a finite ln(1/CLIP) instead of an infinite penalty.
CLIP = 1e-4
#: Bootstrap resamples behind every interval.
RESAMPLES = 2000
#: Reliability bins: equal widths on [0, 1].
BINS = 5


@dataclass(frozen=True)
class Score:
    """One forecaster's scores on its ``n`` forecasts, with 95% cluster-bootstrap intervals."""

    scorer: str
    n: int
    clusters: int
    brier: float
    brier_low: float
    brier_high: float
    log: float
    log_low: float
    log_high: float


@dataclass(frozen=True)
class ReliabilityBin:
    """Forecasts that fell in [low, high): how many, their mean, and how often the event happened."""

    low: float
    high: float
    n: int
    mean_forecast: float | None
    observed: float | None


def brier_terms(p: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Squared error of each forecast: (p − o)²."""
    return (np.asarray(p, dtype=float) - np.asarray(o, dtype=float)) ** 2


def log_terms(p: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Negative log of the probability given to what happened: −ln p if it happened, −ln(1 − p) if not."""
    q = np.clip(np.asarray(p, dtype=float), CLIP, 1 - CLIP)
    return -np.log(np.where(np.asarray(o) == 1, q, 1 - q))


def cluster_interval(terms: np.ndarray, clusters: Sequence[Hashable], *, resamples: int = RESAMPLES,
                     seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean of ``terms`` when whole clusters are resampled with replacement.

    Each resample draws as many clusters as there are, and averages every term of the drawn
    clusters (a cluster drawn twice counts twice).
    """
    terms = np.asarray(terms, dtype=float)
    labels = list(dict.fromkeys(clusters))
    if len(labels) < 2:
        m = float(terms.mean())
        return m, m
    index = {c: k for k, c in enumerate(labels)}
    member = np.array([index[c] for c in clusters])
    sums = np.bincount(member, weights=terms, minlength=len(labels))
    counts = np.bincount(member, minlength=len(labels)).astype(float)
    draws = np.random.default_rng(seed).integers(0, len(labels), size=(resamples, len(labels)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def score(scorer: str, p: Sequence[float], o: Sequence[int], clusters: Sequence[Hashable], *,
          resamples: int = RESAMPLES, seed: int = 0) -> Score:
    """Brier and log score of forecasts ``p`` of outcomes ``o`` (0/1), with intervals over ``clusters``."""
    if not len(p):
        raise ValueError(f"{scorer}: no forecasts to score")
    b, lg = brier_terms(np.asarray(p), np.asarray(o)), log_terms(np.asarray(p), np.asarray(o))
    b_lo, b_hi = cluster_interval(b, clusters, resamples=resamples, seed=seed)
    l_lo, l_hi = cluster_interval(lg, clusters, resamples=resamples, seed=seed)
    return Score(scorer=scorer, n=len(p), clusters=len(set(clusters)), brier=float(b.mean()), brier_low=b_lo,
                 brier_high=b_hi, log=float(lg.mean()), log_low=l_lo, log_high=l_hi)


def reliability(p: Sequence[float], o: Sequence[int], bins: int = BINS) -> list[ReliabilityBin]:
    """The reliability table: forecasts in ``bins`` equal bins of [0, 1] (the last one closed)."""
    p_arr, o_arr = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    which = np.minimum((p_arr * bins).astype(int), bins - 1)
    rows = []
    for k in range(bins):
        inside = which == k
        n = int(inside.sum())
        rows.append(ReliabilityBin(low=k / bins, high=(k + 1) / bins, n=n,
                                   mean_forecast=float(p_arr[inside].mean()) if n else None,
                                   observed=float(o_arr[inside].mean()) if n else None))
    return rows


@dataclass(frozen=True)
class Paired:
    """Brier of forecaster A minus forecaster B on the n forecasts both made (negative: A is better)."""

    n: int
    diff: float
    low: float
    high: float


def paired_brier(p_a: Sequence[float], p_b: Sequence[float], o: Sequence[int], clusters: Sequence[Hashable], *,
                 resamples: int = RESAMPLES, seed: int = 0) -> Paired:
    """The paired Brier difference A − B on the same forecasts, with its 95% cluster-bootstrap interval."""
    terms = brier_terms(np.asarray(p_a), np.asarray(o)) - brier_terms(np.asarray(p_b), np.asarray(o))
    low, high = cluster_interval(terms, clusters, resamples=resamples, seed=seed)
    return Paired(n=len(terms), diff=float(terms.mean()), low=low, high=high)


def laplace_rate(yes: int, n: int) -> float:
    """(yes + 1) / (n + 2): a base rate that is never 0 or 1 and is 0.5 with no history."""
    if yes < 0 or n < yes:
        raise ValueError(f"cannot take a rate of {yes} in {n}")
    return (yes + 1) / (n + 2)
