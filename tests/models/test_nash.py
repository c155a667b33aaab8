"""Nash bargaining solution (docs/methods/nash.md): computed vectors and limits."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from scipy.optimize import brentq

from accord.errors import ModelError
from accord.models.nash import nbs

X2, S2, C2 = np.array([0.0, 100.0]), np.ones(2), np.ones(2)


def test_two_actor_kappa_one_is_root_of_cubic() -> None:
    root = brentq(lambda t: 2 * t**3 - 3 * t**2 - 2 * t + 1, 0, 1, xtol=1e-15)
    res = nbs(X2, S2, C2, r=0, kappa=1)
    assert res.x == pytest.approx(100 * root, abs=1e-9)
    assert res.x == pytest.approx(35.5415726775845, abs=1e-6)
    assert not res.gridlock


def test_kappa_zero_is_gridlock_at_reference() -> None:
    res = nbs(X2, S2, C2, r=0, kappa=0)
    assert res.x == 0 and res.gridlock


@pytest.mark.parametrize(
    "kappa,expected,tol",
    # The spec lists 49.97495 for kappa=1000; the exact first-order root is 49.9750187
    # (checked below), so that entry is held to 1e-4.
    [(0.01, 5.547356, 1e-5), (0.1, 15.939512, 1e-5), (10, 47.674296, 1e-5), (1000, 49.97495, 1e-4)],
)
def test_kappa_table_increases_towards_cm(kappa, expected, tol) -> None:
    value = nbs(X2, S2, C2, r=0, kappa=kappa).x
    assert value == pytest.approx(expected, abs=tol)
    foc = lambda t: t * (1 + kappa - (1 - t) ** 2) - (1 - t) * (kappa - t * t)  # noqa: E731
    assert value == pytest.approx(100 * brentq(foc, 0, 1, xtol=1e-15), abs=1e-8)


def test_monotone_in_kappa() -> None:
    values = [nbs(X2, S2, C2, r=0, kappa=k).x for k in (0.01, 0.1, 1, 10, 1000)]
    assert values == sorted(values) and values[-1] < 50


def test_ec_example(shared_data) -> None:
    rows = list(csv.DictReader(open(shared_data / "bdm" / "ec-emissions-1994.csv")))
    x = np.array([float(r["Position"]) for r in rows])
    s = np.array([float(r["Salience"]) for r in rows])
    c = np.array([float(r["Capability"]) for r in rows])
    assert nbs(x, s, c, r=4, kappa=1000, scale=6).x == pytest.approx(7.388865, abs=1e-5)


def test_no_reference_needs_positive_kappa() -> None:
    with pytest.raises(ModelError):
        nbs(X2, S2, C2, r=None, kappa=0)
    assert nbs(X2, S2, C2, r=None, kappa=1).x == pytest.approx(50.0, abs=1e-9)


def test_linear_loss_symmetric_case() -> None:
    res = nbs(np.array([0.0, 100.0]), S2, C2, r=None, kappa=1, loss="linear")
    assert res.x == pytest.approx(50.0, abs=1e-6)
