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
_INF = np.iinfo(np.int32).max  # "unreachable"; scores are ranks 0..S-1 during the analysis
_NONE = np.iinfo(np.int32).min


def _reduce(moves: Moves, values: np.ndarray, op: np.ufunc, empty: int) -> np.ndarray:
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


def _min_of_rows(A: np.ndarray, skip: int) -> np.ndarray:
    """The element-wise minimum of every row of ``A`` but row ``skip``."""
    rows = [r for r in range(A.shape[0]) if r != skip]
    out = A[rows[0]].copy()
    for r in rows[1:]:
        np.minimum(out, A[r], out=out)
    return out


def coalition_min(graphs: list[Moves], value: np.ndarray, max_iter: int | None = None) -> np.ndarray:
    """For every state s: min of ``value`` over states reachable from s by a legal coalition sequence.

    ``graphs`` are the coalition members' move lists (improvements only, for R⁺).
    Legal sequence: at least one move, consecutive moves by different members.
    Unreachable: int32 max (``value`` holds ranks, below it).
    """
    n = value.size
    h = len(graphs)
    if h == 0:
        return np.full(n, _INF, dtype=value.dtype)
    # A[k, s]: least value reachable from s by a sequence whose first move is member k's.
    # Updated member by member with the latest rows of the others (Gauss-Seidel): values
    # only fall, each is reached by a legal sequence, and a sweep without change is the fixpoint.
    # A member's row is recomputed only when another row changed since it was last computed.
    A = np.full((h, n), _INF, dtype=value.dtype)
    stale = [True] * h
    limit = max_iter if max_iter is not None else n * h + 1
    for _ in range(limit):
        if not any(stale):
            break
        for k, g in enumerate(graphs):
            if not stale[k]:
                continue
            stale[k] = False
            after = np.minimum(value, _min_of_rows(A, k)) if h > 1 else value
            row = _reduce(g, after, np.minimum, _INF)
            if not np.array_equal(row, A[k]):
                A[k] = row
                stale = [stale[j] or j != k for j in range(h)]
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
    ranks = [np.unique(model.scores[i], return_inverse=True)[1].astype(np.int32).ravel() for i in range(n)]
    ui = [improvements(model, i) for i in range(n)]
    out = {c: np.zeros((n, S), dtype=bool) for c in concepts}
    for i in range(n):
        sc = ranks[i]  # the order of the scores is all that stability depends on
        has_ui = np.diff(ui[i].indptr) > 0
        others = [k for k in range(n) if k != i]

        def stable_against(sanction_min: np.ndarray, ui_i=ui[i], has_ui=has_ui, sc=sc) -> np.ndarray:
            worst = _reduce(ui_i, sanction_min, np.maximum, _NONE)
            return ~has_ui | (worst <= sc)

        if "nash" in concepts:
            out["nash"][i] = ~has_ui
        if "gmr" in concepts:
            out["gmr"][i] = stable_against(coalition_min([model.moves[k] for k in others], sc))
        if "smr" in concepts:
            escape = np.maximum(sc, _reduce(model.moves[i], sc, np.maximum, _NONE))
            out["smr"][i] = stable_against(coalition_min([model.moves[k] for k in others], escape))
        if "seq" in concepts:
            out["seq"][i] = stable_against(coalition_min([ui[k] for k in others], sc))
    return StabilityResult(model, out)
