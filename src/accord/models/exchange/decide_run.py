"""Rounds of the ``decide`` variant: decimal state carried from round to round, results as floats.

The rules: ``docs/methods/exchange.md``, "Variant decide".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from decimal import localcontext

import numpy as np

from accord.models.exchange.decide_numbers import CONTEXT, IssueSums, decimal_issues, decimal_positions, next_start
from accord.models.exchange.decide_round import Deal, DecideRound
from accord.models.exchange.externality import externality
from accord.models.exchange.inputs import ExchangeInput, outcome_of
from accord.models.exchange.results import Exchange, RoundResult


def decide_rounds(inp: ExchangeInput, rounds: int, tie_draw: Callable[[], float]) -> tuple[np.ndarray, list[RoundResult]]:
    """The outcomes at the input positions and ``rounds`` rounds played as the reference plays them."""
    with localcontext(CONTEXT):
        issues = decimal_issues(inp)
        x = decimal_positions(inp)
        initial = None
        results = []
        for t in range(int(rounds)):
            rnd = DecideRound(issues, x, inp.n)
            if initial is None:
                initial = _floats(rnd.outcome)
            realised, picked_at_tie, drawn = rnd.play(tie_draw)
            voting = [dict(col) for col in x]
            for deal in realised:
                for side in (deal.i, deal.j):
                    voting[side.supply][side.actor] = side.y
            prediction = [issue.outcome(col) for issue, col in zip(issues, voting)]
            results.append(_result(inp, t, rnd, realised, picked_at_tie, drawn, voting, prediction))
            x = _next_round(issues, x, realised)
        if initial is None:
            initial = _floats([issue.outcome(col) for issue, col in zip(issues, x)])
    return initial, results


def _next_round(issues: list[IssueSums], x: list[dict[int, D]], realised: list[Deal]) -> list[dict[int, D]]:
    """Start positions of the next round: each realised move pulled back towards its round start."""
    nxt = [dict(col) for col in x]
    for deal in realised:
        for side in (deal.i, deal.j):
            nxt[side.supply][side.actor] = next_start(issues[side.supply].s[side.actor], side.start, side.y)
    return nxt


def _floats(values: list[D | int]) -> np.ndarray:
    return np.array([float(v) for v in values])


def _matrix(inp: ExchangeInput, x: list[dict[int, D]]) -> np.ndarray:
    out = np.zeros((inp.n, inp.m))
    for d, col in enumerate(x):
        for a, v in col.items():
            out[a, d] = float(v)
    return out


def _result(
    inp: ExchangeInput, t: int, rnd: DecideRound, realised: list[Deal], picked_at_tie: list[bool], drawn: int,
    voting: list[dict[int, D]], prediction: list[D | int],
) -> RoundResult:
    """The round as a :class:`RoundResult` with the same records as the published variant
    (outcomes before and after each exchange and externalities recomputed in floats)."""
    s, c, present = inp.s, inp.c, inp.present
    x0 = _matrix(inp, rnd.x)
    O_start = _floats(rnd.outcome)
    left = x0 <= O_start[None, :]
    x = x0.copy()
    O = O_start.copy()
    records = []
    moved = np.zeros(x0.shape, dtype=bool)
    for order, (deal, tie) in enumerate(zip(realised, picked_at_tie)):
        i, j, p, q = deal.i, deal.j, deal.p, deal.q
        before = (float(O[p]), float(O[q]))
        x[j.actor, p], x[i.actor, q] = float(j.y), float(i.y)
        moved[j.actor, p] = moved[i.actor, q] = True
        O[p] = outcome_of(x, s, c, present, p)
        O[q] = outcome_of(x, s, c, present, q)
        ext, inner = externality(x, s, present, left, before, (float(O[p]), float(O[q])), p, q, i.actor, j.actor)
        m_j, m_i = float(abs(j.move)), float(abs(i.move))
        gain = float(deal.gain)
        records.append(Exchange(
            round=t, order=order, i=i.actor, j=j.actor, p=p, q=q,
            x_jp=float(j.start), y_j=float(j.y), x_iq=float(i.start), y_i=float(i.y), x_ip=float(i.dx), x_jq=float(j.dx),
            m_j=m_j, m_i=m_i, dp=m_j * float(j.s_sup * j.c_sup) / float(rnd.issues[p].total_weight),
            dq=m_i * float(i.s_sup * i.c_sup) / float(rnd.issues[q].total_weight),
            gain=gain, gain_i=gain, gain_j=gain,
            outcome_before=before, outcome_after=(float(O[p]), float(O[q])), tie=tie, externality=ext, inner=inner,
        ))
    return RoundResult(
        index=t, start=x0, outcome_start=O_start, candidates=None, n_candidates=len(rnd.deals),
        n_valid=rnd.n_valid, exchanges=tuple(records), voting=_matrix(inp, voting),
        moved=moved, prediction=_floats(prediction), ties=drawn,
    )
