"""Implicit unilateral moves of an option model (docs/methods/gmcr.md, section 4).

A DM's move changes any non-empty subset of its own options (forward options only from
not taken to taken, backward ones only back) and must land on a feasible state. The moves
are never listed: the reductions stability needs are computed over the option codes by the
kernels of :mod:`accord.gmcr.option_kernels`, in time and memory that grow with the 2^m
option codes, not with the number of moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from accord.gmcr import option_kernels as kernels
from accord.gmcr.moves import UNREACHABLE

#: Up to this many options a DM's improvements are visited move by move; above, by rank (fewer steps).
DIRECT_OPTIONS = 4

_KIND = {"both": kernels.BOTH, "forward": kernels.FORWARD, "backward": kernels.BACKWARD}


def kind_masks(options: tuple[tuple[int, str], ...]) -> np.ndarray:
    """(both, forward, backward) bit masks of options given as (bit index, reversibility)."""
    out = np.zeros(3, dtype=np.int64)
    for b, rev in options:
        out[_KIND[rev]] |= 1 << b
    return out


@dataclass(frozen=True)
class OptionMoves:
    """One DM's moves in an option model: feasible ``codes`` (ascending), the number of options,
    and the DM's options as (bit index, reversibility)."""

    codes: np.ndarray
    n_options: int
    own: tuple[tuple[int, str], ...]

    @property
    def n_states(self) -> int:
        return int(self.codes.size)

    @cached_property
    def bits(self) -> tuple[np.ndarray, np.ndarray]:
        """The DM's options as the kernels read them: bit values and kinds."""
        return (np.array([1 << b for b, _ in self.own], dtype=np.int64),
                np.array([_KIND[r] for _, r in self.own], dtype=np.int64))

    def free_at(self, code: int) -> int:
        """The DM's options it may change at ``code`` (each alone; any subset of them is a move)."""
        both, fwd, bwd = (int(v) for v in kind_masks(self.own))
        return both | (fwd & ~code) | (bwd & code)

    def of(self, s: int) -> np.ndarray:
        """Targets (positions, ascending) of state position s; lists them, so for small models and tests."""
        code = int(self.codes[s])
        free = self.free_at(code)
        base = code & ~free
        targets = []
        sub = 0
        while True:
            t = base | sub
            if t != code:
                targets.append(t)
            if sub == free:
                break
            sub = (sub - free) & free
        t = np.array(sorted(targets), dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.codes, t), self.codes.size - 1)
        return pos[self.codes[pos] == t]

    @cached_property
    def n_edges(self) -> int:
        """The number of moves (counted over the option codes, not listed)."""
        count = np.zeros(1 << self.n_options, dtype=np.int64)
        count[self.codes] = 1
        for b, rev in self.own:
            half = count.reshape(-1, 2, 1 << b)
            off, on = half[:, 0, :], half[:, 1, :]
            if rev == "both":
                total = off + on
                off[...] = total
                on[...] = total
            elif rev == "forward":
                off += on
            else:
                on += off
        return int(count[self.codes].sum() - self.codes.size)

    def reduce_min(self, values: np.ndarray) -> np.ndarray:
        """Per state, the least of ``values`` over its targets (:data:`UNREACHABLE` without a move)."""
        bits, kinds = self.bits
        return kernels.cone_min(self.codes, np.ascontiguousarray(values, dtype=np.int32), self.n_options,
                                bits, kinds, UNREACHABLE)

    def reduce_max(self, values: np.ndarray) -> np.ndarray:
        """Per state, the greatest of ``values`` over its targets (:data:`NO_MOVE` without a move)."""
        return ~self.reduce_min(~np.asarray(values, dtype=np.int32))

    def improving(self, ranks: np.ndarray) -> OptionImprovements:
        """The moves to a state of higher rank (the DM's unilateral improvements, given its ranks)."""
        return OptionImprovements(self, np.ascontiguousarray(ranks, dtype=np.int32))


@dataclass(frozen=True)
class OptionImprovements:
    """A DM's unilateral improvements in an option model: its moves to states of higher ``ranks``."""

    moves: OptionMoves
    ranks: np.ndarray

    DIRECT_OPTIONS = DIRECT_OPTIONS

    @cached_property
    def _order(self) -> np.ndarray:
        return np.argsort(-self.ranks.astype(np.int64), kind="stable")

    @cached_property
    def _dense_ranks(self) -> np.ndarray:
        dense = np.full(1 << self.moves.n_options, -1, dtype=np.int32)
        dense[self.moves.codes] = self.ranks
        return dense

    @cached_property
    def _halves(self) -> tuple[np.ndarray, np.ndarray]:
        own = self.moves.own
        cut = len(own) // 2
        return kind_masks(own[:cut]), kind_masks(own[cut:])

    def reduce_min(self, values: np.ndarray) -> np.ndarray:
        """Per state, the least of ``values`` over its improvements (:data:`UNREACHABLE` without one)."""
        mv = self.moves
        values = np.ascontiguousarray(values, dtype=np.int32)
        if len(mv.own) <= self.DIRECT_OPTIONS:
            return kernels.improving_min_direct(mv.codes, values, self._dense_ranks, mv.n_options,
                                                kind_masks(mv.own), UNREACHABLE)
        query, insert = self._halves
        return kernels.improving_min(mv.codes, values, self._order, self.ranks, mv.n_options, query, insert,
                                     UNREACHABLE)


def coalition_min(members: Sequence[OptionMoves], values: np.ndarray) -> np.ndarray:
    """Per state, the least of ``values`` over the states the members reach in zero or more moves.

    Two moves of one DM in a row reach what one move reaches (its cones nest) or the start,
    so every sequence shortens to one where no DM moves twice in a row, with the same end.
    """
    members = [m for m in members if m.own]
    if not members:
        return np.array(values, dtype=np.int32)
    mv = members[0]
    bits = np.concatenate([m.bits[0] for m in members])
    kinds = np.concatenate([m.bits[1] for m in members])
    starts = np.cumsum([0] + [len(m.own) for m in members]).astype(np.int64)
    return kernels.coalition_cone_min(mv.codes, np.ascontiguousarray(values, dtype=np.int32), mv.n_options,
                                      bits, kinds, starts, UNREACHABLE)


def improving_coalition_min(members: Sequence[OptionImprovements], values: np.ndarray) -> np.ndarray:
    """Per state, the least of ``values`` over the states the members reach in zero or more improvements.

    Two improvements of one DM in a row are one improvement of it, so as in
    :func:`coalition_min` the order of the movers does not matter. Gauss-Seidel over the
    members; after its own pass the row is closed under a member's improvements, so the
    iteration stops when all the others in turn leave it unchanged.
    """
    members = [m for m in members if m.moves.own]
    best = np.array(values, dtype=np.int32)
    quiet = 0
    k = 0
    while quiet < len(members):
        row = members[k].reduce_min(best)
        lower = row < best
        if lower.any():
            best[lower] = row[lower]
            quiet = 1
        else:
            quiet += 1
        k = (k + 1) % len(members)
    return best
