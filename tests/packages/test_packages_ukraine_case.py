"""The bundled Ukraine package and truce models: structure, sources and the case analysis."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from accord.gmcr.io import load_gmcr
from accord.packages.io import load_package_model

CASE = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases" / "ukraine"
ISSUES = ["donbas_withdrawal", "recognition", "southern_line", "buffer_zone", "nato", "army_cap", "foreign_troops",
          "security_guarantees", "frozen_assets", "sanctions_relief", "elections", "amnesty", "language_church",
          "zaporizhzhia_npp", "truce_sequencing", "prisoner_exchange", "referendum"]


@pytest.fixture(scope="module")
def case():
    return load_package_model(CASE / "packages.yaml")


def test_structure(case):
    m = case.model
    assert m.parties == ("ukraine", "russia", "united_states", "europe")
    assert list(m.issues) == ISSUES
    assert m.n_packages <= 10**6
    assert set(case.named) == {"28_point", "e3_counter", "20_point"}
    assert not case.warnings


def test_every_position_is_an_anchor_point_with_sources_and_reason(shared):
    raw = yaml.safe_load((CASE / "packages.yaml").read_text())
    facts = (shared / "research" / "ukraine-facts.md").read_text()
    known = set(re.findall(r"^- ([SRPFO]\d+b?) ", facts, flags=re.M))
    for issue in raw["issues"]:
        for o in issue["options"]:
            assert o["point"] in (0, 25, 50, 75, 100)
            for sid in re.findall(r"\[([SRP]\d+b?)\]", o["source"]):
                assert sid in known, sid
        for pid, pos in issue["positions"].items():
            assert 0 <= pos["position"] <= 100
            assert pos["why"].strip()
            for sid in pos["sources"]:
                assert sid in known, (issue["id"], pid, sid)
            if pos["salience"] > 0:
                assert pos["sources"], (issue["id"], pid)


def test_kiis_polls_match_the_facts(case):
    stage = case.ratifiers[0].stages[1]
    shares = sorted((p.yes, p.no, p.n) for p in stage.polls)
    assert shares == sorted([(0.18, 0.66, 1001), (0.40, 0.52, 1003), (0.25, 0.58, 1001), (0.72, 0.14, 547), (0.39, 0.50, 1001)])


def test_case_analysis():
    from accord.cases.analysis import analyse_case_files

    out = analyse_case_files(CASE)
    assert out["problems"] == []
    packages = out["packages"]
    assert isinstance(packages["any_acceptable_to_all"], bool)
    assert packages["frontier_count"] == packages["pareto_count"] == len(packages["frontier"]) == 2747
    (government, referendum) = packages["stages"]["ukraine"]
    assert (government["type"], referendum["type"]) == ("threshold", "referendum")
    assert referendum["named"]["28_point"] < 0.5 < referendum["named"]["e3_counter"]
    assert 0 < referendum["passing_count"] < referendum["n_packages"]
    assert referendum["voter_model"]["theta1"] > 0  # more utility for Ukraine, more yes votes
    assert referendum["voter_model"]["n_eff_polls"] == 547
    assert set(referendum["points"]) <= {"nash", "kalai_smorodinsky"}
    assert [s["type"] for s in packages["stages"]["russia"]] == ["threshold"]
    for key in ("nash", "kalai_smorodinsky"):
        sol = packages["solutions"][key]
        if packages["any_acceptable_to_all"]:
            assert set(sol["acceptable_to"]) == {"ukraine", "russia", "united_states", "europe"}
    truce = out["truce"]
    assert set(truce["stability"]) == {"nash", "gmr", "smr", "seq"}
    assert set(truce["stability"]["nash"]) <= set(truce["stability"]["gmr"])
    assert all(s["description"] for s in truce["states"])
    import json

    json.dumps(out)


def test_truce_model():
    m = load_gmcr(CASE / "truce.yaml")
    assert m.dms == ("ukraine", "russia")
    assert m.n_states == 16
