"""Decide #A/#P/#M/#D files: reading, errors with line numbers, scenario round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import InputError
from accord.scenario.decide import issue_data_from_decide, parse_decide, read_decide
from accord.scenario.decide_convert import (
    DECIDE_DATE,
    decide_to_scenario,
    scenario_to_decide_text,
    write_decide,
)
from accord.scenario.model import Actor, Anchor, Issue, Position, Scale, Scenario

FILES = ("sample_data.txt", "cop21.csv", "copenhagen.csv")

GOOD = (
    "'#A'\t'a1'\t'Actor one'\t'first'\n"
    "'#A'\t'a2'\t'Actor two'\t''\n"
    "'#P'\t'p1'\t'Issue one'\t'desc'\n"
    "'#M'\t'p1'\t0\t'none'\n"
    "'#M'\t'p1'\t10\t'all'\n"
    "'#P'\t'p2'\t'Issue two'\t''\n"
    "'#D'\t'a1'\t'p1'\t2.5\t0.5\t1.0\n"
    "'#D'\t'a2'\t'p1'\t10\t0.8\t2.0\n"
    "'#D'\t'a1'\t'p2'\t40\t0.6\t1.0\n"
    "'#D'\t'a2'\t'p2'\t100\t0.2\t3.0\n"
)


def _write(tmp_path: Path, text: str | bytes, name: str = "in.txt") -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _numbers(data):
    return {(r.actor, r.issue): (r.raw, r.position, r.salience, r.power) for r in data.rows}


def _scales(data):
    return [(i.key, i.lo, i.hi, [(p.value, p.meaning) for p in i.points]) for i in data.issues]


# -- reading -------------------------------------------------------------------------


def test_read_sample(shared_data):
    data = read_decide(shared_data / "exchange" / "sample_data.txt")
    assert (len(data.actors), len(data.issues), len(data.rows)) == (10, 6, 60)
    assert sum(len(i.points) for i in data.issues) == 12
    tol = data.issue("tol-hoogte")
    assert (tol.lo, tol.hi) == (0.5, 7.0)
    assert data.row("Willems", "tol-hoogte").raw == 3.0
    assert data.row("Willems", "tol-hoogte").position == pytest.approx(500 / 13, abs=1e-12)
    assert data.issue("wanneer-tol").description == "Wat is dit voor onzin?"
    assert data.actor("Willems").comment == "Test"
    assert data.name == "sample_data"


def test_read_copenhagen_keys_with_spaces(shared_data):
    data = read_decide(shared_data / "exchange" / "copenhagen.csv")
    assert "EU (incl Norway)" in [a.key for a in data.actors]
    assert (len(data.actors), len(data.issues), len(data.rows)) == (11, 7, 75)


def test_read_cop21_counts(shared_data):
    data = read_decide(shared_data / "exchange" / "cop21.csv")
    assert (len(data.actors), len(data.issues), len(data.rows)) == (15, 13, 181)
    per_issue = {i.key: sum(1 for r in data.rows if r.issue == i.key) for i in data.issues}
    assert per_issue["amb2050"] == per_issue["amb2100"] == 8


def test_normalisation_and_defaults(tmp_path):
    data = read_decide(_write(tmp_path, GOOD))
    assert data.row("a1", "p1").position == pytest.approx(25.0)
    assert data.row("a2", "p1").position == 100.0
    p2 = data.issue("p2")
    assert (p2.lo, p2.hi, p2.points) == (0.0, 100.0, ())
    assert data.issue("p1").points[1].meaning == "all"


def test_extra_fields_are_joined_into_the_last(tmp_path):
    text = GOOD.replace("'#A'\t'a1'\t'Actor one'\t'first'", "'#A'\t'a1'\t'Actor one'\t'first'\tsecond\tthird")
    data = read_decide(_write(tmp_path, text))
    assert data.actor("a1").comment == "first second third"


def test_comments_blank_lines_and_bom_are_ignored(tmp_path):
    text = "\ufeff'#/'\tcomment\n\n" + GOOD + "'#0'\tanother\n"
    assert len(read_decide(_write(tmp_path, text)).rows) == 4


def test_salience_scale(tmp_path):
    text = GOOD.replace("\t0.5\t1.0\n", "\t50\t1.0\n").replace("0.8\t2.0", "80\t2.0").replace("0.6\t1.0", "60\t1.0").replace("0.2\t3.0", "20\t3.0")
    with pytest.raises(InputError, match="salience_scale=100") as err:
        read_decide(_write(tmp_path, text))
    assert err.value.line == 7
    data = read_decide(_write(tmp_path, text), salience_scale=100)
    assert data.row("a1", "p1").salience == 0.5


# -- malformed files -------------------------------------------------------------------


def _error(tmp_path, text, **kw) -> InputError:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_decide(path, **kw)
    assert err.value.file == str(path)
    return err.value


def test_missing_m_rows_with_position_outside_0_100(tmp_path):
    err = _error(tmp_path, GOOD.replace("'#D'\t'a1'\t'p2'\t40", "'#D'\t'a1'\t'p2'\t400"))
    assert err.line == 9
    assert err.field == "position"
    assert "no #M rows" in err.message
    assert "in.txt:9: position:" in str(err)


def test_position_outside_m_range(tmp_path):
    err = _error(tmp_path, GOOD.replace("'#D'\t'a1'\t'p1'\t2.5", "'#D'\t'a1'\t'p1'\t12"))
    assert err.line == 7 and "[0, 10]" in err.message


def test_unknown_actor_in_d_row(tmp_path):
    err = _error(tmp_path, GOOD.replace("'#D'\t'a2'\t'p2'", "'#D'\t'a9'\t'p2'"))
    assert err.line == 10 and err.field == "actor key" and "'a9'" in err.message


def test_unknown_issue_in_d_row(tmp_path):
    err = _error(tmp_path, GOOD.replace("'#D'\t'a2'\t'p1'", "'#D'\t'a2'\t'p7'"))
    assert err.line == 8 and err.field == "issue key"


def test_text_in_number_field(tmp_path):
    err = _error(tmp_path, GOOD.replace("\t0.8\t2.0", "\thigh\t2.0"))
    assert err.line == 8 and err.field == "salience" and "'high'" in err.message
    err = _error(tmp_path, GOOD.replace("'#M'\t'p1'\t10", "'#M'\t'p1'\tten"))
    assert err.line == 5 and err.field == "scale point"
    err = _error(tmp_path, GOOD.replace("\t0.8\t2.0", "\tnan\t2.0"))
    assert err.line == 8


def test_wrong_delimiter(tmp_path):
    err = _error(tmp_path, GOOD.replace("\t", ","))
    assert err.line == 1 and "tab" in err.message
    err = _error(tmp_path, GOOD.replace("'", "").replace("\t", ";"))
    assert err.line == 1 and "tab" in err.message


def test_too_few_fields(tmp_path):
    err = _error(tmp_path, GOOD.replace("\t0.5\t1.0\n", "\t0.5\n"))
    assert err.line == 7 and "found 4" in err.message


def test_empty_file(tmp_path):
    assert "empty" in _error(tmp_path, "").message
    assert "empty" in _error(tmp_path, "\n  \n").message
    assert "#D" in _error(tmp_path, "'#A'\t'a'\n'#P'\t'p'\n").message


def test_non_utf8_bytes(tmp_path):
    path = _write(tmp_path, GOOD.encode().replace(b"Actor two", b"Act\xe9r two"))
    with pytest.raises(InputError) as err:
        read_decide(path)
    assert err.value.line == 2 and "UTF-8" in err.value.message


def test_duplicate_keys(tmp_path):
    err = _error(tmp_path, GOOD + "'#A'\t'a1'\t'again'\n")
    assert err.line == 11 and "duplicate actor" in err.message and "line 1" in err.message
    err = _error(tmp_path, GOOD + "'#P'\t'p2'\t'again'\n")
    assert err.line == 11 and "duplicate issue" in err.message
    err = _error(tmp_path, GOOD + "'#D'\t'a1'\t'p2'\t50\t0.5\t1\n")
    assert err.line == 11 and "duplicate #D" in err.message
    err = _error(tmp_path, GOOD + "'#M'\t'p1'\t10\n")
    assert err.line == 11 and "duplicate scale point" in err.message


def test_single_scale_point_and_unknown_m_issue(tmp_path):
    err = _error(tmp_path, GOOD.replace("'#M'\t'p1'\t10\t'all'\n", ""))
    assert err.line == 4 and "two" in err.message
    err = _error(tmp_path, GOOD + "'#M'\t'zz'\t3\n")
    assert err.line == 11 and "unknown issue" in err.message


def test_unknown_row_type_and_bad_quotes(tmp_path):
    err = _error(tmp_path, GOOD + "'#X'\t'a'\n")
    assert err.line == 11 and "row type" in str(err)
    err = _error(tmp_path, GOOD + "'#A'\t'unterminated\n")
    assert err.line == 11


_ALPHABET = st.sampled_from(["\t", "'", "#", "\n", "A", "P", "M", "D", "x", "1", "0.5", "-", "e", " ", ",", "nan", "\r"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD)), st.integers(0, 6), st.lists(_ALPHABET, max_size=4)), min_size=1, max_size=4),
    st.booleans(),
)
def test_mangled_files_load_or_raise_input_error(tmp_path, edits, bad_byte):
    text = GOOD
    for pos, cut, insert in edits:
        text = text[:pos] + "".join(insert) + text[pos + cut :]
    raw = text.encode()
    if bad_byte:
        raw = raw[: len(raw) // 2] + b"\xff" + raw[len(raw) // 2 :]
    path = _write(tmp_path, raw, "mangled.txt")
    try:
        data = read_decide(path)
    except InputError as exc:
        assert exc.file == str(path)
        return
    assert not bad_byte
    scenario = decide_to_scenario(data)
    assert len(scenario.positions) == len(data.rows)
    for r in data.rows:
        assert 0.0 <= r.position <= 100.0 and 0.0 <= r.salience <= 1.0 and r.power >= 0
    again = parse_decide(scenario_to_decide_text(scenario), name=data.name)
    assert _numbers(again).keys() == _numbers(data).keys()


# -- conversion ------------------------------------------------------------------------------


def test_decide_to_scenario(tmp_path):
    data = read_decide(_write(tmp_path, GOOD))
    sc = decide_to_scenario(data)
    assert sc.id == "in"
    assert [a.id for a in sc.actors] == ["a1", "a2"]
    assert sc.actor("a1").capability == 1.0
    assert sc.actor("a2").capability == 2.0
    caps = {(p.actor, p.issue): p.capability for p in sc.positions}
    assert caps == {("a1", "p1"): None, ("a1", "p2"): None, ("a2", "p1"): None, ("a2", "p2"): 3.0}
    assert all(p.date == DECIDE_DATE == dt.date(1970, 1, 1) for p in sc.positions)
    anchors = sc.issue("p1").scale.anchors
    assert [(a.value, a.label, a.raw) for a in anchors] == [(0.0, "none", 0.0), (100.0, "all", 10.0)]
    assert {i.group for i in sc.issues} == {"in"}
    dated = decide_to_scenario(data, date="2024-05-01")
    assert {p.date for p in dated.positions} == {dt.date(2024, 5, 1)}
    assert len(dated.as_of("2024-04-30").positions) == 0
    issues = {i.id: i for i in sc.issue_data()}
    assert issues["p2"].c.tolist() == [1.0, 3.0]
    assert issues["p1"].x.tolist() == pytest.approx([25.0, 100.0])


def test_scale_labels_from_raw_values(shared_data):
    sc = decide_to_scenario(read_decide(shared_data / "exchange" / "sample_data.txt"))
    anchors = sc.issue("tol-hoogte").scale.anchors
    assert [(a.value, a.label, a.raw) for a in anchors] == [(0.0, "0.5", 0.5), (100.0, "7", 7.0)]


def test_issue_data_from_decide_links_all_issues(shared_data):
    data = read_decide(shared_data / "exchange" / "cop21.csv")
    issues = issue_data_from_decide(data)
    assert len(issues) == 13
    assert {i.group for i in issues} == {"cop21"}
    amb = next(i for i in issues if i.id == "amb2050")
    assert amb.n == 8
    assert all(0 <= v <= 100 for i in issues for v in i.x)


@pytest.mark.parametrize("name", FILES)
def test_round_trip_of_shipped_files(shared_data, tmp_path, name):
    data = read_decide(shared_data / "exchange" / name)
    out = write_decide(decide_to_scenario(data), tmp_path / f"{Path(name).stem}.txt")
    again = read_decide(out)
    assert _numbers(again) == _numbers(data)
    assert _scales(again) == _scales(data)
    assert [(a.key, a.name, a.comment) for a in again.actors] == [(a.key, a.name, a.comment) for a in data.actors]
    assert [(i.key, i.name, i.description) for i in again.issues] == [(i.key, i.name, i.description) for i in data.issues]


def test_load_scenario_dispatches_decide_files(shared_data):
    io = pytest.importorskip("accord.scenario.io")
    sc = io.load_scenario(shared_data / "exchange" / "copenhagen.csv")
    assert len(sc.actors) == 11 and len(sc.positions) == 75


def test_write_scenario_without_raw_anchors(tmp_path):
    sc = Scenario(
        id="uk",
        actors=[Actor(id="ukraine", name="Ukraine", capability=2.0), Actor(id="russia", name="Russia's side")],
        issues=[
            Issue(id="nato", title="NATO", scale=Scale(anchors=[Anchor(value=0, label="never"), Anchor(value=50, label="later")])),
            Issue(id="land", title="Land"),
        ],
        positions=[
            Position(actor="ukraine", issue="nato", position=90, salience=0.9, date="2025-01-01"),
            Position(actor="ukraine", issue="nato", position=80, salience=0.8, date="2025-03-01"),
            Position(actor="russia", issue="nato", position=0, salience=1.0, date="2025-01-01", capability=3.0),
            Position(actor="russia", issue="land", position=20, salience=0.5, date="2025-01-01"),
        ],
    )
    text = scenario_to_decide_text(sc, as_of="2025-02-01")
    data = parse_decide(text, name="uk")
    assert data.actor("russia").name == "Russia's side"
    assert _numbers(data) == {
        ("ukraine", "nato"): (90.0, 90.0, 0.9, 2.0),
        ("russia", "nato"): (0.0, 0.0, 1.0, 3.0),
        ("russia", "land"): (20.0, 20.0, 0.5, 1.0),
    }
    assert [(p.value, p.meaning) for p in data.issue("nato").points] == [(0.0, "never"), (50.0, "later"), (100.0, "")]
    latest = parse_decide(scenario_to_decide_text(sc), name="uk")
    assert latest.row("ukraine", "nato").raw == 80.0
    assert np.isclose(latest.row("ukraine", "nato").salience, 0.8)


# -- accord rows -----------------------------------------------------------------------------------

_DATED = (
    GOOD
    + "'#/'\t'accord:position'\t'a1'\t'p1'\t'{\"date\":\"2025-03-01\",\"note\":\"it''s dated\"}'\n"
    + "'#/'\t'accord:earlier'\t'{\"actor\":\"a1\",\"issue\":\"p1\",\"position\":10.0,\"salience\":0.4,\"date\":\"2025-01-01\"}'\n"
    + "'#/'\tan ordinary comment\n"
)


def test_accord_rows_complete_the_scenario(tmp_path):
    sc = decide_to_scenario(read_decide(_write(tmp_path, _DATED)))
    history = sc.history("a1", "p1")
    assert [(p.date, p.position, p.note) for p in history] == [
        (dt.date(2025, 1, 1), 10.0, ""),
        (dt.date(2025, 3, 1), 25.0, "it's dated"),
    ]
    assert sc.positions[-1].date == DECIDE_DATE  # rows without accord fields keep the placeholder
    assert {i.id: i.x.tolist() for i in sc.issue_data("2025-02-01")}["p1"] == [10.0, 100.0]


def test_edited_d_row_wins_over_an_exact_value(tmp_path):
    text = GOOD + "'#/'\t'accord:position'\t'a1'\t'p1'\t'{\"position\":25.000000001}'\n"
    assert decide_to_scenario(read_decide(_write(tmp_path, text))).positions[0].position == 25.000000001
    edited = text.replace("'#D'\t'a1'\t'p1'\t2.5", "'#D'\t'a1'\t'p1'\t5")
    assert decide_to_scenario(read_decide(_write(tmp_path, edited))).positions[0].position == 50.0


@pytest.mark.parametrize(
    "row,line,expect",
    [
        ("'#/'\t'accord:actor'\t'a1'\t'{\"kind\": '\n", 11, "not valid JSON"),
        ("'#/'\t'accord:actor'\t'a1'\t'[1]'\n", 11, "expected a JSON object"),
        ("'#/'\t'accord:treaty'\t'{}'\n", 11, "unknown accord row 'accord:treaty'"),
        ("'#/'\t'accord:position'\t'a1'\t'{}'\n", 11, "needs 2 key(s)"),
        ("'#/'\t'accord:actor'\t'a9'\t'{\"kind\":\"state\"}'\n", 11, "no #A/#P/#D row has"),
        ("'#/'\t'accord:issue'\t'p1'\t'{\"status_quo\":120}'\n", 11, "less than or equal to 100"),
    ],
)
def test_bad_accord_rows_name_their_line(tmp_path, row, line, expect):
    path = _write(tmp_path, GOOD + row)
    with pytest.raises(InputError) as err:
        decide_to_scenario(read_decide(path))
    assert err.value.line == line and err.value.file == str(path) and expect in err.value.message
