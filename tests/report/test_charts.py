"""What the charts and their sections show: a colour per model, reference points apart from the models, BDM paths
that agree with the forecast or say why not, every ratification stage type, the ratified deal and the package codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from accord.cases import load_case
from accord.cases.analysis import package_analysis
from accord.pipeline import _packages_view
from accord.report.charts import bdm_paths, forecast_intervals, model_colors, ratification_bars
from accord.report.context import bdm_notes
from accord.report.html import render_html_string
from accord.report.markdown import render_markdown
from accord.result import Package, load_result
from accord.scenario.io import load_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"


@pytest.fixture
def data() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _with_models(data: dict, extra: dict[str, float]) -> dict:
    """The fixture with the two reference models (status quo, midpoint) added to its forecasts at the run's date."""
    out = copy.deepcopy(data)
    issues = out["scenario"]["issues"]
    values = out["forecasts"][0]["values"]
    values["status-quo"] = {i["id"]: i["status_quo"] for i in issues if i["status_quo"] is not None}
    values["midpoint"] = {i["id"]: 50.0 for i in issues}
    for model, value in extra.items():
        values[model] = {i["id"]: value for i in issues}
    out["models"] = list(values)
    return out


def test_every_model_has_its_own_colour_and_references_are_ticks_not_models(data: dict) -> None:
    result = load_result(_with_models(data, {"compromise-salience": 40.0, "median": 45.0, "weighted-median-salience": 55.0}))
    fig = forecast_intervals(result)
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend.count("Status quo (reference)") == 1
    assert "Midpoint (reference)" in legend
    assert "Status quo" not in legend and "Midpoint" not in legend  # not drawn as models
    model_markers = {t.name: t.marker.color for t in fig.data if t.mode == "markers" and "(reference)" not in t.name}
    assert len(model_markers) == 9
    assert len(set(model_markers.values())) == 9
    sq = next(t for t in fig.data if t.name == "Status quo (reference)")
    assert list(sq.x) == [i.status_quo for i in result.scenario.issues if i.status_quo is not None]
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_model_colours_follow_the_registry_not_the_run() -> None:
    one = model_colors(["bdm", "compromise"])
    two = model_colors(["compromise", "exchange", "bdm"])
    assert one["compromise"] == two["compromise"] == model_colors(["compromise"])["compromise"]
    assert len({*model_colors(["compromise", "compromise-salience", "mean", "weighted-median", "nash", "bdm",
                               "exchange", "median", "weighted-median-salience"]).values()}) == 9


def _bdm_case(data: dict) -> dict:
    out = copy.deepcopy(data)
    paths = out["bdm_paths"]
    paths["army_cap"] = {"median": [75.0, 60.0, 22.0, 48.0, 14.0, 33.0, 23.5], "mean": [], "stop_reason": "fixed",
                         "positions": {"ukraine": [0.0] * 7, "russia": [100.0] * 7}, "offers": []}
    paths["security_guarantees"] = {"median": [75.0], "mean": [75.0], "stop_reason": "degenerate",
                                    "positions": {"russia": [75.0]}, "offers": []}
    paths["nato"]["stop_reason"] = "converged"
    out["forecasts"][0]["values"]["bdm"]["army_cap"] = 4.1
    out["forecasts"][0]["values"]["bdm"]["security_guarantees"] = 75.0
    out["forecasts"][0]["values"]["bdm"]["nato"] = paths["nato"]["median"][-1]
    return out


def test_a_bdm_path_that_ends_off_the_forecast_shows_both_and_says_why(data: dict) -> None:
    result = load_result(_bdm_case(data))
    notes = bdm_notes(result)
    army = notes["army_cap"]
    assert (army["end"], army["forecast"], army["mismatch"], army["rounds"]) == (23.5, 4.1, True, 6)
    assert army["oscillation"] == (14.0, 60.0)
    assert any("ends at 24 after 6 rounds" in c and "forecast in the tables is 4" in c for c in army["comments"])
    assert any("oscillates between 14 and 60" in c for c in army["comments"])
    assert notes["nato"]["mismatch"] is False and notes["nato"]["comments"] == []
    assert notes["nato"]["why"] == "the positions stopped moving (converged)"
    assert notes["security_guarantees"]["why"] == ("no round could be played: only one party has a position on this "
                                                   "issue, so there is nobody to bargain with")
    page = render_html_string(result)
    assert "oscillates between 14 and 60" in page and "nobody to bargain with" in page
    md = render_markdown(result)
    assert "forecast in the tables is 4" in md and "| 24 | 4 |" in md


def test_bdm_panels_mark_the_forecast_title_every_axis_and_explain_empty_panels(data: dict) -> None:
    result = load_result(_bdm_case(data))
    fig = bdm_paths(result)
    ids = list(bdm_notes(result))
    k = ids.index("army_cap")
    axis = "x" if k == 0 else f"x{k + 1}"
    marker = next(t for t in fig["data"] if t.get("legendgroup") == "forecast" and t["xaxis"] == axis)
    assert (marker["x"], marker["y"]) == ([6], [4.1])
    for name, axis in fig["layout"].items():
        if name.startswith(("xaxis", "yaxis")):
            assert axis["title"]["text"] in ("round", "position (0–100)"), name
    remarks = [a["text"] for a in fig["layout"]["annotations"] if "domain" in a.get("xref", "")]
    assert any(r.startswith("no rounds played:") and "nobody to bargain" in r.replace("<br>", " ") for r in remarks)
    assert "oscillates · path ends at 24, forecast 4" in remarks


@pytest.fixture(scope="module")
def congress() -> dict:
    folder = load_case("colombia").folder
    view = _packages_view(package_analysis(folder / "packages-congress.yaml"), load_scenario(folder / "scenario.yaml"))
    return view.model_dump(mode="json")


def test_every_stage_type_and_the_deal_after_ratification_reach_the_report(data: dict, congress: dict) -> None:
    with_congress = copy.deepcopy(data)
    with_congress["packages"] = congress
    result = load_result(with_congress)
    kinds = [(s.type, s.passing_count, s.n_packages) for s in result.packages.stages]
    assert kinds == [("threshold", 36, 36), ("voting_body", 36, 36), ("voting_body", 36, 36), ("threshold", 18, 36)]
    assert result.packages.zopa2_count == 0
    page = render_html_string(result)
    md = render_markdown(result)
    for report in (page, md):
        assert "voting_body" in report and "18 of 36" in report
        assert "Nash bargaining (ratified)" in report or "Nash bargaining after ratification" in report
        assert "no ratified package leaves every party strictly better off than no deal" in report
        assert "A2 = the second option of issue A" in report
    assert "vote of government coalition and others, Centro Democratico" in page
    assert '<b>A1</b> jep first text' in page
    fig = ratification_bars(result)
    assert len(set(fig.data[0].y)) == 4  # the two chambers' stages keep their own bars
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text and fig.layout.yaxis.automargin


def test_a_ratified_bargaining_solution_is_shown_by_its_options(data: dict, congress: dict) -> None:
    with_deal = copy.deepcopy(data)
    congress = copy.deepcopy(congress)
    congress["zopa2_count"] = 3
    congress["n_acceptable"] = 7
    congress["ratified"] = {"nash": Package(label="A2,B1,C2,D1", options=["jep_revised", "seats_2018_2026",
                                            "land_fund_property_clause", "substitution_first"],
                                            utilities={"government": 0.61}).model_dump(mode="json")}
    congress["ratified_missing"] = {}
    with_deal["packages"] = congress
    page = render_html_string(load_result(with_deal))
    assert "<b>3</b> are also ratified by every side" in page
    assert "Nash bargaining (ratified)</th>" in page
    assert "<td>land fund property clause</td>" in page


def test_a_referendum_stage_reaches_the_report_with_its_passing_count(data: dict) -> None:
    folder = load_case("colombia").folder
    view = _packages_view(package_analysis(folder / "packages.yaml"), load_scenario(folder / "scenario.yaml"))
    with_referendum = copy.deepcopy(data)
    with_referendum["packages"] = view.model_dump(mode="json")
    result = load_result(with_referendum)
    referendum = [s for s in result.packages.stages if s.type == "referendum"]
    assert [(s.name, s.passing_count, s.n_packages) for s in referendum] == [("plebiscite of 2 October 2016", 36, 36)]
    page = render_html_string(result)
    assert '<span class="tag" title="referendum fitted to opinion polls">referendum</span>' in page
    assert "36 of 36" in page
