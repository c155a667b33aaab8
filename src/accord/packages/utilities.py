"""Additive salience-weighted utilities (docs/methods/packages.md §2): weights, option values, tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from accord.errors import ModelError


def salience_weights(salience: np.ndarray) -> np.ndarray:
    """Normalised weights ω_ik = s_ik / Σ_k s_ik per party (rows); an all-zero row stays zero."""
    s = np.asarray(salience, dtype=float)
    if s.ndim != 2:
        raise ModelError("salience must be a (parties, issues) matrix")
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ModelError("saliences must be finite and >= 0")
    total = s.sum(axis=1, keepdims=True)
    return np.divide(s, total, out=np.zeros_like(s), where=total > 0)


def option_values(
    points: Sequence[float], ideal: float, lo: float = 0.0, hi: float = 100.0, loss: str = "linear"
) -> np.ndarray:
    """Values v(o) in [0,1] of options placed at scale points, for a party whose ideal is ``ideal``."""
    if hi <= lo:
        raise ModelError(f"scale bounds must satisfy lo < hi, got [{lo}, {hi}]")
    y = np.asarray(points, dtype=float)
    dist = (y - float(ideal)) / (hi - lo)
    if loss == "linear":
        v = 1.0 - np.abs(dist)
    elif loss == "quadratic":
        v = 1.0 - dist**2
    else:
        raise ModelError(f"unknown loss {loss!r} (linear or quadratic)")
    return np.clip(v, 0.0, 1.0)


def additive_tables(values: Sequence[np.ndarray], salience: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-issue contribution tables ω_ik · v_ik(o), from per-issue value tables ``(parties, options)``."""
    w = salience_weights(salience)
    if w.shape[1] != len(values):
        raise ModelError(f"salience has {w.shape[1]} issues but {len(values)} value tables were given")
    out = []
    for k, v in enumerate(values):
        arr = np.asarray(v, dtype=float)
        if arr.shape[0] != w.shape[0]:
            raise ModelError(f"value table of issue {k} has {arr.shape[0]} rows, expected {w.shape[0]}")
        out.append(w[:, k : k + 1] * arr)
    return tuple(out)
