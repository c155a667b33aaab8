"""Stability against a brute-force reading of the §7.1 definitions, and the spec's property tests."""

from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.gmcr.model import GMCRModel, Moves, build_explicit_model
from accord.gmcr.stability import CONCEPTS, analyse_stability


def _reach(model: GMCRModel, H: list[int], s1: int, improving: bool) -> set[int]:
    """States reachable from s1 by sequences of moves of H, no DM twice in a row (BFS over (state, last))."""
    seen = set()
    out = set()
    q = deque([(s1, -1)])
    while q:
        s, last = q.popleft()
        for k in H:
            if k == last:
                continue
            for t in model.moves[k].of(s):
                t = int(t)
                if improving and not model.scores[k, t] > model.scores[k, s]:
                    continue
                out.add(t)
                if (t, k) not in seen:
                    seen.add((t, k))
                    q.append((t, k))
    return out


def brute(model: GMCRModel) -> dict[str, np.ndarray]:
    n, S = len(model.dms), model.n_states
    res = {c: np.zeros((n, S), dtype=bool) for c in CONCEPTS}
    for i in range(n):
        H = [k for k in range(n) if k != i]
        sc = model.scores[i]
        for s in range(S):
            ui = [int(t) for t in model.moves[i].of(s) if sc[t] > sc[s]]
            res["nash"][i, s] = not ui
            res["gmr"][i, s] = all(any(sc[s2] <= sc[s] for s2 in _reach(model, H, s1, False)) for s1 in ui)
            res["smr"][i, s] = all(
                any(sc[s2] <= sc[s] and all(sc[s3] <= sc[s] for s3 in model.moves[i].of(s2)) for s2 in _reach(model, H, s1, False))
                for s1 in ui
            )
            res["seq"][i, s] = all(any(sc[s2] <= sc[s] for s2 in _reach(model, H, s1, True)) for s1 in ui)
    return res


@st.composite
def random_models(draw):
    n = draw(st.integers(2, 4))
    S = draw(st.integers(2, 9))
    moves = {}
    for i in range(n):
        pairs = draw(st.lists(st.tuples(st.integers(1, S), st.integers(1, S)), max_size=3 * S))
        moves[f"D{i}"] = [p for p in pairs if p[0] != p[1]]
    ranks = {}
    for i in range(n):
        sc = draw(st.lists(st.integers(0, 4), min_size=S, max_size=S))
        levels = sorted(set(sc), reverse=True)
        ranks[f"D{i}"] = [[s + 1 for s in range(S) if sc[s] == lv] for lv in levels]
    return build_explicit_model([f"D{i}" for i in range(n)], S, moves, ranks)


@settings(max_examples=120, deadline=None)
@given(random_models())
def test_matches_brute_force_definitions(model):
    fast = analyse_stability(model)
    slow = brute(model)
    for c in CONCEPTS:
        assert np.array_equal(fast.stable[c], slow[c]), c


@settings(max_examples=60, deadline=None)
@given(random_models())
def test_inclusions(model):
    r = analyse_stability(model)
    nash, gmr, smr, seq = (set(r.equilibrium_ids(c)) for c in CONCEPTS)
    assert nash <= smr <= gmr
    assert nash <= seq <= gmr


@settings(max_examples=40, deadline=None)
@given(random_models(), st.randoms(use_true_random=False))
def test_relabelling_and_worst_unreachable_state(model, rnd):
    base = analyse_stability(model)
    S = model.n_states
    perm = list(range(S))
    rnd.shuffle(perm)  # new position of old state p is perm[p]
    inv = np.argsort(perm)
    moves = []
    for mv in model.moves:
        src = np.array([perm[s] for s in mv.sources()], dtype=np.int64)
        dst = np.array([perm[t] for t in mv.indices], dtype=np.int64)
        moves.append(Moves.from_pairs(src, dst, S))
    relabelled = GMCRModel(model.dms, tuple(moves), model.scores[:, inv])
    r2 = analyse_stability(relabelled)
    for c in CONCEPTS:
        assert sorted(perm[p] for p in base.equilibria(c)) == sorted(r2.equilibria(c).tolist())
    # add a state strictly worst for everyone, with no move into it
    worst = model.scores.min(axis=1, keepdims=True) - 1
    moves3 = tuple(Moves.from_pairs(mv.sources(), mv.indices, S + 1) for mv in model.moves)
    bigger = GMCRModel(model.dms, moves3, np.hstack([model.scores, worst]))
    r3 = analyse_stability(bigger)
    for c in CONCEPTS:
        assert np.array_equal(r3.stable[c][:, :S], base.stable[c])


def test_option_moves_respect_reversibility():
    from accord.gmcr.model import build_option_model

    m = build_option_model(["A", "B"], [("a1", "A", "forward"), ("a2", "A", "backward"), ("b", "B", "both")],
                           {"A": {"prioritisation": ["a1"]}, "B": {"prioritisation": ["b IF a1", "-a2"]}})
    mv = m.moves[0]
    # code 1 (a1 taken): a1 cannot be undone; a2 can never be taken from not-taken
    assert mv.of(1).tolist() == []
    assert mv.of(0).tolist() == [1]
    assert sorted(mv.of(2).tolist()) == [0, 1, 3]  # a2 taken: may drop a2 and/or take a1
    # prioritisation: B scores 'b IF a1' (weight 2) + '-a2' (weight 1)
    assert m.scores[1].tolist() == [3, 1, 2, 0, 3, 3, 2, 2]
