"""Stability analysis (docs/methods/gmcr.md): Nash, GMR, SMR and SEQ for every DM and state, and equilibria.

Every concept reduces to per-state minima and maxima over a DM's moves (or improvements),
which both move kinds compute without materialising reachable sets: explicit adjacency
lists (:class:`~accord.gmcr.moves.Moves`) and the implicit moves of option models
(:class:`~accord.gmcr.option_moves.OptionMoves`). For each state s1 a sanction needs only
the *least preferred* (for the focal DM) state the other DMs can reach from s1, which a
monotone fixed-point iteration computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accord.errors import ModelError
from accord.gmcr import option_moves
from accord.gmcr.model import GMCRModel
from accord.gmcr.moves import UNREACHABLE, Moves
from accord.gmcr.option_moves import OptionImprovements, OptionMoves

CONCEPTS = ("nash", "gmr", "smr", "seq")


def _min_of_rows(A: np.ndarray, skip: int) -> np.ndarray:
    """The element-wise minimum of every row of ``A`` but row ``skip``."""
    rows = [r for r in range(A.shape[0]) if r != skip]
    out = A[rows[0]].copy()
    for r in rows[1:]:
        np.minimum(out, A[r], out=out)
    return out


def coalition_min(graphs: Sequence[Moves | OptionMoves | OptionImprovements], value: np.ndarray) -> np.ndarray:
    """For every state s: min of ``value`` over states reachable from s by a legal coalition sequence.

    ``graphs`` are the coalition members' moves (improvements only, for R⁺). Legal sequence:
    at least one move, consecutive moves by different members. Unreachable: int32 max
    (``value`` holds ranks, below it). For option models s itself always counts as reached
    (sequences of zero moves): stability does not depend on it, since the analysis only asks
    for sanctions from states the focal DM prefers to the one under test, and only whether
    the reached minimum lies below that state's rank.
    """
    if not graphs:
        return np.full(value.size, UNREACHABLE, dtype=value.dtype)
    if all(isinstance(g, OptionMoves) for g in graphs):
        return option_moves.coalition_min(graphs, value)  # type: ignore[arg-type]
    if all(isinstance(g, OptionImprovements) for g in graphs):
        return option_moves.improving_coalition_min(graphs, value)  # type: ignore[arg-type]
    return _alternating_coalition_min(graphs, value)  # type: ignore[arg-type]


def _alternating_coalition_min(graphs: Sequence[Moves], value: np.ndarray) -> np.ndarray:
    """``coalition_min`` for explicit moves, on the graph of (state, last mover) pairs."""
    n = value.size
    h = len(graphs)
    if h == 1:
        return graphs[0].reduce_min(value)
    # A[k, s]: least value reachable from s by a sequence whose first move is member k's.
    # Updated member by member with the latest rows of the others (Gauss-Seidel): values
    # only fall, each is reached by a legal sequence, and a sweep without change is the fixpoint.
    # A member's row is recomputed only when another row changed since it was last computed.
    A = np.full((h, n), UNREACHABLE, dtype=value.dtype)
    stale = [True] * h
    for _ in range(n * h + 1):
        if not any(stale):
            break
        for k, g in enumerate(graphs):
            if not stale[k]:
                continue
            stale[k] = False
            row = g.reduce_min(np.minimum(value, _min_of_rows(A, k)))
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


def analyse_stability(model: GMCRModel, concepts: tuple[str, ...] = CONCEPTS) -> StabilityResult:
    """Stability of every state for every DM under the chosen concepts."""
    for c in concepts:
        if c not in CONCEPTS:
            raise ModelError(f"unknown stability concept {c!r}; choose from {', '.join(CONCEPTS)}")
    n = len(model.dms)
    S = model.n_states
    # the order of the scores is all that stability depends on
    ranks = [np.unique(model.scores[i], return_inverse=True)[1].astype(np.int32).ravel() for i in range(n)]
    ui = [model.moves[k].improving(ranks[k]) for k in range(n)] if "seq" in concepts else []
    out = {c: np.zeros((n, S), dtype=bool) for c in concepts}
    for i in range(n):
        sc = ranks[i]
        moves_i = model.moves[i]
        best_move = moves_i.reduce_max(sc)  # the best state i can move to (NO_MOVE: none)
        others = [k for k in range(n) if k != i]

        def stable_against(sanction_min: np.ndarray, moves_i=moves_i, sc=sc) -> np.ndarray:
            # every improvement s1 (sc[s1] > sc) needs a sanction: sanction_min[s1] <= sc
            return moves_i.reduce_max(np.minimum(sc, sanction_min)) <= sc

        if "nash" in concepts:
            out["nash"][i] = best_move <= sc
        if "gmr" in concepts:
            out["gmr"][i] = stable_against(coalition_min([model.moves[k] for k in others], sc))
        if "smr" in concepts:
            escape = np.maximum(sc, best_move)
            out["smr"][i] = stable_against(coalition_min([model.moves[k] for k in others], escape))
        if "seq" in concepts:
            out["seq"][i] = stable_against(coalition_min([ui[k] for k in others], sc))
    return StabilityResult(model, out)
