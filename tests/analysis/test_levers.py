"""Levers: exact derivatives against finite differences, pivotal actors, and the solver against a brute-force grid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis.levers import (
    FULL,
    LINKED,
    Candidate,
    Effort,
    IssueForecaster,
    levers,
    neighbour_bands,
    solve_moves,
)
from accord.analysis.sensitivity import exact_gradient
from accord.analysis.uncertainty import ModelRun, scenario_bands
from accord.cases import case_dir
from accord.models.issue import IssueData
from accord.models.registry import forecast
from accord.scenario.io import load_scenario

TWO = IssueData("t", ("a", "b"), np.array([0.0, 100.0]), np.array([1.0, 1.0]), np.array([1.0, 3.0]))


def test_compromise_gradient_by_hand() -> None:
    # f = 75, W = 4: ∂f/∂x = w/W, ∂f/∂s = c (x − f)/W, ∂f/∂c = s (x − f)/W
    grad = exact_gradient(TWO, "compromise")
    assert grad is not None
    np.testing.assert_allclose(grad, [[0.25, 0.75], [-18.75, 18.75], [-18.75, 6.25]], atol=1e-12)
    np.testing.assert_allclose(exact_gradient(TWO, "mean"), [[0.5, 0.5], [0, 0], [0, 0]], atol=1e-12)


@pytest.mark.parametrize("model", ["compromise", "compromise-salience", "nash"])
def test_exact_gradient_matches_central_differences(model: str) -> None:
    rng = np.random.default_rng(3)
    issue = IssueData("t", tuple("abcd"), rng.uniform(0, 100, 4), rng.uniform(0.2, 1, 4), rng.uniform(0.2, 1, 4),
                      reference=30.0)
    grad = exact_gradient(issue, model)
    assert grad is not None
    for j, name in enumerate("xsc"):
        for i in range(4):
            h = 1e-4 if name == "x" else 1e-6
            up, down = getattr(issue, name).copy(), getattr(issue, name).copy()
            up[i] += h
            down[i] -= h
            fd = (forecast([issue.with_values(**{name: up})], model).value("t")
                  - forecast([issue.with_values(**{name: down})], model).value("t")) / (2 * h)
            assert grad[j, i] == pytest.approx(fd, rel=1e-4, abs=1e-3), (name, i)


def test_no_exact_gradient_where_the_model_is_not_smooth() -> None:
    assert exact_gradient(TWO, "weighted-median") is None
    assert exact_gradient(TWO, "bdm") is None
    gridlock = IssueData("g", ("a", "b"), np.array([0.0, 100.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]),
                         reference=50.0)
    assert exact_gradient(gridlock, "nash", {"kappa": 0.0}) is None  # r between the positions, no cost: gridlock


@pytest.fixture(scope="module")
def ukraine():
    scenario = load_scenario(case_dir("ukraine") / "scenario.yaml")
    return scenario, scenario.issue_data("2025-11-20")


def test_donbas_compromise_levers(ukraine) -> None:
    scenario, issues = ukraine
    edges, _ = scenario_bands(scenario)
    found = levers(issues, ["compromise"], bands=edges, only=["donbas_withdrawal"],
                   steps={i.id: i.scale.step() for i in scenario.issues})
    (il,) = found
    assert il.forecast == pytest.approx(157.5 / 2.2)
    assert [a for a, _ in il.pivotal] == ["russia", "united_states", "ukraine"]
    # Russia's weight is 0.9 of 2.2: to bring 71.59 down to the band edge 62.5 it gives up 9.09 / (0.9 / 2.2)
    russia = next(lv for lv in il.levers if lv.target == (25.0, 62.5) and len(lv.moves) == 1
                  and lv.moves[0].actor == "russia" and lv.input == "position")
    assert russia.size == pytest.approx((157.5 / 2.2 - 62.5) * 2.2 / 0.9, abs=1e-5)
    assert russia.forecast_after == pytest.approx(62.5, abs=1e-6)
    sens = {(s.actor, s.input): s for s in il.sensitivities}
    assert sens[("russia", "position")].derivative == pytest.approx(0.9 / 2.2)
    assert sens[("russia", "position")].method == "exact"


def test_neighbour_bands_nearer_first() -> None:
    assert neighbour_bands(71.6, [0, 25, 62.5, 87.5, 100]) == [(25.0, 62.5), (87.5, 100.0)]
    assert neighbour_bands(10, [0, 25, 100]) == [(25.0, 100.0)]


def test_linked_model_levers_are_limited_and_say_so() -> None:
    issues = [IssueData(k, ("a", "b", "c"), np.array(x), np.array(s), np.ones(3))
              for k, x, s in (("p", [0.0, 50.0, 100.0], [0.9, 0.2, 0.5]), ("q", [100.0, 40.0, 0.0], [0.2, 0.9, 0.5]))]
    found = levers(issues, ["exchange"])
    assert {il.issue for il in found} == {"p", "q"}
    for il in found:
        assert il.note == LINKED.note() and "most pivotal" in il.note
        assert {len(lv.moves) for lv in il.levers} == {1} and {lv.input for lv in il.levers} == {"position"}
        assert len(il.sensitivities) == 9


MODELS = ["compromise", "mean", "weighted-median", "median", "compromise-salience"]


@st.composite
def small_problems(draw):
    n = draw(st.integers(2, 4))
    x = draw(st.lists(st.sampled_from([0.0, 10.0, 25.0, 40.0, 50.0, 75.0, 90.0, 100.0]), min_size=n, max_size=n))
    s = draw(st.lists(st.floats(0.1, 1.0), min_size=n, max_size=n))
    c = draw(st.lists(st.floats(0.1, 1.0), min_size=n, max_size=n))
    lo = draw(st.sampled_from([0.0, 20.0, 37.5, 50.0, 62.5]))
    hi = lo + draw(st.sampled_from([5.0, 12.5, 25.0, 40.0]))
    actor = draw(st.integers(0, n - 1))
    name = draw(st.sampled_from(["position", "salience"]))
    direction = draw(st.sampled_from([1, -1]))
    model = draw(st.sampled_from(MODELS))
    return IssueData("t", tuple("abcd"[:n]), np.array(x), np.array(s), np.array(c)), (lo, hi), \
        Candidate((actor,), name, (direction,)), model


@settings(max_examples=60)
@given(small_problems())
def test_solver_agrees_with_a_brute_force_grid(problem) -> None:
    issue, target, cand, model = problem
    forecaster = IssueForecaster(ModelRun(model), [issue], 0)
    (found,) = solve_moves(forecaster, [cand], [target], FULL.scan, FULL.rounds)
    i, = cand.actors
    base = (issue.x if cand.input == "position" else issue.s)[i]
    top = 100.0 if cand.input == "position" else 1.0
    reach = top - base if cand.directions[0] > 0 else base
    grid = np.linspace(0.0, reach, 4001)
    rows = np.repeat(issue.x[None, :], len(grid), 0), np.repeat(issue.s[None, :], len(grid), 0), \
        np.repeat(issue.c[None, :], len(grid), 0)
    arr = rows[0] if cand.input == "position" else rows[1]
    arr[:, i] = np.clip(base + cand.directions[0] * grid, 0.0, top)
    values = forecaster(*rows)
    inside = np.flatnonzero((values >= target[0] - 1e-9) & (values <= target[1] + 1e-9))
    if found is None:
        assert inside.size == 0  # nothing the solver missed on a grid 60 times finer than its scan
        return
    t, value = found
    assert target[0] - 1e-6 <= value <= target[1] + 1e-6
    if inside.size:
        assert t <= grid[inside[0]] + 1e-6  # never a larger move than the grid's smallest
        if model.startswith("compromise") or model == "mean":  # continuous and monotone: no smaller move exists
            assert t >= grid[inside[0]] - (grid[1] - grid[0]) - 1e-9


def test_effort_note_is_empty_for_the_full_search() -> None:
    assert FULL.note() == ""
    assert "2 most pivotal" in Effort(top_actors=2).note()
