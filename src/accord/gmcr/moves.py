"""Explicit unilateral moves (docs/methods/gmcr.md): one DM's moves as a sparse adjacency list.

Collapsed graph models, whose moves a file lists one by one, use these; option models use
the implicit :class:`accord.gmcr.option_moves.OptionMoves` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

UNREACHABLE = np.iinfo(np.int32).max  # the minimum over no state; stability values are ranks below it
NO_MOVE = np.iinfo(np.int32).min  # the maximum over no state


@dataclass(frozen=True)
class Moves:
    """One DM's unilateral moves as a sparse adjacency list over state positions (0-based)."""

    indptr: np.ndarray
    indices: np.ndarray

    @classmethod
    def from_pairs(cls, src: np.ndarray, dst: np.ndarray, n_states: int) -> Moves:
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        keep = src != dst
        src, dst = src[keep], dst[keep]
        order = np.lexsort((dst, src))
        src, dst = src[order], dst[order]
        if src.size:
            dup = np.r_[False, (src[1:] == src[:-1]) & (dst[1:] == dst[:-1])]
            src, dst = src[~dup], dst[~dup]
        indptr = np.zeros(n_states + 1, dtype=np.int64)
        np.add.at(indptr, src + 1, 1)
        return cls(np.cumsum(indptr), dst.astype(np.int32 if n_states < 2**31 else np.int64))

    @cached_property
    def nonempty(self) -> tuple[np.ndarray, np.ndarray]:
        """Sources with at least one edge, and where their edges start (the segments of a reduceat)."""
        rows = np.flatnonzero(np.diff(self.indptr))
        return rows, self.indptr[:-1][rows]

    @cached_property
    def padded(self) -> np.ndarray | None:
        """Targets as a (most targets) × states matrix padded with the index ``n_states`` (a value past
        the end), when that matrix holds at most twice the edges: models whose states all have about
        as many moves. Reducing its rows element-wise runs much faster than a reduceat."""
        n = self.indptr.size - 1
        counts = np.diff(self.indptr)
        width = int(counts.max()) if n else 0
        if width == 0 or n * width > 2 * self.indices.size + n:
            return None
        out = np.full((width, n), n, dtype=self.indices.dtype)
        out[np.arange(self.indices.size) - np.repeat(self.indptr[:-1], counts), self.sources()] = self.indices
        return out

    @property
    def n_states(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def n_edges(self) -> int:
        return int(self.indices.size)

    def sources(self) -> np.ndarray:
        """Source position of every edge."""
        return np.repeat(np.arange(self.indptr.size - 1), np.diff(self.indptr))

    def of(self, s: int) -> np.ndarray:
        """Targets of state position s."""
        return self.indices[self.indptr[s] : self.indptr[s + 1]]

    def subset(self, keep: np.ndarray) -> Moves:
        """The edges where ``keep`` (per edge) is true."""
        src = self.sources()
        return Moves.from_pairs(src[keep], self.indices[keep], self.indptr.size - 1)

    def reduce_min(self, values: np.ndarray) -> np.ndarray:
        """Per state, the least of ``values`` over its targets (:data:`UNREACHABLE` without a move)."""
        return reduce_edges(self, values, np.minimum, UNREACHABLE)

    def reduce_max(self, values: np.ndarray) -> np.ndarray:
        """Per state, the greatest of ``values`` over its targets (:data:`NO_MOVE` without a move)."""
        return reduce_edges(self, values, np.maximum, NO_MOVE)

    def improving(self, ranks: np.ndarray) -> Moves:
        """The moves to a state of higher rank (the DM's unilateral improvements, given its ranks)."""
        return self.subset(ranks[self.indices] > ranks[self.sources()])


def reduce_edges(moves: Moves, values: np.ndarray, op: np.ufunc, empty: int) -> np.ndarray:
    """Per source state, op-reduce of ``values`` over the edges' targets (``empty`` if no edge)."""
    n = moves.indptr.size - 1
    if moves.padded is not None:
        ext = np.append(values, values.dtype.type(empty))
        out = ext[moves.padded[0]]
        for column in moves.padded[1:]:
            op(out, ext[column], out=out)
        return out
    out = np.full(n, empty, dtype=values.dtype)
    if moves.indices.size == 0:
        return out
    rows, starts = moves.nonempty
    out[rows] = op.reduceat(values[moves.indices], starts)
    return out
