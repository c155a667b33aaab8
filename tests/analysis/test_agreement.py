"""Probabilities of agreement (docs/methods/agreement.md): the events file, each kind, continuity, time, no look-ahead."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from accord.analysis.agreement import EventForecast, forecast_events, resolved
from accord.analysis.agreement_terms import KALAI, _bargained_values, parsed, perturbed_stability, truce_states
from accord.analysis.events import load_events
from accord.analysis.hazard import DEFAULT_MEDIAN_DAYS, Hazard, case_hazard
from accord.cases import load_case
from accord.errors import InputError
from accord.gmcr.io import load_gmcr
from accord.gmcr.stability import CONCEPTS, analyse_stability
from accord.report.summary import agreement_figure

COLOMBIA = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases" / "colombia"
ORIGIN = dt.date(2016, 9, 26)

SCENARIO = """\
id: two-parties
title: Two parties, one issue
actors:
  - {{id: a, name: A, capability: 1.0}}
  - {{id: b, name: B, capability: 1.0}}
issues:
  - id: swap
    title: Swap
    scale:
      anchors:
        - {{value: 0, label: none}}
        - {{value: 25, label: some}}
        - {{value: 50, label: half}}
        - {{value: 75, label: most}}
        - {{value: 100, label: all}}
    status_quo: 0
positions:
  - {{actor: a, issue: swap, position: 30, salience: 1.0, date: 2020-01-01, uncertainty: 10}}
  - {{actor: b, issue: swap, position: {b}, salience: 1.0, date: 2020-01-01, uncertainty: 10}}
  - {{actor: b, issue: swap, position: 100, salience: 1.0, date: 2020-06-01, uncertainty: 10}}
"""

PACKAGES = """\
name: two
as_of: 2020-01-01
scale: {{lo: 0, hi: 100}}
parties:
  - {{id: a, reservation: 0.5}}
  - {{id: b, reservation: {r}}}
issues:
  - id: swap
    options:
      - {{id: low, point: 0}}
      - {{id: mid, point: 50}}
      - {{id: high, point: 100}}
    positions:
      a: {{position: 0, salience: 1.0}}
      b: {{position: 100, salience: 1.0}}
"""

EVENTS = """\
events:
  - {id: swap_deal, question: "A and B agree on the swap", deadline: 2020-12-31, kind: partial, parties: [a, b], issue: swap}
  - {id: package_deal, question: "A and B agree on a package", deadline: 2020-12-31, kind: package, parties: [a, b]}
  - {id: swap_high, question: "The swap settles above 50", deadline: 2020-12-31, kind: issue, issue: swap, side: above, value: 50}
  - {id: quiet, question: "The truce holds", deadline: 2020-12-31, kind: truce, state: 1}
  - {id: talks, question: "A and B meet", deadline: 2020-12-31, kind: talks, parties: [a, b]}
  - {id: vote, question: "An election is held", deadline: 2020-12-31, kind: not_modelled, reason: "no issue carries elections"}
"""


def two_party_case(folder: Path, b: float = 70, r: float = 0.5) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(SCENARIO.format(b=b), encoding="utf-8")
    (folder / "packages.yaml").write_text(PACKAGES.format(r=r), encoding="utf-8")
    (folder / "events.yaml").write_text(EVENTS, encoding="utf-8")
    (folder / "case.yaml").write_text("as_of: 2020-01-01\n", encoding="utf-8")
    return folder


def forecast(folder: Path, event_id: str, origin: dt.date = dt.date(2020, 1, 1), draws: int = 400) -> EventForecast:
    case = load_case(folder)
    events = [e for e in load_events(folder / "events.yaml") if e.id == event_id]
    return forecast_events(case, events, origin, draws=draws, seed=3)[0]


# -- the events file -----------------------------------------------------------------------------


def test_events_file_reads_every_kind(tmp_path: Path) -> None:
    events = load_events(two_party_case(tmp_path / "c") / "events.yaml")
    assert [e.kind for e in events] == ["partial", "package", "issue", "truce", "talks", "not_modelled"]
    issue = events[2]
    assert (issue.id, issue.deadline, issue.parties) == ("swap_high", dt.date(2020, 12, 31), ())
    assert issue.params == {"issue": "swap", "side": "above", "value": 50.0, "model": None}
    assert events[3].params == {"truce": "truce.yaml", "state": 1, "states": None, "options": None, "concept": "all"}
    assert events[0].line == 2 and events[5].line == 7


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: deal}\n", 2, "events.0",
     "kind must be one of package, issue, partial, truce, talks, not_modelled"),
    ("events:\n  - id: x\n    question: q\n    deadline: 2020-01-01\n    kind: issue\n    issue: i\n    side: above\n"
     "    value: high\n", 8, "events.0.value", "valid number"),
    ("events:\n  - {id: x, question: q, deadline: soon, kind: talks}\n", 2, "events.0.deadline", "date"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: package}\n", 2, "events.0.parties",
     "names the parties"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: partial, parties: [a], issue: i}\n", 2,
     "events.0.parties", "at least two parties"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: talks}\n"
     "  - {id: x, question: q, deadline: 2020-01-01, kind: talks}\n", 3, "events.1.id", "used twice"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: issue, issue: i, side: up, value: 1}\n", 2,
     "events.0.side", "above"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: issue, issue: i, side: above, value: 1, model: oracle}\n",
     2, "events.0.model", "unknown model"),
    ("events: []\n", 1, "events", "at least 1"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: talks, headline: true}\n"
     "  - {id: y, question: q, deadline: 2020-01-01, kind: talks, headline: true}\n", 3, "events.1.headline",
     "only one event can be the headline"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: truce}\n", 2, "events.0.state",
     "exactly one of state, states or options"),
    ("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: truce, state: 1, options: {a: false}}\n", 2,
     "events.0.state", "(got state, options)"),
    ("questions: []\n", 1, None, "needs an 'events' list"),
])
def test_bad_events_file_names_line_and_field(tmp_path: Path, text: str, line: int, field: str | None,
                                               message: str) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_events(path)
    assert (err.value.file, err.value.line, err.value.field) == (str(path), line, field)


def test_bad_events_file_is_one_line_and_exit_2_on_the_command_line(tmp_path: Path) -> None:
    folder = two_party_case(tmp_path / "c")
    (folder / "events.yaml").write_text("events:\n  - {id: x, question: q, deadline: 2020-01-01, kind: deal}\n",
                                        encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "accord.cli.main", "events", str(folder)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {folder / 'events.yaml'}:2: events.0: kind must be one of package, issue, partial, truce, talks, "
        "not_modelled"]
    assert "Traceback" not in res.stderr


# -- kinds the models cannot speak to ------------------------------------------------------------


def test_a_case_without_the_truce_file_reports_the_truce_event_as_not_modelled(tmp_path: Path) -> None:
    f = forecast(two_party_case(tmp_path / "c"), "quiet")
    assert not f.modelled and f.probability is None and f.mc_error is None and f.p_terms is None
    assert f.reason == "the case has no truce.yaml"


def test_talks_and_not_modelled_events_carry_their_reason(tmp_path: Path) -> None:
    folder = two_party_case(tmp_path / "c")
    talks, vote = forecast(folder, "talks"), forecast(folder, "vote")
    assert not talks.modelled and "talks are held without any zone of agreement" in talks.reason
    assert not vote.modelled and vote.reason == "no issue carries elections"


def test_an_issue_without_positions_at_the_origin_is_not_modelled(tmp_path: Path) -> None:
    f = forecast(two_party_case(tmp_path / "c"), "swap_deal", origin=dt.date(2019, 6, 1))
    assert not f.modelled and f.reason == "no position on issue swap is dated on or before the origin"


def test_a_deadline_before_the_origin_is_not_modelled(tmp_path: Path) -> None:
    f = forecast(two_party_case(tmp_path / "c"), "swap_deal", origin=dt.date(2021, 1, 1))
    assert not f.modelled and f.reason == "the deadline 2020-12-31 is not after the origin 2021-01-01"


# -- truces: states named by their options ------------------------------------------------------


TRUCE = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases" / "ukraine" / "truce.yaml"


def test_a_truce_named_by_options_is_any_matching_state_stable_under_its_concept() -> None:
    model = load_gmcr(TRUCE)
    picked = truce_states(model, {"options": {"ua_energy": False, "ru_energy": False}}, "truce.yaml")
    positions, described = picked
    labels = [model.state_label(p) for p in positions]
    assert labels == ["(none)", "ua_break", "ru_break", "ua_break+ru_break"]
    assert described == ("some state with “Ukraine strikes Russian energy infrastructure” not taken and “Russia strikes "
                         "Ukrainian energy infrastructure” not taken (4 of 16)")
    listed = truce_states(model, {"states": ["(none)", 4]}, "truce.yaml")
    assert listed == ([0, 3], "state 1 ((none)) or 4 (ua_break+ua_energy)")
    assert truce_states(model, {"options": {"ua_tanks": True}}, "truce.yaml").reason == "no option 'ua_tanks' in truce.yaml"


def test_truce_terms_count_draws_where_some_named_state_is_stable(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(SCENARIO.format(b=70), encoding="utf-8")
    shutil.copy(TRUCE, folder / "truce.yaml")
    (folder / "events.yaml").write_text(
        "events:\n  - {id: pause, question: q, deadline: 2020-12-31, kind: truce, concept: seq,\n"
        "     options: {ua_energy: false, ru_energy: false}}\n"
        "  - {id: one, question: q, deadline: 2020-12-31, kind: truce, concept: seq, state: ua_break+ru_break}\n",
        encoding="utf-8")
    pause, one = forecast_events(load_case(folder), load_events(folder / "events.yaml"), dt.date(2020, 1, 1), draws=300,
                                 seed=3)
    stable = perturbed_stability(load_gmcr(TRUCE), 300, 3, 0.5)[:, CONCEPTS.index("seq"), :]
    assert pause.p_terms == pytest.approx(stable[:, [0, 1, 4, 5]].any(axis=1).mean())
    assert one.p_terms == pytest.approx(stable[:, 5].mean())
    assert pause.p_terms >= one.p_terms


# -- no look-ahead -------------------------------------------------------------------------------


def test_a_position_dated_after_the_origin_is_not_read(tmp_path: Path) -> None:
    early = forecast(two_party_case(tmp_path / "c1", b=70), "swap_deal", origin=dt.date(2020, 3, 1))
    later = forecast(two_party_case(tmp_path / "c1", b=70), "swap_deal", origin=dt.date(2020, 7, 1))
    assert early.p_terms != later.p_terms  # B's move to 100 on 2020-06-01 counts from then on ...
    text = (tmp_path / "c1" / "scenario.yaml").read_text(encoding="utf-8").replace("position: 100", "position: 35")
    (tmp_path / "c1" / "scenario.yaml").write_text(text, encoding="utf-8")
    again = forecast(tmp_path / "c1", "swap_deal", origin=dt.date(2020, 3, 1))
    assert again == early  # ... and not before


def test_a_package_file_dated_after_the_origin_is_not_read(tmp_path: Path) -> None:
    f = forecast(two_party_case(tmp_path / "c"), "package_deal", origin=dt.date(2019, 12, 31))
    assert not f.modelled and f.reason == "packages.yaml is dated 2020-01-01, after the origin"


# -- continuity: no step from 0 to 1 -------------------------------------------------------------


def test_moving_one_position_across_the_other_changes_the_probability_continuously(tmp_path: Path) -> None:
    sweep = np.arange(0, 101, 5.0)
    p = np.array([forecast(two_party_case(tmp_path / f"b{k}", b=float(b)), "swap_deal", draws=200).p_terms
                  for k, b in enumerate(sweep)])
    assert p.max() > 0.9 and p.min() < 0.1  # B near A: agreement; B far away: none
    assert np.abs(np.diff(p)).max() < 0.2  # but never a step: the largest change between 5-point moves
    assert np.argmax(p) in range(4, 9)  # the peak lies where B sits on A (30 ± 10)


def test_moving_a_reservation_value_across_the_best_offer_changes_the_probability_continuously(tmp_path: Path) -> None:
    sweep = np.linspace(0.5, 1.0, 21)
    p = np.array([forecast(two_party_case(tmp_path / f"r{k}", r=float(r)), "package_deal", draws=300).p_terms
                  for k, r in enumerate(sweep)])
    assert p[0] > 0.95 and p[-1] < 0.05  # B asks little: the middle package suits both; B asks more than it: none
    assert np.all(np.diff(p) <= 0.02)  # falls as B asks more (up to Monte Carlo noise) ...
    assert np.abs(np.diff(p)).max() < 0.25  # ... without a step from 1 to 0


# -- time and resolution -------------------------------------------------------------------------


def test_hazard_gives_half_at_the_median_and_nothing_without_time() -> None:
    h = Hazard()
    assert h.p_by("package", DEFAULT_MEDIAN_DAYS["package"]) == pytest.approx(0.5)
    assert h.p_by("partial", 60) == pytest.approx(0.75)
    assert h.p_by("truce", 0) == 0.0
    own = case_hazard({"partial": 10.0})
    assert own.median_days["partial"] == 10.0 and own.median_days["package"] == DEFAULT_MEDIAN_DAYS["package"]
    assert own.source == "case.yaml"


def test_case_yaml_sets_the_hazard_and_a_bad_value_names_the_field(tmp_path: Path) -> None:
    folder = two_party_case(tmp_path / "c")
    (folder / "case.yaml").write_text("as_of: 2020-01-01\nhazard: {partial: 10}\n", encoding="utf-8")
    f = forecast(folder, "swap_deal")
    assert f.p_by_deadline == pytest.approx(1 - 0.5 ** (365 / 10))
    assert "median 10 days, case.yaml" in f.reason
    (folder / "case.yaml").write_text("as_of: 2020-01-01\nhazard: {partial: -1}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_case(folder)
    assert (err.value.line, err.value.field) == (2, "hazard.partial")


def test_figures_show_the_error_to_its_first_significant_digit() -> None:
    assert agreement_figure(0.6213, 0.0153) == "0.62 ± 0.02"
    assert agreement_figure(0.01035, 0.0032) == "0.010 ± 0.003"
    assert agreement_figure(0.0005, 0.000707) == "0.0005 ± 0.0007"
    assert agreement_figure(0.5, 0.0) == "0.50 ± 0.00"
    # at the Monte Carlo floor or ceiling the draws only bound the probability
    assert agreement_figure(0.0005, 0.000707, 1000) == "< 0.001"
    assert agreement_figure(0.9995, 0.000707, 1000) == "> 0.999"
    assert agreement_figure(0.0125, 0.0111, 40) == "< 0.025"
    assert agreement_figure(0.0126, 0.0111, 40) == "0.01 ± 0.01"


def test_probabilities_stay_inside_the_monte_carlo_resolution() -> None:
    assert resolved(0.0, 1000) == (0.0005, pytest.approx(np.sqrt(0.0005 * 0.9995 / 1000)))
    assert resolved(1.0, 1000)[0] == 0.9995
    assert resolved(0.3, 100) == (0.3, pytest.approx(np.sqrt(0.21 / 100)))


def test_probability_is_terms_times_time_with_its_error(tmp_path: Path) -> None:
    f = forecast(two_party_case(tmp_path / "c"), "swap_high")
    assert f.modelled and f.draws == 400
    assert f.probability == pytest.approx(f.p_terms * f.p_by_deadline)
    assert f.mc_error == pytest.approx(np.sqrt(f.probability * (1 - f.probability) / 400))
    assert f.reason.startswith("given the 5-model (compromise, mean, weighted-median, nash, bdm) forecast of “Swap” "
                               "above 50; reached by 2020-12-31 with P = ")


def test_each_model_family_gives_its_own_probability_and_the_ensemble_is_their_model_weighted_mean(
        tmp_path: Path) -> None:
    f = forecast(two_party_case(tmp_path / "c"), "swap_high")
    assert list(f.by_family) == ["compromise", "weighted median", "nash", "bdm"]
    terms = {k: v / f.p_by_deadline for k, v in f.by_family.items()}
    # the ensemble averages the five models; the compromise family holds two of them (compromise and mean)
    ensemble = (2 * terms["compromise"] + terms["weighted median"] + terms["nash"] + terms["bdm"]) / 5
    assert ensemble == pytest.approx(f.p_terms)
    assert all(0 < p < 1 for p in f.by_family.values())


def test_files_are_parsed_once_while_unchanged_and_again_after_a_change(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    two_party_case(folder)
    calls: list[Path] = []

    def counting(path: Path) -> str:
        calls.append(path)
        return path.read_text(encoding="utf-8")

    first = parsed(folder / "scenario.yaml", counting)
    assert parsed(folder / "scenario.yaml", counting) is first and len(calls) == 1
    two_party_case(folder, b=75)  # rewritten: a new size
    assert "position: 75" in parsed(folder / "scenario.yaml", counting) and len(calls) == 2


# -- a real case ---------------------------------------------------------------------------------


COLOMBIA_EVENTS = """\
events:
  - {id: deal, question: "Agreement of government and FARC", deadline: 2016-12-31, kind: package, parties: [government, farc]}
  - {id: justice, question: "Justice settles below 50", deadline: 2016-12-31, kind: issue, issue: transitional_justice, side: below, value: 50}
  - {id: politics, question: "Agreement on political participation", deadline: 2016-12-31, kind: partial, parties: [government, farc], issue: political_participation}
  - {id: ceasefire, question: "The ceasefire state is stable", deadline: 2016-12-31, kind: truce, state: 1, concept: gmr}
"""


@pytest.fixture(scope="module")
def colombia(tmp_path_factory: pytest.TempPathFactory) -> list[EventForecast]:
    folder = tmp_path_factory.mktemp("colombia") / "colombia"
    shutil.copytree(COLOMBIA, folder, ignore=shutil.ignore_patterns("articles", "events.yaml"))
    (folder / "events.yaml").write_text(COLOMBIA_EVENTS, encoding="utf-8")
    return forecast_events(load_case(folder), load_events(folder / "events.yaml"), ORIGIN, draws=200, seed=0)


def test_every_kind_is_modelled_on_the_colombia_case(colombia: list[EventForecast]) -> None:
    assert [f.event_id for f in colombia] == ["deal", "justice", "politics", "ceasefire"]
    for f in colombia:
        assert f.modelled and 0 < f.probability < 1 and f.mc_error > 0, f
        assert f.p_by_deadline == pytest.approx(1 - 0.5 ** (96 / DEFAULT_MEDIAN_DAYS[f.kind]))
    assert "times its chance of ratification by Government of Colombia and FARC-EP" in colombia[0].reason
    assert "state 1 ((none)) of truce.yaml stable for all decision makers under GMR" in colombia[3].reason


def test_colombia_figures_are_reproducible(colombia: list[EventForecast]) -> None:
    assert [round(f.p_terms, 6) for f in colombia] == PINNED_COLOMBIA


def test_package_families_are_the_two_bargaining_solutions_and_truces_have_none(
        colombia: list[EventForecast]) -> None:
    deal, _, politics, ceasefire = colombia
    assert list(deal.by_family) == ["nash", KALAI]
    assert deal.by_family["nash"] == deal.probability  # the ensemble of a package event is the Nash package
    assert round(deal.by_family[KALAI] / deal.p_by_deadline, 6) == PINNED_KALAI
    assert list(politics.by_family) == ["compromise", "weighted median", "nash", "bdm"]
    assert ceasefire.by_family == {}


PINNED_KALAI = 0.985


def test_nash_and_kalai_smorodinsky_pick_different_packages_by_hand() -> None:
    # gains (north, south): A (0.6, 0.6), B (1.0, 0.4), C (0.1, 1.0); utopia (1.0, 1.0)
    # Nash maximises the product: B (0.40 > 0.36); Kalai-Smorodinsky the smallest share of utopia: A (0.6)
    tables = [np.array([[[0.6, 1.0, 0.1], [0.6, 0.4, 1.0]]])]
    pool = np.array([[0], [1], [2]])
    nash, kalai = _bargained_values(tables, np.zeros((1, 2)), pool, np.array([0.2, 0.9, 0.5]))
    assert (nash[0], kalai[0]) == (0.9, 0.2)
    nobody, _ = _bargained_values(tables, np.full((1, 2), 1.5), pool, np.array([0.2, 0.9, 0.5]))
    assert nobody[0] == 0.0  # no package acceptable to both


PINNED_COLOMBIA = [0.985, 0.487, 1.0, 0.99]


def test_without_preference_noise_every_draw_has_the_stability_of_the_file() -> None:
    model = load_gmcr(COLOMBIA / "truce.yaml")
    base = analyse_stability(model)
    stable = perturbed_stability(model, draws=5, seed=0, sd=0.0)
    for k, concept in enumerate(CONCEPTS):
        assert (stable[:, k, :] == base.stable[concept].all(axis=0)).all()
    noisy = perturbed_stability(model, draws=200, seed=0, sd=0.5)
    assert noisy.shape == (200, len(CONCEPTS), model.n_states)
    share = noisy.mean(axis=0)
    assert ((share > 0) & (share < 1)).any()  # the noise moves some states in and out of stability
