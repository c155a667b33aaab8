"""One round of the exchange model executed as decide-exchange-model 2022.1.28 does (variant ``decide``).

The published model (``rounds.py``) recomputes every remaining candidate on an issue that
an exchange moved, from the current positions and outcomes. The reference implementation
instead gives every candidate a private view of the round, and this module reproduces
that behaviour, written from a reading of its documented results and behaviour
(``docs/methods/exchange.md``, "Variant decide"):

* a candidate's outcome of an issue is the round-start outcome corrected only by the moves
  it has been told about, and its demanders' positions stay those of the round start;
* it is told about (and recomputed after) an exchange only when one of its two actors took
  part in it on the same supply issue (its supplier's position becomes the voting position
  reached) or on the same demand issue (the partner's move there enters its view);
* an outcome that would pass the demander is cut: the supplier moves just far enough for
  the candidate's view of the outcome to reach the demander's position, and the partner's
  move follows from the equal-gain rate (the supplier of ``q`` is cut first, then that of
  ``p``, each from the moves the previous step left);
* each candidate keeps a history of its own moves, which must all have one sign;
* the list is re-sorted by gain before every pick, and a tie (gain difference below
  ``1e-20`` relative to its size) is broken by one draw of ``tie_draw()``: below ½ the top
  is realised and the runner-up is appended once more at the end of the list (so it is
  listed twice); otherwise the runner-up is realised and the top moved to the end.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from accord.models.exchange.candidates import generate_candidates
from accord.models.exchange.externality import externality
from accord.models.exchange.inputs import ExchangeInput, expected_outcomes, outcome_of
from accord.models.exchange.results import Exchange, RoundResult

#: Moves at or below this size are no moves (as in the published variant).
MIN_MOVE = 1e-10
#: Gains this close, relative to the gain, count as tied (the reference compares exact decimals).
TIE_REL = 1e-12


class _Side:
    """One actor of a candidate: the issue it supplies and the one it demands, its positions and moves."""

    __slots__ = ("actor", "demand", "demand_position", "move", "moves", "position", "start", "supply", "y")

    def __init__(self, actor: int, supply: int, demand: int, x0: np.ndarray) -> None:
        self.actor, self.supply, self.demand = actor, supply, demand
        self.start = self.position = float(x0[actor, supply])
        self.demand_position = float(x0[actor, demand])
        self.move = 0.0
        self.moves: list[float] = []
        self.y = self.position


class _Candidate:
    """A candidate exchange with its private view: ``i`` supplies ``q`` and ``j`` supplies ``p``."""

    __slots__ = ("dp", "dq", "gain", "i", "index", "j", "p", "q", "updates", "valid")

    def __init__(self, index: int, i: int, j: int, p: int, q: int, x0: np.ndarray) -> None:
        self.index = index
        self.p, self.q = p, q
        self.i = _Side(i, q, p, x0)
        self.j = _Side(j, p, q, x0)
        self.updates: dict[int, dict[int, float]] = {p: {}, q: {}}
        self.gain = 0.0
        self.valid = True
        self.dp = self.dq = 0.0

    def other(self, side: _Side) -> _Side:
        return self.j if side is self.i else self.i


class DecideRound:
    """The state shared by the candidates of one round: round-start positions, weights, totals."""

    def __init__(self, inp: ExchangeInput, x0: np.ndarray) -> None:
        self.x0 = x0
        self.s, self.c, self.present = inp.s, inp.c, inp.present
        self.w = np.where(self.present, self.s * self.c, 0.0)
        self.O, self.W = expected_outcomes(x0, self.s, self.c, self.present)
        self.total = (self.w * np.where(self.present, x0, 0.0)).sum(axis=0)

    # ------------------------------------------------------------------ private views

    def outcome(self, cand: _Candidate, issue: int, actor: int, at: float) -> float:
        """The candidate's view of the outcome of ``issue`` with ``actor`` at ``at``."""
        W = self.W[issue]
        if W == 0:
            return 0.0
        total = self.total[issue]
        known = cand.updates[issue]
        for a, pos in known.items():
            if a != actor and self.present[a, issue]:
                total += self.w[a, issue] * (pos - self.x0[a, issue])
        total += self.w[actor, issue] * (at - self.x0[actor, issue])
        return total / W

    def move_to_outcome(self, cand: _Candidate, side: _Side, target: float) -> float:
        """How far ``side``'s actor must move on its supply issue, from its position, for the
        candidate's view of the outcome to equal ``target`` (a known position of the actor
        itself, if the view holds one, takes the place of its position)."""
        d, a = side.supply, side.actor
        known = cand.updates[d]
        total = self.total[d] + self.w[a, d] * (known.get(a, side.position) - self.x0[a, d])
        for b, pos in known.items():
            if b != a and self.present[b, d]:
                total += self.w[b, d] * (pos - self.x0[b, d])
        return (target * self.W[d] - total) / self.w[a, d]

    # ------------------------------------------------------------------ one candidate

    def rate(self, side: _Side, partner: _Side) -> float:
        """How much the partner's supply issue shifts per unit shift of ``side``'s supply issue (equal gain)."""
        s = self.s
        return (s[side.actor, side.supply] + s[partner.actor, partner.demand]) / (s[side.actor, side.demand] + s[partner.actor, partner.supply])

    def shift(self, side: _Side, move: float) -> float:
        return abs(move) * self.w[side.actor, side.supply] / self.W[side.supply]

    def move_for(self, side: _Side, shift: float) -> float:
        return shift * self.W[side.supply] / self.w[side.actor, side.supply]

    def utility(self, side: _Side, own_shift: float, partner_shift: float) -> float:
        """|gain on the demanded issue − loss on the supplied one| of ``side``."""
        return abs(partner_shift * self.s[side.actor, side.demand] - own_shift * self.s[side.actor, side.supply])

    @staticmethod
    def move_ok(side: _Side, move: float) -> bool:
        if abs(move) > 100 or abs(move) <= MIN_MOVE:
            return False
        if not 0 <= side.position + move <= 100:
            return False
        if sum(side.moves) > 100:
            return False
        low, high = min(side.moves), max(side.moves)
        return (low < 0 and high < 0) or (low > 0 and high > 0)

    @staticmethod
    def point(side: _Side, partner: _Side) -> None:
        """Give the move of ``side`` the direction towards its partner's demanded position."""
        if side.position > partner.demand_position:
            side.move = -side.move

    def calculate(self, cand: _Candidate) -> None:
        """Equal-gain moves from the candidate's view; then the cut where an outcome would pass a demander."""
        i, j = cand.i, cand.j
        j.move = abs(i.demand_position - j.position)
        cand.dp = self.shift(j, j.move)
        cand.dq = self.rate(j, i) * cand.dp
        i.move = self.move_for(i, cand.dq)
        if abs(i.move) > abs(j.demand_position - i.position):
            i.move = abs(j.demand_position - i.position)
            cand.dq = self.shift(i, i.move)
            cand.dp = self.rate(i, j) * cand.dq
            j.move = self.move_for(j, cand.dp)
        self.point(i, j)
        self.point(j, i)
        i.moves.append(i.move)
        j.moves.append(j.move)
        i.y = i.position + i.move
        j.y = j.position + j.move
        cand.gain = self.utility(i, cand.dq, cand.dp)
        cand.valid = self.move_ok(i, i.move) and self.move_ok(j, j.move) and cand.gain >= MIN_MOVE
        if not cand.valid:
            return
        self.cut(cand, i)
        self.cut(cand, j)
        cand.valid = self.move_ok(i, i.move) and self.move_ok(j, j.move)

    def cut(self, cand: _Candidate, side: _Side) -> None:
        """When the outcome of ``side``'s supply issue would pass its partner's position, redo the moves."""
        partner = cand.other(side)
        target = partner.demand_position
        before = self.outcome(cand, side.supply, side.actor, side.position)
        after = self.outcome(cand, side.supply, side.actor, side.y)
        if (target - before >= 0 and target - after >= 0) or (target - before <= 0 and target - after <= 0):
            return
        side.move = abs(self.move_to_outcome(cand, side, target))
        own = self.shift(side, side.move)
        other = self.rate(side, partner) * own
        partner.move = abs(self.move_for(partner, other))
        self.point(partner, side)
        self.point(side, partner)
        for s in (partner, side):
            s.moves.pop()
            s.moves.append(s.move)
            s.y = s.position + s.move
        cand.gain = self.utility(partner, other, own)

    # ------------------------------------------------------------------ after an exchange

    def tell(self, cand: _Candidate, done: _Candidate) -> None:
        """Update ``cand`` after ``done`` was realised, and recompute it when it was concerned."""
        told = False
        for mine in (cand.i, cand.j):
            for theirs in (done.i, done.j):
                if mine.actor == theirs.actor and mine.supply == theirs.supply:
                    mine.position = theirs.y
                    mine.moves.append(theirs.moves[-1])
                    told = True
                    break
        if told:
            cand.i.moves.pop()
            cand.j.moves.pop()
        for theirs, mover in ((done.j, done.i), (done.i, done.j)):
            if any(mine.actor == theirs.actor and mine.demand == theirs.demand for mine in (cand.j, cand.i)):
                known = cand.updates.setdefault(theirs.demand, {})
                if mover.actor in known:
                    known[mover.actor] = self.closer(mover, known[mover.actor])
                else:
                    known[mover.actor] = mover.y
                if not told:
                    cand.i.moves.pop()
                    cand.j.moves.pop()
                    told = True
        if told:
            self.calculate(cand)

    @staticmethod
    def closer(mover: _Side, known: float) -> float:
        """Of a known position and the mover's new voting position, the one nearer its start on the mover's side."""
        if mover.start <= known:
            return min(known, mover.y)
        return max(known, mover.y)


def _higher_gain_first(a: _Candidate, b: _Candidate) -> int:
    """Order by gain, highest first; gains equal within ``TIE_REL`` keep their list order
    (the reference's stable sort of exact decimals, which floats reach only to an ulp)."""
    if abs(a.gain - b.gain) <= TIE_REL * max(abs(a.gain), abs(b.gain)):
        return 0
    return -1 if a.gain > b.gain else 1


_BY_GAIN = functools.cmp_to_key(_higher_gain_first)


def decide_round(inp: ExchangeInput, x0: np.ndarray, tie_draw: Callable[[], float]) -> tuple[list[_Candidate], np.ndarray, int, int, int]:
    """Play one round; returns the realised candidates in order, the voting positions, the
    number of candidates and of valid ones at the start, and the ties met."""
    state = DecideRound(inp, x0)
    a, _b, P, Q, I, J = generate_candidates(x0, inp.s, inp.present, state.O)
    listed = []
    for k in range(I.size):
        cand = _Candidate(k, int(I[k]), int(J[k]), int(P[k]), int(Q[k]), x0)
        state.calculate(cand)
        listed.append(cand)
    n_valid = sum(c.valid for c in listed)
    realised: list[_Candidate] = []
    ties = 0
    while listed:
        listed.sort(key=_BY_GAIN)
        top = listed.pop(0)
        if listed and abs(top.gain - listed[0].gain) <= TIE_REL * abs(top.gain):
            ties += 1
            if tie_draw() >= 0.5:
                listed.append(top)
                top = listed.pop(0)
            else:
                listed.append(listed[0])
        if not top.valid:
            continue
        kept = []
        for cand in listed:
            if cand.valid:
                state.tell(cand, top)
                if cand.valid:
                    kept.append(cand)
        listed = kept
        realised.append(top)
    voting = x0.copy()
    for cand in realised:
        for side in (cand.i, cand.j):
            voting[side.actor, side.supply] = side.y
    return realised, voting, int(a.size), int(n_valid), ties


def decide_round_result(inp: ExchangeInput, x0: np.ndarray, t: int, tie_draw: Callable[[], float]) -> RoundResult:
    """:func:`decide_round` as a :class:`RoundResult`, with the same records as the published variant."""
    realised, voting, n_candidates, n_valid, ties = decide_round(inp, x0, tie_draw)
    s, c, present = inp.s, inp.c, inp.present
    O_start, _ = expected_outcomes(x0, s, c, present)
    left = x0 <= O_start[None, :]
    x = x0.copy()
    O = O_start.copy()
    state = DecideRound(inp, x0)
    records = []
    for order, cand in enumerate(realised):
        i, j, p, q = cand.i, cand.j, cand.p, cand.q
        before = (float(O[p]), float(O[q]))
        x[j.actor, p] = j.y
        x[i.actor, q] = i.y
        O[p] = outcome_of(x, s, c, present, p)
        O[q] = outcome_of(x, s, c, present, q)
        ext, inner = externality(x, s, present, left, before, (float(O[p]), float(O[q])), p, q, i.actor, j.actor)
        records.append(Exchange(
            round=t, order=order, i=i.actor, j=j.actor, p=p, q=q,
            x_jp=j.start, y_j=j.y, x_iq=i.start, y_i=i.y, x_ip=i.demand_position, x_jq=j.demand_position,
            m_j=abs(j.move), m_i=abs(i.move), dp=state.shift(j, j.move), dq=state.shift(i, i.move),
            gain=cand.gain, gain_i=cand.gain, gain_j=cand.gain,
            outcome_before=before, outcome_after=(float(O[p]), float(O[q])), tie=False, externality=ext, inner=inner,
        ))
    moved = np.zeros(x0.shape, dtype=bool)
    for cand in realised:
        moved[cand.i.actor, cand.q] = moved[cand.j.actor, cand.p] = True
    prediction, _ = expected_outcomes(voting, s, c, present)
    return RoundResult(
        index=t, start=x0.copy(), outcome_start=O_start, candidates=None, n_candidates=n_candidates, n_valid=n_valid,
        exchanges=tuple(records), voting=voting, moved=moved, prediction=prediction, ties=ties,
    )
