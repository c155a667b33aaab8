"""YAML -> CSV / Decide -> YAML keeps every field and every forecast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accord
from accord.models.registry import forecast, names
from accord.scenario.io import load_scenario, save_scenario
from accord.scenario.model import (
    Actor,
    Anchor,
    Issue,
    Position,
    Role,
    Scale,
    Scenario,
    Source,
)

UKRAINE = Path(accord.__file__).parent / "cases" / "ukraine" / "scenario.yaml"
TARGETS = ("csv", "decide")


def _round_trip(scenario: Scenario, folder: Path, fmt: str) -> Scenario:
    path = save_scenario(scenario, folder / f"again.{fmt}")
    return load_scenario(save_scenario(load_scenario(path), folder / "again.yaml"))


def _forecasts(scenario: Scenario) -> dict[str, dict[str, float]]:
    issues = scenario.issue_data()
    return {m: {k: f.value for k, f in forecast(issues, m).forecasts.items()} for m in names()}


@pytest.mark.parametrize("fmt", TARGETS)
def test_bundled_case_round_trip_keeps_every_field_and_forecast(tmp_path: Path, fmt: str) -> None:
    original = load_scenario(UKRAINE)
    again = _round_trip(original, tmp_path, fmt)
    assert again == original
    before, after = _forecasts(original), _forecasts(again)
    assert set(before) == set(names()) and all(before[m] for m in before)
    assert after == before  # exactly: no model moves


def test_decide_as_of_keeps_the_history_up_to_the_date(tmp_path: Path) -> None:
    from accord.scenario.decide import read_decide
    from accord.scenario.decide_convert import decide_to_scenario, write_decide

    original = load_scenario(UKRAINE)
    when = dt.date(2025, 11, 20)
    back = decide_to_scenario(read_decide(write_decide(original, tmp_path / "then.decide", as_of=when)))
    assert back.positions == [p for p in original.positions if p.date <= when]
    assert back.actors == original.actors and back.issues == original.issues
    assert _forecasts(back) == _forecasts(original.as_of(when))


# -- small generated scenarios ---------------------------------------------------------------------

_ids = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)
_text = st.text(st.sampled_from(list("ab xyz,'\"\t\n\r;#|é—\u2028")), max_size=12)
_name = _text.filter(lambda t: t.strip() != "")
_unit = st.floats(0, 1, allow_nan=False)
_scale_value = st.floats(0, 100, allow_nan=False)
_dates = st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31))


@st.composite
def _anchors(draw) -> Scale:
    values = sorted(set(draw(st.lists(_scale_value, max_size=4))))
    raw = draw(st.booleans())
    return Scale(anchors=[Anchor(value=v, label=draw(_name), raw=(v / 25 if raw else None)) for v in values])


@st.composite
def scenarios(draw) -> Scenario:
    actor_ids = draw(st.lists(_ids, min_size=1, max_size=4, unique=True))
    issue_ids = draw(st.lists(_ids, min_size=1, max_size=3, unique=True))
    actors = [
        Actor(
            id=a,
            name=draw(_name),
            aliases=draw(st.lists(_name, max_size=2)),
            kind=draw(st.sampled_from(["state", "organisation", "party"])),
            capability=draw(st.floats(0, 5, allow_nan=False)),
            description=draw(_text),
            roles=draw(st.lists(st.builds(Role, title=_name, holder=st.none() | _name, start=st.none() | _dates), max_size=1)),
        )
        for a in actor_ids
    ]
    issues = [
        Issue(
            id=i,
            title=draw(_name),
            description=draw(_text),
            scale=draw(_anchors()),
            status_quo=draw(st.none() | _scale_value),
            keywords=draw(st.lists(_name, max_size=2)),
            group=draw(st.none() | st.sampled_from(["g1", "g2"])),
        )
        for i in issue_ids
    ]
    positions = []
    for a in actor_ids:
        for i in issue_ids:
            for when in sorted(draw(st.sets(_dates, max_size=3))):
                sources = draw(st.lists(st.builds(Source, url=_name, quote=st.none() | _name, outlet=st.none() | _name), max_size=2))
                positions.append(
                    Position(
                        actor=a, issue=i, position=draw(_scale_value), salience=draw(_unit), date=when,
                        capability=draw(st.none() | st.floats(0, 5, allow_nan=False)),
                        uncertainty=draw(st.none() | st.floats(0, 50, allow_nan=False)),
                        sources=sources, note=draw(_text), origin=draw(st.sampled_from(["hand", "suggested"])),
                    )
                )
    if not positions:  # a Decide file needs one #D row
        positions.append(Position(actor=actor_ids[0], issue=issue_ids[0], position=50, salience=0.5, date=dt.date(2025, 1, 1)))
    return Scenario(id=draw(_ids), title=draw(_text), description=draw(_text), actors=actors, issues=issues, positions=positions)


def _canonical(scenario: Scenario) -> list[Position]:
    actors = [a.id for a in scenario.actors]
    issues = [i.id for i in scenario.issues]
    return sorted(scenario.positions, key=lambda p: (issues.index(p.issue), actors.index(p.actor), p.date))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenarios(), st.sampled_from(TARGETS))
def test_generated_scenarios_round_trip_unchanged(tmp_path_factory, scenario: Scenario, fmt: str) -> None:
    folder = tmp_path_factory.mktemp("convert")
    again = _round_trip(scenario, folder, fmt)
    if fmt == "decide":  # Decide reads positions back by issue, actor and date
        scenario = scenario.model_copy(update={"positions": _canonical(scenario)})
    assert again.model_dump() == scenario.model_dump()
    fast = ["compromise", "weighted-median", "nash", "status-quo"]
    issues, back = scenario.issue_data(), again.issue_data()
    for model in fast:
        assert {k: f.value for k, f in forecast(back, model).forecasts.items()} == {
            k: f.value for k, f in forecast(issues, model).forecasts.items()
        }
