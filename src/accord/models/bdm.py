"""Bueno de Mesquita's expected-utility model in the Scholz, Calbert & Smith (2011) form.

How it works, with formulas: ``docs/methods/bdm.md``. Two variants follow two public
replications that disagree:

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
the same number of actors, or many Monte Carlo draws of one issue, run at once. Each
round is one call of a compiled kernel (:mod:`accord.models.bdm_kernels`) that computes
many rows side by side in the CPU's vector units and spreads them over its cores; the
win-probability sums over actor triples come from prefix sums over the voters sorted by
position, so a round costs ``O(n²)`` per row apart from cheap comparisons. A row's result
does not depend on the batch it runs in. The plain-loop reference in the tests agrees
with it to 1e-9.

Degenerate inputs give documented results, never NaN:

* every actor at one position, or a single actor: no round is played; the forecast is
  the common position (the lower weighted median of the actors otherwise), the stop
  reason is ``"degenerate"`` and the ``degenerate`` flag is set;
* all weights ``c·s`` zero: votes are all zero so every win probability is 0; the median
  and mean fall back to their unweighted versions and ``degenerate``
  is set; actors may still move on salience alone.

A missing (NaN) salience counts as 0. Negative capabilities, saliences
outside ``[0, 1]``, other non-finite values and positions outside the masad bounds raise
:class:`~accord.errors.ModelError`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from accord.errors import ModelError
from accord.models import bdm_kernels as kernels
from accord.models.bdm_kernels import DECISION_TOL
from accord.models.issue import IssueData
from accord.models.result import IssueForecast

VARIANTS = ("scholz", "masad")

NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
EVENT_NAMES = ("none", "confrontation", "compromise", "capitulation")

STOP_RULES = ("published", "fixed", "converged", "cycle", "bdm_discount")
STOP_REASONS = ("running", "fixed", "converged", "cycle", "bdm_discount", "max_rounds", "degenerate", "oscillating")
_RUNNING, _FIXED, _CONVERGED, _CYCLE, _DISCOUNT, _MAX_ROUNDS, _DEGENERATE, _OSCILLATING = range(8)

#: Rounds of the published model (both replications of Scholz et al. 2011 play 10).
PUBLISHED_ROUNDS = 10
#: Most rounds of the tuned ``bdm_discount`` rule (it ends within about 44 on DEU).
DISCOUNT_ROUNDS = 100

#: Actor pairs per row block of a round: blocks of about this many pairs keep the
#: working arrays in cache and bound memory.
BLOCK_PAIRS = 32_768


# --------------------------------------------------------------------------- stopping


@dataclass(frozen=True)
class StopRule:
    """When a run stops (``docs/methods/bdm.md``, "Stop rules").

    ``published`` (the default of the registry and of :func:`run_bdm`): exactly ``rounds``
    rounds as the published model, then the run is classified: positions that stopped
    moving (``converged``), positions that repeat with period k ≥ 2 (``cycle``: the
    forecast is the mean of the median over the k rounds of the cycle), a median that
    keeps changing direction over the last half of the rounds (``oscillating``: the
    forecast is its mean over them), otherwise ``fixed``. ``fixed``: exactly ``rounds`` rounds. ``converged``: after round t when no position
    moved by more than ``eps·Δ``. ``cycle``: when the positions equal those of one of the
    last ``K`` rounds within ``eps·Δ`` (``cycle_length`` is the lag). ``bdm_discount``:
    after computing round t+1, when ``delta**t · |μ_{t+1} − μ_t| ≤ eps·Δ``; the forecast
    is then ``μ_t`` (the tuned rule, not published). A ``cycle`` stop of period k ≥ 2
    forecasts the mean of the median over the cycle. Rules other than ``fixed`` and
    ``published`` stop at ``rounds`` at the latest (reason ``"max_rounds"``).
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
        return {"fixed": 0.0, "published": 1e-9, "converged": 1e-6, "cycle": 1e-9, "bdm_discount": 0.01}[self.rule]

    def default_rounds(self) -> int:
        """The round cap of this rule when none is given: 100 for ``bdm_discount``, else the published 10."""
        return DISCOUNT_ROUNDS if self.rule == "bdm_discount" else PUBLISHED_ROUNDS

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


def published() -> StopRule:
    """The published model's rounds, with converged, cyclic and oscillating runs recognised."""
    return StopRule("published")


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


def tuned_stop_rule(stop: StopRule | str | None, params: dict[str, Any]) -> StopRule:
    """The stop rule with the keywords ``delta``, ``eps`` and ``K`` taken out of ``params`` applied."""
    rule = as_stop_rule(stop)
    tweaks = {k: params.pop(k) for k in ("delta", "eps", "K") if k in params}
    if not tweaks:
        return rule
    return StopRule(rule.rule, eps=tweaks.get("eps", rule.eps), delta=tweaks.get("delta", rule.delta), K=int(tweaks.get("K", rule.K)))


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
    round ``stop_round``, or its mean over the last ``averaged`` rounds up to it (a cycle
    or an oscillation); ``forecast_mean`` the same of the weighted mean. ``explanation``
    says in words why the run stopped and how the forecast was read from it.
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
    averaged: int = 1
    explanation: str = ""

    @property
    def rounds(self) -> int:
        """Number of rounds computed."""
        return len(self.positions) - 1

    @property
    def forecast_path(self) -> list[float]:
        """The median per round up to the stop round, ending at the forecast: when the forecast
        averages several rounds (a cycle or an oscillation) it is added as a last point."""
        path = self.medians[: self.stop_round + 1].tolist()
        if self.averaged > 1:
            path.append(self.forecast)
        return path

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
            "averaged": self.averaged,
            "forecast_path": self.forecast_path,
            "explanation": self.explanation,
            "params": self.params,
        }


@dataclass
class BatchResult:
    """Outcome of :func:`simulate_batch` for ``B`` rows.

    ``medians``/``means`` have shape ``(B, rounds+1)``; after a row stops its last values
    are carried forward. ``n_rounds`` counts the rounds computed per row, ``stop_round``
    is the last round the forecast draws on and ``averaged`` how many rounds up to it the
    forecast averages (1: the median at ``stop_round``; more for cycles and oscillations). With ``record=True`` the per-round arrays
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
    averaged: np.ndarray
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


def median_and_mean(x: np.ndarray, wstat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``x`` ``(B, n)``: ``μ_med``, the actor position minimising ``Σ w_k |x_k − p|``
    (first actor on ties), and the weighted mean ``Σ w x / Σ w`` (clipped to the positions' range)."""
    x = np.ascontiguousarray(x, dtype=float)
    median = np.empty(x.shape[0])
    mean = np.empty(x.shape[0])
    kernels.statistics(x, np.ascontiguousarray(wstat, dtype=float), median, mean)
    return median, mean


# --------------------------------------------------------------------------- one round


@dataclass
class _Step:
    new_x: np.ndarray
    r: np.ndarray
    partner: np.ndarray
    kind: np.ndarray
    eu_receiver: np.ndarray
    eu_partner: np.ndarray
    median: np.ndarray
    mean: np.ndarray


def _play_round(variant: str, x, s, w, wstat, scale, Q: float, T: float) -> _Step:
    """One simultaneous round of ``variant`` for every row (``docs/methods/bdm.md``, "A round"), in the compiled kernel."""
    bsz, n = x.shape
    step = _Step(
        new_x=np.empty((bsz, n)), r=np.empty((bsz, n)), partner=np.empty((bsz, n), dtype=np.int64),
        kind=np.empty((bsz, n), dtype=np.int64), eu_receiver=np.empty((bsz, n)), eu_partner=np.empty((bsz, n)),
        median=np.empty(bsz), mean=np.empty(bsz),
    )
    blocks = -(-bsz // kernels.LANES)
    chunks = max(1, min(blocks, 4 * numba.get_num_threads()))
    kernels.play_round(
        VARIANTS.index(variant), *(np.ascontiguousarray(a, dtype=float) for a in (x, s, w, wstat, scale)),
        float(Q), float(T), chunks, step.new_x, step.r, step.partner, step.kind, step.eu_receiver, step.eu_partner,
        step.median, step.mean,
    )
    step.kind = step.kind.astype(np.int8)
    return step


def round_utilities(
    variant: str, x: np.ndarray, s: np.ndarray, w: np.ndarray, wstat: np.ndarray, scale: np.ndarray, Q: float = 1.0, T: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The risk exponents and the two expected-utility matrices of one round, per row.

    scholz: ``r``, ``a[k, j] = EU(k→j)`` and ``b[k, j] = EU(j→k)`` from receiver k's view.
    masad: ``r`` (pass 0), ``E1`` (pass 1, ``r ≡ 1``) and ``E[i, j] = EU(i→j)`` (pass 2).
    """
    bsz, n = x.shape
    r = np.empty((bsz, n))
    first = np.empty((bsz, n, n))
    second = np.empty((bsz, n, n))
    kernels.utilities(
        VARIANTS.index(variant), *(np.ascontiguousarray(a, dtype=float) for a in (x, s, w, wstat, scale)),
        float(Q), float(T), r, first, second,
    )
    return r, first, second


def linear_win_probabilities(x: np.ndarray, w: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
    """``P_scholz`` at ``r ≡ 1`` for one issue, and its denominator ``Z`` (``docs/methods/bdm.md``, "Win probability")."""
    num, z = kernels.linear_vote_numerators(np.asarray(x, dtype=float), np.asarray(w, dtype=float), float(scale))
    return (num / z if z else np.zeros_like(num)), z


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
    if n:
        medians[:, 0], means[:, 0] = median_and_mean(x, wstat)
    else:
        medians[:, 0] = means[:, 0] = 0.0
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
    looks_back = rule.K if rule.rule == "cycle" else (rounds if rule.rule == "published" else 0)
    history = np.repeat(x[:, None, :], looks_back, axis=1) if looks_back else None
    tol = rule.tolerance * scale

    for t in range(1, rounds + 1):
        active = np.flatnonzero(stop_code == _RUNNING)
        if active.size == 0:
            medians[:, t] = medians[:, t - 1]
            means[:, t] = means[:, t - 1]
            continue
        if active.size == bsz:  # every row still running: no copies
            prev = x
            st = _play_round(variant, x, s, w, wstat, scale, Q, T)
            x = st.new_x
        else:
            prev = x[active]
            st = _play_round(variant, prev, s[active], w[active], wstat[active], scale[active], Q, T)
            x[active] = st.new_x
        n_rounds[active] = t
        carried = stop_code != _RUNNING
        medians[:, t] = np.where(carried, medians[:, t - 1], 0.0)
        means[:, t] = np.where(carried, means[:, t - 1], 0.0)
        medians[active, t] = st.median
        means[active, t] = st.mean
        if record:
            positions[active, t:, :] = st.new_x[:, None, :]
            risk[active, t - 1] = st.r
            partner_rec[active, t - 1] = st.partner
            kind_rec[active, t - 1] = st.kind
            eu_r[active, t - 1] = st.eu_receiver
            eu_p[active, t - 1] = st.eu_partner
        # stopping
        stop_round[active] = t
        lag = None
        if history is not None:
            if rule.rule == "cycle" or t == rounds:  # the published rule looks back once, at the end
                lag = _repeat_lag(history, active, t, st.new_x, tol[active])
            if active.size == bsz:
                history[:, t % looks_back] = st.new_x
            else:
                history[active, t % looks_back] = st.new_x
        if rule.rule == "converged":
            done = np.abs(st.new_x - prev).max(axis=1) <= tol[active]
            stop_code[active[done]] = _CONVERGED
        elif rule.rule == "cycle":
            hit = lag > 0
            stop_code[active[hit]] = _CYCLE
            cycle_len[active[hit]] = lag[hit]
        elif rule.rule == "bdm_discount":
            shift = rule.delta ** (t - 1) * np.abs(medians[active, t] - medians[active, t - 1])
            done = shift <= tol[active]
            stop_code[active[done]] = _DISCOUNT
            stop_round[active[done]] = t - 1
        if t == rounds:
            still = active[stop_code[active] == _RUNNING]
            if rule.rule == "published":
                _classify_published(still, lag[stop_code[active] == _RUNNING], medians, tol, stop_code, cycle_len)
            else:
                stop_code[still] = _FIXED if rule.rule == "fixed" else _MAX_ROUNDS
    averaged = _forecast_window(stop_code, cycle_len, rounds)
    rows = np.arange(bsz)
    window = (np.arange(rounds + 1)[None, :] > (stop_round - averaged)[:, None]) & (np.arange(rounds + 1)[None, :] <= stop_round[:, None])
    result = BatchResult(
        forecast=np.where(averaged == 1, medians[rows, stop_round], (medians * window).sum(axis=1) / averaged),
        forecast_mean=np.where(averaged == 1, means[rows, stop_round], (means * window).sum(axis=1) / averaged),
        medians=medians,
        means=means,
        n_rounds=n_rounds,
        stop_round=stop_round,
        stop_code=stop_code,
        cycle_length=cycle_len,
        degenerate=flat_rows | zero_w,
        averaged=averaged,
    )
    if record:
        result.positions = positions
        result.risk = risk
        result.partner = partner_rec
        result.kind = kind_rec
        result.eu_receiver = eu_r
        result.eu_partner = eu_p
    return result


def _repeat_lag(history: np.ndarray, rows: np.ndarray, t: int, new_x: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Per row of ``rows``, the smallest lag k (1 = the previous round) at which ``new_x`` (round
    ``t``) repeats a state kept in ``history`` ``(B, K, n)``, where round u sits in slot
    ``u mod K`` (slots not yet written hold the input), within ``tol``; 0 when none does."""
    looks_back = history.shape[1]
    slots = [(t - k) % looks_back for k in range(1, looks_back + 1)]
    past = history[:, slots] if rows.size == history.shape[0] else history[rows][:, slots]
    same = np.abs(past - new_x[:, None, :]).max(axis=2) <= tol[:, None]
    return np.where(same.any(axis=1), np.argmax(same, axis=1) + 1, 0)


def _direction_changes(medians: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Per row: how often the sequence of the median's moves (larger than ``tol``) changes sign."""
    moves = np.diff(medians, axis=1)
    signs = np.where(np.abs(moves) > tol[:, None], np.sign(moves), 0.0)
    changes = np.zeros(len(medians), dtype=np.int64)
    last = np.zeros(len(medians))
    for col in signs.T:
        changes += (col != 0) & (last != 0) & (col != last)
        last = np.where(col != 0, col, last)
    return changes


def oscillation_window(rounds: int) -> int:
    """Rounds at the end of a published run in which an oscillation is looked for, and averaged."""
    return max(2, -(-rounds // 2))


def _classify_published(rows: np.ndarray, lag: np.ndarray, medians: np.ndarray, tol: np.ndarray,
                        stop_code: np.ndarray, cycle_len: np.ndarray) -> None:
    """Stop codes of published runs that played every round (``docs/methods/bdm.md``, "Stop rules")."""
    stop_code[rows] = _FIXED
    stop_code[rows[lag == 1]] = _CONVERGED
    cyc = lag > 1
    stop_code[rows[cyc]] = _CYCLE
    cycle_len[rows[cyc]] = lag[cyc]
    rounds = medians.shape[1] - 1
    w = oscillation_window(rounds)
    if rounds < w:
        return
    free = rows[lag == 0]
    swings = _direction_changes(medians[free, rounds - w:], tol[free])
    stop_code[free[swings >= 2]] = _OSCILLATING


def _forecast_window(stop_code: np.ndarray, cycle_len: np.ndarray, rounds: int) -> np.ndarray:
    """How many rounds, ending at the stop round, the forecast averages: the cycle's length for a
    cycle, the oscillation window for an oscillating run, else 1."""
    out = np.ones(len(stop_code), dtype=np.int64)
    cyc = stop_code == _CYCLE
    out[cyc] = np.maximum(cycle_len[cyc], 1)
    out[stop_code == _OSCILLATING] = oscillation_window(rounds)
    return out


# --------------------------------------------------------------------------- one issue


def run_bdm(
    issue: IssueData,
    *,
    variant: str = "scholz",
    rounds: int | None = None,
    stop: StopRule | str | None = "published",
    Q: float = 1.0,
    T: float = 1.0,
    bounds: tuple[float, float] | None = None,
) -> BDMRun:
    """Run BDM on one issue and keep the full path (masad bounds default to the issue's scale).

    By default the published model: 10 rounds, with cycles and oscillations recognised
    (``docs/methods/bdm.md``, "Stop rules"); ``rounds`` defaults to the rule's own cap.
    """
    if issue.n == 0:
        raise ModelError(f"BDM: issue {issue.id} has no actors")
    issue = with_missing_salience_as_zero(issue)
    rule = as_stop_rule(stop)
    rounds = rule.default_rounds() if rounds is None else rounds
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
        averaged=int(res.averaged[0]),
        explanation=explain(issue, res, rule),
    )


def _first_repeat(res: BatchResult, last: int, lag: int) -> int:
    """The first round from which the recorded positions of row 0 repeat with period ``lag`` up to ``last``."""
    pos = res.positions[0]
    tol = DECISION_TOL * max(float(np.ptp(pos[0])), 1e-300)
    start = last - lag
    while start > 0 and np.abs(pos[start - 1] - pos[start - 1 + lag]).max() <= tol:
        start -= 1
    return start


def explain(issue: IssueData, res: BatchResult, rule: StopRule) -> str:
    """In words: why a one-row run stopped and how its forecast was read (``docs/methods/bdm.md``)."""
    reason = res.stop_reason(0)
    t = int(res.stop_round[0])
    k = int(res.averaged[0])
    if reason == "degenerate":
        if issue.n < 2:
            text = "Only one actor has a position on this issue, so there is nobody to challenge: no round is played and the forecast is its position."
        else:
            who = "Both actors hold" if issue.n == 2 else f"All {issue.n} actors hold"
            text = f"{who} the same position, so no challenge can move anyone: no round is played and the forecast is that position."
    elif reason == "fixed":
        text = f"Played the {t} rounds of the {'published model' if rule.rule == 'published' else 'fixed rule'}; the forecast is the weighted median after the last round."
    elif reason == "converged":
        settled = _first_repeat(res, t, 1)
        text = (f"The positions stopped moving after round {settled}; the forecast is the weighted median they settled at."
                if settled else "No position moved in any round: no challenge paid off; the forecast is the weighted median.")
    elif reason == "cycle" and k > 1:
        text = (f"From round {_first_repeat(res, t, k)} on the positions repeat every {k} rounds and never settle; the forecast "
                f"is the mean of the weighted median over one cycle (rounds {t - k + 1}–{t}).")
    elif reason == "cycle":
        text = f"The positions of round {t} repeat those of the round before: the run has settled; the forecast is the weighted median there."
    elif reason == "oscillating":
        text = (f"The weighted median kept changing direction over the last {k} of {t} rounds without settling or "
                f"repeating; the forecast is its mean over rounds {t - k + 1}–{t}.")
    elif reason == "bdm_discount":
        text = (f"The discounted shift of the weighted median from round {t} to {t + 1} fell below {rule.tolerance:g} of "
                f"the scale (tuned rule, δ = {rule.delta:g}); the forecast is the weighted median of round {t}.")
    else:
        text = f"The stop rule was not met within the cap of {t} rounds; the forecast is the weighted median after the last round."
    if res.degenerate[0] and reason != "degenerate":
        text += (" Every actor's weight (capability × salience) is 0, so no vote counts: win probabilities are 0 and "
                 "the median and mean are the unweighted ones.")
    return text


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
        r, e1, e = round_utilities("masad", x, issue.s[None, :], w, wstat, scale, Q, T)
        return {"r": r[0], "E1": e1[0], "E": e[0]}
    span = float(issue.x.max() - issue.x.min())
    r, a, b = round_utilities("scholz", x, issue.s[None, :], w, wstat, np.array([span or 1.0]))
    return {"r": r[0], "a": a[0], "b": b[0]}


# --------------------------------------------------------------------------- registry forms


def bdm_model(
    issues: Sequence[IssueData],
    variant: str = "scholz",
    rounds: int | None = None,
    Q: float = 1.0,
    T: float = 1.0,
    stop: StopRule | str = "published",
    **params: Any,
) -> dict[str, IssueForecast]:
    """BDM forecasts per issue: the weighted median at the stop of the run (or its mean over a
    cycle or an oscillation).

    By default the published model: 10 rounds, cycles and oscillations recognised
    (``docs/methods/bdm.md``, "Stop rules"); ``stop="bdm_discount"`` gives the tuned rule
    (at most 100 rounds). ``details`` holds the round path ending at the forecast, the
    path of the mean, the stop reason and round and its explanation in words, the rounds
    computed and averaged, and the number of offers, so a report can plot the path.
    Extra keyword ``delta``/``eps``/``K`` tune the stop rule.
    """
    rule = tuned_stop_rule(stop, params)
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
            flags={"degenerate": run.degenerate, "stopped_early": run.stop_round < run.params["rounds"]},
            details={
                "median_path": run.forecast_path,
                "mean_path": run.means[: run.stop_round + 1].tolist(),
                "forecast_mean": run.forecast_mean,
                "stop_reason": run.stop_reason,
                "explanation": run.explanation,
                "stop_round": run.stop_round,
                "rounds_computed": run.rounds,
                "averaged_rounds": run.averaged,
                "cycle_length": run.cycle_length,
                "offers": len(run.offers),
            },
        )
    return out


def bdm_batch(
    issues: Sequence[IssueData],
    drawn: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    variant: str = "scholz",
    rounds: int | None = None,
    Q: float = 1.0,
    T: float = 1.0,
    stop: StopRule | str = "published",
    **params: Any,
) -> list[np.ndarray]:
    """BDM forecasts for rows of drawn ``(x, s, c)`` of several issues.

    Issues with the same number of actors run as one batch (a row's result does not
    depend on its batch). Parameters as :func:`bdm_model`.
    """
    rule = tuned_stop_rule(stop, params)
    if params:
        raise ModelError(f"BDM: unknown parameter(s) {', '.join(sorted(params))}")
    rounds = rule.default_rounds() if rounds is None else rounds
    out: list[np.ndarray] = [np.empty(0)] * len(issues)
    groups: dict[int, list[int]] = {}
    for k, issue in enumerate(issues):
        groups.setdefault(issue.n, []).append(k)
    for members in groups.values():
        x, s, c = (np.concatenate([drawn[k][j] for k in members]) for j in range(3))
        bounds = None
        if variant == "masad":
            bounds = np.concatenate([np.tile([issues[k].lo, issues[k].hi], (len(drawn[k][0]), 1)) for k in members])
        res = simulate_batch(x, s, c, variant=variant, rounds=int(rounds), stop=rule, Q=float(Q), T=float(T), bounds=bounds)
        start = 0
        for k in members:
            size = len(drawn[k][0])
            out[k] = res.forecast[start:start + size]
            start += size
    return out
