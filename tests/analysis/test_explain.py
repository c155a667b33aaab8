"""Why it moved: Shapley contributions add up to the change, match a hand computation, and sample honestly."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from accord.analysis.explain import explain, explain_issue, shapley_exact, shapley_sampled
from accord.analysis.uncertainty import ModelRun
from accord.cases import case_dir, load_case
from accord.models.issue import IssueData
from accord.models.registry import get, names
from accord.scenario.io import load_scenario

MODELS = [m for m in names(tag="run") if get(m).kind != "reference"]


def test_shapley_of_a_symmetric_game() -> None:
    values = np.array([bin(mask).count("1") ** 2 for mask in range(8)], dtype=float)  # v(S) = |S|²
    np.testing.assert_allclose(shapley_exact(values), [3.0, 3.0, 3.0])


def test_shapley_of_an_additive_game_is_each_players_own_value() -> None:
    own = np.array([1.5, -2.0, 4.0, 0.25])
    values = np.array([sum(own[j] for j in range(4) if (mask >> j) & 1) for mask in range(16)])
    np.testing.assert_allclose(shapley_exact(values), own)
    phi, se = shapley_sampled(lambda masks: values[np.array(masks, dtype=int)], 4, 50, np.random.default_rng(0))
    np.testing.assert_allclose(phi, own)  # every order gives each player its own value
    np.testing.assert_allclose(se, 0.0, atol=1e-12)


@pytest.mark.parametrize("case", ["ukraine", "colombia"])
def test_contributions_add_up_to_the_change_on_every_issue(case: str) -> None:
    config = load_case(case).config
    scenario = load_scenario(case_dir(case) / "scenario.yaml")
    found = explain(scenario, config.as_of, config.compare[0], MODELS)
    split = [e for e in found if e.method != "none"]
    assert {e.method for e in split} == {"exact"}
    assert len(split) >= len(MODELS) * 4
    for e in split:
        assert sum(c.value for c in e.contributions) == pytest.approx(e.change, abs=1e-9), (e.issue, e.model)
    missing = [e for e in found if e.method == "none"]
    assert all(e.before is None and not e.contributions for e in missing)  # an issue no one held a position on yet


def test_donbas_compromise_by_hand() -> None:
    scenario = load_scenario(case_dir("ukraine") / "scenario.yaml")
    (e,) = explain(scenario, "2025-11-20", "2026-02-28", ["compromise"], issues=["donbas_withdrawal"])
    # weights s·c: Ukraine 0.6, Russia 0.9, US 0.7, Europe (enters at 25) 0.35; Ukraine moves 25 → 50
    v0 = (0.6 * 25 + 0.9 * 100 + 0.7 * 75) / 2.2
    v_ukraine = (0.6 * 50 + 0.9 * 100 + 0.7 * 75) / 2.2
    v_europe = (0.6 * 25 + 0.9 * 100 + 0.7 * 75 + 0.35 * 25) / 2.55
    v_both = (0.6 * 50 + 0.9 * 100 + 0.7 * 75 + 0.35 * 25) / 2.55
    by = {(c.actor, c.input): c for c in e.contributions}
    assert set(by) == {("ukraine", "position"), ("europe", "participation")}
    assert by[("ukraine", "position")].value == pytest.approx(((v_ukraine - v0) + (v_both - v_europe)) / 2, abs=1e-12)
    assert by[("europe", "participation")].value == pytest.approx(((v_europe - v0) + (v_both - v_ukraine)) / 2,
                                                                  abs=1e-12)
    assert (e.before, e.after) == (pytest.approx(v0), pytest.approx(v_both))
    assert by[("ukraine", "position")].sources and all(dt.date(2025, 11, 20) < dt.date.fromisoformat(s["date"])
                                                       <= dt.date(2026, 2, 28) for s in by[("ukraine", "position")].sources)


def test_sampled_split_adds_up_and_carries_standard_errors() -> None:
    old = IssueData("t", ("a", "b", "c"), np.array([10.0, 50.0, 90.0]), np.array([0.5, 0.5, 0.5]), np.ones(3))
    new = old.with_values(x=np.array([30.0, 60.0, 70.0]), s=np.array([0.9, 0.5, 0.2]))
    exact = explain_issue(ModelRun("compromise"), old, new)
    sampled = explain_issue(ModelRun("compromise"), old, new, max_exact=2, permutations=400, seed=1)
    assert exact.method == "exact" and sampled.method == "sampled" and sampled.permutations == 400
    assert len(sampled.contributions) == 5  # three positions and two saliences changed
    assert sum(c.value for c in sampled.contributions) == pytest.approx(sampled.change, abs=1e-9)
    for a, b in zip(exact.contributions, sampled.contributions):
        assert b.stderr is not None and math.isfinite(b.stderr)
        assert abs(a.value - b.value) <= 4 * b.stderr + 1e-9


def test_an_actor_leaving_is_a_change() -> None:
    old = IssueData("t", ("a", "b"), np.array([0.0, 100.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    new = IssueData("t", ("a",), np.array([0.0]), np.array([1.0]), np.array([1.0]))
    e = explain_issue(ModelRun("compromise"), old, new)
    (c,) = e.contributions
    assert (c.actor, c.input, c.before, c.after, c.value) == ("b", "participation", 1.0, 0.0, -50.0)


def test_linked_model_is_split_by_actor() -> None:
    scenario = load_scenario(case_dir("colombia") / "scenario.yaml")
    found = explain(scenario, "2016-09-26", "2016-11-24", ["exchange"])
    assert found and {c.input for e in found for c in e.contributions} == {"all inputs"}
    for e in found:
        assert sum(c.value for c in e.contributions) == pytest.approx(e.change, abs=1e-9)
