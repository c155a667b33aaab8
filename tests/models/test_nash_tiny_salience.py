"""Nash bargaining with vanishing saliences (as generated scenarios and fuzzing draw them):
no overflow on the way, and the same answer as a salience of exactly zero would give."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from accord.models.nash import batch_nbs

X = np.array([[10.0, 60.0, 90.0]])
C = np.ones((1, 3))


@pytest.mark.parametrize("tiny", [5e-324, 1e-320, 1e-300])
def test_a_tiny_salience_leaves_the_actor_unconstrained_without_an_overflow(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow (or any warning) fails the test
        got, gridlock, unanchored = batch_nbs(X, np.array([[tiny, 0.5, 0.8]]), C, 50.0, 1.0, 100.0)
        zero, _, _ = batch_nbs(X, np.array([[0.0, 0.5, 0.8]]), C, 50.0, 1.0, 100.0)
        alone, _, _ = batch_nbs(X[:, 1:], np.array([[0.5, 0.8]]), C[:, 1:], 50.0, 1.0, 100.0)
    assert not gridlock[0] and not unanchored[0]
    # as if the actor had no salience, or were not there: the two others' solution
    assert got[0] == pytest.approx(77.59841523, abs=1e-6)
    assert got[0] == pytest.approx(zero[0], abs=1e-9) and got[0] == pytest.approx(alone[0], abs=1e-9)


def test_only_tiny_saliences_give_the_most_salient_actors_position():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, _, _ = batch_nbs(X, np.array([[5e-324, 5e-324, 1.0]]), C, 50.0, 1.0, 100.0)
    assert got[0] == pytest.approx(90.0)
