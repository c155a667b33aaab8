"""Bueno de Mesquita's expected-utility model in the Scholz, Calbert & Smith (2011) form.

Specification: models.md §4. Two variants follow two public replications that disagree:

``scholz``
    Receivers evaluate every proposer at a different position from their own point of
    view (risk exponent ``r_k`` of the receiver in all utilities). The win probability
    divides the receiver-side vote sum by ``Z``, the sum of all votes over every actor
    triple, so ``P`` is small. A confrontation beats a compromise; compromises are ranked
    by the (odd, but faithful) key ``(|a| x_k + |b| x_j) / (|a| + |b|)``; capitulation is
    disabled. ``Δ`` is the initial range of positions. ``Q`` must be 1.
``masad``
    Challengers send offers when their own expected utility is positive (their own
    ``r_i``); the win probability is linear and pairwise; each target takes the offer
    with the largest sender utility, then the nearest, then the first in input order;
    capitulation is enabled. ``μ`` in the status-quo terms is the weighted median in the
    first pass and the weighted mean in the second. ``Δ`` comes from explicit bounds
    (the issue's scale by default). ``Q`` and ``T`` may differ from 1.

In both variants only actors at different positions make offers to each other (a move
to one's own position changes nothing), and all actors move simultaneously.

The core, :func:`simulate_batch`, works on arrays shaped ``(batch, n)``: many issues with
the same number of actors, or many Monte Carlo draws of one issue, run at once. It has
no Python loop over actors. The win-probability sums over actor triples come from prefix
sums over the voters sorted by position: each pair's sum is a difference of two prefix
sums, cut where the voters stop favouring one side (counted by direct comparison for
n ≤ 32, by binary search above), so no n×n×n float array is formed.

Degenerate inputs give documented results, never NaN:

* every actor at one position, or a single actor: no round is played; the forecast is
  the common position (the lower weighted median of the actors otherwise), the stop
  reason is ``"degenerate"`` and the ``degenerate`` flag is set;
* all weights ``c·s`` zero: votes are all zero so every win probability is 0; the median
  and mean fall back to their unweighted versions (models.md §0.2) and ``degenerate``
  is set; actors may still move on salience alone.

A missing (NaN) salience counts as 0 (models.md §0.2). Negative capabilities, saliences
outside ``[0, 1]``, other non-finite values and positions outside the masad bounds raise
:class:`~accord.errors.ModelError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.result import IssueForecast

VARIANTS = ("scholz", "masad")

NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
EVENT_NAMES = ("none", "confrontation", "compromise", "capitulation")

STOP_RULES = ("fixed", "converged", "cycle", "bdm_discount")
STOP_REASONS = ("running", "fixed", "converged", "cycle", "bdm_discount", "max_rounds", "degenerate")
_RUNNING, _FIXED, _CONVERGED, _CYCLE, _DISCOUNT, _MAX_ROUNDS, _DEGENERATE = range(7)

#: Actor pairs per row block of a round: blocks of about this many pairs keep the
#: working arrays in cache and bound memory.
BLOCK_PAIRS = 32_768


# --------------------------------------------------------------------------- stopping


@dataclass(frozen=True)
class StopRule:
    """When a run stops (models.md §4.8).

    ``fixed``: exactly ``rounds`` rounds. ``converged``: after round t when no position
    moved by more than ``eps·Δ``. ``cycle``: when the positions equal those of one of the
    last ``K`` rounds within ``eps·Δ`` (``cycle_length`` is the lag). ``bdm_discount``:
    after computing round t+1, when ``delta**t · |μ_{t+1} − μ_t| ≤ eps·Δ``; the forecast
    is then ``μ_t``. Rules other than ``fixed`` stop at ``rounds`` at the latest
    (reason ``"max_rounds"``).
    """

    rule: str = "fixed"
    eps: float | None = None
    delta: float = 0.9
    K: int = 10

    def __post_init__(self) -> None:
        if self.rule not in STOP_RULES:
            raise ModelError(f"unknown stopping rule {self.rule!r}; choose from {', '.join(STOP_RULES)}")
        if self.eps is not None and not (math.isfinite(self.eps) and self.eps >= 0):
            raise ModelError(f"stopping tolerance eps must be >= 0, got {self.eps!r}")
        if not (0 < self.delta <= 1):
            raise ModelError(f"discount delta must lie in (0, 1], got {self.delta!r}")
        if self.K < 1:
            raise ModelError(f"cycle look-back K must be >= 1, got {self.K!r}")

    @property
    def tolerance(self) -> float:
        """``eps`` with the rule's default filled in."""
        if self.eps is not None:
            return float(self.eps)
        return {"fixed": 0.0, "converged": 1e-6, "cycle": 1e-9, "bdm_discount": 0.01}[self.rule]

    def to_dict(self) -> dict[str, Any]:
        """Parameters as plain values."""
        out: dict[str, Any] = {"rule": self.rule}
        if self.rule != "fixed":
            out["eps"] = self.tolerance
        if self.rule == "bdm_discount":
            out["delta"] = self.delta
        if self.rule == "cycle":
            out["K"] = self.K
        return out


def fixed() -> StopRule:
    """Run exactly ``rounds`` rounds."""
    return StopRule("fixed")


def converged(eps: float = 1e-6) -> StopRule:
    """Stop when no position moves by more than ``eps·Δ``."""
    return StopRule("converged", eps=eps)


def cycle(K: int = 10, eps: float = 1e-9) -> StopRule:
    """Stop when the positions repeat those of one of the last ``K`` rounds."""
    return StopRule("cycle", eps=eps, K=K)


def bdm_discount(delta: float = 0.9, eps: float = 0.01) -> StopRule:
    """Stop when the discounted shift of the median is small (accord's reading of BDM)."""
    return StopRule("bdm_discount", eps=eps, delta=delta)


def as_stop_rule(stop: StopRule | str | None) -> StopRule:
    """Accept a :class:`StopRule`, a rule name, or ``None`` (fixed)."""
    if stop is None:
        return fixed()
    if isinstance(stop, StopRule):
        return stop
    if isinstance(stop, str):
        return StopRule(stop.strip().replace("-", "_"))
    raise ModelError(f"stop must be a rule name or StopRule, got {type(stop).__name__}")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Offer:
    """One accepted offer: ``receiver`` moves to ``new_x`` after an event with ``partner``.

    ``eu_receiver``/``eu_partner`` are the two expected utilities that decided it: in
    ``scholz`` ``a = EU(receiver→partner)`` and ``b = EU(partner→receiver)``, both from
    the receiver's view; in ``masad`` ``e_t = E[receiver][partner]`` and the sender's
    ``e_s = E[partner][receiver]``.
    """

    round: int
    receiver: str
    kind: str
    partner: str
    old_x: float
    new_x: float
    eu_receiver: float
    eu_partner: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class BDMRun:
    """The full path of one BDM run on one issue.

    ``positions[t]`` are the positions after round t (row 0: the input), ``risk[t-1]``
    the risk exponents used in round t, ``medians``/``means`` the weighted median
    ``μ_med`` and weighted mean after each round. ``forecast`` is the median at the stop
    (``μ_t`` of the stop rule), ``forecast_mean`` the mean at the same round.
    """

    issue: str
    variant: str
    actors: tuple[str, ...]
    positions: np.ndarray
    risk: np.ndarray
    medians: np.ndarray
    means: np.ndarray
    offers: tuple[Offer, ...]
    forecast: float
    forecast_mean: float
    stop_reason: str
    stop_round: int
    cycle_length: int | None = None
    degenerate: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        """Number of rounds computed."""
        return len(self.positions) - 1

    def offers_in(self, round_: int) -> list[Offer]:
        """The offers accepted in one round (1-based)."""
        return [o for o in self.offers if o.round == round_]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (floats keep full precision)."""
        return {
            "issue": self.issue,
            "variant": self.variant,
            "actors": list(self.actors),
            "positions": self.positions.tolist(),
            "risk": self.risk.tolist(),
            "medians": self.medians.tolist(),
            "means": self.means.tolist(),
            "offers": [o.to_dict() for o in self.offers],
            "forecast": self.forecast,
            "forecast_mean": self.forecast_mean,
            "stop_reason": self.stop_reason,
            "stop_round": self.stop_round,
            "cycle_length": self.cycle_length,
            "degenerate": self.degenerate,
            "params": self.params,
        }


@dataclass
class BatchResult:
    """Outcome of :func:`simulate_batch` for ``B`` rows.

    ``medians``/``means`` have shape ``(B, rounds+1)``; after a row stops its last values
    are carried forward. ``n_rounds`` counts the rounds computed per row, ``stop_round``
    is the round whose median is the forecast. With ``record=True`` the per-round arrays
    ``positions`` ``(B, R+1, n)``, ``risk``, ``partner`` (−1: no move), ``kind``,
    ``eu_receiver`` and ``eu_partner`` ``(B, R, n)`` are filled as well.
    """

    forecast: np.ndarray
    forecast_mean: np.ndarray
    medians: np.ndarray
    means: np.ndarray
    n_rounds: np.ndarray
    stop_round: np.ndarray
    stop_code: np.ndarray
    cycle_length: np.ndarray
    degenerate: np.ndarray
    positions: np.ndarray | None = None
    risk: np.ndarray | None = None
    partner: np.ndarray | None = None
    kind: np.ndarray | None = None
    eu_receiver: np.ndarray | None = None
    eu_partner: np.ndarray | None = None

    def stop_reason(self, row: int) -> str:
        """The stop reason of one row."""
        return STOP_REASONS[int(self.stop_code[row])]


# --------------------------------------------------------------------------- checks


def validate_inputs(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> None:
    """Raise ModelError unless positions are finite, saliences in [0, 1], capabilities >= 0."""
    if x.shape != s.shape or x.shape != c.shape:
        raise ModelError(f"positions, saliences and capabilities differ in shape: {x.shape}, {s.shape}, {c.shape}")
    for name, arr in (("position", x), ("salience", s), ("capability", c)):
        if not np.all(np.isfinite(arr)):
            raise ModelError(f"BDM: every {name} must be a finite number")
    if np.any(c < 0):
        raise ModelError(f"BDM: capability must be >= 0, got {float(c.min())!r}")
    if np.any((s < 0) | (s > 1)):
        bad = s[(s < 0) | (s > 1)][0]
        raise ModelError(f"BDM: salience must lie in [0, 1], got {float(bad)!r} (divide 0–100 saliences by 100)")


def with_missing_salience_as_zero(issue: IssueData) -> IssueData:
    """The issue with NaN saliences replaced by 0 (a missing salience counts as 0)."""
    if np.isnan(issue.s).any():
        return issue.with_values(s=np.nan_to_num(issue.s, nan=0.0))
    return issue


def _check_params(variant: str, Q: float, T: float, rounds: int) -> None:
    if variant not in VARIANTS:
        raise ModelError(f"unknown BDM variant {variant!r}; choose from {', '.join(VARIANTS)}")
    for name, v in (("Q", Q), ("T", T)):
        if not (math.isfinite(v) and 0 <= v <= 1):
            raise ModelError(f"BDM: {name} must lie in [0, 1], got {v!r}")
    if variant == "scholz" and Q != 1:
        raise ModelError("BDM scholz variant requires Q = 1 (its status-quo reference μ is undefined otherwise)")
    if int(rounds) != rounds or rounds < 1:
        raise ModelError(f"BDM: rounds must be a positive integer, got {rounds!r}")


# --------------------------------------------------------------------------- statistics


def statistic_weights(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights for the median and mean: ``w``, or ones on rows whose weights sum to 0."""
    zero = w.sum(axis=-1) == 0
    if zero.any():
        w = np.where(zero[..., None], 1.0, w)
    return w, zero


def weighted_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``μ_med``: the actor position minimising ``Σ_k w_k |x_k − p|`` (first actor on ties)."""
    cost = np.einsum("...k,...kp->...p", w, np.abs(x[..., :, None] - x[..., None, :]))
    pick = np.argmin(cost, axis=-1)
    if x.ndim == 2:
        return x[np.arange(x.shape[0]), pick]
    return np.take_along_axis(x, pick[..., None], axis=-1)[..., 0]


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``Σ w x / Σ w`` along the last axis (clipped to the positions' range against rounding)."""
    return np.clip((w * x).sum(axis=-1) / w.sum(axis=-1), x.min(axis=-1), x.max(axis=-1))


# --------------------------------------------------------------------------- kernels


def _risk_exponents(danger: np.ndarray) -> np.ndarray:
    """r from the danger sums S (§4.4), rowwise; r ≡ 1 where S_max == S_min."""
    smax = danger.max(axis=-1, keepdims=True)
    smin = danger.min(axis=-1, keepdims=True)
    span = smax - smin
    flat = span == 0
    big_r = np.where(flat, 0.0, (2 * danger - smax - smin) / np.where(flat, 1.0, span))
    return (1 - big_r / 3) / (1 + big_r / 3)


def _outcome_utilities(dlt: np.ndarray, rho: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """U^s, U^f and U^sq for distances ``dlt`` and exponents ``rho`` (broadcast)."""
    if np.isscalar(rho) and rho == 1.0:
        us = 2 - 4 * (0.5 - 0.5 * dlt)
        uf = 2 - 4 * (0.5 + 0.5 * dlt)
        usq = np.full_like(dlt, 2 - 4 * 0.5)
        return us, uf, usq
    us = 2 - 4 * (0.5 - 0.5 * dlt) ** rho
    uf = 2 - 4 * (0.5 + 0.5 * dlt) ** rho
    usq = 2 - 4 * 0.5**rho
    return us, uf, usq


def _expected_utility(
    p: np.ndarray,
    s_target: np.ndarray,
    utils: tuple[np.ndarray, np.ndarray, np.ndarray],
    Q: float = 1.0,
    T: float = 1.0,
    dlt: np.ndarray | None = None,
    dmu: np.ndarray | None = None,
    rho: np.ndarray | float = 1.0,
) -> np.ndarray:
    """EU(i→j) of §4.3 given P(i beats j), the target's salience and the outcome utilities."""
    us, uf, usq = utils
    eu = s_target * (p * us + (1 - p) * uf) + (1 - s_target) * us
    if Q == 1:
        return eu - usq
    base = 0.25 * (dmu + dlt)
    ub = 2 - 4 * (0.5 - base) ** rho
    uw = 2 - 4 * (0.5 + base) ** rho
    return eu - (Q * usq + (1 - Q) * (T * ub + (1 - T) * uw))


def _count_below(sorted_x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row, how many entries of ``sorted_x`` (B, n) lie strictly below each of ``values`` (B, m, m).

    Small rows compare directly; larger ones use one exact ``searchsorted`` over keys
    ``row + i·x`` (complex numbers order by real part, then imaginary part).
    """
    bsz, n = sorted_x.shape
    if n <= 32:
        return (sorted_x[:, :, None, None] < values[:, None]).sum(axis=1, dtype=np.int16).astype(np.intp)
    rows = np.arange(bsz, dtype=float)
    keys = (rows[:, None] + 1j * sorted_x).ravel()
    queries = (rows[:, None, None] + 1j * values).ravel()
    pos = np.searchsorted(keys, queries, side="left").reshape(values.shape)
    return pos - (np.arange(bsz) * n)[:, None, None]


class PairGeometry:
    """Everything about the actors' current positions that both passes of a round share.

    ``gap[k, l] = |x_k − x_l|`` and ``dlt = gap / Δ``. For the vote sums, voters are
    sorted by position; ``_at_a``/``_at_b`` index the prefix-sum table at the number of
    voters strictly left of the midpoint of each pair (a, b).
    """

    def __init__(self, x: np.ndarray, scale: np.ndarray) -> None:
        bsz, n = x.shape
        self.x = x
        self.n = n
        diff = x[:, :, None] - x[:, None, :]
        self.gap = np.abs(diff)
        self.dlt = self.gap / scale[:, None, None]
        self.left_of = diff < 0  # x_a < x_b
        self.right_of = diff > 0
        self._left = self.left_of.astype(float)
        self._right = self.right_of.astype(float)
        self.rows = np.arange(bsz)[:, None]
        self.order = np.argsort(x, axis=1, kind="stable")
        xs = x[self.rows, self.order]
        # distances from the voters, taken in sorted order, to every actor
        self.gap_sorted = np.abs(xs[:, :, None] - x[:, None, :])
        self.dlt_sorted = self.gap_sorted / scale[:, None, None]
        below = _count_below(xs, 0.5 * (x[:, :, None] + x[:, None, :]))
        rows = (np.arange(bsz) * (n + 1) * n)[:, None, None] + below * n
        cols = np.arange(n)
        self._at_b = rows + cols[None, None, :]
        self._at_a = rows + cols[None, :, None]

    def sort_voters(self, v: np.ndarray) -> np.ndarray:
        """A per-actor array ``(B, n)`` in the voters' sorted order."""
        return v[self.rows, self.order]

    def vote_numerators(self, w: np.ndarray, dr: np.ndarray) -> np.ndarray:
        """``N[a, b] = Σ_k w_k max(0, dr[k, b] − dr[k, a])`` for every ordered pair (a, b).

        ``dr[k, l]`` must increase with ``|x_k − x_l|`` for each k (a distance raised to a
        positive power), so voter k favours a over b exactly when it is nearer to a: for
        ``x_a < x_b`` the voters left of the midpoint, a prefix of the voters sorted by
        position (a suffix when ``x_a > x_b``). Prefix sums over sorted voters give all pairs.
        """
        return self.sorted_vote_numerators((w[:, :, None] * dr)[self.rows, self.order])

    def sorted_vote_numerators(self, wd_sorted: np.ndarray) -> np.ndarray:
        """:meth:`vote_numerators` from ``w_k · dr[k, l]`` with the voters k already sorted."""
        bsz, n = self.x.shape
        prefix = np.zeros((bsz, n + 1, n))
        np.cumsum(wd_sorted, axis=1, out=prefix[:, 1:, :])
        flat = prefix.reshape(-1)
        at_b = flat.take(self._at_b)
        at_a = flat.take(self._at_a)
        total = prefix[:, n, :]
        left = at_b - at_a
        right = (total[:, None, :] - total[:, :, None]) - left
        out = left * self._left
        out += right * self._right
        return np.maximum(out, 0.0, out=out)


def _scale_rows(m: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``m / z`` per row, with rows where ``z == 0`` set to 0."""
    inv = np.where(z == 0, 0.0, 1.0 / np.where(z == 0, 1.0, z))
    return m * inv[:, None, None]


def _exp_power(log_base: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """``base ** rho`` from ``log(base)`` (``0 ** rho = 0`` for ``rho > 0``)."""
    return np.exp(log_base * rho)


@dataclass
class _Step:
    new_x: np.ndarray
    r: np.ndarray
    partner: np.ndarray
    kind: np.ndarray
    eu_receiver: np.ndarray
    eu_partner: np.ndarray


def scholz_utilities(x: np.ndarray, s: np.ndarray, w: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, PairGeometry]:
    """Round quantities of the scholz variant: ``r``, ``a[k, j] = EU(k→j)``, ``b[k, j] = EU(j→k)``.

    Both ``a`` and ``b`` are seen by the receiver k with its exponent ``r_k`` (§4.6).
    """
    geo = PairGeometry(x, scale)
    dlt = geo.dlt
    n = geo.n
    w_sorted = geo.sort_voters(w)[:, :, None]
    # pass 1: r ≡ 1; danger S_i = Σ_{j≠i} EU(j→i)
    num = geo.sorted_vote_numerators(w_sorted * geo.dlt_sorted)
    p1 = _scale_rows(num, 2 * num.sum(axis=(1, 2)))
    e1 = _expected_utility(p1, s[:, None, :], _outcome_utilities(dlt, 1.0))  # [j, i] = EU(j→i)
    idx = np.arange(n)
    e1[:, idx, idx] = 0.0
    r = _risk_exponents(e1.sum(axis=1))
    # pass 2: receiver k evaluates every proposer j with its own r_k
    rho = r[:, :, None]
    with np.errstate(divide="ignore"):
        dr_sorted = _exp_power(np.log(geo.dlt_sorted), geo.sort_voters(r)[:, :, None])
        us = 2 - 4 * _exp_power(np.log(0.5 - 0.5 * dlt), rho)
    uf = 2 - 4 * _exp_power(np.log(0.5 + 0.5 * dlt), rho)
    usq = 2 - 4 * 0.5**rho
    num = geo.sorted_vote_numerators(w_sorted * dr_sorted)
    p = _scale_rows(num, 2 * num.sum(axis=(1, 2)))
    utils = (us, uf, usq)
    a = _expected_utility(p, s[:, None, :], utils)  # [k, j] = EU(k→j)
    b = _expected_utility(np.swapaxes(p, 1, 2), s[:, :, None], utils)  # [k, j] = EU(j→k)
    return r, a, b, geo


def _scholz_step(x: np.ndarray, s: np.ndarray, w: np.ndarray, scale: np.ndarray) -> _Step:
    """One simultaneous round of the scholz variant for every row (§4.6)."""
    r, a, b, geo = scholz_utilities(x, s, w, scale)
    xk = x[:, :, None]
    xj = x[:, None, :]
    differ = geo.left_of | geo.right_of
    a_pos = a > 0
    b_pos = b > 0
    conf = differ & a_pos & (b > a)
    comp = differ & b_pos & (a < 0) & (b > -a)
    has_conf = conf.any(axis=2)
    has_comp = comp.any(axis=2)
    j_conf = np.argmin(np.where(conf, geo.gap, np.inf), axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        key = (np.abs(a) * xk + np.abs(b) * xj) / (np.abs(a) + np.abs(b))
    j_comp = np.argmin(np.where(comp, key, np.inf), axis=2)
    partner = np.where(has_conf, j_conf, np.where(has_comp, j_comp, -1))
    kind = np.where(has_conf, CONFRONTATION, np.where(has_comp, COMPROMISE, NONE)).astype(np.int8)
    pick = np.maximum(partner, 0)
    rows, cols = geo.rows, np.arange(geo.n)[None, :]
    a_k = a[rows, cols, pick]
    b_k = b[rows, cols, pick]
    x_p = x[rows, pick]
    with np.errstate(divide="ignore", invalid="ignore"):
        compromised = x + (x_p - x) * np.abs(a_k / b_k)
    new_x = np.where(kind == CONFRONTATION, x_p, np.where(kind == COMPROMISE, compromised, x))
    moved = kind != NONE
    return _Step(new_x, r, partner, kind, np.where(moved, a_k, 0.0), np.where(moved, b_k, 0.0))


def masad_utilities(
    x: np.ndarray, s: np.ndarray, w: np.ndarray, wstat: np.ndarray, scale: np.ndarray, Q: float = 1.0, T: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, PairGeometry]:
    """Round quantities of the masad variant: pass-0 ``r``, pass-1 ``E1`` and pass-2 ``E[i, j] = EU(i→j)``.

    ``P_masad(a, b) = max(0, Σ w d) / Σ w |d|`` with ``d_k = |x_k − x_b| − |x_k − x_a|``;
    both sums come from the linear vote numerators ``N``: ``Σ w d = N[a,b] − N[b,a]`` and
    ``Σ w |d| = N[a,b] + N[b,a]``.
    """
    geo = PairGeometry(x, scale)
    dlt = geo.dlt
    n = geo.n
    num = geo.sorted_vote_numerators(geo.sort_voters(w)[:, :, None] * geo.gap_sorted)
    num_t = np.swapaxes(num, 1, 2)
    den = num + num_t
    p = np.maximum(num - num_t, 0.0) / np.where(den == 0, 1.0, den) * (den != 0)
    s_t = s[:, None, :]
    mu1 = weighted_median(x, wstat)
    dmu1 = (np.abs(x - mu1[:, None]) / scale[:, None])[:, :, None]
    e1 = _expected_utility(p, s_t, _outcome_utilities(dlt, 1.0), Q, T, dlt, dmu1, 1.0)  # [i, j] = EU(i→j)
    idx = np.arange(n)
    e1[:, idx, idx] = 0.0
    r = _risk_exponents(e1.sum(axis=1))
    rho = r[:, :, None]
    mu2 = weighted_mean(x, wstat)
    dmu2 = (np.abs(x - mu2[:, None]) / scale[:, None])[:, :, None]
    e = _expected_utility(p, s_t, _outcome_utilities(dlt, rho), Q, T, dlt, dmu2, rho)
    return r, e1, e, geo


def _masad_step(x: np.ndarray, s: np.ndarray, w: np.ndarray, wstat: np.ndarray, scale: np.ndarray, Q: float, T: float) -> _Step:
    """One simultaneous round of the masad variant for every row (§4.6)."""
    r, _, e, geo = masad_utilities(x, s, w, wstat, scale, Q, T)
    xi = x[:, :, None]  # sender i (rows)
    xj = x[:, None, :]  # target j (columns)
    offer = (e > 0) & (geo.left_of | geo.right_of)
    best = np.where(offer, e, -np.inf).max(axis=1, keepdims=True)
    cand = offer & (e == best)
    gap = np.where(cand, np.abs(xj - xi), np.inf)
    cand &= gap == gap.min(axis=1, keepdims=True)
    has = offer.any(axis=1)
    sender = np.argmax(cand, axis=1)  # first in input order, per target
    rows, cols = geo.rows, np.arange(geo.n)[None, :]
    es = e[rows, sender, cols]  # E[sender][target]
    et = e[rows, cols, sender]  # E[target][sender]
    conf = has & (0 < et) & (et < es)
    comp = has & (et < 0) & (np.abs(et) < es)
    capit = has & (et < 0) & (np.abs(et) > es)
    kind = np.where(conf, CONFRONTATION, np.where(comp, COMPROMISE, np.where(capit, CAPITULATION, NONE))).astype(np.int8)
    x_p = x[rows, sender]
    with np.errstate(divide="ignore", invalid="ignore"):
        compromised = x + (x_p - x) * np.abs(et / es)
    new_x = np.where(conf | capit, x_p, np.where(comp, compromised, x))
    moved = kind != NONE
    partner = np.where(moved, sender, -1)
    return _Step(new_x, r, partner, kind, np.where(moved, et, 0.0), np.where(moved, es, 0.0))


def _step_blocks(variant: str, x, s, w, wstat, scale, Q: float, T: float) -> _Step:
    """Run one round over row blocks small enough to stay in cache."""
    bsz, n = x.shape
    rows = max(1, BLOCK_PAIRS // max(1, n * n))
    if bsz <= rows:
        blocks = [slice(0, bsz)]
    else:
        blocks = [slice(lo, lo + rows) for lo in range(0, bsz, rows)]
    parts = []
    for b in blocks:  # loop over row blocks, not over actors
        if variant == "scholz":
            parts.append(_scholz_step(x[b], s[b], w[b], scale[b]))
        else:
            parts.append(_masad_step(x[b], s[b], w[b], wstat[b], scale[b], Q, T))
    if len(parts) == 1:
        return parts[0]
    return _Step(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("new_x", "r", "partner", "kind", "eu_receiver", "eu_partner")))


# --------------------------------------------------------------------------- batch driver


def simulate_batch(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    *,
    variant: str = "scholz",
    rounds: int = 10,
    stop: StopRule | str | None = None,
    Q: float = 1.0,
    T: float = 1.0,
    bounds: np.ndarray | tuple[float, float] | None = None,
    record: bool = False,
) -> BatchResult:
    """Run BDM on ``B`` independent rows of ``n`` actors each (arrays shaped ``(B, n)``).

    ``bounds`` (masad only) gives each row's ``(lo, hi)``, shape ``(2,)`` or ``(B, 2)``;
    without it the initial range is used, as in scholz. Rows stop individually under the
    stop rule; only rows still running are computed. ``record`` keeps the full path.
    """
    x = np.array(x, dtype=float, ndmin=2, copy=True)
    s = np.array(s, dtype=float, ndmin=2)
    c = np.array(c, dtype=float, ndmin=2)
    validate_inputs(x, s, c)
    _check_params(variant, Q, T, rounds)
    rule = as_stop_rule(stop)
    bsz, n = x.shape
    rounds = int(rounds)
    w = c * s
    wstat, zero_w = statistic_weights(w)
    lo0 = x.min(axis=1) if n else np.zeros(bsz)
    hi0 = x.max(axis=1) if n else np.zeros(bsz)
    if variant == "masad" and bounds is not None:
        bnd = np.broadcast_to(np.asarray(bounds, dtype=float), (bsz, 2))
        if np.any(bnd[:, 1] < bnd[:, 0]) or not np.all(np.isfinite(bnd)):
            raise ModelError("BDM masad: bounds must be finite with lo <= hi")
        if np.any(lo0 < bnd[:, 0]) or np.any(hi0 > bnd[:, 1]):
            raise ModelError("BDM masad: every position must lie within the bounds")
        scale = bnd[:, 1] - bnd[:, 0]
    else:
        scale = hi0 - lo0
    flat_rows = (hi0 == lo0) | (n < 2)
    scale = np.where(scale == 0, 1.0, scale)

    medians = np.empty((bsz, rounds + 1))
    means = np.empty((bsz, rounds + 1))
    medians[:, 0] = weighted_median(x, wstat) if n else 0.0
    means[:, 0] = weighted_mean(x, wstat) if n else 0.0
    n_rounds = np.zeros(bsz, dtype=np.int64)
    stop_round = np.zeros(bsz, dtype=np.int64)
    stop_code = np.full(bsz, _RUNNING, dtype=np.int8)
    cycle_len = np.zeros(bsz, dtype=np.int64)
    stop_code[flat_rows] = _DEGENERATE
    if record:
        positions = np.repeat(x[:, None, :], rounds + 1, axis=1)
        risk = np.ones((bsz, rounds, n))
        partner_rec = np.full((bsz, rounds, n), -1, dtype=np.int64)
        kind_rec = np.zeros((bsz, rounds, n), dtype=np.int8)
        eu_r = np.zeros((bsz, rounds, n))
        eu_p = np.zeros((bsz, rounds, n))
    history = np.repeat(x[:, None, :], rule.K, axis=1) if rule.rule == "cycle" else None
    tol = rule.tolerance * scale

    for t in range(1, rounds + 1):
        active = np.flatnonzero(stop_code == _RUNNING)
        if active.size == 0:
            medians[:, t] = medians[:, t - 1]
            means[:, t] = means[:, t - 1]
            continue
        xa = x[active]
        st = _step_blocks(variant, xa, s[active], w[active], wstat[active], scale[active], Q, T)
        prev = xa
        x[active] = st.new_x
        n_rounds[active] = t
        carried = stop_code != _RUNNING
        medians[:, t] = np.where(carried, medians[:, t - 1], 0.0)
        means[:, t] = np.where(carried, means[:, t - 1], 0.0)
        medians[active, t] = weighted_median(st.new_x, wstat[active])
        means[active, t] = weighted_mean(st.new_x, wstat[active])
        if record:
            positions[active, t:, :] = st.new_x[:, None, :]
            risk[active, t - 1] = st.r
            partner_rec[active, t - 1] = st.partner
            kind_rec[active, t - 1] = st.kind
            eu_r[active, t - 1] = st.eu_receiver
            eu_p[active, t - 1] = st.eu_partner
        # stopping
        stop_round[active] = t
        if rule.rule == "converged":
            done = np.abs(st.new_x - prev).max(axis=1) <= tol[active]
            stop_code[active[done]] = _CONVERGED
        elif rule.rule == "cycle":
            diff = np.abs(history[active] - st.new_x[:, None, :]).max(axis=2) <= tol[active][:, None]
            hit = diff.any(axis=1)
            lag = np.argmax(diff, axis=1) + 1
            stop_code[active[hit]] = _CYCLE
            cycle_len[active[hit]] = lag[hit]
            history[active] = np.concatenate([st.new_x[:, None, :], history[active, :-1]], axis=1)
        elif rule.rule == "bdm_discount":
            shift = rule.delta ** (t - 1) * np.abs(medians[active, t] - medians[active, t - 1])
            done = shift <= tol[active]
            stop_code[active[done]] = _DISCOUNT
            stop_round[active[done]] = t - 1
        if t == rounds:
            still = active[stop_code[active] == _RUNNING]
            stop_code[still] = _FIXED if rule.rule == "fixed" else _MAX_ROUNDS
    rows = np.arange(bsz)
    result = BatchResult(
        forecast=medians[rows, stop_round],
        forecast_mean=means[rows, stop_round],
        medians=medians,
        means=means,
        n_rounds=n_rounds,
        stop_round=stop_round,
        stop_code=stop_code,
        cycle_length=cycle_len,
        degenerate=flat_rows | zero_w,
    )
    if record:
        result.positions = positions
        result.risk = risk
        result.partner = partner_rec
        result.kind = kind_rec
        result.eu_receiver = eu_r
        result.eu_partner = eu_p
    return result


# --------------------------------------------------------------------------- one issue


def run_bdm(
    issue: IssueData,
    *,
    variant: str = "scholz",
    rounds: int = 10,
    stop: StopRule | str | None = None,
    Q: float = 1.0,
    T: float = 1.0,
    bounds: tuple[float, float] | None = None,
) -> BDMRun:
    """Run BDM on one issue and keep the full path (masad bounds default to the issue's scale)."""
    if issue.n == 0:
        raise ModelError(f"BDM: issue {issue.id} has no actors")
    issue = with_missing_salience_as_zero(issue)
    rule = as_stop_rule(stop)
    if variant == "masad" and bounds is None:
        bounds = (issue.lo, issue.hi)
    res = simulate_batch(
        issue.x[None, :], issue.s[None, :], issue.c[None, :],
        variant=variant, rounds=rounds, stop=rule, Q=Q, T=T, bounds=bounds, record=True,
    )
    done = int(res.n_rounds[0])
    offers = []
    for t in range(done):
        for k in np.flatnonzero(res.kind[0, t]):
            j = int(res.partner[0, t, k])
            offers.append(
                Offer(
                    round=t + 1,
                    receiver=issue.actors[k],
                    kind=EVENT_NAMES[int(res.kind[0, t, k])],
                    partner=issue.actors[j],
                    old_x=float(res.positions[0, t, k]),
                    new_x=float(res.positions[0, t + 1, k]),
                    eu_receiver=float(res.eu_receiver[0, t, k]),
                    eu_partner=float(res.eu_partner[0, t, k]),
                )
            )
    code = int(res.stop_code[0])
    params: dict[str, Any] = {"variant": variant, "rounds": int(rounds), "Q": Q, "T": T, "stop": rule.to_dict()}
    if variant == "masad":
        params["bounds"] = [float(b) for b in bounds] if bounds is not None else None
    return BDMRun(
        issue=issue.id,
        variant=variant,
        actors=tuple(issue.actors),
        positions=res.positions[0, : done + 1].copy(),
        risk=res.risk[0, :done].copy(),
        medians=res.medians[0, : done + 1].copy(),
        means=res.means[0, : done + 1].copy(),
        offers=tuple(offers),
        forecast=float(res.forecast[0]),
        forecast_mean=float(res.forecast_mean[0]),
        stop_reason=STOP_REASONS[code],
        stop_round=int(res.stop_round[0]),
        cycle_length=int(res.cycle_length[0]) if code == _CYCLE else None,
        degenerate=bool(res.degenerate[0]),
        params=params,
    )


def first_round_utilities(
    issue: IssueData,
    variant: str = "scholz",
    *,
    Q: float = 1.0,
    T: float = 1.0,
    bounds: tuple[float, float] | None = None,
) -> dict[str, np.ndarray]:
    """The risk exponents and expected-utility matrices of round 1, for inspection.

    scholz: ``r``, ``a[k, j] = EU(k→j)`` and ``b[k, j] = EU(j→k)`` from receiver k's view.
    masad: ``r`` (pass 0), ``E1`` (pass 1, ``r ≡ 1``) and ``E[i, j] = EU(i→j)`` (pass 2).
    """
    issue = with_missing_salience_as_zero(issue)
    validate_inputs(issue.x, issue.s, issue.c)
    _check_params(variant, Q, T, 1)
    x = issue.x[None, :]
    w = (issue.c * issue.s)[None, :]
    wstat, _ = statistic_weights(w)
    if variant == "masad":
        lo, hi = bounds if bounds is not None else (issue.lo, issue.hi)
        scale = np.array([hi - lo if hi > lo else 1.0])
        r, e1, e, _ = masad_utilities(x, issue.s[None, :], w, wstat, scale, Q, T)
        return {"r": r[0], "E1": e1[0], "E": e[0]}
    span = float(issue.x.max() - issue.x.min())
    r, a, b, _ = scholz_utilities(x, issue.s[None, :], w, np.array([span or 1.0]))
    return {"r": r[0], "a": a[0], "b": b[0]}


# --------------------------------------------------------------------------- registry adapter


def bdm_model(
    issues: Sequence[IssueData],
    variant: str = "scholz",
    rounds: int = 100,
    Q: float = 1.0,
    T: float = 1.0,
    stop: StopRule | str = "bdm_discount",
    **params: Any,
) -> dict[str, IssueForecast]:
    """BDM forecasts per issue: the weighted median ``μ_t`` at the stop of the run.

    By default the run stops by the discounted median-shift rule (models.md §4.8), which
    ends within about 44 rounds; ``rounds`` caps it. ``details`` holds the round path of
    the median and mean, the stop reason and round and the number of offers, so a report
    can plot the path. Extra keyword ``delta``/``eps``/``K`` tune the stop rule.
    """
    rule = as_stop_rule(stop)
    tweaks = {k: params.pop(k) for k in ("delta", "eps", "K") if k in params}
    if tweaks:
        rule = StopRule(rule.rule, eps=tweaks.get("eps", rule.eps), delta=tweaks.get("delta", rule.delta), K=int(tweaks.get("K", rule.K)))
    if params:
        raise ModelError(f"BDM: unknown parameter(s) {', '.join(sorted(params))}")
    out: dict[str, IssueForecast] = {}
    for issue in issues:
        run = run_bdm(issue, variant=variant, rounds=rounds, stop=rule, Q=Q, T=T)
        out[issue.id] = IssueForecast(
            issue=issue.id,
            model="bdm",
            value=run.forecast,
            params=run.params,
            flags={"degenerate": run.degenerate, "stopped_early": run.stop_reason not in ("fixed", "max_rounds")},
            details={
                "median_path": run.medians.tolist(),
                "mean_path": run.means.tolist(),
                "forecast_mean": run.forecast_mean,
                "stop_reason": run.stop_reason,
                "stop_round": run.stop_round,
                "rounds_computed": run.rounds,
                "cycle_length": run.cycle_length,
                "offers": len(run.offers),
            },
        )
    return out
