"""The equal-gain exchange of one candidate pair, plain and randomised, as arrays.

Formulas: ``docs/methods/exchange.md`` ("Equal gain", "Randomised rates").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

GAIN_EPS = 1e-10


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
    """Equal-gain exchange ("Equal gain") for arrays of candidates (``J`` supplies p, ``I`` supplies q).

    Saliences are used as given. A candidate with a zero salience, weight or total
    weight is invalid; invalid entries carry zeros, never NaN.
    """
    x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q = _arrays(
        x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sh = _equal_gain(x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, c_jp, c_iq, W_p, W_q, O_p, O_q)
    return finish(sh) if clean else sh


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
    valid = ok & moves_ok(m_j, m_i, y_j, y_i) & (gain > GAIN_EPS)
    return Shifts(dp, dq, m_j, m_i, y_j, y_i, dir_p, dir_q, gain, gain_i, gain_j, valid)


def moves_ok(m_j: np.ndarray, m_i: np.ndarray, y_j: np.ndarray, y_i: np.ndarray) -> np.ndarray:
    return (
        (m_j > GAIN_EPS) & (m_i > GAIN_EPS) & (m_j <= 100) & (m_i <= 100)
        & (y_j >= 0) & (y_j <= 100) & (y_i >= 0) & (y_i <= 100)
    )


def finish(sh: Shifts) -> Shifts:
    """Zeros in place of the numbers of invalid candidates (which may be NaN or infinite)."""
    valid = np.asarray(sh.valid, dtype=bool)
    names = ("dp", "dq", "m_j", "m_i", "y_j", "y_i", "dir_p", "dir_q", "gain", "gain_i", "gain_j")
    return Shifts(*(np.where(valid, getattr(sh, n), 0.0) for n in names), valid)


@dataclass(frozen=True)
class EuMax:
    """``eu_max`` of both partners ("Randomised rates"), with the shifts and moves that give each."""

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
    """Each partner's utility when the other's gain is held at 0 ("Randomised rates", step 3).

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
    """Randomised equal gain ("Randomised rates", steps 2–5) given the draws ``u, v, z``.

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
    valid = ok & moves_ok(m_j, m_i, y_j, y_i) & (gain_i > GAIN_EPS) & (gain_j > GAIN_EPS)
    return finish(Shifts(dp, dq, m_j, m_i, y_j, y_i, base.dir_p, base.dir_q, base.gain, gain_i, gain_j, valid))


def equal_gain_one(
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
