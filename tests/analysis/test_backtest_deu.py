"""DEU III dev-split regression anchors of the baselines (docs/methods/baselines.md)."""

from __future__ import annotations

import pytest

from accord.analysis.backtest_deu import backtest_deu
from accord.scenario.deu import read_deu

ANCHORS = {
    "compromise": (230, 22.2472),
    "mean": (230, 23.2445),
    "compromise-salience": (230, 23.2814),
    "weighted-median": (230, 25.6478),
    "midpoint": (230, 27.0043),
    "weighted-median-salience": (230, 27.9913),
    "median": (230, 27.9957),
    "status-quo": (161, 51.4783),
}


@pytest.fixture(scope="module")
def deu_path(shared_data):
    return shared_data / "deu" / "deu3-dev.tsv"


def test_reader_counts(deu_path) -> None:
    issues = read_deu(deu_path)
    assert len(issues) == 237
    scored = read_deu(deu_path, with_outcome_only=True)
    assert len(scored) == 230
    assert sum(i.reference is not None for i in issues) == 166
    assert min(i.n for i in issues) == 2 and max(i.n for i in issues) == 30
    first = issues[0]
    assert first.group == "d00060" and first.actors[:2] == ("com", "ep")
    assert first.c[0] == 4.1 and first.s[0] == 0.8


def test_mae_anchors(deu_path) -> None:
    rows = {r.model: r for r in backtest_deu(deu_path, list(ANCHORS) + ["nash"])}
    for model, (n, mae) in ANCHORS.items():
        assert rows[model].n == n
        assert rows[model].mae == pytest.approx(mae, abs=1e-4), model
    assert rows["nash"].n == 230
