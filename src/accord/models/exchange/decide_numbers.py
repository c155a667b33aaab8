"""The numbers of the ``decide`` variant: issues in 28-digit decimals, summed in the reference's order.

decide-exchange-model computes in Python decimals (28 significant digits) and sums every
issue over its actors in the order of the file's ``#D`` rows. Gains that are equal in exact
arithmetic then differ in their last digit, and the reference orders its candidates by
that digit; floats cannot follow it. This module holds the issues as the reference does,
so that the variant reaches the same digits (``docs/methods/exchange.md``, "Variant decide").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, DivisionByZero, InvalidOperation, Overflow
from decimal import Decimal as D

from accord.models.exchange.inputs import ExchangeInput

#: Python's default decimal context, which the reference computes in.
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
#: The between-round weights as the reference holds them: decimals made from the binary floats.
SALIENCE_WEIGHT = D(0.4)
FIXED_WEIGHT = D(0.1)
#: Numbers are read back to this many significant digits (``decimal``) ...
RECOVER_DIGITS = 12
#: ... when that changes them by at most this much, relative: the 0–100 mapping of a typed
#: number leaves a few units in its last place, which this removes.
RECOVER_REL = 1e-13


def decimal(value: float) -> D:
    """The number as it was written: ``value`` to ``RECOVER_DIGITS`` significant digits where
    that lies within ``RECOVER_REL`` of it, else the shortest decimal that reads back as it."""
    v = float(value)
    short = f"{v:.{RECOVER_DIGITS}g}"
    if abs(float(short) - v) <= RECOVER_REL * abs(v):
        return D(short)
    return D(repr(v))


@dataclass
class IssueSums:
    """One issue: its actors in summing order, their weights, and the sums at a set of positions."""

    order: tuple[int, ...]
    s: dict[int, D]
    c: dict[int, D]
    total_weight: D | int
    rank: dict[int, int]

    @classmethod
    def build(cls, order: tuple[int, ...], s: dict[int, D], c: dict[int, D]) -> IssueSums:
        total: D | int = 0
        for a in order:
            total += s[a] * c[a]
        return cls(order, s, c, total, {a: k for k, a in enumerate(order)})

    def term(self, a: int, x: D) -> D:
        return x * self.s[a] * self.c[a]

    def sums(self, x: dict[int, D]) -> tuple[list[D], list[D | int]]:
        """The terms ``c s x`` in order, and their running sums (``prefix[k]``: before the ``k``-th)."""
        terms = [self.term(a, x[a]) for a in self.order]
        prefix: list[D | int] = [0]
        for t in terms:
            prefix.append(prefix[-1] + t)
        return terms, prefix

    def weighted_sum(self, terms: list[D], prefix: list[D | int], changed: dict[int, D | None]) -> D | int:
        """``Σ c s x`` in order with ``changed`` positions (``None``: the actor left out), reusing
        the unchanged leading part of ``prefix`` (the same additions, so the same digits)."""
        ranks = [self.rank[a] for a in changed if a in self.rank]
        if not ranks:
            return prefix[-1]
        start = min(ranks)
        total = prefix[start]
        for k in range(start, len(self.order)):
            a = self.order[k]
            if a in changed:
                pos = changed[a]
                if pos is not None:
                    total += self.term(a, pos)
            else:
                total += terms[k]
        return total

    def outcome(self, x: dict[int, D]) -> D | int:
        """The expected outcome ``Σ c s x / Σ c s`` at the positions ``x``."""
        return self.divide(self.sums(x)[1][-1])

    def divide(self, total: D | int) -> D | int:
        """A weighted sum divided by the issue's total weight (0 when that is 0, as in the reference)."""
        if self.total_weight == 0:
            return 0
        return total / self.total_weight


def decimal_issues(inp: ExchangeInput) -> list[IssueSums]:
    """Every issue's actors in summing order (``inp.row_order``) with their decimal weights."""
    out = []
    for d in range(inp.m):
        order = inp.row_order[d] if inp.row_order else tuple(int(a) for a in range(inp.n) if inp.present[a, d])
        out.append(IssueSums.build(
            tuple(order), {a: decimal(inp.s[a, d]) for a in order}, {a: decimal(inp.c[a, d]) for a in order}
        ))
    return out


def decimal_positions(inp: ExchangeInput) -> list[dict[int, D]]:
    """Positions on 0–100 as the reference reads them: on a raw scale ``[lo, hi]`` (kept in
    ``inp.raw_bounds``) the raw number minus ``lo``, times ``100 / (hi − lo)`` in decimals;
    the numbers themselves as written (:func:`decimal`)."""
    out = []
    for d in range(inp.m):
        bounds = inp.raw_bounds[d] if inp.raw_bounds else None
        column = {}
        for a in range(inp.n):
            if not inp.present[a, d]:
                continue
            x = float(inp.x[a, d])
            if bounds is None or tuple(bounds) == (0.0, 100.0):
                column[a] = decimal(x)
                continue
            lo, hi = decimal(bounds[0]), decimal(bounds[1])
            raw = decimal(bounds[0] + x * (bounds[1] - bounds[0]) / 100.0)
            column[a] = (raw - lo) * (100 / (hi - lo))
        out.append(column)
    return out


def next_start(salience: D, start: D, voting: D) -> D:
    """The reference's pull of an actor from its round-start position towards its voting position."""
    keep = 1 - (1 - salience) * SALIENCE_WEIGHT - FIXED_WEIGHT
    return (1 - salience) * SALIENCE_WEIGHT * voting + FIXED_WEIGHT * voting + keep * start
