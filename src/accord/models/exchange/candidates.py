"""Candidate exchanges of a round: which pairs may trade on which issue pair, and who supplies what."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.models.exchange.gains import Shifts, equal_gain, equal_gain_one
from accord.models.exchange.inputs import ExchangeInput, expected_outcomes


@dataclass(frozen=True)
class Candidates:
    """Candidate exchanges of a round in generation order, with their round-start roles.

    ``a``/``b`` are the pair as generated (A×D, then B×C per issue pair); ``j`` supplies
    issue ``p`` and ``i`` supplies ``q``. The remaining arrays are their computed shifts.
    """

    a: np.ndarray
    b: np.ndarray
    p: np.ndarray
    q: np.ndarray
    i: np.ndarray
    j: np.ndarray
    shifts: Shifts

    def __len__(self) -> int:
        return int(self.a.size)

    @property
    def gain(self) -> np.ndarray:
        """The equal gain of every candidate (0 where invalid)."""
        return self.shifts.gain

    @property
    def valid(self) -> np.ndarray:
        """Which candidates are valid."""
        return self.shifts.valid


def generate_candidates(
    x: np.ndarray, s: np.ndarray, present: np.ndarray, O: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Pairs ``(a, b, p, q, i, j)`` (``docs/methods/exchange.md``, "Candidates") for every issue pair ``p < q`` (index arrays)."""
    n, m = x.shape
    left = x <= O[None, :]
    idx = np.arange(n)
    parts: list[tuple[np.ndarray, np.ndarray, int, int]] = []
    for p in range(m):
        for q in range(p + 1, m):
            both = present[:, p] & present[:, q]
            g = left[:, p].astype(int) + 2 * left[:, q].astype(int)
            groups = [idx[both & (g == k)] for k in range(4)]
            for first, second in ((groups[0], groups[3]), (groups[1], groups[2])):
                if first.size and second.size:
                    parts.append((np.repeat(first, second.size), np.tile(second, first.size), p, q))
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty, empty, empty, empty
    a = np.concatenate([t[0] for t in parts])
    b = np.concatenate([t[1] for t in parts])
    P = np.concatenate([np.full(t[0].size, t[2], dtype=np.intp) for t in parts])
    Q = np.concatenate([np.full(t[0].size, t[3], dtype=np.intp) for t in parts])
    with np.errstate(divide="ignore", invalid="ignore"):
        rho_a = s[a, P] / s[a, Q]
        rho_b = s[b, P] / s[b, Q]
    a_supplies_p = rho_a < rho_b
    j = np.where(a_supplies_p, a, b)
    i = np.where(a_supplies_p, b, a)
    return a, b, P, Q, i, j


def _solve(
    x: np.ndarray, s: np.ndarray, c: np.ndarray, W: np.ndarray, O: np.ndarray,
    i: np.ndarray, j: np.ndarray, P: np.ndarray, Q: np.ndarray,
) -> Shifts:
    return equal_gain(
        x[i, P], x[j, P], x[i, Q], x[j, Q],
        s[i, P], s[j, P], s[i, Q], s[j, Q],
        c[j, P], c[i, Q], W[P], W[Q], O[P], O[Q],
    )


def initial_candidates(inp: ExchangeInput) -> Candidates:
    """All candidate exchanges at the input positions, computed as arrays."""
    O, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    a, b, P, Q, i, j = generate_candidates(inp.x, inp.s, inp.present, O)
    return Candidates(a, b, P, Q, i, j, _solve(inp.x, inp.s, inp.c, W, O, i, j, P, Q))


def equal_gain_loop(inp: ExchangeInput) -> list[tuple[float, bool]]:
    """The equal gain and validity of every candidate, one candidate at a time in plain Python.

    Same numbers as :func:`initial_candidates`; kept as a readable reference and for the
    benchmark of the array formulation.
    """
    O, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    a, b, P, Q, I, J = generate_candidates(inp.x, inp.s, inp.present, O)
    x, s, c = inp.x.tolist(), inp.s.tolist(), inp.c.tolist()
    out = []
    for i, j, p, q in zip(I.tolist(), J.tolist(), P.tolist(), Q.tolist()):
        out.append(_equal_gain_scalar(
            x[i][p], x[j][p], x[i][q], x[j][q], s[i][p], s[j][p], s[i][q], s[j][q],
            c[j][p], c[i][q], float(W[p]), float(W[q]), float(O[p]), float(O[q]),
        ))
    return out


def _equal_gain_scalar(
    x_ip: float, x_jp: float, x_iq: float, x_jq: float,
    s_ip: float, s_jp: float, s_iq: float, s_jq: float,
    c_jp: float, c_iq: float, W_p: float, W_q: float, O_p: float, O_q: float,
) -> tuple[float, bool]:
    sol = equal_gain_one(x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q)
    return (sol[8], True) if sol[11] else (0.0, False)
