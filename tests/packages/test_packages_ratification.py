"""Spec §6.3 test vectors and the voting-rule compiler."""

from __future__ import annotations

import numpy as np
import pytest

from accord.errors import ModelError
from accord.packages.ratification import (
    Context,
    Poll,
    ReferendumStage,
    compile_rule,
    logistic_prob,
    referendum_prob,
    voting_body_prob,
)
from accord.packages.space import PackageModel

P6 = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
NAMES = ["a", "b", "c", "d", "e", "f"]


def test_n_minus_one_including_first_two():
    quota, veto = compile_rule("n-1 incl {1st, 2nd}", NAMES)
    assert (quota, veto) == (5, ("a", "b"))
    p = voting_body_prob(P6, None, quota, [0, 1])
    assert float(p) == pytest.approx(0.27792, abs=1e-12)


def test_unanimity():
    quota, veto = compile_rule("unanimity", NAMES)
    assert float(voting_body_prob(P6, None, quota, [])) == pytest.approx(0.06048, abs=1e-12)


def test_weighted_seats():
    p = voting_body_prob(np.array([0.5, 0.9, 0.6, 0.3]), [200, 100, 50, 50], 267)
    assert float(p) == pytest.approx(0.459, abs=1e-12)


def test_logistic():
    assert float(logistic_prob(0.6, 0.5, 0.05)) == pytest.approx(0.8807970779778823, abs=1e-15)
    with pytest.raises(ModelError):
        logistic_prob(0.6, 0.5, 0.0)


def test_referendum_vectors():
    assert 0.48 + (0.48 / 0.92) * 0.08 == pytest.approx(12 / 23)
    assert float(referendum_prob(0.48, 0.44, 1000, deff=2)) == pytest.approx(0.8347651185607251, abs=1e-9)
    assert 0.22 + (0.22 / 0.94) * 0.06 == pytest.approx(0.23404255319148937)
    assert float(referendum_prob(0.22, 0.72, 1000, deff=2)) < 1e-30


def test_rule_strings():
    assert compile_rule("4-of-6 incl {c}", NAMES) == (4, ("c",))
    assert compile_rule("majority", NAMES) == (4, ())
    assert compile_rule("2/3 weight", ["x", "y", "z"], [200, 100, 100]) == (267, ())
    with pytest.raises(ModelError):
        compile_rule("n-1 incl {zz}", NAMES)
    with pytest.raises(ModelError):
        compile_rule("whatever", NAMES)


def _toy() -> PackageModel:
    return PackageModel(("ua", "ru"), ("t", "g"), (("keep", "cede"), ("weak", "strong")),
                        (np.array([[0.5, 0.0], [0.0, 0.5]]), np.array([[0.0, 0.5], [0.5, 0.0]])), np.array([0.4, 0.4]))


def test_referendum_without_polls_is_a_clear_error():
    m = _toy()
    stage = ReferendumStage((), "ua")
    with pytest.raises(ModelError, match="no poll data"):
        stage.prob(Context.of(m))


def test_referendum_polled_and_unpolled_packages():
    m = _toy()
    poll = Poll(0.36, 0.57, 2004, {0: frozenset({1})})  # packages that cede territory
    stage = ReferendumStage((poll,), "ua")
    ctx = Context.of(m)
    yes, no, n = stage.shares(ctx)
    ceded = ctx.choices[:, 0] == 1
    assert np.all(yes[ceded] == 0.36) and np.all(n[ceded] == 2004)
    # unpolled: voter model with one poll, θ1 = 10 fixed; yes-share rises with Ukraine's utility
    free = ~ceded
    order = np.argsort(ctx.U[free, 0])
    assert np.all(np.diff(yes[free][order]) >= 0)
    p = stage.prob(ctx)
    assert np.all((p >= 0) & (p <= 1)) and not np.any(np.isnan(p))
    assert np.all(p[ceded] < 1e-6)
