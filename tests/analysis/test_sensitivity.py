"""Sensitivity: one-at-a-time sweeps and first-order (correlation-ratio) indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.analysis.sensitivity import (
    first_order_index,
    oat_drivers,
    oat_sweep,
    top_drivers,
    variance_ranking,
)
from accord.analysis.uncertainty import NoiseSpec
from accord.errors import ModelError
from accord.models.issue import IssueData

UKRAINE = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml"


def _issue() -> IssueData:
    return IssueData(
        id="q", actors=("a", "b", "c"), x=[0.0, 50.0, 100.0], s=[0.5, 1.0, 0.25], c=[1.0, 2.0, 4.0],
        uncertainty=[10.0, 10.0, 10.0],
    )


def test_oat_compromise_changes_follow_the_formula() -> None:
    # CM = Σ w x / Σ w with w = (0.5, 2, 1): CM = 200/3.5. Moving actor b by +25 adds 2·25/3.5.
    issue = _issue()
    rows = oat_sweep([issue], ["compromise"], steps={"q": 25.0}, salience_step=0.1, capability_factor=0.2)
    got = {(r.actor, r.input, r.direction): r for r in rows}
    assert got[("b", "position", "+")].base_forecast == pytest.approx(200 / 3.5)
    assert got[("b", "position", "+")].change == pytest.approx(2 * 25 / 3.5)
    assert got[("a", "position", "-")].change == 0.0  # clipped at the scale's end
    # salience of c from 0.25 to 0.35: w_c = 1.4, CM = (100 + 140) / 3.9
    assert got[("c", "salience", "+")].forecast == pytest.approx(240 / 3.9)
    # capability of a × 0.8: w_a = 0.4, CM = 200 / 3.4
    assert got[("a", "capability", "-")].forecast == pytest.approx(200 / 3.4)
    assert len(rows) == 3 * 6


def test_oat_drivers_rank_by_swing() -> None:
    rows = oat_sweep([_issue()], ["compromise"], steps={"q": 25.0})
    drivers = [d for d in oat_drivers(rows)]
    scores = [d.score for d in drivers]
    assert scores == sorted(scores, reverse=True)
    top = top_drivers(drivers)[0]
    assert (top.actor, top.input) == ("b", "position")  # largest weight share: 2/3.5


def test_oat_bdm_is_finite_and_uses_uncertainty_as_default_step() -> None:
    rows = oat_sweep([_issue()], ["bdm"])
    assert all(np.isfinite(r.forecast) for r in rows)
    pos = [r for r in rows if r.input == "position" and r.actor == "b"]
    assert {r.new_input for r in pos} == {40.0, 60.0}


def test_first_order_index_limits() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(size=5000)
    assert first_order_index(x, x) > 0.99
    assert first_order_index(x, rng.uniform(size=5000)) < 0.02
    assert first_order_index(np.ones(100), rng.uniform(size=100)) == 0.0
    assert first_order_index(x[:100], np.ones(100)) == 0.0
    # y = x1 + x2 with independent uniforms: each explains half of the variance
    x2 = rng.uniform(size=5000)
    assert first_order_index(x, x + x2) == pytest.approx(0.5, abs=0.03)


def test_variance_ranking_finds_the_only_uncertain_input() -> None:
    issue = _issue().with_values(uncertainty=np.array([0.0, 30.0, 0.0]))
    noise = NoiseSpec(salience_sd=0.0, capability_sd=0.0)
    drivers = variance_ranking([issue], "compromise", draws=800, seed=1, noise=noise)
    assert (drivers[0].actor, drivers[0].input) == ("b", "position")
    assert drivers[0].score > 0.95
    assert all(d.score == 0.0 for d in drivers[1:])


def test_variance_ranking_is_reproducible() -> None:
    a = variance_ranking([_issue()], "bdm", draws=300, seed=4)
    b = variance_ranking([_issue()], "bdm", draws=300, seed=4)
    assert [d.to_dict() for d in a] == [d.to_dict() for d in b]
    assert all(0.0 <= d.score <= 1.0 for d in a)


def test_bad_parameters() -> None:
    with pytest.raises(ModelError):
        oat_sweep([_issue()], ["compromise"], salience_step=2.0)
    with pytest.raises(ModelError):
        variance_ranking([_issue()], "compromise", draws=10, bins=1)
    with pytest.raises(ModelError, match="capability"):
        oat_sweep([_issue().with_values(c=np.array([-1.0, 1.0, 1.0]))], ["bdm"])


def test_cli_sensitivity() -> None:
    from accord.cli.main import app

    result = CliRunner().invoke(
        app, ["sensitivity", str(UKRAINE), "-m", "compromise", "--method", "both", "--draws", "100", "--top", "1", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "issue,model,method,rank,actor,input,score"
    assert len(lines) == 1 + 17 * 2
