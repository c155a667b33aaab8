"""Monte Carlo forecast intervals: reproducibility, chunking, batched models, bad input."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.analysis.uncertainty import (
    ModelRun,
    NoiseSpec,
    band_probabilities,
    default_models,
    draw_inputs,
    evaluate_batch,
    simulate,
)
from accord.errors import ModelError
from accord.execution import chunk_sizes
from accord.models.issue import IssueData
from accord.models.registry import forecast

ROOT = Path(__file__).resolve().parents[2]
UKRAINE = ROOT / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml"
ZERO = NoiseSpec(position_scale=0.0, fallback_position_sd=0.0, salience_sd=0.0, capability_sd=0.0)


def _issues(seed: int = 0, k: int = 3, n: int = 5) -> list[IssueData]:
    rng = np.random.default_rng(seed)
    out = []
    for j in range(k):
        actors = tuple(f"a{i}" for i in range(n))
        out.append(
            IssueData(
                id=f"i{j}", actors=actors, x=rng.integers(0, 5, n) * 25.0, s=rng.uniform(0.1, 1, n),
                c=rng.uniform(0.1, 1, n), reference=25.0 if j == 0 else None, uncertainty=np.full(n, 25.0),
            )
        )
    return out


class _PickledReversed:
    """Runs chunks last-first after a pickle round trip, as a remote worker would see them."""

    def map(self, fn, items):
        fn = pickle.loads(pickle.dumps(fn))
        results = [fn(pickle.loads(pickle.dumps(it))) for it in reversed(list(items))]
        yield from reversed(results)


def test_same_seed_same_intervals_and_other_seed_differs() -> None:
    issues = _issues()
    a = simulate(issues, ["compromise", "bdm"], draws=300, seed=7, chunk=100)
    b = simulate(issues, ["compromise", "bdm"], draws=300, seed=7, chunk=100)
    c = simulate(issues, ["compromise", "bdm"], draws=300, seed=8, chunk=100)
    for m in ("compromise", "bdm"):
        np.testing.assert_array_equal(a.values[m], b.values[m])
        assert not np.array_equal(a.values[m], c.values[m])
    assert a.to_rows() == b.to_rows()


def test_result_does_not_depend_on_who_runs_the_chunks() -> None:
    issues = _issues(1)
    here = simulate(issues, ["weighted-median", "nash", "bdm"], draws=250, seed=3, chunk=60, keep_inputs=True)
    there = simulate(issues, ["weighted-median", "nash", "bdm"], draws=250, seed=3, chunk=60, keep_inputs=True,
                     execution=_PickledReversed())  # type: ignore[arg-type]
    for m in here.values:
        np.testing.assert_array_equal(here.values[m], there.values[m])
    for k in range(len(issues)):
        for j in range(3):
            np.testing.assert_array_equal(here.inputs[k][j], there.inputs[k][j])


def test_progress_reports_every_chunk() -> None:
    calls = []
    simulate(_issues(), ["mean"], draws=20, seed=0, chunk=7, progress=lambda d, t: calls.append((d, t)))
    assert chunk_sizes(20, 7) == [7, 7, 6]
    assert calls == [(7, 20), (14, 20), (20, 20)]


def test_without_noise_every_draw_is_the_point_forecast() -> None:
    issues = _issues(2)
    res = simulate(issues, default_models(), draws=40, seed=0, noise=ZERO)
    for sm in res.summaries():
        assert all(v == pytest.approx(sm.point, abs=1e-12) for v in sm.quantiles.values())
        assert max(sm.band_probs) == 1.0


def test_point_forecasts_equal_the_registry() -> None:
    issues = _issues(3, k=4, n=7)
    res = simulate(issues, default_models(), draws=5, seed=0)
    for name in default_models():
        fc = forecast(issues, name)
        for k, issue in enumerate(issues):
            if issue.id in fc.forecasts:
                assert res.points[name][k] == pytest.approx(fc.value(issue.id), abs=1e-9), (name, issue.id)
            else:
                assert not res.covered[name][k]


def test_default_models_are_the_one_issue_models_of_a_run() -> None:
    assert default_models() == ["compromise", "compromise-salience", "mean", "weighted-median",
                                "weighted-median-salience", "median", "nash", "status-quo", "midpoint", "bdm"]


@pytest.mark.parametrize("name", default_models())
def test_batched_models_match_the_registry_row_by_row(name: str) -> None:
    rng = np.random.default_rng(abs(hash(name)) % 1000)
    n, rows = 6, 25
    base = IssueData("q", tuple("abcdef"), np.zeros(n), np.ones(n), np.ones(n), reference=40.0)
    x = rng.choice([0.0, 12.5, 25.0, 50.0, 75.0, 100.0], size=(rows, n)) + rng.uniform(0, 3, (rows, n)) * (rng.uniform(size=(rows, n)) < 0.5)
    s = rng.uniform(0, 1, (rows, n))
    s[0] = 0.0  # all-zero weights: the degenerate fallback
    c = rng.uniform(0, 2, (rows, n))
    got = evaluate_batch(ModelRun(name), base, np.clip(x, 0, 100), s, c)
    for r in range(rows):
        one = base.with_values(x=np.clip(x[r], 0, 100), s=s[r], c=c[r])
        assert got[r] == pytest.approx(forecast([one], name).value("q"), abs=1e-9), r


def test_draws_are_clipped_to_the_scale_and_capability_shocks_are_shared() -> None:
    issues = _issues(4, k=2)
    noise = NoiseSpec(position_scale=20.0, salience_sd=2.0, capability_sd=0.5)
    drawn = draw_inputs(issues, noise, np.random.default_rng(0), 500)
    for issue, (x, s, c) in zip(issues, drawn):
        assert x.min() >= issue.lo and x.max() <= issue.hi
        assert s.min() >= 0 and s.max() <= 1
        assert (c > 0).all()
    ratio0 = drawn[0][2] / issues[0].c
    ratio1 = drawn[1][2] / issues[1].c
    np.testing.assert_allclose(ratio0, ratio1, rtol=1e-12)  # same actors, one shock per draw


def test_band_probabilities_by_nearest_band() -> None:
    values = np.array([0.0, 10.0, 20.0, 50.0, 99.0, 100.0])
    probs = band_probabilities(values, [0, 20, 40, 60, 80, 100])
    assert probs.tolist() == pytest.approx([2 / 6, 1 / 6, 1 / 6, 0.0, 2 / 6])


def test_scenario_bands_and_rows() -> None:
    from accord.analysis.uncertainty import scenario_bands
    from accord.scenario.io import load_scenario

    sc = load_scenario(UKRAINE)
    issues = sc.issue_data()[:3]
    edges, labels = scenario_bands(sc)
    res = simulate(issues, ["compromise", "bdm"], draws=60, seed=1, bands=edges, band_labels=labels)
    rows = res.to_rows()
    assert len(rows) == 6
    for row in rows:
        assert row["p5"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p95"]
        assert row["band"] in labels[row["issue"]]
    d = json.loads(json.dumps(res.to_dict()))
    assert d["draws"] == 60 and sum(b["p"] for b in d["summaries"][0]["bands"]) == pytest.approx(1.0)


def test_bad_parameters_raise() -> None:
    issues = _issues()
    with pytest.raises(ModelError, match="draws"):
        simulate(issues, ["mean"], draws=0)
    with pytest.raises(ModelError, match="unknown model"):
        simulate(issues, ["oracle"], draws=5)
    with pytest.raises(ModelError, match="'mean': unknown parameter 'wieghts'; valid parameters: weights"):
        simulate(issues, ["mean"], draws=5, params={"mean": {"wieghts": "salience"}})
    with pytest.raises(ModelError, match="capability"):
        simulate([issues[0].with_values(c=-issues[0].c)], ["mean"], draws=5)
    with pytest.raises(ModelError, match="salience"):
        simulate([issues[0].with_values(s=issues[0].s + 1.0)], ["mean"], draws=5)
    with pytest.raises(ModelError, match="noise"):
        NoiseSpec(salience_sd=-1.0)
    with pytest.raises(ModelError, match="band edges"):
        simulate(issues, ["mean"], draws=5, bands={"i0": [0, 50, 50, 100]})


def test_a_model_linking_issues_sees_every_issue_of_a_draw_together() -> None:
    issues = [i.with_values(group="g") for i in _issues(5, k=3, n=4)]
    res = simulate(issues, ["exchange"], draws=3, seed=0, noise=ZERO, params={"exchange": {"rounds": 2}})
    linked = forecast(issues, "exchange", rounds=2)
    for k, issue in enumerate(issues):
        assert not linked.forecasts[issue.id].flags["fallback"]
        assert res.points["exchange"][k] == linked.value(issue.id)
        assert res.values["exchange"][k].tolist() == [linked.value(issue.id)] * 3


def test_all_actors_at_one_position_gives_finite_results() -> None:
    n = 4
    issue = IssueData("flat", tuple("abcd"), np.full(n, 60.0), np.full(n, 0.5), np.ones(n), uncertainty=np.zeros(n))
    res = simulate([issue], default_models(), draws=30, seed=0)
    for _m, v in res.values.items():
        assert np.all(np.isfinite(v))
    assert np.all(res.values["bdm"] == 60.0)


def test_cli_simulate_is_reproducible_and_reports_errors() -> None:
    from accord.cli.main import app

    runner = CliRunner()
    args = ["simulate", str(UKRAINE), "--draws", "40", "--seed", "5", "-m", "compromise", "-m", "bdm", "--format", "csv"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    lines = first.stdout.strip().splitlines()
    assert lines[0].startswith("issue,model,point,mean,p5,p25,p50,p75,p95,band,p_band,bands")
    assert len(lines) == 1 + 2 * 17
    bad = subprocess.run([sys.executable, "-m", "accord.cli.main", "simulate", str(UKRAINE), "--draws", "0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "draws" in bad.stderr
