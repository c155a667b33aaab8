"""The executive summary: built from the typed result only, honest about what it cannot say (no invented
probability of agreement), every share labelled as conditional on a deal, a warning on every headline row
whose issue lacks a principal party's position, and the same words in the HTML, the Markdown and the terminal."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from accord.cli import common
from accord.cli.run_cmd import print_executive
from accord.pipeline import RunOutput
from accord.report.html import render_html_string
from accord.report.markdown import render_markdown
from accord.report.summary import NO_HEADLINE, build_summary, executive_summary
from accord.result import RunResult, load_result

FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"


@pytest.fixture()
def data() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def without_position(data: dict, actor: str, issue: str) -> RunResult:
    """The fixture with ``actor``'s position on ``issue`` removed and recorded as missing, as a run records it."""
    d = copy.deepcopy(data)
    d["scenario"]["positions"] = [p for p in d["scenario"]["positions"] if (p["actor"], p["issue"]) != (actor, issue)]
    d["forecasts"][0]["missing"] = {issue: [actor]}
    return load_result(d)


def cli_text(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> str:
    console = common.console.__class__(record=True, width=400)
    monkeypatch.setattr("accord.cli.run_cmd.console", console)
    print_executive(RunOutput(result=result, out_dir=Path(".")))
    return console.export_text()


def test_no_probability_of_agreement_is_invented(data: dict) -> None:
    ex = executive_summary(load_result(data))
    assert ex.probability is None
    assert ex.horizon == dt.date(2026, 7, 4)
    assert ex.outlook.startswith("Will an agreement be reached by 2026-07-04? accord does not yet compute a calibrated "
                                 "probability of agreement")
    assert ex.in_short == ("In short: a zone of possible agreement exists in the package file. These are findings, "
                           "not a probability of agreement.")
    assert ex.evidence[0] == ("44 of 81 packages are acceptable to all 4 parties of the package file (Ukraine, Russia, "
                              "United States and Europe (E3 + EU)): each gives every one of them at least its "
                              "reservation value.")


def _with_agreements(data: dict, *, headline: bool, modelled: bool) -> RunResult:
    d = copy.deepcopy(data)
    figures = dict(probability=0.12, mc_error=0.01, p_terms=0.3, p_by_deadline=0.4, draws=1000, figure="0.12 ± 0.01",
                   reason="given a package acceptable to Ukraine and Russia", text="Deal by July: P = 0.12 ± 0.01 …") \
        if modelled else dict(probability=None, mc_error=None, modelled=False, reason="the case has no packages.yaml",
                              text="Deal by July (by 2026-07-04): not modelled. The case has no packages.yaml.")
    d["agreements"] = [
        {"event": "deal", "question": "Deal by July", "kind": "package", "headline": headline, "origin": "2025-11-20",
         "deadline": "2026-07-04", **figures},
        {"event": "talks", "question": "Talks", "kind": "talks", "origin": "2025-11-20", "deadline": "2026-07-04",
         "modelled": False, "reason": "not modelled", "text": "Talks: not modelled."},
    ]
    return load_result(d)


def test_the_first_line_answers_with_the_headline_event(data: dict) -> None:
    ex = executive_summary(_with_agreements(data, headline=True, modelled=True))
    assert (ex.probability, ex.mc_error, ex.headline_event) == (0.12, 0.01, "deal")
    assert ex.in_short == ("In short: Deal by July: P = 0.12 ± 0.01 (forecast on 2025-11-20). Its terms hold with "
                           "P = 0.3 over 1,000 draws, and terms that hold are reached by 2026-07-04 with P = 0.4; the "
                           "full conditions of the event are listed below. Findings behind it: a zone of possible agreement "
                           "exists in the package file.")
    unmodelled = executive_summary(_with_agreements(data, headline=True, modelled=False))
    assert (unmodelled.probability, unmodelled.headline_event) == (None, "deal")
    assert unmodelled.in_short.startswith("In short: Deal by July (by 2026-07-04): not modelled. The case has no")
    floor = _with_agreements(data, headline=True, modelled=True)
    floor.agreements[0] = floor.agreements[0].model_copy(update=dict(probability=0.0005, mc_error=0.0007, p_terms=0.0,
                                                                    figure="< 0.001"))
    assert executive_summary(floor).in_short.startswith(
        "In short: Deal by July: P < 0.001 (forecast on 2025-11-20). Its terms hold with P < 0.001 over 1,000 draws, ")
    floor.agreements[0] = floor.agreements[0].model_copy(update=dict(p_terms=1.0))
    assert "Its terms hold with P > 0.999 over 1,000 draws, " in executive_summary(floor).in_short
    none = executive_summary(_with_agreements(data, headline=False, modelled=True))
    assert (none.probability, none.headline_event) == (None, None)
    assert none.in_short.startswith(f"In short: {NO_HEADLINE} Findings behind it: ")


def test_without_a_horizon_the_summary_says_so(data: dict) -> None:
    data["case"]["horizon"] = None
    ex = executive_summary(load_result(data))
    assert ex.horizon is None
    assert ex.outlook.startswith("No horizon is set for this case")


def test_every_term_is_labelled_conditional_on_a_deal(data: dict) -> None:
    result = load_result(data)
    ex = executive_summary(result)
    assert ex.headline_model == "compromise"
    assert ex.conditioning.startswith("Conditional on an agreement being reached: the compromise model's point forecast")
    assert len(ex.terms) == len(result.scenario.issues)
    donbas = next(t for t in ex.terms if t.issue == "donbas_withdrawal")
    point = result.forecasts_at()["compromise"]["donbas_withdrawal"]
    share = result.intervals()["compromise"]["donbas_withdrawal"].bands[donbas.label]
    assert donbas.value == point
    assert donbas.text == (f"{point:.0f} of 100, “{donbas.label}” ({100 * share:.0f}% of simulations of the compromise "
                           "model, conditional on a deal)")
    assert all(t.share is None or "conditional on a deal" in t.text for t in ex.terms)
    for row in build_summary(result):
        assert row["text"].startswith("If an agreement is reached, most likely: ")
        assert "conditional on a deal" in row["text"]


def test_shares_never_read_as_odds_in_any_renderer(data: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    result = load_result(data)
    page = html.unescape(re.sub(r"<script.*?</script>", "", render_html_string(result), flags=re.S))
    for text in (page, render_markdown(result), cli_text(result, monkeypatch)):
        assert not re.search(r"\d+% chance", text)
        for share in re.findall(r"\d+% of simulations[^.;)]*", text):
            assert "conditional on a deal" in share, share


def test_a_missing_principal_position_warns_in_every_renderer(data: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    result = without_position(data, "ukraine", "nato")
    ex = executive_summary(result)
    nato = next(t for t in ex.terms if t.issue == "nato")
    assert nato.missing_principals == ["ukraine"]
    assert nato.warning == ("No position of Ukraine on this issue at 2026-06-15: every model leaves it out, so the "
                            "forecast reflects the other parties only.")
    assert [t.issue for t in ex.terms if t.warning] == ["nato"]
    rows = {r["issue"]: r for r in build_summary(result)}
    assert rows["nato"]["warning"] == nato.warning and not rows["donbas_withdrawal"]["warning"]
    page = html.unescape(render_html_string(result))
    assert page.count(f'<span class="missing-warning">{nato.warning}</span>') == 2  # executive summary and headline row
    assert render_markdown(result).count(f"**⚠ {nato.warning}**") == 2
    assert f"⚠ {nato.warning}" in cli_text(result, monkeypatch)


def test_a_missing_non_principal_is_not_warned_about(data: dict) -> None:
    result = without_position(data, "europe", "nato")
    assert all(not t.warning for t in executive_summary(result).terms)


def test_the_warning_names_the_first_later_position(data: dict) -> None:
    d = copy.deepcopy(data)
    later = dict(next(p for p in d["scenario"]["history"] if p["actor"] == "ukraine" and p["issue"] == "nato"),
                 date="2026-07-01", position=40.0)
    d["scenario"]["history"].append(later)
    result = without_position(d, "ukraine", "nato")
    nato = next(t for t in executive_summary(result).terms if t.issue == "nato")
    assert nato.warning.endswith("First recorded later: Ukraine 40 on 2026-07-01.")


def test_blocking_issues_are_where_the_principals_are_furthest_apart(data: dict) -> None:
    result = load_result(data)
    latest = {(p.actor, p.issue): p.position for p in result.scenario.positions}
    gaps = sorted(((abs(latest[("ukraine", i.id)] - latest[("russia", i.id)]), k, i.id)
                   for k, i in enumerate(result.scenario.issues)
                   if ("ukraine", i.id) in latest and ("russia", i.id) in latest), key=lambda g: (-g[0], g[1]))
    blockers = [b for b in executive_summary(result).blockers if b.kind == "issue"]
    assert [(b.id, b.value) for b in blockers] == [(iid, gap) for gap, _, iid in gaps[:3]]
    assert blockers[0].text.endswith(f"({gaps[0][0]:.0f} points apart).")


def test_changes_between_the_dates_name_the_moved_positions(data: dict) -> None:
    d = copy.deepcopy(data)
    later = copy.deepcopy(d["forecasts"][0])
    later["date"] = "2026-08-01"
    later["values"]["compromise"]["nato"] = d["forecasts"][0]["values"]["compromise"]["nato"] - 20
    d["forecasts"].append(later)
    d["case"]["compare"] = ["2026-08-01"]
    moved = dict(next(p for p in d["scenario"]["history"] if p["actor"] == "russia" and p["issue"] == "nato"),
                 date="2026-07-20", position=50.0)
    d["scenario"]["history"].append(moved)
    result = load_result(d)
    ex = executive_summary(result)
    before = result.forecasts_at()["compromise"]["nato"]
    old = {(p.actor, p.issue): p.position for p in result.scenario.positions}[("russia", "nato")]
    assert (ex.changed_from, ex.changed_to) == (dt.date(2026, 6, 15), dt.date(2026, 8, 1))
    assert [c.issue for c in ex.changes] == ["nato"]
    assert ex.changes[0].text == (f"NATO renunciation: {before:.0f} → {before - 20:.0f} (positions that changed: "
                                  f"Russia {old:.0f} → 50).")


def test_the_frontier_pairs_the_principals_first(data: dict) -> None:
    from accord.report.labels import pareto_parties

    packages = load_result(data).packages
    assert packages.parties[:2] == ["ukraine", "russia"]
    assert pareto_parties(packages) == ("ukraine", "russia")
    assert pareto_parties(packages, ["europe", "russia"]) == ("europe", "russia")
    assert pareto_parties(packages, ["no_such_party", "united_states"]) == ("united_states", "ukraine")
