"""The stacking ensemble (docs/methods/ensemble.md): grouped folds, weights, out-of-fold MAE."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from accord.analysis.backtest_deu import ENSEMBLE, backtest_deu
from accord.analysis.ensemble import cross_validate, fit_weights, grouped_folds
from accord.cli.main import app
from accord.errors import ModelError
from accord.scenario.deu import ACTOR_CODES, read_deu


def test_folds_keep_each_proposal_whole_and_follow_the_seed() -> None:
    groups = ["a", "a", "b", "c", "c", "d", None, None]  # the two issues without a proposal: one each
    folds = grouped_folds(groups, 3, seed=0)
    assert folds.tolist() == grouped_folds(groups, 3, seed=0).tolist()
    assert folds[0] == folds[1] and folds[3] == folds[4]
    # six proposals dealt round-robin into three folds: two proposals per fold
    per_fold = [len({g if g is not None else k for k, g in enumerate(groups) if folds[k] == f}) for f in range(3)]
    assert per_fold == [2, 2, 2]
    assert any(grouped_folds(groups, 3, seed=s).tolist() != folds.tolist() for s in range(1, 5))
    with pytest.raises(ModelError, match="between 2 and 6 folds"):
        grouped_folds(groups, 7)


def test_weights_reproduce_an_exact_mixture() -> None:
    f = np.array([[0.0, 10.0], [0.0, 10.0], [0.0, 10.0]])
    assert fit_weights(f, np.array([4.0, 4.0, 4.0])) == pytest.approx([0.6, 0.4])


def test_weights_minimise_absolute_not_squared_error() -> None:
    # a constant forecast 100·w₂ minimising |p−10| + |p−20| + |p−90| is the median 20 (the mean, 40, would minimise squares)
    w = fit_weights(np.array([[0.0, 100.0]] * 3), np.array([10.0, 20.0, 90.0]))
    assert w == pytest.approx([0.8, 0.2])
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)


def test_weights_refuse_missing_forecasts() -> None:
    with pytest.raises(ModelError, match="finite forecasts"):
        fit_weights(np.array([[1.0, np.nan]]), np.array([1.0]))


def test_out_of_fold_forecasts_leave_each_proposal_out() -> None:
    # four proposals, four folds: each fold holds one proposal; the fit on the other three is
    # their (issue-weighted) median, forecast = 100·w₂
    groups = ["p1", "p1", "p1", "p2", "p3", "p4"]
    y = np.array([10.0, 10.0, 10.0, 20.0, 30.0, 90.0])
    cv = cross_validate(np.array([[0.0, 100.0]] * 6), y, groups, folds=4, seed=0)
    assert cv.predictions.tolist() == pytest.approx([30, 30, 30, 10, 10, 10])
    held_p1 = cv.folds[0]
    assert cv.weights[held_p1] == pytest.approx([0.7, 0.3])
    assert np.abs(cv.predictions - y).mean() == pytest.approx(170 / 6)


# --------------------------------------------------------------------------- through the DEU backtest

def _tsv(path, issues) -> None:
    """A DEU file where the Commission (at 0, salience 80) and the Parliament (at 100,
    salience 20) take part with capability 1: the compromise model forecasts 20 everywhere."""
    header = ["prnr", "isnr", "rp", "out"] + [f"p{a}" for a in ACTOR_CODES] + [f"s{a}" for a in ACTOR_CODES]
    caps = {"pcom": "1", "pep": "1"}
    lines = ["\t".join(header), "\t".join(caps.get(h, "") for h in header)]
    for prnr, isnr, out in issues:
        cells = {"prnr": prnr, "isnr": isnr, "out": str(out), "pcom": "0", "pep": "100", "scom": "80", "sep": "20"}
        lines.append("\t".join(cells.get(h, "") for h in header))
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def four_proposals(tmp_path):
    # ensemble of compromise (20) and midpoint (50), leaving one proposal out: forecasts 35
    # for P1 (median of 32, 35, 80) and 26 elsewhere → errors 9, 9, 9, 6, 9, 54: MAE 16;
    # compromise errors 6, 6, 6, 12, 15, 60: MAE 17.5
    path = tmp_path / "deu.tsv"
    _tsv(path, [("P1", "1", 26), ("P1", "2", 26), ("P1", "3", 26), ("P2", "4", 32), ("P3", "5", 35), ("P4", "6", 80)])
    return path


def test_backtest_scores_the_out_of_fold_ensemble_beside_the_models(four_proposals) -> None:
    rows = backtest_deu(four_proposals, ["compromise", "midpoint"], ensemble=True, folds=4)
    assert [r.model for r in rows] == ["compromise", "midpoint", ENSEMBLE]
    cm, mid, ens = rows
    assert (cm.mae, mid.mae) == (pytest.approx(17.5), pytest.approx(22.5))
    assert (ens.n, ens.proposals, ens.mae, ens.n_paired) == (6, 4, pytest.approx(16.0), 6)
    assert ens.rmse == pytest.approx(np.sqrt((3 * 81 + 36 + 81 + 54**2) / 6))
    # paired: 3, 3, 3, −6, −6, −6 per issue
    assert ens.diff == pytest.approx(-1.5)
    assert ens.mae_low <= ens.mae <= ens.mae_high and ens.diff_low <= ens.diff <= ens.diff_high
    assert [r.model for r in backtest_deu(four_proposals, ["compromise", "midpoint"])] == ["compromise", "midpoint"]


def test_cli_adds_the_ensemble_row_and_refuses_a_bad_fold_count(four_proposals) -> None:
    args = ["backtest", "deu", str(four_proposals), "-m", "midpoint", "--ensemble", "--folds", "4"]
    res = CliRunner().invoke(app, [*args, "-f", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["model"] for r in rows] == ["midpoint", ENSEMBLE]
    assert (rows[1]["mae"], rows[1]["diff"]) == (pytest.approx(16.0), pytest.approx(-1.5))
    table = CliRunner().invoke(app, args)
    assert "16.00 [" in table.stdout and "-1.50 [" in table.stdout
    bad = CliRunner().invoke(app, ["backtest", "deu", str(four_proposals), "-m", "midpoint", "--ensemble", "--folds", "5"])
    assert isinstance(bad.exception, ModelError) and "between 2 and 4 folds" in str(bad.exception)


@given(st.integers(2, 12), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_the_fit_is_never_worse_in_sample_than_any_single_model(n, m, seed) -> None:
    # each model alone is a feasible weighting (a vertex of the simplex), so the optimum is at least as good
    rng = np.random.default_rng(seed)
    f = rng.uniform(0, 100, (n, m))
    y = rng.uniform(0, 100, n)
    w = fit_weights(f, y)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    best_single = np.abs(f - y[:, None]).sum(axis=0).min()
    assert np.abs(f @ w - y).sum() <= best_single + 1e-6


def test_folds_of_the_deu_dev_split(shared_data) -> None:
    groups = [i.group for i in read_deu(shared_data / "deu" / "deu3-dev.tsv", with_outcome_only=True)]
    folds = grouped_folds(groups)
    proposals_per_fold = [len({g for g, f in zip(groups, folds) if f == k}) for k in range(10)]
    assert sorted(proposals_per_fold) == [8] + [9] * 9  # 89 proposals dealt into 10 folds
    assert all(len({f for g, f in zip(groups, folds) if g == p}) == 1 for p in set(groups))
