"""Stokman's equal-gain exchange model of voting positions over linked issues.

Implements models spec §5 (Stokman & Van Oosten 1994; randomised rates after Dijkstra
et al. 2018). Actors who are on opposite sides of the expected outcome on two issues
trade: each moves on the issue it cares about less, towards the other, by amounts that
give both the same utility gain. Exchanges are realised in order of gain within a round;
the voting positions then pull the next round's positions.

Layout: positions, saliences and capabilities are ``(n_actors, n_issues)`` matrices with
a ``present`` mask. All candidate exchanges of a round are computed at once as arrays
(:func:`equal_gain`); after each realisation only the candidates on the two issues
involved are recomputed.

Choices the spec leaves open, made here:

- *Inner and outer groups* of an exchange's externalities: a third actor is *inner* when
  it is, at round start, in the same quadrant (A–D of §5.2) as one of the two partners on
  the exchange's issue pair, otherwise (or when it lacks a position on one of the two
  issues) *outer*.
- *Randomised rates* (§5.6): candidates are still realised in order of their equal gain
  ``G``; the draw changes only the rate at which a candidate is realised. A perturbed
  candidate is valid when both partners gain more than ``1e-10``.
- Outcomes are recomputed from the current positions after every realisation.
- *Ties* (§5.5): gains within ``1e-12`` relative of the best count as tied with it, and
  the first two of them in generation order are the pair drawn between. The spec's
  absolute ``1e-20`` presumes bit-equal gains, but equal rational gains reached along
  different arithmetic paths differ by an ulp (the 480/203 pair of ``copenhagen.csv``).
- The realised candidate is re-solved just before it is applied, from unchanged inputs,
  so its numbers are those it was ranked by; a randomised candidate keeps the draws of
  its last (re)computation for that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.result import IssueForecast

__all__ = [
    "Candidates",
    "EuMax",
    "Exchange",
    "ExchangeInput",
    "ExchangeRun",
    "OutcomeDistribution",
    "RoundResult",
    "Shifts",
    "describe_exchanges",
    "equal_gain",
    "equal_gain_loop",
    "eu_max",
    "exchange_distribution",
    "exchange_input",
    "exchange_model",
    "exchange_sweep",
    "expected_outcomes",
    "generate_candidates",
    "initial_candidates",
    "perturbed_gain",
    "run_exchange",
]

GAIN_EPS = 1e-10
TIE_EPS = 1e-20
#: Gains this close (relative) count as tied: equal rational gains reached along different
#: arithmetic paths differ by an ulp, which the spec's absolute ``1e-20`` would miss.
TIE_REL = 1e-12
SALIENCE_WEIGHT = 0.4
FIXED_WEIGHT = 0.1
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


# -- input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeInput:
    """Actors × issues matrices of one linked group (positions on 0–100)."""

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    x: np.ndarray
    s: np.ndarray
    c: np.ndarray
    present: np.ndarray
    titles: tuple[str, ...] = ()
    raw_bounds: tuple[tuple[float, float] | None, ...] = ()

    @property
    def n(self) -> int:
        """Number of actors."""
        return len(self.actors)

    @property
    def m(self) -> int:
        """Number of issues."""
        return len(self.issues)


def exchange_input(issues: Sequence[IssueData]) -> ExchangeInput:
    """Stack issues into matrices; actors in order of first appearance.

    Raises :class:`ModelError` on non-finite values, negative saliences or capabilities,
    or positions outside 0–100.
    """
    if not issues:
        raise ModelError("the exchange model needs at least one issue")
    ids = [i.id for i in issues]
    if len(set(ids)) != len(ids):
        raise ModelError("issue ids must be unique within a group")
    actors: dict[str, int] = {}
    for issue in issues:
        for a in issue.actors:
            actors.setdefault(a, len(actors))
    n, m = len(actors), len(issues)
    x = np.zeros((n, m))
    s = np.zeros((n, m))
    c = np.zeros((n, m))
    present = np.zeros((n, m), dtype=bool)
    raw: list[tuple[float, float] | None] = []
    for d, issue in enumerate(issues):
        xs = _rescale(issue)
        for k, a in enumerate(issue.actors):
            i = actors[a]
            if present[i, d]:
                raise ModelError(f"issue {issue.id}: actor {a} appears twice")
            vals = (xs[k], float(issue.s[k]), float(issue.c[k]))
            if not all(math.isfinite(v) for v in vals):
                raise ModelError(f"issue {issue.id}: actor {a} has a missing or non-finite value")
            if vals[1] < 0 or vals[2] < 0:
                raise ModelError(f"issue {issue.id}: actor {a} has a negative salience or capability")
            x[i, d], s[i, d], c[i, d] = vals
            present[i, d] = True
        lo, hi = issue.meta.get("raw_lo"), issue.meta.get("raw_hi")
        if lo is None and (issue.lo, issue.hi) != (0.0, 100.0):
            lo, hi = issue.lo, issue.hi
        raw.append((float(lo), float(hi)) if lo is not None and hi is not None else None)
    return ExchangeInput(
        actors=tuple(actors),
        issues=tuple(ids),
        x=x,
        s=s,
        c=c,
        present=present,
        titles=tuple(i.title or i.id for i in issues),
        raw_bounds=tuple(raw),
    )


def _rescale(issue: IssueData) -> np.ndarray:
    """Positions on 0–100 (issues on another scale are mapped linearly from ``[lo, hi]``)."""
    x = np.asarray(issue.x, dtype=float)
    if (issue.lo, issue.hi) == (0.0, 100.0):
        out = x
    elif issue.hi > issue.lo:
        out = (x - issue.lo) * 100.0 / (issue.hi - issue.lo)
    else:
        raise ModelError(f"issue {issue.id}: scale bounds [{issue.lo}, {issue.hi}] are empty")
    if np.any(out < -1e-9) or np.any(out > 100 + 1e-9):
        raise ModelError(f"issue {issue.id}: positions must lie within the scale [{issue.lo}, {issue.hi}]")
    return np.clip(out, 0.0, 100.0)


def expected_outcomes(x: np.ndarray, s: np.ndarray, c: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``O_d = Σ c s x / Σ c s`` per issue and the total weights ``W_d``.

    An issue with ``W_d = 0`` gets the unweighted mean of its positions.
    """
    w = np.where(present, c * s, 0.0)
    W = w.sum(axis=0)
    num = (w * np.where(present, x, 0.0)).sum(axis=0)
    cnt = present.sum(axis=0)
    plain = np.where(present, x, 0.0).sum(axis=0) / np.maximum(cnt, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        O = np.where(W > 0, num / np.where(W > 0, W, 1.0), plain)
    return O, W


def _outcome_of(x: np.ndarray, s: np.ndarray, c: np.ndarray, present: np.ndarray, d: int) -> float:
    mask = present[:, d]
    w = c[mask, d] * s[mask, d]
    total = w.sum()
    if total > 0:
        return float(np.dot(w, x[mask, d]) / total)
    return float(x[mask, d].mean())


# -- one candidate: equal gain ---------------------------------------------------------


@dataclass(frozen=True)
class Shifts:
    """Outcome shifts, moves, voting positions and gains of candidate exchanges (arrays).

    ``J`` supplies issue ``p`` (moves ``m_j`` to ``y_j``); ``I`` supplies ``q``.
    ``gain`` is the equal gain ``G``; ``gain_i``/``gain_j`` the partners' own gains.
    """

    dp: np.ndarray
    dq: np.ndarray
    m_j: np.ndarray
    m_i: np.ndarray
    y_j: np.ndarray
    y_i: np.ndarray
    dir_p: np.ndarray
    dir_q: np.ndarray
    gain: np.ndarray
    gain_i: np.ndarray
    gain_j: np.ndarray
    valid: np.ndarray


def _arrays(*values: Any) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in values]


def equal_gain(
    x_ip: Any, x_jp: Any, x_iq: Any, x_jq: Any,
    s_ip: Any, s_jp: Any, s_iq: Any, s_jq: Any,
    c_jp: Any, c_iq: Any,
    W_p: Any, W_q: Any, O_p: Any, O_q: Any,
    *, clean: bool = True,
) -> Shifts:
    """Equal-gain exchange of §5.4 for arrays of candidates (``J`` supplies p, ``I`` supplies q).

    Saliences are used as given. A candidate with a zero salience, weight or total
    weight is invalid; invalid entries carry zeros, never NaN.
    """
    x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q = _arrays(
        x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sh = _equal_gain(x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q)
    return _finish(sh) if clean else sh


def _equal_gain(
    x_ip: np.ndarray, x_jp: np.ndarray, x_iq: np.ndarray, x_jq: np.ndarray,
    s_ip: np.ndarray, s_jp: np.ndarray, s_iq: np.ndarray, s_jq: np.ndarray,
    c_jp: np.ndarray, c_iq: np.ndarray,
    W_p: np.ndarray, W_q: np.ndarray, O_p: np.ndarray, O_q: np.ndarray,
) -> Shifts:
    w_jp = c_jp * s_jp
    w_iq = c_iq * s_iq
    ok = (s_ip > 0) & (s_jp > 0) & (s_iq > 0) & (s_jq > 0) & (w_jp > 0) & (w_iq > 0) & (W_p > 0) & (W_q > 0)
    if ok.all():
        s_iq_, s_jq_ = s_iq, s_jq
        k = (s_ip + s_jp) / (s_iq + s_jq)
    else:
        one = np.ones_like(ok, dtype=float)
        w_jp = np.where(ok, w_jp, one)
        w_iq = np.where(ok, w_iq, one)
        W_p = np.where(ok, W_p, one)
        W_q = np.where(ok, W_q, one)
        s_iq_ = np.where(ok, s_iq, one)
        s_jq_ = np.where(ok, s_jq, one)
        k = np.where(ok, (s_ip + s_jp) / (s_iq_ + s_jq_), one)

    dir_p = np.sign(x_ip - x_jp)
    dir_q = np.sign(x_jq - x_iq)
    full_j = np.abs(x_ip - x_jp)
    full_i = np.abs(x_jq - x_iq)
    # step 1: J moves fully
    m_j = full_j
    dp = m_j * w_jp / W_p
    dq = k * dp
    m_i = dq * W_q / w_iq
    # step 2: I cannot move further than J's position
    over = m_i > full_i
    m_i = np.where(over, full_i, m_i)
    dq = np.where(over, m_i * w_iq / W_q, dq)
    dp = np.where(over, dq / k, dp)
    m_j = np.where(over, dp * W_p / w_jp, m_j)
    # step 3: O_p may not pass the demander I
    pass_p = ((O_p + dir_p * dp) - x_ip) * dir_p > 0
    dp = np.where(pass_p, (x_ip - O_p) * dir_p, dp)
    dq = np.where(pass_p, k * dp, dq)
    # step 4: O_q may not pass the demander J
    pass_q = ((O_q + dir_q * dq) - x_jq) * dir_q > 0
    dq = np.where(pass_q, (x_jq - O_q) * dir_q, dq)
    dp = np.where(pass_q, dq / k, dp)
    clipped = pass_p | pass_q
    m_j = np.where(clipped, dp * W_p / w_jp, m_j)
    m_i = np.where(clipped, dq * W_q / w_iq, m_i)
    # rounding must never carry a supplier past its partner
    m_j = np.minimum(m_j, full_j)
    m_i = np.minimum(m_i, full_i)

    gain = dp * (s_ip * s_jq_ - s_iq_ * s_jp) / (s_iq_ + s_jq_)
    gain_i = s_ip * dp - s_iq * dq
    gain_j = s_jq * dq - s_jp * dp
    y_j = x_jp + dir_p * m_j
    y_i = x_iq + dir_q * m_i
    valid = ok & _moves_ok(m_j, m_i, y_j, y_i) & (gain > GAIN_EPS)
    return Shifts(dp, dq, m_j, m_i, y_j, y_i, dir_p, dir_q, gain, gain_i, gain_j, valid)


def _moves_ok(m_j: np.ndarray, m_i: np.ndarray, y_j: np.ndarray, y_i: np.ndarray) -> np.ndarray:
    return (
        (m_j > GAIN_EPS) & (m_i > GAIN_EPS) & (m_j <= 100) & (m_i <= 100)
        & (y_j >= 0) & (y_j <= 100) & (y_i >= 0) & (y_i <= 100)
    )


def _finish(sh: Shifts) -> Shifts:
    """Zeros in place of the numbers of invalid candidates (which may be NaN or infinite)."""
    valid = np.asarray(sh.valid, dtype=bool)
    names = ("dp", "dq", "m_j", "m_i", "y_j", "y_i", "dir_p", "dir_q", "gain", "gain_i", "gain_j")
    return Shifts(*(np.where(valid, getattr(sh, n), 0.0) for n in names), valid)


@dataclass(frozen=True)
class EuMax:
    """§5.6 ``eu_max`` of both partners, with the shifts and moves that give each."""

    eu_max_i: np.ndarray
    eu_max_j: np.ndarray
    full_p: np.ndarray
    full_q: np.ndarray
    dp_i: np.ndarray
    dq_i: np.ndarray
    dp_j: np.ndarray
    dq_j: np.ndarray
    m_i_at_i: np.ndarray
    m_i_at_j: np.ndarray
    m_j_at_i: np.ndarray
    m_j_at_j: np.ndarray


def eu_max(
    x_ip: Any, x_jp: Any, x_iq: Any, x_jq: Any,
    s_ip: Any, s_jp: Any, s_iq: Any, s_jq: Any,
    c_jp: Any, c_iq: Any,
    W_p: Any, W_q: Any, O_p: Any, O_q: Any,
) -> EuMax:
    """Each partner's utility when the other's gain is held at 0 (§5.6 step 3).

    ``*_at_i`` are the moves at ``eu_max(I)`` (J's gain 0), ``*_at_j`` at ``eu_max(J)``.
    Saliences must be positive.
    """
    x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q = _arrays(
        x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q
    )
    w_jp, w_iq = c_jp * s_jp, c_iq * s_iq
    with np.errstate(divide="ignore", invalid="ignore"):
        F_p, F_q = _full_shifts(x_ip, x_jp, x_iq, x_jq, w_jp, w_iq, W_p, W_q, O_p, O_q)
        q_binds = s_ip * F_p > s_jq * F_q
        # eu_max(I): J's gain held at 0, i.e. s_jq dq = s_jp dp
        dq_i = np.where(q_binds, F_q, F_p * s_jp / s_jq)
        dp_i = np.where(q_binds, F_q * s_jq / s_jp, F_p)
        eu_i = np.where(q_binds, F_q * (s_ip * s_jq / s_jp - s_iq), F_p * (s_ip - s_iq * s_jp / s_jq))
        # eu_max(J): I's gain held at 0, i.e. s_ip dp = s_iq dq
        dq_j = np.where(q_binds, F_q, F_p * s_ip / s_iq)
        dp_j = np.where(q_binds, F_q * s_iq / s_ip, F_p)
        eu_j = np.where(q_binds, F_q * (s_jq - s_iq * s_jp / s_ip), F_p * (s_jq * s_ip / s_iq - s_jp))
        return EuMax(
            eu_i, eu_j, F_p, F_q, dp_i, dq_i, dp_j, dq_j,
            m_i_at_i=dq_i * W_q / w_iq, m_i_at_j=dq_j * W_q / w_iq,
            m_j_at_i=dp_i * W_p / w_jp, m_j_at_j=dp_j * W_p / w_jp,
        )


def _full_shifts(x_ip, x_jp, x_iq, x_jq, w_jp, w_iq, W_p, W_q, O_p, O_q):  # type: ignore[no-untyped-def]
    """Outcome shifts when each supplier moves fully, clipped at the demander's position."""
    dir_p = np.sign(x_ip - x_jp)
    dir_q = np.sign(x_jq - x_iq)
    F_p = np.minimum(np.abs(x_ip - x_jp) * w_jp / W_p, (x_ip - O_p) * dir_p)
    F_q = np.minimum(np.abs(x_jq - x_iq) * w_iq / W_q, (x_jq - O_q) * dir_q)
    return F_p, F_q


def perturbed_gain(
    base: Shifts,
    x_ip: Any, x_jp: Any, x_iq: Any, x_jq: Any,
    s_ip: Any, s_jp: Any, s_iq: Any, s_jq: Any,
    c_jp: Any, c_iq: Any,
    W_p: Any, W_q: Any, O_p: Any, O_q: Any,
    p: float, u: Any, v: Any, z: Any,
) -> Shifts:
    """Randomised equal gain (§5.6 steps 2–5) given the draws ``u, v, z``.

    With ``p = 0`` this reproduces :func:`equal_gain` up to rounding.
    """
    x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q, u, v, z = _arrays(
        x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q, u, v, z
    )
    ok = base.valid
    one = np.ones_like(x_ip)
    s_ip, s_jp, s_iq, s_jq = (np.where(ok, a, one) for a in (s_ip, s_jp, s_iq, s_jq))
    c_jp, c_iq, W_p, W_q = (np.where(ok, a, one) for a in (c_jp, c_iq, W_p, W_q))
    em = eu_max(x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q)
    F_p, F_q = em.full_p, em.full_q
    eu = base.gain
    x_is_i = u < 0.5
    eu_max_x = np.where(x_is_i, em.eu_max_i, em.eu_max_j)
    target = np.where(v < 0.5, eu + p * z * (eu_max_x - eu), eu - p * z * eu)
    with np.errstate(divide="ignore", invalid="ignore"):
        # X = I: I moves fully on q; J's shift on p gives I the target gain
        dp_a = (target + s_iq * F_q) / s_ip
        dq_a = np.where(dp_a > F_p, (s_ip * F_p - target) / s_iq, F_q)
        dp_a = np.minimum(dp_a, F_p)
        # X = J: J moves fully on p; I's shift on q gives J the target gain
        dq_b = (target + s_jp * F_p) / s_jq
        dp_b = np.where(dq_b > F_q, (s_jq * F_q - target) / s_jp, F_p)
        dq_b = np.minimum(dq_b, F_q)
        dp = np.where(x_is_i, dp_a, dp_b)
        dq = np.where(x_is_i, dq_a, dq_b)
        w_jp, w_iq = c_jp * s_jp, c_iq * s_iq
        m_j = np.minimum(dp * W_p / w_jp, np.abs(x_ip - x_jp))
        m_i = np.minimum(dq * W_q / w_iq, np.abs(x_jq - x_iq))
    gain_i = s_ip * dp - s_iq * dq
    gain_j = s_jq * dq - s_jp * dp
    y_j = x_jp + base.dir_p * m_j
    y_i = x_iq + base.dir_q * m_i
    valid = ok & _moves_ok(m_j, m_i, y_j, y_i) & (gain_i > GAIN_EPS) & (gain_j > GAIN_EPS)
    return _finish(Shifts(dp, dq, m_j, m_i, y_j, y_i, base.dir_p, base.dir_q, base.gain, gain_i, gain_j, valid))


# -- candidates -----------------------------------------------------------------------


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
    """Pairs ``(a, b, p, q, i, j)`` of §5.2–5.3 for every issue pair ``p < q`` (index arrays)."""
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
    sol = _equal_gain_one(x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q)
    return (sol[8], True) if sol[11] else (0.0, False)


def _equal_gain_one(
    x_ip: float, x_jp: float, x_iq: float, x_jq: float,
    s_ip: float, s_jp: float, s_iq: float, s_jq: float,
    c_jp: float, c_iq: float, W_p: float, W_q: float, O_p: float, O_q: float,
) -> tuple[float, float, float, float, float, float, float, float, float, float, float, bool]:
    """:func:`equal_gain` for one candidate in plain floats (same operations, same numbers).

    Returns ``dp, dq, m_j, m_i, y_j, y_i, dir_p, dir_q, gain, gain_i, gain_j, valid``.
    """
    w_jp, w_iq = c_jp * s_jp, c_iq * s_iq
    if min(s_ip, s_jp, s_iq, s_jq, w_jp, w_iq, W_p, W_q) <= 0:
        return (0.0,) * 11 + (False,)  # type: ignore[return-value]
    k = (s_ip + s_jp) / (s_iq + s_jq)
    dir_p = float((x_ip > x_jp) - (x_ip < x_jp))
    dir_q = float((x_jq > x_iq) - (x_jq < x_iq))
    full_j, full_i = abs(x_ip - x_jp), abs(x_jq - x_iq)
    m_j = full_j
    dp = m_j * w_jp / W_p
    dq = k * dp
    m_i = dq * W_q / w_iq
    if m_i > full_i:
        m_i = full_i
        dq = m_i * w_iq / W_q
        dp = dq / k
        m_j = dp * W_p / w_jp
    clipped = False
    if ((O_p + dir_p * dp) - x_ip) * dir_p > 0:
        dp = (x_ip - O_p) * dir_p
        dq = k * dp
        clipped = True
    if ((O_q + dir_q * dq) - x_jq) * dir_q > 0:
        dq = (x_jq - O_q) * dir_q
        dp = dq / k
        clipped = True
    if clipped:
        m_j = dp * W_p / w_jp
        m_i = dq * W_q / w_iq
    m_j, m_i = min(m_j, full_j), min(m_i, full_i)
    gain = dp * (s_ip * s_jq - s_iq * s_jp) / (s_iq + s_jq)
    gain_i = s_ip * dp - s_iq * dq
    gain_j = s_jq * dq - s_jp * dp
    y_j, y_i = x_jp + dir_p * m_j, x_iq + dir_q * m_i
    valid = (
        gain > GAIN_EPS and GAIN_EPS < m_j <= 100 and GAIN_EPS < m_i <= 100
        and 0 <= y_j <= 100 and 0 <= y_i <= 100
    )
    if not valid:
        return (0.0,) * 11 + (False,)  # type: ignore[return-value]
    return dp, dq, m_j, m_i, y_j, y_i, dir_p, dir_q, gain, gain_i, gain_j, True


# -- rounds ----------------------------------------------------------------------------


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


def run_exchange(
    inp: ExchangeInput,
    rounds: int = 10,
    p: float = 0.0,
    rng: np.random.Generator | int | None = None,
    keep_candidates: bool = True,
) -> ExchangeRun:
    """Run the equal-gain exchange model for ``rounds`` rounds (§5.5; randomised when ``p > 0``).

    ``rng`` is a numpy Generator or a seed (default seed 0). Saliences above 1 are accepted
    for a single round only (the between-round update needs ``[0, 1]``).
    """
    _check_params(rounds, p, 1)
    seed = rng if isinstance(rng, (int, np.integer)) else None
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(0 if rng is None else int(rng))
    x = inp.x.copy()
    O0, _ = expected_outcomes(x, inp.s, inp.c, inp.present)
    results = []
    for t in range(int(rounds)):
        result = _round(inp, x, t, float(p), gen, keep_candidates)
        results.append(result)
        if t + 1 < rounds:
            x = _next_start(inp, result)
    return ExchangeRun(inp, tuple(results), O0, float(p), None if seed is None else int(seed))


def _next_start(inp: ExchangeInput, r: RoundResult) -> np.ndarray:
    s = inp.s[r.moved]
    if np.any(s > 1):
        raise ModelError("saliences must lie on [0, 1] for more than one round of the exchange model")
    pull = SALIENCE_WEIGHT * (1.0 - s) + FIXED_WEIGHT
    x = r.start.copy()
    x[r.moved] = (1.0 - pull) * r.start[r.moved] + pull * r.voting[r.moved]
    return x


class _One(NamedTuple):
    dp: float
    dq: float
    m_j: float
    m_i: float
    y_j: float
    y_i: float
    dir_p: float
    dir_q: float
    gain: float
    gain_i: float
    gain_j: float


class _Pool:
    """Per-candidate inputs that stay fixed within a round, and a solver for any subset."""

    def __init__(self, inp: ExchangeInput, I: np.ndarray, J: np.ndarray, P: np.ndarray, Q: np.ndarray, W: np.ndarray) -> None:
        m = inp.m
        self.P, self.Q = P, Q
        self.f_ip, self.f_jp = I * m + P, J * m + P
        self.f_iq, self.f_jq = I * m + Q, J * m + Q
        s, c = inp.s.ravel(), inp.c.ravel()
        self.s_ip, self.s_jp, self.s_iq, self.s_jq = s[self.f_ip], s[self.f_jp], s[self.f_iq], s[self.f_jq]
        self.c_jp, self.c_iq = c[self.f_jp], c[self.f_iq]
        self.W_p, self.W_q = W[P], W[Q]

    def args(self, k: np.ndarray | slice, x: np.ndarray, O: np.ndarray) -> tuple[np.ndarray, ...]:
        xf = x.ravel()
        return (
            xf[self.f_ip[k]], xf[self.f_jp[k]], xf[self.f_iq[k]], xf[self.f_jq[k]],
            self.s_ip[k], self.s_jp[k], self.s_iq[k], self.s_jq[k],
            self.c_jp[k], self.c_iq[k], self.W_p[k], self.W_q[k], O[self.P[k]], O[self.Q[k]],
        )

    def one(self, k: int, x: np.ndarray, O: np.ndarray, p: float, draws: np.ndarray | None) -> "_One":
        """One candidate's solution as floats (plain arithmetic when ``p = 0``)."""
        if p > 0 and draws is not None:
            idx = np.array([k])
            sh = self.solve(idx, x, O, p, draws[idx])
            return _One(*(float(getattr(sh, f)[0]) for f in _One._fields))
        args = [float(a[0]) for a in self.args(np.array([k]), x, O)]
        sol = _equal_gain_one(*args)
        return _One(*sol[:11])

    def solve(
        self, k: np.ndarray | slice, x: np.ndarray, O: np.ndarray, p: float, draws: np.ndarray | None, clean: bool = True
    ) -> Shifts:
        args = self.args(k, x, O)
        sh = equal_gain(*args, clean=p > 0 or clean)
        if p > 0 and draws is not None:
            sh = perturbed_gain(sh, *args, p, draws[:, 0], draws[:, 1], draws[:, 2])
        return sh


def _round(
    inp: ExchangeInput, x0: np.ndarray, t: int, p: float, rng: np.random.Generator, keep: bool
) -> RoundResult:
    s, c, present = inp.s, inp.c, inp.present
    x = x0.copy()
    O, W = expected_outcomes(x, s, c, present)
    O_start = O.copy()
    left = x <= O[None, :]
    a, b, P, Q, I, J = generate_candidates(x, s, present, O)
    pool = _Pool(inp, I, J, P, Q, W)
    draws = rng.random((I.size, 3)) if p > 0 and I.size else None
    everything = slice(None)
    sh = pool.solve(everything, x, O, p, draws)
    table = Candidates(a, b, P, Q, I, J, sh) if keep else None
    n_valid = int(sh.valid.sum())

    key = np.where(sh.valid, sh.gain, -np.inf)
    on_issue = [np.flatnonzero((P == d) | (Q == d)) for d in range(inp.m)]
    mark = np.zeros(P.size, dtype=bool)
    moved_dir = np.zeros(x.shape, dtype=np.int8)
    exchanges: list[Exchange] = []
    ties = 0
    while key.size:
        best = float(key.max())
        if best == -np.inf:
            break
        near = np.flatnonzero(key >= best - max(TIE_EPS, TIE_REL * abs(best)))
        top = int(near[0])
        tie = near.size > 1
        if tie:
            ties += 1
            if rng.random() >= 0.5:
                top = int(near[1])
        key[top] = -np.inf
        # its inputs are unchanged since it was last computed, so this repeats those numbers
        e = pool.one(top, x, O, p, draws)
        i, j, pp, qq = int(I[top]), int(J[top]), int(P[top]), int(Q[top])
        before = (float(O[pp]), float(O[qq]))
        x_jp, x_iq = float(x[j, pp]), float(x[i, qq])
        y_j, y_i = e.y_j, e.y_i
        x[j, pp] = y_j
        x[i, qq] = y_i
        moved_dir[j, pp] = int(e.dir_p)
        moved_dir[i, qq] = int(e.dir_q)
        O[pp] = _outcome_of(x, s, c, present, pp)
        O[qq] = _outcome_of(x, s, c, present, qq)
        ext, inner = _externality(x, s, present, left, before, (float(O[pp]), float(O[qq])), pp, qq, i, j)
        exchanges.append(
            Exchange(
                round=t, order=len(exchanges), i=i, j=j, p=pp, q=qq,
                x_jp=x_jp, y_j=y_j, x_iq=x_iq, y_i=y_i,
                x_ip=float(x[i, pp]), x_jq=float(x[j, qq]),
                m_j=e.m_j, m_i=e.m_i, dp=e.dp, dq=e.dq, gain=e.gain, gain_i=e.gain_i, gain_j=e.gain_j,
                outcome_before=before, outcome_after=(float(O[pp]), float(O[qq])), tie=tie,
                externality=ext, inner=inner,
            )
        )
        # recompute the remaining candidates on either issue (in generation order)
        mark[on_issue[pp]] = True
        mark[on_issue[qq]] = True
        touched = np.flatnonzero(mark)
        mark[touched] = False
        touched = touched[key[touched] != -np.inf]
        if not touched.size:
            continue
        if draws is not None:
            draws[touched] = rng.random((touched.size, 3))
        new = pool.solve(touched, x, O, p, None if draws is None else draws[touched], clean=False)
        tj, tp, ti, tq = J[touched], P[touched], I[touched], Q[touched]
        prev_j = moved_dir[tj, tp]
        prev_i = moved_dir[ti, tq]
        keep_it = (
            new.valid
            & ((prev_j == 0) | (prev_j == new.dir_p))
            & ((prev_i == 0) | (prev_i == new.dir_q))
            & (new.dir_p != 0) & (new.dir_q != 0)
        )
        key[touched] = np.where(keep_it, new.gain, -np.inf)

    voting = x
    prediction, _ = expected_outcomes(voting, s, c, present)
    return RoundResult(
        index=t, start=x0.copy(), outcome_start=O_start, candidates=table,
        n_candidates=int(a.size), n_valid=n_valid, exchanges=tuple(exchanges),
        voting=voting, moved=moved_dir != 0, prediction=prediction, ties=ties,
    )


def _externality(
    x: np.ndarray, s: np.ndarray, present: np.ndarray, left: np.ndarray,
    before: tuple[float, float], after: tuple[float, float], p: int, q: int, i: int, j: int,
) -> tuple[np.ndarray, np.ndarray]:
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


# -- Monte Carlo ---------------------------------------------------------------------


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


# -- words -------------------------------------------------------------------------


def describe_exchanges(
    run: ExchangeRun,
    actor_names: Mapping[str, str] | None = None,
    issue_titles: Mapping[str, str] | None = None,
    round_index: int | None = None,
) -> list[str]:
    """One sentence per realised exchange (all rounds, or one), e.g.

    "Ukraine moves on NATO towards the United States; the United States moves on security
    guarantees towards Ukraine (gain 1.23 each)".
    """
    names = actor_names or {}
    titles = issue_titles or {}
    out = []
    for e in run.exchanges():
        if round_index is not None and e.round != round_index:
            continue
        out.append(_sentence(e, run, names, titles))
    return out


def _sentence(e: Exchange, run: ExchangeRun, names: Mapping[str, str], titles: Mapping[str, str]) -> str:
    aj, ai = run.actors[e.j], run.actors[e.i]
    nj, ni = names.get(aj, aj), names.get(ai, ai)
    tp = titles.get(run.issues[e.p], run.issues[e.p])
    tq = titles.get(run.issues[e.q], run.issues[e.q])
    if abs(e.gain_i - e.gain_j) <= 1e-9 * max(1.0, abs(e.gain)):
        gain = f"gain {e.gain:.2f} each"
    else:
        gain = f"gains {e.gain_j:.2f} for {nj} and {e.gain_i:.2f} for {ni}"
    text = f"{nj} moves on {tp} towards {ni}; {ni} moves on {tq} towards {nj} ({gain})"
    return text[:1].upper() + text[1:]


# -- registry adapter ------------------------------------------------------------------


def _compromise(issue: IssueData) -> tuple[float, bool]:
    try:
        from accord.models.baselines import weighted_mean
    except ImportError:  # pragma: no cover - baselines ship with accord
        w = np.nan_to_num(issue.s, nan=0.0) * issue.c
        if w.sum() <= 0:
            return float(np.mean(issue.x)), True
        return float(np.dot(w, issue.x) / w.sum()), False
    return weighted_mean(issue.x, np.nan_to_num(issue.s, nan=0.0) * issue.c)


def exchange_model(
    issues: Sequence[IssueData],
    rounds: int = 10,
    p: float = 0.0,
    repetitions: int = 1,
    seed: int = 0,
    max_listed: int = 100,
    **_: object,
) -> dict[str, IssueForecast]:
    """Equal-gain exchange model over each group of linked issues (same ``IssueData.group``).

    Issues without a group form one group together. A group of a single issue cannot
    trade and gets the compromise model, flagged ``fallback``. With ``p > 0`` and several
    repetitions the forecast is the median over runs, with quantiles in ``details``.
    Realised exchanges (supplier, issue supplied, partner, gain) are listed in
    ``details["exchanges"]`` of the supplied issue, at most ``max_listed`` per issue.
    Other keyword parameters are ignored.
    """
    _check_params(rounds, p, repetitions)
    groups: dict[object, list[IssueData]] = {}
    for issue in issues:
        groups.setdefault(("group", issue.group) if issue.group is not None else ("none",), []).append(issue)
    params = {"rounds": rounds, "p": p, "repetitions": repetitions, "seed": seed}
    out: dict[str, IssueForecast] = {}
    for members in groups.values():
        for issue in members:
            if np.any(np.nan_to_num(issue.s, nan=0.0) > 1):
                raise ModelError(f"issue {issue.id}: saliences must lie on [0, 1] for the exchange model")
        if len(members) == 1:
            issue = members[0]
            value, degenerate = _compromise(issue)
            out[issue.id] = IssueForecast(
                issue.id, "exchange", value, params, {"fallback": True, "degenerate": degenerate},
                {"reason": "no linked issue to exchange with; compromise model used"},
            )
            continue
        cleaned = [m.with_values(s=np.nan_to_num(m.s, nan=0.0)) for m in members]
        inp = exchange_input(cleaned)
        run = run_exchange(inp, rounds, p, np.random.default_rng(seed), keep_candidates=False)
        dist = exchange_distribution(inp, p, repetitions, seed, rounds) if p > 0 and repetitions > 1 else None
        listed = _listed_exchanges(run, max_listed)
        raw = run.raw_predictions()
        _, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
        for d, issue in enumerate(members):
            value = float(run.prediction[d]) if dist is None else dist[issue.id].quantiles["q50"]
            details: dict[str, Any] = {
                "group": issue.group,
                "issues_in_group": len(members),
                "path": [float(run.initial_outcome[d])] + [float(r.prediction[d]) for r in run.rounds],
                "n_exchanges": sum(1 for e in run.exchanges() if d in (e.p, e.q)),
                "exchanges": listed.get(d, []),
                "ties": run.ties,
            }
            if issue.id in raw:
                details["raw_value"] = raw[issue.id]
            if dist is not None:
                details["interval"] = dist[issue.id].to_dict()
            flags = {"fallback": False, "degenerate": bool(W[d] <= 0), "randomised": p > 0}
            out[issue.id] = IssueForecast(issue.id, "exchange", value, params, flags, details)
    return out


def _check_params(rounds: object, p: object, repetitions: object) -> None:
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 0:
        raise ModelError(f"rounds must be a whole number ≥ 0, got {rounds!r}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ModelError(f"p must lie in [0, 1], got {p!r}")
    if isinstance(repetitions, bool) or not isinstance(repetitions, (int, np.integer)) or repetitions < 1:
        raise ModelError(f"repetitions must be a whole number ≥ 1, got {repetitions!r}")


def _listed_exchanges(run: ExchangeRun, limit: int) -> dict[int, list[dict[str, Any]]]:
    titles = dict(zip(run.issues, run.input.titles or run.issues))
    listed: dict[int, list[dict[str, Any]]] = {}
    for e in run.exchanges():
        text = _sentence(e, run, {}, titles)
        for supplier, partner, supplied, demanded, gain, frm, to in (
            (e.j, e.i, e.p, e.q, e.gain_j, e.x_jp, e.y_j),
            (e.i, e.j, e.q, e.p, e.gain_i, e.x_iq, e.y_i),
        ):
            rows = listed.setdefault(supplied, [])
            if len(rows) < limit:
                rows.append({
                    "text": text,
                    "round": e.round + 1,
                    "supplier": run.actors[supplier],
                    "issue_supplied": run.issues[supplied],
                    "partner": run.actors[partner],
                    "issue_demanded": run.issues[demanded],
                    "gain": gain,
                    "from": frm,
                    "to": to,
                })
    return listed
