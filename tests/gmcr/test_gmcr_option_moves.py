"""Implicit option moves (issue 14, item 8) against the moves listed one by one from the definition:
the same targets, the same reductions, and the same stability as the explicit adjacency lists."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_gmcr_properties import brute

from accord.gmcr.model import GMCRModel, build_option_model
from accord.gmcr.moves import NO_MOVE, UNREACHABLE, Moves
from accord.gmcr.option_moves import DIRECT_OPTIONS, OptionImprovements, OptionMoves
from accord.gmcr.stability import CONCEPTS, analyse_stability


def listed_targets(codes: np.ndarray, own: list[tuple[int, str]], s: int) -> list[int]:
    """Targets of state position s read off the definition: every feasible state that differs from s
    only in the DM's options, in at least one, never undoing a forward one nor taking a backward one."""
    x = int(codes[s])
    mask = sum(1 << b for b, _ in own)
    out = []
    for p, y in enumerate(codes.tolist()):
        if y == x or (y & ~mask) != (x & ~mask):
            continue
        if any(rev == "forward" and x >> b & 1 and not y >> b & 1 for b, rev in own):
            continue
        if any(rev == "backward" and not x >> b & 1 and y >> b & 1 for b, rev in own):
            continue
        out.append(p)
    return out


def listed(model: GMCRModel) -> GMCRModel:
    """The same model with every DM's moves listed explicitly."""
    moves = []
    for mv in model.moves:
        pairs = [(s, t) for s in range(model.n_states) for t in listed_targets(mv.codes, list(mv.own), s)]
        src, dst = (np.array(v, dtype=np.int64) for v in zip(*pairs)) if pairs else (np.zeros(0), np.zeros(0))
        moves.append(Moves.from_pairs(src, dst, model.n_states))
    return GMCRModel(model.dms, tuple(moves), model.scores)


@st.composite
def option_models(draw, max_options: int = 6):
    n_dms = draw(st.integers(2, 4))
    m = draw(st.integers(1, max_options))
    owners = draw(st.lists(st.integers(0, n_dms - 1), min_size=m, max_size=m))  # a DM may have no option
    options = [(f"o{b}", f"D{owners[b]}", draw(st.sampled_from(["both", "both", "forward", "backward"]))) for b in range(m)]
    patterns = draw(st.lists(st.dictionaries(st.sampled_from([o[0] for o in options]), st.booleans(), min_size=1, max_size=3),
                             max_size=2))
    free = [b for b in range(1 << m) if not any(all((b >> int(o[1:]) & 1) == v for o, v in p.items()) for p in patterns)]
    n = len(free) or 1
    prefs = {f"D{d}": {"ranking": _ranking(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))} for d in range(n_dms)}
    if not free:
        patterns = []
        prefs = {f"D{d}": {"prioritisation": ["o0"]} for d in range(n_dms)}
    return build_option_model([f"D{d}" for d in range(n_dms)], options, prefs, patterns)


def _ranking(levels: list[int]) -> list[list[int]]:
    return [[s + 1 for s, v in enumerate(levels) if v == lv] for lv in sorted(set(levels), reverse=True)]


@settings(max_examples=150, deadline=None)
@given(option_models(), st.data())
def test_implicit_moves_match_the_listed_ones(model, data):
    values = np.array(data.draw(st.lists(st.integers(-5, 5), min_size=model.n_states, max_size=model.n_states)), dtype=np.int32)
    ranks = np.array(data.draw(st.lists(st.integers(0, 3), min_size=model.n_states, max_size=model.n_states)), dtype=np.int32)
    for mv in model.moves:
        targets = [listed_targets(mv.codes, list(mv.own), s) for s in range(model.n_states)]
        assert [mv.of(s).tolist() for s in range(model.n_states)] == targets
        assert mv.n_edges == sum(map(len, targets))
        assert mv.reduce_min(values).tolist() == [min((values[t] for t in ts), default=UNREACHABLE) for ts in targets]
        assert mv.reduce_max(values).tolist() == [max((values[t] for t in ts), default=NO_MOVE) for ts in targets]
        better = [[t for t in ts if ranks[t] > ranks[s]] for s, ts in enumerate(targets)]
        expected = [min((values[t] for t in ts), default=UNREACHABLE) for ts in better]
        for direct in (0, 99):  # by rank, and move by move
            improving = mv.improving(ranks)
            object.__setattr__(improving, "DIRECT_OPTIONS", direct)
            assert improving.reduce_min(values).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(option_models())
def test_stability_over_implicit_moves_matches_listed_moves_and_the_definitions(model):
    fast = analyse_stability(model)
    explicit = analyse_stability(listed(model))
    slow = brute(listed(model))
    try:  # improvements searched by rank for every DM, not move by move
        OptionImprovements.DIRECT_OPTIONS = 0
        by_rank = analyse_stability(model)
    finally:
        OptionImprovements.DIRECT_OPTIONS = DIRECT_OPTIONS
    for c in CONCEPTS:
        assert np.array_equal(fast.stable[c], explicit.stable[c]), c
        assert np.array_equal(fast.stable[c], slow[c]), c
        assert np.array_equal(by_rank.stable[c], slow[c]), c


def test_a_large_decision_maker_reaches_its_whole_cone():
    """12 options of one DM: from the empty state every other code of its options is one move away."""
    options = [(f"a{b}", "A", "both") for b in range(12)] + [("b", "B", "forward")]
    model = build_option_model(["A", "B"], options, {"A": {"prioritisation": ["a11"]}, "B": {"prioritisation": ["b"]}})
    a, b = model.moves
    assert isinstance(a, OptionMoves)
    assert a.of(0).tolist() == list(range(1, 4096))
    assert a.n_edges == 8192 * 4095 and b.n_edges == 4096
    assert b.of(4096).tolist() == [] and b.of(7).tolist() == [4096 + 7]
    r = analyse_stability(model)
    # A wants a11 whatever B does, B wants b whatever A does: Nash equilibria have both
    assert r.equilibrium_ids("nash") == [p + 1 for p in range(8192) if p >> 11 & 1 and p >> 12 & 1]
