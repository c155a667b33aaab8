"""Blocs and coalitions: the distance by hand, the clustering's cut, and the smallest sets a forecast rests on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from accord.analysis.blocs import actor_distances, blocs, coalition
from accord.analysis.uncertainty import ModelRun
from accord.cases import case_dir
from accord.models.issue import IssueData
from accord.scenario.io import load_scenario

ISSUES = [
    IssueData("p", ("a", "b", "c"), np.array([0.0, 10.0, 100.0]), np.array([1.0, 0.25, 1.0]), np.ones(3)),
    IssueData("q", ("a", "b"), np.array([20.0, 0.0]), np.array([0.25, 1.0]), np.ones(2)),
]


def test_distance_by_hand() -> None:
    d = actor_distances(ISSUES, ["a", "b", "c", "d"])
    # a–b: weights sqrt(1·0.25) = 0.5 on both issues, gaps 0.1 and 0.2 of the scale
    assert d[0, 1] == pytest.approx(math.sqrt((0.5 * 0.01 + 0.5 * 0.04) / 1.0))
    assert d[0, 2] == pytest.approx(1.0)  # opposite ends of the one issue they share
    assert d[1, 2] == pytest.approx(0.9)
    assert d[3, 0] == 1.0 and d[3, 3] == 0.0  # no issue in common: as far apart as can be
    np.testing.assert_allclose(d, d.T)


def test_blocs_cut_the_average_linkage_tree() -> None:
    found = blocs(ISSUES, ["a", "b", "c"], threshold=0.25)
    assert found.blocs == [["a", "b"], ["c"]]
    assert found.tree.shape == (2, 4)
    assert found.tree[-1, 2] == pytest.approx((1.0 + 0.9) / 2)  # average of c's distances to a and b
    assert blocs(ISSUES, ["a", "b", "c"], threshold=1.0).blocs == [["a", "b", "c"]]


def test_ukraine_blocs_at_the_compare_date() -> None:
    scenario = load_scenario(case_dir("ukraine") / "scenario.yaml")
    found = blocs(scenario.issue_data("2026-02-28"), [a.id for a in scenario.actors])
    assert found.blocs == [["ukraine", "europe"], ["russia"], ["united_states"]]


def test_coalition_is_the_smallest_set_that_moves_the_forecast_out_of_its_band() -> None:
    issue = IssueData("p", ("a", "b", "c"), np.array([0.0, 40.0, 100.0]), np.array([1.0, 1.0, 1.0]),
                      np.array([1.0, 1.0, 4.0]))
    found = coalition(ModelRun("compromise"), issue, [0, 50, 100])
    assert found.forecast == pytest.approx(440 / 6) and found.band == (50.0, 100.0)
    assert found.sets == [["c"]] and found.moved_to == [pytest.approx(20.0)]
    robust = coalition(ModelRun("compromise"), issue, [0, 100])
    assert robust.sets == []  # one band: nothing leaves it
