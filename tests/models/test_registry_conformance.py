"""Conformance of the model registry: a model registered in one place reaches every consumer.

A toy model is added by a single ``register(...)`` call (removed again after the test) and
is then found, with no other edit, in ``accord forecast``, ``accord simulate``, the DEU
backtest (``accord backtest deu``) and the HTML report's legend. Every registered model
runs through forecast, simulate and backtest.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.analysis.backtest_deu import backtest_deu
from accord.analysis.uncertainty import simulate
from accord.cli.main import app
from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.registry import ModelSpec, Param, forecast, get, names, register, unregister
from accord.scenario.deu import ACTOR_CODES, KEY_COLUMNS

SMALL = Path(__file__).resolve().parents[1] / "scenario" / "fixtures" / "small.yaml"
TOY = "toy-quarter"
TOY_LABEL = "Toy quarter point"

# DEU rows: (proposal, issue, reference, outcome, {actor: (position, salience)})
DEU_ROWS = [
    ("P1", "1", 10, 30, {"com": (0, 50), "ep": (100, 60), "de": (50, 70), "fr": (20, 80)}),
    ("P1", "2", None, 50, {"com": (40, 50), "ep": (80, 60), "de": (60, 70)}),
    ("P2", "3", 90, 40, {"com": (10, 90), "ep": (30, 40), "de": (90, 70), "fr": (70, 30)}),
    ("P2", "4", 5, None, {"com": (0, 50), "ep": (20, 50)}),
]


def _toy_single(issues, share=0.25):
    """The lowest position plus ``share`` of the range of positions."""
    from accord.models.result import IssueForecast

    return {
        i.id: IssueForecast(i.id, TOY, float(i.x.min() + share * (i.x.max() - i.x.min())), {"share": share})
        for i in issues
    }


def _toy_batched(issues, drawn, share=0.25):
    return [x.min(axis=1) + share * (x.max(axis=1) - x.min(axis=1)) for x, _, _ in drawn]


@pytest.fixture
def toy():
    register(ModelSpec(
        TOY, TOY_LABEL, "toy", "baseline", "A toy model for the conformance test",
        _toy_single, _toy_batched, (Param("share", "number", 0.25, "share of the range"),),
        tags=frozenset({"run", "simulate", "plot"}),
    ))
    yield TOY
    unregister(TOY)


@pytest.fixture
def deu_file(tmp_path: Path) -> Path:
    header = list(KEY_COLUMNS) + ["prname"] + [f"p{a}" for a in ACTOR_CODES] + [f"s{a}" for a in ACTOR_CODES]
    caps = {"com": "4.1", "ep": "4.1", "de": "8.4", "fr": "8.4"}
    lines = ["\t".join(header), "\t".join(caps.get(h[1:], "") if h.startswith("p") and h[1:] in ACTOR_CODES else "" for h in header)]
    for prop, isnr, rp, out, cells in DEU_ROWS:
        values = {"prnr": prop, "isnr": isnr, "rp": "" if rp is None else str(rp), "out": "" if out is None else str(out),
                  "prname": f"proposal {prop}"}
        for a, (x, s) in cells.items():
            values[f"p{a}"], values[f"s{a}"] = str(x), str(s)
        lines.append("\t".join(values.get(h, "") for h in header))
    path = tmp_path / "deu-small.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_toy_model_reaches_accord_forecast(toy) -> None:
    runner = CliRunner()
    chosen = _json(runner.invoke(app, ["forecast", str(SMALL), "-m", toy, "--as-of", "2025-03-01", "-f", "json"]))
    # border: north 100, south 25, broker 50 → 25 + 0.25 × 75
    assert {r["issue"]: r[toy] for r in chosen} == {"border": 43.75, "trade": 35.0}
    default = _json(runner.invoke(app, ["forecast", str(SMALL), "--as-of", "2025-03-01", "-f", "json"]))
    assert default[0][toy] == 43.75 and "compromise" in default[0]
    listed = runner.invoke(app, ["models", "-f", "csv"])
    assert f"{toy},{TOY_LABEL},baseline,plot run simulate,share=0.25" in listed.stdout.splitlines()


def test_toy_model_reaches_accord_simulate(toy) -> None:
    runner = CliRunner()
    out = _json(runner.invoke(app, ["simulate", str(SMALL), "-m", toy, "-n", "30", "--as-of", "2025-03-01", "-f", "json"]))
    assert out["models"] == [{"name": toy, "params": {}}]
    points = {s["issue"]: s["point"] for s in out["summaries"]}
    assert points == {"border": 43.75, "trade": 35.0}
    default = _json(runner.invoke(app, ["simulate", str(SMALL), "-n", "5", "-f", "json"]))
    assert toy in [m["name"] for m in default["models"]]


def test_toy_model_reaches_the_deu_backtest(toy, deu_file: Path) -> None:
    rows = {r.model: r for r in backtest_deu(deu_file)}
    assert list(rows) == names()
    # toy forecasts 25, 50 and 30 against outcomes 30, 50 and 40
    assert (rows[toy].n, rows[toy].mae) == (3, pytest.approx(5.0))
    cli = _json(CliRunner().invoke(app, ["backtest", "deu", str(deu_file), "-m", toy, "-f", "json"]))
    (row,) = cli
    assert {k: row[k] for k in ("model", "n", "mae", "rmse", "fallbacks")} == {
        "model": toy, "n": 3, "mae": pytest.approx(5.0), "rmse": pytest.approx(np.sqrt(125 / 3)), "fallbacks": 0}
    assert row["n_paired"] == 3 and row["mae_low"] <= row["mae"] <= row["mae_high"]


def test_toy_model_reaches_the_report_legend(toy, tmp_path: Path) -> None:
    from accord.pipeline import run

    case = tmp_path / "case"
    case.mkdir()
    shutil.copy(SMALL, case / "scenario.yaml")
    result = run(case, as_of="2025-03-01", compare=(), out=tmp_path / "out", draws=10,
                 formats=("html",), models=[toy, "compromise"])
    html = result.files["html"].read_text()
    assert result.result.forecasts[0].values[toy] == {"border": 43.75, "trade": 35.0}
    assert re.search(r'"name":\s*"Toy quarter point"', html), "toy model missing from the chart legend"


def test_unknown_parameter_names_the_model_and_lists_the_valid_ones() -> None:
    issue = IssueData("i", ("a", "b"), np.array([0.0, 100.0]), np.array([1.0, 0.5]), np.array([1.0, 1.0]))
    with pytest.raises(ModelError, match=r"model 'compromise': unknown parameter 'wieghts'; valid parameters: weights$"):
        forecast([issue], "compromise", wieghts="salience")
    for model in names():
        with pytest.raises(ModelError, match=f"model '{model}': unknown parameter 'bogus'"):
            forecast([issue], model, bogus=1)
    with pytest.raises(ModelError, match=r"model 'weighted-median': parameter 'tau' must be a number, got str '0.5'"):
        forecast([issue], "weighted-median", tau="0.5")
    with pytest.raises(ModelError, match=r"model 'exchange': parameter 'rounds' must be a whole number, got float 2.5"):
        forecast([issue], "exchange", rounds=2.5)


def test_unknown_model_is_an_error_on_the_command_line() -> None:
    res = CliRunner().invoke(app, ["forecast", str(SMALL), "-m", "oracle"])
    assert res.exit_code != 0 and "unknown model 'oracle'" in str(res.exception)


def test_register_refuses_duplicates_unknown_tags_kinds_and_presets(toy) -> None:
    spec = get(toy)
    with pytest.raises(ModelError, match="already registered"):
        register(spec)
    for bad, message in (
        (spec.variant("toy-2", "T", "t", "s", tags=frozenset({"chart"})), "unknown tag"),
        (spec.variant("toy-3", "T", "t", "s", wieghts=1), "unknown parameter 'wieghts'"),
    ):
        with pytest.raises(ModelError, match=message):
            register(bad)
    assert "toy-2" not in names() and "toy-3" not in names()


def _linked_issues() -> list[IssueData]:
    rng = np.random.default_rng(11)
    out = []
    for k in range(3):
        out.append(IssueData(
            f"i{k}", ("a", "b", "c", "d"), rng.integers(0, 5, 4) * 25.0, rng.uniform(0.2, 1, 4), rng.uniform(0.5, 2, 4),
            reference=50.0 if k else None, group="g", uncertainty=np.full(4, 10.0),
        ))
    return out


@pytest.mark.parametrize("model", names())
def test_every_registered_model_runs_through_forecast_simulate_and_backtest(model: str, deu_file: Path) -> None:
    issues = _linked_issues()
    spec = get(model)
    fc = forecast(issues, model)
    covered = [i.id for i in issues if spec.covers(i)]
    assert sorted(fc.forecasts) == covered
    sim = simulate(issues, [model], draws=4, seed=0)
    assert sim.covered[model].tolist() == [spec.covers(i) for i in issues]
    for k, issue in enumerate(issues):
        if issue.id in fc.forecasts:
            assert sim.points[model][k] == pytest.approx(fc.value(issue.id), abs=1e-9)
            assert np.all(np.isfinite(sim.values[model][k]))
    (row,) = backtest_deu(deu_file, [model])
    assert row.model == model and row.n == (2 if model == "status-quo" else 3) and np.isfinite(row.mae)


def test_tags_give_the_run_and_simulated_models() -> None:
    assert names(tag="run") == ["compromise", "compromise-salience", "mean", "weighted-median", "weighted-median-salience",
                                "median", "nash", "status-quo", "midpoint", "bdm", "exchange"]
    assert names(tag="simulate") == ["compromise", "mean", "weighted-median", "nash", "bdm"]
    assert names(tag="reference") == ["status-quo", "midpoint"]
    assert set(names(tag="plot")) == set(names(tag="run")) - {"status-quo", "midpoint"}
    assert names(kind="dynamic") == ["bdm", "exchange"]
