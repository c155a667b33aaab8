"""Spec §4 and §4.1: continuous 2-party frontier on a 10^6 grid, and the opposition doctest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from accord.packages.bargaining import egalitarian, ks, nash, opposition, utilitarian


@pytest.fixture(scope="module")
def frontier():
    a = np.linspace(0.0, 1.0, 1_000_001)
    return np.stack([a, 1 - a * a], axis=1)


CASES = [
    ((0, 0), "nash", 1 / math.sqrt(3), 2 / 3),
    ((0, 0), "ks", 0.6180339887498949, 0.6180339887498949),
    ((0, 0), "ks-negmas", 0.6180339887498949, 0.6180339887498949),
    ((0, 0), "ks-genius", 0.6180339887498949, 0.6180339887498949),
    ((0, 0), "utilitarian", 0.5, 0.75),
    ((0.5, 0), "nash", 0.7675918792439983, 0.41080270691866716),
    ((0.5, 0), "ks", 0.7706906325745548, 0.4060359488618325),
    ((0.5, 0), "ks-negmas", 0.7320508075688772, 0.4641016151377547),
    ((0.5, 0), "ks-genius", 0.6180339887498949, 0.6180339887498949),
    ((0.5, 0), "egalitarian", 0.8228756555322954, 0.32287565553229525),
]


@pytest.mark.parametrize("d, solution, ua, ub", CASES)
def test_continuous_frontier(frontier, d, solution, ua, ub):
    fn = {
        "nash": lambda: nash(frontier, d),
        "ks": lambda: ks(frontier, d),
        "ks-negmas": lambda: ks(frontier, d, mode="negmas"),
        "ks-genius": lambda: ks(frontier, d, mode="genius"),
        "utilitarian": lambda: utilitarian(frontier, d),
        "egalitarian": lambda: egalitarian(frontier, d),
    }[solution]
    s = fn()
    assert s.utilities[0] == pytest.approx(ua, abs=1e-5)
    assert s.utilities[1] == pytest.approx(ub, abs=1e-5)


def test_ks_classical_prefers_higher_worst_gain_over_smaller_spread():
    """Spec §4 reason 2: gains (0.6, 0.45, 0.46) vs (0.5, 1, 1): classical takes the first, spread-minimising the second."""
    U = np.array([[0.6, 0.45, 0.46], [0.5, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    d = np.zeros(3)
    assert ks(U, d).row == 1  # ideal (1,1,1): gains are the utilities; min 0.5 > 0.45
    U2 = np.array([[0.6, 0.45, 0.46], [0.5, 1.0, 1.0]])
    s = ks(U2, d, mode="negmas", space_max=np.ones(3))
    assert s.row == 0  # spread 0.15 < 0.5


def test_opposition_doctest():
    x = np.arange(10.0)
    U = np.stack([x, 9 - x], axis=1)
    assert opposition(U) == pytest.approx(math.sqrt(41) / 9, abs=1e-12)
    assert math.sqrt(41) / 9 == pytest.approx(0.7114582486036499)


def test_nash_empty_and_tie_break_by_index():
    U = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert nash(U, (1, 1)).reason == "no_strictly_rational_outcome"
    assert ks(U, (2, 2)).row is None
    s = nash(np.array([[2.0, 3.0], [3.0, 2.0]]), (0, 0), keys=np.array([7, 4]))
    assert s.key == 4  # equal products and sums: smallest package index
