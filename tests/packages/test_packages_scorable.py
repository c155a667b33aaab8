"""Scorable games of spec §5: counts, frontiers and bargaining test vectors."""

from __future__ import annotations

import numpy as np
import pytest

from accord.packages.bargaining import egalitarian, ks, nash, utilitarian
from accord.packages.pareto import frontier_additive, pareto_mask
from accord.packages.ratification import Context, Ratifier, game_rule_body, win_sets
from accord.packages.scorable import load_scorable_game


@pytest.fixture(scope="module")
def games(shared_data):
    root = shared_data / "deliberation"
    return {g: load_scorable_game(root / g) for g in ("base", "base_7players")}


def _rule(game, strict):
    m = game.model
    U = m.utility_matrix()
    acc = (U > m.reservation) if strict else (U >= m.reservation)
    veto = [m.party_index(v) for v in game.veto]
    passing = (acc.sum(axis=1) >= m.n_parties - 1) & acc[:, veto].all(axis=1)
    return U, acc, passing


@pytest.mark.parametrize(
    "name, deals, strict, passing, unanimous",
    [("base", 720, False, 55, 12), ("base", 720, True, 37, 6), ("base_7players", 2880, False, 204, 52), ("base_7players", 2880, True, 139, 39)],
)
def test_counts(games, name, deals, strict, passing, unanimous):
    g = games[name]
    assert g.model.n_packages == deals
    U, acc, ok = _rule(g, strict)
    assert int(ok.sum()) == passing
    assert int(acc.all(axis=1).sum()) == unanimous
    assert U.max(axis=0).tolist() == [100] * g.model.n_parties


def test_shapes_and_roles(games):
    base = games["base"].model
    assert base.parties == ("mayor", "other_cities", "union", "SportCo", "DoT", "enviroment")
    assert base.radix.tolist() == [3, 3, 4, 4, 5]
    assert games["base"].veto == ("SportCo", "DoT")
    assert games["base_7players"].model.radix.tolist() == [3, 3, 4, 4, 5, 4]
    assert "heritage" in games["base_7players"].model.parties


@pytest.mark.parametrize(
    "name, counts",
    [("base", [55, 47, 40, 55, 55, 35]), ("base_7players", [202, 158, 166, 204, 204, 144, 198])],
)
def test_accepting_parties_over_passing(games, name, counts):
    _, acc, ok = _rule(games[name], False)
    assert acc[ok].sum(axis=0).tolist() == counts


def test_initial_deal(games):
    g = games["base"]
    assert g.model.label(g.initial_deal) == "A1,B1,C4,D1,E5"
    u = g.model.utilities_of(g.initial_deal)[0]
    assert u.tolist() == [76, 0, 45, 100, 19, 0]
    assert g.model.reservation.tolist() == [30, 31, 50, 55, 65, 55]
    assert int((u >= g.model.reservation).sum()) == 2


@pytest.mark.parametrize("name, size", [("base", 481), ("base_7players", 1360)])
def test_frontier_enumeration_and_additive_agree(games, name, size):
    m = games[name].model
    U = m.utility_matrix()
    mask = pareto_mask(U)
    assert int(mask.sum()) == size
    front = frontier_additive(m)
    assert not front.approximate
    assert np.array_equal(np.sort(m.flat_index(front.choices)), np.flatnonzero(mask))


EXPECTED = {
    "base": dict(
        ir=12, irp=6, pf_ir=12,
        nash=("A2,B3,C3,D2,E3", [54, 48, 71, 57, 81, 77], 6_031_872),
        util_all=("A2,B3,C1,D1,E1", 412), util_ir=("A2,B3,C2,D2,E4", 391),
        ideal=[69, 54, 83, 70, 81, 77], ks=("A2,B3,C2,D2,E4", 2 / 15), egal=("A2,B3,C4,D1,E3", 3),
    ),
    "base_7players": dict(
        ir=52, irp=39, pf_ir=43,
        nash=("A2,B3,C3,D1,E3,F2", [64, 50, 80, 57, 68, 76, 80], 267_079_680),
        util_all=("A2,B3,C1,D1,E3,F1", 517), util_ir=("A2,B3,C3,D1,E3,F1", 496),
        ideal=[81, 62, 98, 77, 82, 89, 94], ks=("A2,B3,C3,D2,E4,F3", 5 / 22), egal=("A2,B3,C4,D1,E3,F3", 8),
    ),
}


@pytest.mark.parametrize("name", ["base", "base_7players"])
def test_bargaining_vectors(games, name):
    e = EXPECTED[name]
    m = games[name].model
    U = m.utility_matrix()
    d = m.reservation
    keys = np.arange(U.shape[0])
    ir = (U >= d).all(axis=1)
    assert int(ir.sum()) == e["ir"]
    assert int((U > d).all(axis=1).sum()) == e["irp"]
    assert int(pareto_mask(U[ir]).sum()) == e["pf_ir"]
    lab = lambda s: m.label(m.choices(s.key)[0])  # noqa: E731
    s = nash(U, d, keys)
    assert lab(s) == e["nash"][0]
    assert s.utilities.tolist() == e["nash"][1]
    assert s.details["product_of_gains"] == e["nash"][2]
    s = utilitarian(U, d, keys, over="all")
    assert (lab(s), s.value) == e["util_all"]
    s = utilitarian(U, d, keys, over="ir")
    assert (lab(s), s.value) == e["util_ir"]
    s = ks(U, d, keys)
    assert s.details["ideal"] == e["ideal"]
    assert lab(s) == e["ks"][0]
    assert s.value == pytest.approx(e["ks"][1], abs=1e-12)
    s = egalitarian(U, d, keys)
    assert (lab(s), s.value) == e["egal"]


def test_ks_base_tie_broken_on_sum(games):
    """Spec: KS in base ties A2,B3,C3,D2,E3 on min gain and spread; Σ decides (391 > 388)."""
    m = games["base"].model
    other = m.parse_label("A2,B3,C3,D2,E3")
    u = m.utilities_of(other)[0]
    ideal = np.array([69, 54, 83, 70, 81, 77])
    g = (u - m.reservation) / (ideal - m.reservation)
    assert g.min() == pytest.approx(2 / 15)
    assert g.max() - g.min() == pytest.approx(13 / 15)
    assert u.sum() == 388


def test_game_rule_as_ratifiers_gives_the_passing_deals(games):
    g = games["base"]
    ctx = Context.of(g.model)
    ws = win_sets([Ratifier("game", (game_rule_body(g.model, g.veto),))], ctx)
    _, _, ok = _rule(g, False)
    assert np.array_equal(ws.member[0], ok)
    assert ws.sizes() == {"game": 55}
