"""GMCR examples of spec §7: prisoner's dilemma, Elmira (and its documented variants), Cuban crisis structure."""

from __future__ import annotations

from pathlib import Path

from accord.gmcr.io import load_gmcr
from accord.gmcr.model import build_explicit_model, build_option_model
from accord.gmcr.stability import CONCEPTS, analyse_stability

FIX = Path(__file__).parent / "fixtures"

ELMIRA_MOVES = {
    "MoE": [(1, 2), (3, 4), (5, 6), (7, 8)],
    "UR": [(1, 3), (2, 4), (5, 7), (6, 8)] + [(s, 9) for s in range(1, 9)],
    "LG": [(1, 5), (5, 1), (2, 6), (6, 2), (3, 7), (7, 3), (4, 8), (8, 4)],
}
ELMIRA_RANK = {
    "MoE": [7, 3, 4, 8, 5, 1, 2, 6, 9],
    "UR": [1, 4, 8, 5, 9, 2, 3, 7, 6],
    "LG": [7, 3, 5, 1, 8, 6, 4, 2, 9],
}
ELMIRA_EXPECTED = {"nash": [5, 8, 9], "gmr": [1, 4, 5, 8, 9], "smr": [1, 4, 5, 8, 9], "seq": [5, 8, 9]}


def _eq(model):
    r = analyse_stability(model)
    return {c: r.equilibrium_ids(c) for c in CONCEPTS}


def test_prisoners_dilemma_from_yaml():
    assert _eq(load_gmcr(FIX / "prisoners_dilemma.yaml")) == {"nash": [1], "gmr": [1, 4], "smr": [1, 4], "seq": [1, 4]}


def test_elmira_from_yaml():
    assert _eq(load_gmcr(FIX / "elmira.yaml")) == ELMIRA_EXPECTED


def _elmira(moves=None, rank=None):
    return build_explicit_model(["MoE", "UR", "LG"], 9, moves or ELMIRA_MOVES, rank or ELMIRA_RANK)


def test_elmira_insensitive_variants():
    rank = dict(ELMIRA_RANK, UR=[1, 4, 8, 5, 9, 3, 7, 2, 6])
    assert _eq(_elmira(rank=rank)) == ELMIRA_EXPECTED
    ur = ELMIRA_MOVES["UR"] + [(3, 1), (4, 2), (7, 5), (8, 6)]
    assert _eq(_elmira(moves=dict(ELMIRA_MOVES, UR=ur))) == ELMIRA_EXPECTED
    lg = [(1, 5), (2, 6), (3, 7), (4, 8)]
    assert _eq(_elmira(moves=dict(ELMIRA_MOVES, LG=lg))) == ELMIRA_EXPECTED


def test_elmira_reversible_modify_changes_nash_and_seq():
    moe = ELMIRA_MOVES["MoE"] + [(2, 1), (4, 3), (6, 5), (8, 7)]
    eq = _eq(_elmira(moves=dict(ELMIRA_MOVES, MoE=moe)))
    assert eq["nash"] == [5, 9]
    assert eq["seq"] == [4, 5, 8, 9]


def test_cuban_missile_crisis_structure():
    """Spec §7.4: 12 feasible states, id = code + 1, air strike irreversible (orderings not yet transcribed)."""
    opts = [("strike", "US", "forward"), ("blockade", "US", "both"), ("withdraw", "USSR", "both"), ("escalate", "USSR", "both")]
    m = build_option_model(["US", "USSR"], opts, {"US": {"ranking": list(range(1, 13))}, "USSR": {"ranking": list(range(1, 13))}},
                           [{"withdraw": True, "escalate": True}])
    assert m.codes.tolist() == list(range(12))
    us = m.moves[0]
    # from strike (code 1) the US can only toggle the blockade: code 3; never back to 0 or 2
    assert us.of(1).tolist() == [3]
    assert sorted(us.of(0).tolist()) == [1, 2, 3]
    ussr = m.moves[1]
    assert sorted(ussr.of(0).tolist()) == [4, 8]
    assert sorted(ussr.of(4).tolist()) == [0, 8]
