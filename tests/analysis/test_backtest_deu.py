"""DEU III dev-split regression anchors of the baselines (docs/methods/baselines.md)."""

from __future__ import annotations

import pytest

from accord.analysis.backtest_deu import backtest_deu
from accord.errors import InputError
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


# --------------------------------------------------------------------------- bootstrap over proposals

def _tsv(path, issues) -> None:
    """A DEU file where only the Commission and the Parliament (capability 1 each) take part."""
    from accord.scenario.deu import ACTOR_CODES

    header = ["prnr", "isnr", "rp", "out"] + [f"p{a}" for a in ACTOR_CODES] + [f"s{a}" for a in ACTOR_CODES]
    caps = {"pcom": "1", "pep": "1"}
    lines = ["\t".join(header), "\t".join(caps.get(h, "") for h in header)]
    for prnr, isnr, out, s_com, s_ep in issues:
        cells = {"prnr": prnr, "isnr": isnr, "out": str(out), "pcom": "0", "pep": "100", "scom": str(s_com), "sep": str(s_ep)}
        lines.append("\t".join(cells.get(h, "") for h in header))
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def two_proposals(tmp_path):
    # compromise: 20, 80, 50 → errors 10, 10, 30; midpoint 50 → errors 20, 20, 30
    path = tmp_path / "deu.tsv"
    _tsv(path, [("P1", "1", 30, 100, 25), ("P1", "2", 70, 25, 100), ("P2", "3", 80, 50, 50)])
    return path


def test_intervals_resample_proposals_not_issues(two_proposals) -> None:
    rows = {r.model: r for r in backtest_deu(two_proposals, ["compromise", "midpoint"])}
    cm, mid = rows["compromise"], rows["midpoint"]
    assert (cm.n, cm.proposals, cm.mae) == (3, 2, pytest.approx(50 / 3))
    # a resample holds P1 twice (MAE 10), P1 and P2 (50/3) or P2 twice (30), each often enough
    # among 2000 resamples that the 2.5% and 97.5% quantiles are the two extremes
    assert (cm.mae_low, cm.mae_high) == (pytest.approx(10.0), pytest.approx(30.0))
    assert (mid.mae, mid.mae_low, mid.mae_high) == (pytest.approx(70 / 3), pytest.approx(20.0), pytest.approx(30.0))
    # paired: midpoint − compromise is 10, 10, 0 per issue
    assert (mid.diff, mid.diff_low, mid.diff_high, mid.n_paired) == (pytest.approx(20 / 3), pytest.approx(0.0), pytest.approx(10.0), 3)
    assert (cm.diff, cm.diff_low, cm.diff_high) == (0.0, 0.0, 0.0)


def test_intervals_are_fixed_by_the_seed_and_the_baseline_runs_unasked(two_proposals, tmp_path) -> None:
    path = tmp_path / "five.tsv"
    _tsv(path, [(f"P{k % 3}", str(k), 10 * k, 20 + 10 * k, 80 - 5 * k) for k in range(1, 8)])
    a = backtest_deu(path, ["midpoint"], seed=3, resamples=500)
    b = backtest_deu(path, ["midpoint"], seed=3, resamples=500)
    c = backtest_deu(path, ["midpoint"], seed=4, resamples=500)
    assert [r.model for r in a] == ["midpoint"] and a == b and a != c
    assert a[0].n_paired == 7 and a[0].mae_low <= a[0].mae <= a[0].mae_high


def test_cli_json_carries_intervals_and_paired_differences(two_proposals) -> None:
    import json

    from typer.testing import CliRunner

    from accord.cli.main import app

    res = CliRunner().invoke(app, ["backtest", "deu", str(two_proposals), "-m", "midpoint", "-f", "json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["mae_low"] == pytest.approx(20.0) and row["diff"] == pytest.approx(20 / 3)
    assert (row["diff_low"], row["diff_high"], row["proposals"]) == (pytest.approx(0.0), pytest.approx(10.0), 2)
    table = CliRunner().invoke(app, ["backtest", "deu", str(two_proposals), "-m", "midpoint"])
    assert "23.33 [20.00, 30.00]" in table.stdout and "+6.67 [+0.00, +10.00]" in table.stdout
    bad = CliRunner().invoke(app, ["backtest", "deu", str(two_proposals), "-p", "bdm-stop"])
    assert isinstance(bad.exception, InputError) and "'bdm-stop' is not MODEL.NAME=VALUE" in str(bad.exception)


def test_model_parameters_reach_the_backtest(deu_path) -> None:
    from accord.cli.options import parse_model_params

    assert parse_model_params(["bdm.stop=bdm_discount", "bdm.rounds=50", "nash.kappa=0.5"]) == {
        "bdm": {"stop": "bdm_discount", "rounds": 50}, "nash": {"kappa": 0.5}}
