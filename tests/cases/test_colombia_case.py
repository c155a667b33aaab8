"""The bundled Colombia 2016 case: its files load, its forecasts are the hand-checked numbers, and a run completes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accord.analysis.backtest import load_outcomes
from accord.cases import bundled_cases, case_dir
from accord.gmcr.io import load_gmcr
from accord.packages.analysis import analyse_packages
from accord.packages.io import load_package_model
from accord.pipeline import run
from accord.scenario.io import load_scenario

CASE = case_dir("colombia")


def _forecast_json(as_of: str) -> dict[str, float]:
    cmd = [sys.executable, "-m", "accord.cli.main", "forecast", str(CASE / "scenario.yaml"),
           "--as-of", as_of, "-m", "compromise", "-f", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return {row["issue"]: row["compromise"] for row in json.loads(done.stdout)}


def test_colombia_is_a_bundled_case_and_its_scenario_validates() -> None:
    assert "colombia" in bundled_cases()
    sc = load_scenario(CASE / "scenario.yaml")
    assert [a.id for a in sc.actors] == ["government", "farc", "no_camp", "united_states"]
    assert [i.id for i in sc.issues] == ["transitional_justice", "political_participation", "rural_reform", "illicit_crops"]
    assert len(sc.positions) == 33
    assert all(p.sources and all(s.url.startswith("http") for s in p.sources) for p in sc.positions)
    assert all(i.status_quo is not None and len(i.scale.anchors) >= 3 for i in sc.issues)


def test_compromise_forecast_of_transitional_justice_matches_the_hand_computation() -> None:
    # Compromise model = sum(x*s*c) / sum(s*c) over the positions valid at the date.
    # 2016-09-26: government 60 (s 0.9, c 1.0), FARC 60 (1.0, 0.5), No camp 20 (1.0, 0.6), US 60 (0.3, 0.3)
    #   (60*0.9 + 60*0.5 + 20*0.6 + 60*0.09) / (0.9 + 0.5 + 0.6 + 0.09) = 101.4 / 2.09 = 48.5167...
    # 2016-11-24: government 50, FARC 50, No camp 30, US 50 (same weights)
    #   (50*0.9 + 50*0.5 + 30*0.6 + 50*0.09) / 2.09 = 92.5 / 2.09 = 44.2584...
    before = _forecast_json("2016-09-26")
    after = _forecast_json("2016-11-24")
    assert before["transitional_justice"] == pytest.approx(101.4 / 2.09, abs=1e-9)
    assert after["transitional_justice"] == pytest.approx(92.5 / 2.09, abs=1e-9)
    # political participation does not move: (50*0.7 + 50*0.45 + 0*0.54 + 50*0.06) / 1.75 = 60.5 / 1.75
    assert before["political_participation"] == pytest.approx(60.5 / 1.75, abs=1e-9)
    assert after["political_participation"] == pytest.approx(60.5 / 1.75, abs=1e-9)


def test_package_file_loads_and_no_package_is_acceptable_to_all_four_parties() -> None:
    case = load_package_model(CASE / "packages.yaml")
    assert case.model.parties == ("government", "farc", "no_camp", "united_states")
    assert case.model.n_packages == 36
    assert set(case.named) == {"cartagena_2016_09_26", "teatro_colon_2016_11_24", "no_camp_2016_10_10"}
    analysis = analyse_packages(case.model, case.ratifiers, case.named)
    assert analysis["acceptable_count"] == 0
    named = analysis["named_packages"]
    # No camp on the Cartagena text: (1.0*0.6 + 0.9*0.5 + 0.5*0.5 + 0.5*0.4) / 2.9 = 1.5 / 2.9
    assert named["cartagena_2016_09_26"]["utilities"]["no_camp"] == pytest.approx(1.5 / 2.9, abs=1e-9)
    # FARC on the No camp's October package: (1.0*0.7 + 0.9*0.5 + 0.8*0.8 + 0.5*0.6) / 3.2 = 2.09 / 3.2
    assert named["no_camp_2016_10_10"]["utilities"]["farc"] == pytest.approx(2.09 / 3.2, abs=1e-9)
    assert named["cartagena_2016_09_26"]["acceptable_to"] == ["government", "farc", "united_states"]


def test_ceasefire_model_and_outcomes_load() -> None:
    gm = load_gmcr(CASE / "truce.yaml")
    assert list(gm.dms) == ["government", "farc"]
    outcomes = load_outcomes(CASE / "outcomes.yaml")
    by_id = {o["id"]: o["value"] for o in outcomes["outcomes"]}
    assert by_id["plebiscite_approved_by_2016_10_02"] is False and by_id["congress_ratifies_by_2016_12_01"] is True


def test_run_on_the_bundled_case_uses_its_own_dates_and_files(tmp_path: Path) -> None:
    res = run("colombia", draws=50, out=tmp_path, formats=("md",))  # dates from the case's case.yaml
    result = res.result
    assert res.problems == []
    assert result.case.id == "colombia-2016"
    assert [str(t.date) for t in result.forecasts] == ["2016-09-26", "2016-11-24"]
    assert result.forecasts[0].values["compromise"]["transitional_justice"] == pytest.approx(101.4 / 2.09, abs=1e-9)
    assert result.packages is not None and result.packages.n_packages == 36 and result.packages.n_acceptable == 0
    assert result.packages.nash is None  # no package is acceptable to all four parties
    assert result.truce is not None and result.truce.states
    assert res.files["md"].is_file()


def test_congress_route_ratifies_the_revised_text_without_the_no_camp() -> None:
    case = load_package_model(CASE / "packages-congress.yaml")
    analysis = analyse_packages(case.model, case.ratifiers, case.named)
    named = analysis["named_packages"]
    revised = named["teatro_colon_2016_11_24"]
    # the government bloc (82 of 102 senators, 147 of 166 representatives) clears both majorities alone
    assert revised["ratification_probability"] == {"government": 1.0, "farc": 1.0}
    # No camp on the revised text: (1.0*0.8 + 0.9*0.5 + 0.5*0.85 + 0.5*0.6) / 2.9 = 1.975 / 2.9, below its 0.84
    assert revised["utilities"]["no_camp"] == pytest.approx(1.975 / 2.9, abs=1e-9)
    assert "no_camp" not in revised["acceptable_to"]
    assert named["no_camp_2016_10_10"]["ratification_probability"]["farc"] == 0.0
