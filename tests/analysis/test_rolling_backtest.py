"""The rolling backtest: scores checked by hand, which cells are open, the baselines, no look-ahead, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.analysis.agreement import EventForecast, forecast_events
from accord.analysis.events import Event
from accord.analysis.rolling import (
    BASE_RATE,
    MODEL,
    PERSISTENCE,
    POLYMARKET,
    UNINFORMED,
    base_rate,
    family_scorer,
    price_at,
    rolling_backtest,
)
from accord.analysis.scoring import cluster_interval, laplace_rate, paired_brier, reliability, score
from accord.cases import load_case
from accord.cli.main import app
from accord.errors import InputError

D = dt.date

SCENARIO = """\
id: tiny
title: Two parties
actors:
  - {id: north, name: North, capability: 0.5}
  - {id: south, name: South, capability: 0.5}
issues:
  - id: border
    title: Border line
positions:
  - {actor: north, issue: border, position: 30, salience: 0.8, date: 2020-01-01, uncertainty: 5}
  - {actor: south, issue: border, position: 40, salience: 0.8, date: 2020-01-01, uncertainty: 5}
"""

EVENTS = """\
events:
  - id: deal
    question: "North and South agree the border by 2020-06-30"
    deadline: 2020-06-30
    kind: partial
    parties: [north, south]
    issue: border
  - id: far
    question: "The border settles above 80 by 2020-06-30"
    deadline: 2020-06-30
    kind: issue
    issue: border
    side: above
    value: 80
  - id: early
    question: "Something by 2020-03-15"
    deadline: 2020-03-15
    kind: not_modelled
    reason: "no model quantity carries it"
"""

OUTCOMES = """\
origins: [2020-02-01, 2020-04-01]
outcomes:
  - {id: history_yes, value: true, date: 2019-06-01}
  - {id: history_no, value: false, date: 2019-07-01}
  - {id: deal, value: true, date: 2020-05-10, status_quo: false}
  - {id: far, value: false, date: 2020-06-30, status_quo: false, market: far-market}
  - {id: early, value: true, date: 2020-02-20}
baselines:
  - {id: crowd_a, platform: Metaculus, probability: 0.3, date: 2020-03-28, outcome_id: far}
  - {id: crowd_old, platform: Metaculus, probability: 0.9, date: 2020-01-01, outcome_id: far}
"""

MARKET = """\
time,price,market,slug,end_date,resolution,resolution_date
2020-01-30 10:00:00,0.40,Far?,far-market,2020-06-30,,
2020-01-31 10:00:00,0.20,Far?,far-market,2020-06-30,,
2020-03-01 10:00:00,0.60,Far?,far-market,2020-06-30,,
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "tiny"
    f.mkdir()
    (f / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    (f / "events.yaml").write_text(EVENTS, encoding="utf-8")
    (f / "outcomes.yaml").write_text(OUTCOMES, encoding="utf-8")
    (f / "prices.csv").write_text(MARKET, encoding="utf-8")
    return f


class Fixed:
    """A forecaster that gives each event a fixed probability and records what it was asked."""

    def __init__(self, p: dict[str, float]) -> None:
        self.p = p
        self.asked: list[tuple[dt.date, list[str]]] = []

    def __call__(self, case, events: Sequence[Event], origin: dt.date, *, draws: int, seed: int) -> list[EventForecast]:
        self.asked.append((origin, [e.id for e in events]))
        return [EventForecast(e.id, origin, e.deadline, self.p.get(e.id), 0.01 if e.id in self.p else None, None, None,
                              e.id in self.p, "" if e.id in self.p else "not modelled here") for e in events]


# --- scoring by hand ---------------------------------------------------------------------------------------


def test_brier_and_log_score_by_hand() -> None:
    s = score("x", [0.8, 0.3], [1, 0], ["a", "b"], resamples=200)
    assert s.brier == pytest.approx((0.2**2 + 0.3**2) / 2)            # 0.065
    assert s.log == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)  # 0.289909
    assert (s.n, s.clusters) == (2, 2)
    assert s.brier_low <= s.brier <= s.brier_high


def test_one_cluster_gives_a_point_interval_and_resampling_whole_clusters() -> None:
    assert cluster_interval(np.array([0.1, 0.3]), ["a", "a"]) == pytest.approx((0.2, 0.2))
    # cluster a holds two terms 0, cluster b one term 1: a resample averages all terms of the drawn clusters,
    # so the possible means are 0 (aa), 1/3 (ab) and 1 (bb): never 1/2, as a resample of single terms could give
    lo, hi = cluster_interval(np.array([0.0, 0.0, 1.0]), ["a", "a", "b"], resamples=500, seed=1)
    assert (lo, hi) == pytest.approx((0.0, 1.0))


def test_reliability_bins_and_laplace_rate() -> None:
    bins = reliability([0.05, 0.15, 0.5, 0.95, 1.0], [0, 1, 1, 1, 1])
    assert [b.n for b in bins] == [2, 0, 1, 0, 2]
    assert bins[0].mean_forecast == pytest.approx(0.1) and bins[0].observed == pytest.approx(0.5)
    assert bins[1].mean_forecast is None and bins[4].observed == 1.0
    assert laplace_rate(0, 0) == 0.5 and laplace_rate(1, 3) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        laplace_rate(4, 3)


def test_paired_difference() -> None:
    d = paired_brier([0.5, 0.5], [0.9, 0.2], [1, 0], ["a", "b"], resamples=100)
    assert d.diff == pytest.approx(((0.25 - 0.01) + (0.25 - 0.04)) / 2)  # 0.225: B is better


# --- the rolling backtest with a fixed forecaster ----------------------------------------------------------


def test_open_cells_baselines_and_exact_scores(folder: Path) -> None:
    fixed = Fixed({"deal": 0.7, "far": 0.1})
    bt = rolling_backtest(load_case(folder), forecaster=fixed, markets=folder / "prices.csv")
    # 'early' is open at 2020-02-01 only (deadline 2020-03-15); deal resolved on 2020-05-10, still open on 04-01
    assert fixed.asked == [(D(2020, 2, 1), ["deal", "far", "early"]), (D(2020, 4, 1), ["deal", "far"])]
    cells = {(c.origin, c.event_id): c for c in bt.cells}
    first, second = cells[D(2020, 2, 1), "far"], cells[D(2020, 4, 1), "far"]
    # base rate: history 1 yes in 2 → 2/4 at the first origin; at the second 'early' (yes, 02-20) adds → 3/5
    assert first.forecasts[BASE_RATE] == pytest.approx(0.5) and second.forecasts[BASE_RATE] == pytest.approx(0.6)
    assert first.forecasts[PERSISTENCE] == 0.01 and first.forecasts[UNINFORMED] == 0.5
    # market: the last price in the week up to the origin (0.20 on 01-31; the 03-01 price is too old on 04-01)
    assert first.forecasts[POLYMARKET] == 0.2 and POLYMARKET not in second.forecasts
    # crowd: only the forecast dated in the week up to the origin
    assert "metaculus" not in first.forecasts and second.forecasts["metaculus"] == 0.3
    # not modelled: scored by the baselines, not for accord, reported with its reason
    assert MODEL not in cells[D(2020, 2, 1), "early"].forecasts
    assert bt.not_modelled == {"early": "not modelled here"}
    scores = {s.scorer: s for s in bt.scores}
    assert [s.scorer for s in bt.scores][:4] == [MODEL, UNINFORMED, BASE_RATE, PERSISTENCE]
    # accord on 4 cells: deal (0.7, yes) twice, far (0.1, no) twice → (0.09 + 0.01) / 2
    assert (scores[MODEL].n, scores[MODEL].clusters) == (4, 2)
    assert scores[MODEL].brier == pytest.approx(0.05)
    assert scores[MODEL].log == pytest.approx(-(2 * math.log(0.7) + 2 * math.log(0.9)) / 4)
    assert scores[UNINFORMED].n == 5 and scores[UNINFORMED].brier == pytest.approx(0.25)
    # persistence says no (0.01) on deal and far; early has no status quo, so 4 cells
    assert scores[PERSISTENCE].n == 4 and scores[PERSISTENCE].brier == pytest.approx((2 * 0.99**2 + 2 * 0.01**2) / 4)
    assert scores[POLYMARKET].n == 1 and scores[POLYMARKET].brier == pytest.approx(0.04)
    assert scores["metaculus"].n == 1 and scores["metaculus"].brier == pytest.approx(0.09)
    assert bt.versus_model[UNINFORMED].n == 4
    assert bt.versus_model[UNINFORMED].diff == pytest.approx(0.25 - 0.05)


def test_base_rate_counts_only_outcomes_resolved_before_the_origin(folder: Path) -> None:
    from accord.analysis.rolling import load_resolutions

    _, resolved, _ = load_resolutions(folder / "outcomes.yaml")
    assert base_rate(resolved, D(2019, 6, 1)) == 0.5             # the 06-01 outcome is not before 06-01
    assert base_rate(resolved, D(2019, 6, 2)) == pytest.approx(2 / 3)
    assert price_at([(D(2020, 1, 1), 0.3)], D(2020, 1, 8)) == 0.3
    assert price_at([(D(2020, 1, 1), 0.3)], D(2020, 1, 9)) is None


def test_no_later_source_is_read(folder: Path) -> None:
    """A position dated after the first origin that moves the answer changes the second origin's forecast only."""
    case = load_case(folder)
    before = rolling_backtest(case, draws=200, forecaster=forecast_events)
    late = SCENARIO + ("  - {actor: north, issue: border, position: 95, salience: 0.8, date: 2020-03-01, uncertainty: 5}\n"
                       "  - {actor: south, issue: border, position: 95, salience: 0.8, date: 2020-03-01, uncertainty: 5}\n")
    (folder / "scenario.yaml").write_text(late, encoding="utf-8")
    after = rolling_backtest(load_case(folder), draws=200, forecaster=forecast_events)
    p = {(c.origin, c.event_id): c.forecasts.get(MODEL) for c in before.cells}
    q = {(c.origin, c.event_id): c.forecasts.get(MODEL) for c in after.cells}
    assert p[D(2020, 2, 1), "far"] == q[D(2020, 2, 1), "far"] and p[D(2020, 2, 1), "deal"] == q[D(2020, 2, 1), "deal"]
    assert q[D(2020, 4, 1), "far"] > p[D(2020, 4, 1), "far"] + 0.1  # the planted positions would change the answer


def test_probabilities_are_never_zero_or_one(folder: Path) -> None:
    bt = rolling_backtest(load_case(folder), draws=200, forecaster=forecast_events)
    ps = [c.forecasts[MODEL] for c in bt.cells if MODEL in c.forecasts]
    assert ps and all(0 < p < 1 for p in ps)


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "field"), [
    (OUTCOMES.replace("origins: [2020-02-01, 2020-04-01]\n", ""), None, "origins"),
    (OUTCOMES.replace("value: true, date: 2020-05-10", "value: maybe, date: 2020-05-10"), 5, "outcomes.2.value"),
    (OUTCOMES.replace("{id: far, value: false, date: 2020-06-30", "{id: far, value: false"), 6, "outcomes.3.date"),
])
def test_bad_outcomes_name_file_line_and_field(folder: Path, text: str, line: int | None, field: str) -> None:
    (folder / "outcomes.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        rolling_backtest(load_case(folder), forecaster=Fixed({}))
    assert (err.value.file, err.value.line, err.value.field) == (str(folder / "outcomes.yaml"), line, field)


def _accord(*args: str) -> CliRunner:
    return CliRunner().invoke(app, list(args))


def test_cli_on_a_case_folder_and_bad_input_exit_2(folder: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    res = _accord("backtest", str(folder), "--draws", "100", "--markets", str(folder / "prices.csv"), "-f", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["origins"] == ["2020-02-01", "2020-04-01"] and len(out["cells"]) == 5
    families = [family_scorer(f) for f in ("compromise", "weighted median", "nash", "bdm")]
    assert {s["scorer"]: s["n"] for s in out["scores"]} == {MODEL: 4, **dict.fromkeys(families, 4), UNINFORMED: 5,
                                                             BASE_RATE: 5, PERSISTENCE: 4, POLYMARKET: 1, "metaculus": 1}
    assert [s["scorer"] for s in out["scores"]][:5] == [MODEL, *families]
    for s in out["scores"][1:5]:  # each family scored on its own probabilities in the cells
        mine = [(c["forecasts"][s["scorer"]], c["outcome"]) for c in out["cells"] if s["scorer"] in c["forecasts"]]
        assert s["brier"] == pytest.approx(sum((p - o) ** 2 for p, o in mine) / len(mine))
    table = _accord("backtest", "events", str(folder), "--draws", "100")
    assert table.exit_code == 0 and "not modelled: early: no model quantity carries it" in table.output
    (folder / "events.yaml").write_text(EVENTS.replace("kind: issue", "kind: rumour"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "accord.cli.main", "backtest", str(folder)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "events.yaml:8: events.1: kind" in run.stderr and "kind" in run.stderr
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(folder / "scenario.yaml", bare / "scenario.yaml")
    res = _accord("backtest", str(bare))
    assert isinstance(res.exception, InputError) and "needs events.yaml and outcomes.yaml" in res.exception.message
    res = _accord("backtest", "nosuch")  # a name that is no subcommand is a case: an input error naming it
    assert isinstance(res.exception, InputError) and res.exception.file == "nosuch"


def test_cli_on_colombia() -> None:
    res = _accord("backtest", "colombia", "--draws", "100", "-f", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["case"] == "colombia" and len(out["origins"]) == 4
    scores = {s["scorer"]: s for s in out["scores"]}
    assert scores[UNINFORMED]["n"] == len(out["cells"]) and scores[MODEL]["n"] < len(out["cells"])
    assert "second_plebiscite_by_2016_12_01" in out["not_modelled"]


@pytest.mark.parametrize("resolution", ["1e999", "nan", "0.5", "-1", "yes"])
def test_a_market_resolution_other_than_0_or_1_names_file_line_and_column(tmp_path: Path, resolution: str) -> None:
    from accord.analysis.backtest import market_history
    from accord.errors import InputError

    path = tmp_path / "prices.csv"
    path.write_text(MARKET.replace("2020-06-30,,\n2020-03-01", f"2020-06-30,{resolution},\n2020-03-01"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        market_history(path)
    assert (err.value.line, err.value.field) == (3, "resolution") and str(path) in str(err.value)


def test_a_market_resolved_0_or_1_reads() -> None:
    from accord.analysis.backtest import _resolution

    assert [_resolution(t) for t in ("0", "1", "1.0", " 0 ")] == [0, 1, 1, 0]
