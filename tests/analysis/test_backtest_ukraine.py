"""The Ukraine backtest: the case's event rules through the generic scorer, Brier scores, market prices, the direction check."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.analysis.backtest import market_prices, run_backtest, score_events
from accord.cases import load_case
from accord.cases.ukraine.case import CORE_ISSUES, EVENT_RULES
from accord.scenario.io import load_scenario
from accord.scenario.model import Scenario


def toy(ua: float, ru: float, sd: float = 1.0) -> Scenario:
    issues = [{"id": i, "title": i} for i in CORE_ISSUES + ("truce_sequencing", "prisoner_exchange")]
    positions = []
    for issue in issues:
        for actor, x in (("ukraine", ua), ("russia", ru)):
            positions.append({"actor": actor, "issue": issue["id"], "position": x, "salience": 0.8,
                              "date": "2025-01-01", "uncertainty": sd})
    return Scenario.model_validate({
        "id": "toy",
        "actors": [{"id": "ukraine", "name": "Ukraine"}, {"id": "russia", "name": "Russia"}],
        "issues": issues,
        "positions": positions,
    })


OUTCOMES = {
    "as_of": "2026-06-15",
    "outcomes": [
        {"id": "comprehensive_agreement", "value": False},
        {"id": "general_ceasefire_30d", "value": False},
        {"id": "prisoner_exchanges_continued", "value": True},
    ],
    "baselines": [{"id": "crowd", "platform": "X", "probability": 0.3, "date": "2025-01-01",
                   "outcome_id": "general_ceasefire_30d", "outcome": False}],
    "position_shifts": {"nato": {"shifted": [{"actor": "ukraine", "from": 20, "to": 40}]}},
}


def test_close_positions_make_a_deal_certain_and_far_ones_impossible() -> None:
    close = score_events(toy(20, 30), OUTCOMES, EVENT_RULES, as_of="2025-06-01", models=["compromise"], draws=400)
    far = score_events(toy(0, 100), OUTCOMES, EVENT_RULES, as_of="2025-06-01", models=["compromise"], draws=400)
    p_close = {r["event"]: r["compromise"] for r in close.rows}
    p_far = {r["event"]: r["compromise"] for r in far.rows}
    assert p_close["comprehensive_agreement"] == 1.0 and p_far["comprehensive_agreement"] == 0.0
    # a ceasefire needs the truce forecast <= 37.5 and within one step of Russia
    assert p_close["general_ceasefire_30d"] == 1.0 and p_far["general_ceasefire_30d"] == 0.0
    high = score_events(toy(80, 90), OUTCOMES, EVENT_RULES, as_of="2025-06-01", models=["compromise"], draws=400)
    p_high = {r["event"]: r["compromise"] for r in high.rows}
    assert p_close["prisoner_exchanges_continued"] == 1.0 and p_high["prisoner_exchanges_continued"] == 0.0
    # Brier: close predicts a deal and a ceasefire that did not happen (2 of 3 wrong with p = 1)
    assert close.brier["compromise"]["brier"] == pytest.approx(2 / 3)
    expected_far = (1 - p_far["prisoner_exchanges_continued"]) ** 2 / 3
    assert far.brier["compromise"]["brier"] == pytest.approx(expected_far)
    assert close.brier["crowd"]["brier"] == pytest.approx(0.09)
    assert close.brier["crowd"]["compromise on these events"] == pytest.approx(1.0)


def test_direction_check_uses_pull_towards_forecast() -> None:
    bt = score_events(toy(20, 60), OUTCOMES, EVENT_RULES, as_of="2025-06-01", models=["compromise"], draws=50)
    (row,) = bt.direction
    assert row["actual"] == 1 and row["compromise"] == 1  # Ukraine at 20 is pulled up towards 40
    assert bt.direction_summary["compromise"] == {"n": 1, "matches": 1, "share": 1.0}


def test_market_prices_on_the_forecast_date(shared_data) -> None:
    prices = market_prices(shared_data / "markets" / "polymarket-russia-ukraine-ceasefire.csv", dt.date(2025, 11, 20))
    by_slug = {p["slug"]: p for p in prices}
    assert by_slug["russia-x-ukraine-ceasefire-in-2025"]["price"] == 0.065
    assert by_slug["russia-x-ukraine-ceasefire-by-march-31-2026"]["price"] == 0.215
    assert all(p["outcome"] == 0 for p in prices)
    assert "russia-x-ukraine-ceasefire-before-2027" not in by_slug  # unresolved


def test_bundled_case_backtest(shared_data) -> None:
    case = load_case("ukraine")
    bt = run_backtest(
        case, load_scenario(case.scenario_path), case.config.as_of, draws=500,
        markets=shared_data / "markets" / "polymarket-russia-ukraine-ceasefire.csv",
    )
    assert bt.as_of == "2025-11-20" and bt.shift_window == ("2025-11-20", "2026-02-28")
    events = {r["event"] for r in bt.rows}
    assert {"comprehensive_agreement", "general_ceasefire_30d", "assets_still_frozen", "prisoner_exchanges_continued"} <= events
    assert bt.brier["metaculus_q41903"]["brier"] == pytest.approx((0.22 - 0) ** 2)
    assert bt.brier["polymarket"]["brier"] == pytest.approx((0.065**2 + 0.215**2) / 2)
    assert all(0 <= r[m] <= 1 for r in bt.rows for m in ("bdm", "compromise") if m in r)
    assert bt.direction_summary["compromise"]["n"] > 10
