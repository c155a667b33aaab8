"""Externalities of a realised exchange for third actors (``docs/methods/exchange.md``, "Externalities")."""

from __future__ import annotations

import numpy as np


def externality(
    x: np.ndarray, s: np.ndarray, present: np.ndarray, left: np.ndarray,
    before: tuple[float, float], after: tuple[float, float], p: int, q: int, i: int, j: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per actor: the gain (+) or loss (−) from the outcome shifts on ``p`` and ``q``, and
    whether it belongs to the inner group (same round-start quadrant as ``i`` or ``j``)."""
    ext = np.zeros(x.shape[0])
    for d, o0, o1 in ((p, before[0], after[0]), (q, before[1], after[1])):
        on = present[:, d]
        ext += np.where(on, s[:, d] * (np.abs(o0 - x[:, d]) - np.abs(o1 - x[:, d])), 0.0)
    ext[[i, j]] = 0.0
    g = left[:, p].astype(int) + 2 * left[:, q].astype(int)
    both = present[:, p] & present[:, q]
    inner = both & ((g == g[i]) | (g == g[j]))
    inner[[i, j]] = False
    return ext, inner
