"""One round of the exchange model executed as decide-exchange-model 2022.1.28 does (variant ``decide``).

The published model (``rounds.py``) judges every remaining candidate on the current state
of the round. The reference gives every candidate a private view instead; this module
reproduces that, in the reference's decimal arithmetic and order of operations
(:mod:`.decide_numbers`), so that its ties fall the same way. What differs from the
published model, rule by rule: ``docs/methods/exchange.md``, "Variant decide".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from operator import attrgetter

from accord.models.exchange.decide_numbers import IssueSums

#: Thresholds of the reference, as the binary floats it compares its decimals with.
MIN_MOVE = D(1e-10)
TIE = D(1e-20)
_BY_GAIN = attrgetter("gain")


class Party:
    """One actor of a deal: the issue it supplies (its position there may move) and the one it demands."""

    __slots__ = ("actor", "c_sup", "demand", "dx", "move", "moves", "other", "s_dem", "s_sup", "start", "supply", "x", "y")

    def __init__(self, actor: int, supply: int, demand: int, x: list[dict[int, D]], issues: list[IssueSums]) -> None:
        self.actor, self.supply, self.demand = actor, supply, demand
        self.x = self.start = self.y = x[supply][actor]
        self.dx = x[demand][actor]
        self.s_sup, self.c_sup = issues[supply].s[actor], issues[supply].c[actor]
        self.s_dem = issues[demand].s[actor]
        self.move: D = D(0)
        self.moves: list[D] = []
        self.other: Party = self

    def rate(self) -> D:
        """Shift of the partner's supply issue per unit shift of this party's (equal gain)."""
        return (self.s_sup + self.other.s_dem) / (self.s_dem + self.other.s_sup)

    def toward_partner(self) -> None:
        if self.x > self.other.dx:
            self.move *= -1

    def move_ok(self) -> bool:
        """The reference's test of a move: size, the 0–100 range, and one sign over the deal's history."""
        move = self.move
        if abs(move) > 100 or abs(move) <= MIN_MOVE:
            return False
        if self.x + move < 0 or self.x + move > 100:
            return False
        if sum(self.moves) > 100:
            return False
        low, high = min(self.moves), max(self.moves)
        return (low < 0 and high < 0) or (low > 0 and high > 0)

    def matches_supply(self, other: Party) -> bool:
        return self.actor == other.actor and self.supply == other.supply

    def matches_demand(self, other: Party) -> bool:
        return self.actor == other.actor and self.demand == other.demand


class Deal:
    """A candidate exchange with its private view: ``i`` supplies ``q``, ``j`` supplies ``p``.

    ``known`` holds, per issue, the positions of other actors that the deal has been told
    about; ``gain`` is its equal gain, ``valid`` whether it may still be realised.
    """

    __slots__ = ("gain", "i", "j", "known", "p", "q", "round", "valid")

    def __init__(self, rnd: DecideRound, i: Party, j: Party) -> None:
        self.round = rnd
        self.i, self.j = i, j
        i.other, j.other = j, i
        self.p, self.q = j.supply, i.supply
        self.known: dict[int, dict[int, D]] = {self.p: {}, self.q: {}}
        self.gain: D | int = 0
        self.valid = True

    # -- the view's outcomes

    def outcome_with(self, party: Party, at: D) -> D | int:
        """The deal's view of the outcome of ``party``'s supply issue with ``party`` at ``at``."""
        rnd, d = self.round, party.supply
        issue = rnd.issues[d]
        changed: dict[int, D | None] = {a: x for a, x in self.known[d].items() if a in issue.rank}
        changed[party.actor] = at
        return issue.divide(issue.weighted_sum(rnd.terms[d], rnd.prefix[d], changed))

    def move_to(self, party: Party, target: D) -> D:
        """How far ``party`` must move for the deal's view of the outcome of its supply issue
        to be ``target`` (signed). As in the reference, a known position of ``party`` itself
        takes the place of its current one in the view."""
        rnd, d = self.round, party.supply
        issue = rnd.issues[d]
        changed: dict[int, D | None] = {party.actor: party.x}
        changed.update((a, x) for a, x in self.known[d].items() if a in issue.rank)
        total = issue.weighted_sum(rnd.terms[d], rnd.prefix[d], changed)
        return (target * issue.total_weight - total) / (party.s_sup * party.c_sup)

    def shift(self, party: Party, move: D) -> D:
        """Outcome shift of ``party``'s supply issue when it moves by ``move`` (≥ 0)."""
        return move * party.s_sup * party.c_sup / self.round.issues[party.supply].total_weight

    def move_for(self, party: Party, shift: D) -> D:
        return shift * self.round.issues[party.supply].total_weight / (party.c_sup * party.s_sup)

    # -- computing the deal

    def calculate(self) -> None:
        """Equal-gain moves from the deal's view, then the cut where an outcome would pass a demander."""
        i, j = self.i, self.j
        dp = self.shift(j, abs(i.dx - j.x))
        dq = j.rate() * dp
        i.move = self.move_for(i, dq)
        j.move = abs(i.dx - j.x)
        if abs(i.move) > abs(j.dx - i.x):
            dq = self.shift(i, abs(j.dx - i.x))
            dp = i.rate() * dq
            i.move = abs(j.dx - i.x)
            j.move = self.move_for(j, dp)
        i.toward_partner()
        j.toward_partner()
        i.moves.append(i.move)
        j.moves.append(j.move)
        i.y = i.x + i.move
        j.y = j.x + j.move
        self.gain = abs(dq * i.s_sup - dp * i.s_dem)
        self.valid = i.move_ok() and j.move_ok()
        if self.gain < MIN_MOVE:
            self.valid = False
        if not self.valid:
            return
        self.cut(i)
        self.cut(j)
        self.valid = i.move_ok() and j.move_ok()

    def cut(self, party: Party) -> None:
        """When the view's outcome of ``party``'s supply issue would pass its partner's position,
        ``party`` moves just far enough to reach it and the partner's move follows from the rate."""
        partner = party.other
        target = partner.dx
        before, after = self.outcome_with(party, party.x), self.outcome_with(party, party.y)
        if (target - before >= 0 and target - after >= 0) or (target - before <= 0 and target - after <= 0):
            return
        delta = abs(self.move_to(party, target))
        own = self.shift(party, delta)
        other = party.rate() * own
        partner.move = abs(self.move_for(partner, other))
        party.move = delta
        partner.toward_partner()
        party.toward_partner()
        for side in (partner, party):
            side.moves.pop()
        partner.moves.append(partner.move)
        party.moves.append(party.move)
        partner.y = partner.x + partner.move
        party.y = party.x + party.move
        self.gain = abs(other * partner.s_sup - own * partner.s_dem)

    # -- after another deal was realised

    def forget_moves(self) -> None:
        self.i.moves.pop()
        self.j.moves.pop()

    def hear(self, done: Deal) -> None:
        """Update the view after ``done`` was realised, and recalculate when it concerned this deal."""
        actors = (done.i.actor, done.j.actor)
        if self.i.actor not in actors and self.j.actor not in actors:
            return
        told = False
        for mine in (self.i, self.j):
            for theirs in (done.i, done.j):
                if mine.matches_supply(theirs):
                    mine.x = theirs.y
                    mine.moves.append(theirs.moves[-1])
                    told = True
                    break
        if told:
            self.forget_moves()
        for demander, mover in ((done.j, done.i), (done.i, done.j)):
            if demander.matches_demand(self.j) or demander.matches_demand(self.i):
                self.learn(mover)
                if not told:
                    self.forget_moves()
                    told = True
        if told:
            self.calculate()

    def learn(self, mover: Party) -> None:
        """Take in ``mover``'s voting position; of two known ones, keep the nearer to its start."""
        known = self.known.setdefault(mover.supply, {})
        if mover.actor not in known:
            known[mover.actor] = mover.y
            return
        old = known[mover.actor]
        if mover.start <= old:
            known[mover.actor] = old if old < mover.y else mover.y
        else:
            known[mover.actor] = old if old > mover.y else mover.y


class DecideRound:
    """One round from its start positions: candidates in the reference's order, then its execution."""

    def __init__(self, issues: list[IssueSums], x: list[dict[int, D]], n_actors: int) -> None:
        self.issues, self.x = issues, x
        sums = [issue.sums(col) for issue, col in zip(issues, x)]
        self.terms = [t for t, _ in sums]
        self.prefix = [pre for _, pre in sums]
        self.outcome = [issue.divide(pre[-1]) for issue, pre in zip(issues, self.prefix)]
        self.n_actors = n_actors
        self.deals = self._candidates()
        self.n_valid = sum(1 for deal in self.deals if deal.valid)

    def _candidates(self) -> list[Deal]:
        """Pairs right of the outcome on both issues with pairs left on both, then right/left
        with left/right, for every issue pair in order; the smaller ``s_p / s_q`` supplies ``p``."""
        m = len(self.issues)
        deals = []
        for p in range(m):
            for q in range(p + 1, m):
                groups: list[list[int]] = [[], [], [], []]
                for a in range(self.n_actors):
                    if a in self.x[p] and a in self.x[q]:
                        left_p = self.x[p][a] <= self.outcome[p]
                        left_q = self.x[q][a] <= self.outcome[q]
                        groups[int(left_p) + 2 * int(left_q)].append(a)
                for first, second in ((groups[0], groups[3]), (groups[1], groups[2])):
                    for a in first:
                        for b in second:
                            deals.append(self._deal(a, b, p, q))
        return deals

    def _deal(self, a: int, b: int, p: int, q: int) -> Deal:
        """The deal of ``a`` and ``b`` on ``p`` and ``q``, calculated. With a salience of 0, or a
        supplier's capability of 0, the reference either divides by zero or finds the deal
        invalid with gain 0; here it is invalid with gain 0 (as in the published variant)."""
        s_p, s_q = self.issues[p].s, self.issues[q].s
        positive = min(s_p[a], s_q[a], s_p[b], s_q[b]) > 0
        if positive and s_p[a] / s_q[a] < s_p[b] / s_q[b]:
            a, b = b, a
        deal = Deal(self, Party(a, q, p, self.x, self.issues), Party(b, p, q, self.x, self.issues))
        if positive and deal.i.c_sup > 0 and deal.j.c_sup > 0:
            deal.calculate()
        else:
            deal.valid = False
        return deal

    def play(self, tie_draw: Callable[[], float]) -> tuple[list[Deal], list[bool], int]:
        """Realise deals by gain until none is left; returns them in order, per deal whether it
        was picked at a tie, and the number of ties drawn (also at deals then found invalid)."""
        listed = list(self.deals)
        realised: list[Deal] = []
        ties: list[bool] = []
        drawn = 0
        while listed:
            listed.sort(key=_BY_GAIN, reverse=True)
            top = listed.pop(0)
            tie = bool(listed) and abs(top.gain - listed[0].gain) < TIE
            if tie:
                drawn += 1
                if tie_draw() >= 0.5:
                    listed.append(top)
                    top = listed.pop(0)
                else:
                    listed.append(listed[0])
            if not top.valid:
                continue
            kept = []
            for deal in listed:
                if deal.valid:
                    deal.hear(top)
                    if deal.valid:
                        kept.append(deal)
            listed = kept
            realised.append(top)
            ties.append(tie)
        return realised, ties, drawn
