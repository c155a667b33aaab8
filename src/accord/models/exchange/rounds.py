"""Rounds of the exchange model: realise candidates in order of gain, then pull positions.

Rules and the choices made where the published model leaves them open:
``docs/methods/exchange.md`` ("A round", "Between rounds", "Ties").
"""

from __future__ import annotations

import random
from typing import NamedTuple

import numpy as np

from accord.errors import ModelError
from accord.models.exchange.candidates import Candidates, generate_candidates
from accord.models.exchange.decide_run import decide_rounds
from accord.models.exchange.externality import externality
from accord.models.exchange.gains import Shifts, equal_gain, equal_gain_one, perturbed_gain
from accord.models.exchange.inputs import ExchangeInput, expected_outcomes, outcome_of
from accord.models.exchange.results import Exchange, ExchangeRun, RoundResult

TIE_EPS = 1e-20
#: Gains this close (relative) count as tied: equal rational gains reached along different
#: arithmetic paths differ by an ulp, which an absolute ``1e-20`` would miss.
TIE_REL = 1e-12
SALIENCE_WEIGHT = 0.4
FIXED_WEIGHT = 0.1


VARIANTS = ("published", "decide")


def run_exchange(
    inp: ExchangeInput,
    rounds: int = 10,
    p: float = 0.0,
    rng: np.random.Generator | int | None = None,
    keep_candidates: bool = True,
    variant: str = "published",
) -> ExchangeRun:
    """Run the equal-gain exchange model for ``rounds`` rounds ("A round"; randomised when ``p > 0``).

    ``rng`` is a numpy Generator or a seed (default seed 0). Saliences above 1 are accepted
    for a single round only (the between-round update needs ``[0, 1]``). ``variant="decide"``
    executes rounds as decide-exchange-model 2022.1.28 does, in its decimal arithmetic
    (``docs/methods/exchange.md``, "Variant decide"; ``p`` must be 0, and saliences above 1
    are used as the reference uses them); its ties draw from ``random.Random(seed)`` (seed 0
    unless ``rng`` is a seed), the reference's own generator, so a seeded reference run is
    matched.
    """
    check_params(rounds, p, 1)
    if variant not in VARIANTS:
        raise ModelError(f"unknown exchange variant {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant == "decide" and p > 0:
        raise ModelError("the decide variant of the exchange model has no randomised rates: p must be 0")
    seed = rng if isinstance(rng, (int, np.integer)) else None
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(0 if rng is None else int(rng))
    if variant == "decide":
        O0, results = decide_rounds(inp, rounds, random.Random(0 if seed is None else int(seed)).random)
        return ExchangeRun(inp, tuple(results), O0, float(p), None if seed is None else int(seed))
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

    def one(self, k: int, x: np.ndarray, O: np.ndarray, p: float, draws: np.ndarray | None) -> _One:
        """One candidate's solution as floats (plain arithmetic when ``p = 0``)."""
        if p > 0 and draws is not None:
            idx = np.array([k])
            sh = self.solve(idx, x, O, p, draws[idx])
            return _One(*(float(getattr(sh, f)[0]) for f in _One._fields))
        args = [float(a[0]) for a in self.args(np.array([k]), x, O)]
        sol = equal_gain_one(*args)
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
        O[pp] = outcome_of(x, s, c, present, pp)
        O[qq] = outcome_of(x, s, c, present, qq)
        ext, inner = externality(x, s, present, left, before, (float(O[pp]), float(O[qq])), pp, qq, i, j)
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


def check_params(rounds: object, p: object, repetitions: object) -> None:
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 0:
        raise ModelError(f"rounds must be a whole number ≥ 0, got {rounds!r}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ModelError(f"p must lie in [0, 1], got {p!r}")
    if isinstance(repetitions, bool) or not isinstance(repetitions, (int, np.integer)) or repetitions < 1:
        raise ModelError(f"repetitions must be a whole number ≥ 1, got {repetitions!r}")
