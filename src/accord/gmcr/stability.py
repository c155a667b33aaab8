"""Stability analysis (docs/methods/gmcr.md): Nash, GMR, SMR and SEQ for every DM and state, and equilibria.

Coalition reachability R_H (no DM moves twice in a row) is handled on the graph of
(state, last mover) pairs: for each state s1 we need only the *least preferred*
(for the focal DM) state reachable from s1, which a monotone relaxation over the
sparse move lists computes without materialising reachable sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.errors import ModelError
from accord.gmcr.model import GMCRModel, Moves

CONCEPTS = ("nash", "gmr", "smr", "seq")
_INF = np.iinfo(np.int64).max


def _reduce(moves: Moves, values: np.ndarray, op: np.ufunc, empty: int) -> np.ndarray:
    """Per source state, op-reduce of ``values`` over the edges' targets (``empty`` if no edge)."""
    n = moves.indptr.size - 1
    out = np.full(n, empty, dtype=np.int64)
    if moves.indices.size == 0:
        return out
    vals = values[moves.indices]
    counts = np.diff(moves.indptr)
    rows = np.flatnonzero(counts)
    out[rows] = op.reduceat(vals, moves.indptr[:-1][rows])
    return out


def coalition_min(graphs: list[Moves], value: np.ndarray, max_iter: int | None = None) -> np.ndarray:
    """For every state s: min of ``value`` over states reachable from s by a legal coalition sequence.

    ``graphs`` are the coalition members' move lists (improvements only, for R⁺).
    Legal sequence: at least one move, consecutive moves by different members.
    Unreachable: int64 max.
    """
    n = value.size
    h = len(graphs)
    if h == 0:
        return np.full(n, _INF, dtype=np.int64)
    M = np.full((h, n), _INF, dtype=np.int64)  # M[k, t]: min reachable from (t, last mover k)
    limit = max_iter if max_iter is not None else n * h + 1
    for _ in range(limit):
        A = np.stack([_reduce(g, np.minimum(value, M[k]), np.minimum, _INF) for k, g in enumerate(graphs)])
        if h == 1:
            newM = np.full((1, n), _INF, dtype=np.int64)
        else:
            # min over the other movers: smallest and second smallest trick
            order = np.argsort(A, axis=0, kind="stable")
            first = np.take_along_axis(A, order[:1], axis=0)[0]
            second = np.take_along_axis(A, order[1:2], axis=0)[0]
            newM = np.where(order[0][None, :] == np.arange(h)[:, None], second[None, :], first[None, :])
        if np.array_equal(newM, M):
            break
        M = newM
    return A.min(axis=0)


@dataclass(frozen=True)
class StabilityResult:
    """stable[concept] is a DMs × states boolean matrix; equilibria are state positions stable for all DMs."""

    model: GMCRModel
    stable: dict[str, np.ndarray]

    def equilibria(self, concept: str) -> np.ndarray:
        """Positions (0-based) of the states stable for every DM under ``concept``."""
        return np.flatnonzero(self.stable[concept].all(axis=0))

    def equilibrium_ids(self, concept: str) -> list[int]:
        """1-based state ids of the equilibria."""
        return [int(p) + 1 for p in self.equilibria(concept)]


def improvements(model: GMCRModel, i: int) -> Moves:
    """DM i's unilateral improvements R_i⁺."""
    mv = model.moves[i]
    sc = model.scores[i]
    keep = sc[mv.indices] > sc[mv.sources()]
    return mv.subset(keep)


def analyse_stability(model: GMCRModel, concepts: tuple[str, ...] = CONCEPTS) -> StabilityResult:
    """Stability of every state for every DM under the chosen concepts."""
    for c in concepts:
        if c not in CONCEPTS:
            raise ModelError(f"unknown stability concept {c!r}; choose from {', '.join(CONCEPTS)}")
    n = len(model.dms)
    S = model.n_states
    ui = [improvements(model, i) for i in range(n)]
    out = {c: np.zeros((n, S), dtype=bool) for c in concepts}
    for i in range(n):
        sc = model.scores[i]
        has_ui = np.diff(ui[i].indptr) > 0
        others = [k for k in range(n) if k != i]

        def stable_against(sanction_min: np.ndarray, ui_i=ui[i], has_ui=has_ui, sc=sc) -> np.ndarray:
            worst = _reduce(ui_i, sanction_min, np.maximum, np.iinfo(np.int64).min)
            return ~has_ui | (worst <= sc)

        if "nash" in concepts:
            out["nash"][i] = ~has_ui
        if "gmr" in concepts:
            out["gmr"][i] = stable_against(coalition_min([model.moves[k] for k in others], sc))
        if "smr" in concepts:
            escape = np.maximum(sc, _reduce(model.moves[i], sc, np.maximum, np.iinfo(np.int64).min))
            out["smr"][i] = stable_against(coalition_min([model.moves[k] for k in others], escape))
        if "seq" in concepts:
            out["seq"][i] = stable_against(coalition_min([ui[k] for k in others], sc))
    return StabilityResult(model, out)
