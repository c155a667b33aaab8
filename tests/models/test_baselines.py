"""Baseline models (docs/methods/baselines.md): computed vectors and invariants."""

from __future__ import annotations

import csv
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import ModelError
from accord.models.baselines import setter_outcome, weighted_mean, weighted_quantile
from accord.models.issue import IssueData
from accord.models.registry import forecast


def ec_issue(shared_data) -> IssueData:
    rows = list(csv.DictReader(open(shared_data / "bdm" / "ec-emissions-1994.csv")))
    return IssueData(
        id="ec",
        actors=tuple(r["Actor"] for r in rows),
        x=np.array([float(r["Position"]) for r in rows]),
        s=np.array([float(r["Salience"]) for r in rows]),
        c=np.array([float(r["Capability"]) for r in rows]),
        lo=4,
        hi=10,
    )


def test_compromise_of_0_100_100_is_two_thirds() -> None:
    value, degenerate = weighted_mean(np.array([0.0, 100.0, 100.0]), np.ones(3))
    assert value == pytest.approx(float(Fraction(200, 3)), rel=1e-15)
    assert not degenerate


def test_ec_weighted_mean_and_medians(shared_data) -> None:
    issue = ec_issue(shared_data)
    assert forecast([issue], "compromise").value("ec") == pytest.approx(7.389955686853767, abs=1e-12)
    assert weighted_quantile(issue.x, issue.c * issue.s)[0] == 7.0
    assert weighted_quantile(issue.x, issue.c)[0] == 7.0
    assert weighted_quantile(issue.x, issue.s)[0] == 7.0
    assert forecast([issue], "weighted-median").value("ec") == 7.0


@pytest.mark.parametrize(
    "r,a,tau,outcome,gridlock",
    [(4, 10, 0.5, 10.0, False), (4, 10, 0.7, 4.0, True), (10, 4, 0.7, 10.0, True)],
)
def test_setter_model_vectors(shared_data, r, a, tau, outcome, gridlock) -> None:
    issue = ec_issue(shared_data)
    res = setter_outcome(issue.x, issue.w, r, a, tau)
    assert res.outcome == outcome
    assert res.gridlock is gridlock
    if tau == 0.5:
        assert res.acceptable == (4.0, 10.0) and res.q_up == 7.0


def test_lower_median_takes_lowest_minimiser_on_exact_half() -> None:
    assert weighted_quantile(np.array([10.0, 20.0]), np.array([1.0, 1.0]))[0] == 10.0
    assert weighted_quantile(np.array([10.0, 10.0, 20.0, 30.0]), np.array([1.0, 1.0, 1.0, 1.0]))[0] == 10.0


def test_zero_weights_fall_back_to_unweighted_and_flag() -> None:
    issue = IssueData("z", ("a", "b", "c"), np.array([0.0, 30.0, 90.0]), np.zeros(3), np.ones(3))
    f = forecast([issue], "compromise").forecasts["z"]
    assert f.value == pytest.approx(40.0) and f.flags["degenerate"]
    m = forecast([issue], "weighted-median").forecasts["z"]
    assert m.value == 30.0 and m.flags["degenerate"]


def test_bad_quantile_and_empty_issue_raise() -> None:
    with pytest.raises(ModelError):
        weighted_quantile(np.array([1.0]), np.array([1.0]), tau=0)
    with pytest.raises(ModelError):
        weighted_mean(np.array([]), np.array([]))


issue_strategy = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from([0.0, 12.5, 25.0, 50.0, 75.0, 100.0]) | st.floats(0, 100), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 1), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 10), min_size=n, max_size=n),
    )
)


@settings(max_examples=80, deadline=None)
@given(issue_strategy, st.randoms(use_true_random=False), st.floats(0.1, 50), st.floats(-20, 20), st.floats(0.2, 3))
def test_baseline_invariances(data, rnd, k, a, b) -> None:
    x, s, c = (np.array(v) for v in data)
    base = IssueData("i", tuple(f"a{j}" for j in range(len(x))), x, s, c)
    perm = list(range(len(x)))
    rnd.shuffle(perm)
    permuted = IssueData("i", tuple(base.actors[j] for j in perm), x[perm], s[perm], c[perm])
    scaled = base.with_values(c=c * k)
    moved = base.with_values(x=a + b * x, lo=a, hi=a + 100 * b)
    for model in ("compromise", "weighted-median", "mean", "median", "nash"):
        v = forecast([base], model).value("i")
        assert x.min() - 1e-9 <= v <= x.max() + 1e-9
        assert forecast([permuted], model).value("i") == pytest.approx(v, abs=1e-7)
        assert forecast([scaled], model).value("i") == pytest.approx(v, abs=1e-7)
        assert forecast([moved], model).value("i") == pytest.approx(a + b * v, abs=1e-6 * max(1, b))
