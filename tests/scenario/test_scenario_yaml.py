"""Scenario model, YAML and CSV formats, and their validation errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from accord.errors import InputError
from accord.scenario.io import load_issues, load_scenario, save_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"


def mutate(tmp_path: Path, edit, name: str = "bad.yaml") -> Path:
    text = FIXTURE.read_text()
    out = tmp_path / name
    out.write_text(edit(text))
    return out


def test_as_of_takes_latest_position_per_actor_and_issue() -> None:
    sc = load_scenario(FIXTURE)
    early = {(p.actor, p.issue): p.position for p in sc.as_of("2025-01-15").positions}
    assert early == {("north", "border"): 100, ("south", "border"): 0, ("north", "trade"): 20, ("south", "trade"): 80}
    late = {(p.actor, p.issue): p.position for p in sc.as_of(dt.date(2025, 6, 1)).positions}
    assert late[("south", "border")] == 25 and late[("broker", "border")] == 50


def test_issue_data_uses_capability_override_and_default_uncertainty() -> None:
    border = {i.id: i for i in load_scenario(FIXTURE).issue_data("2025-06-01")}["border"]
    assert border.actors == ("north", "south", "broker")
    assert list(border.c) == [2.0, 1.0, 3.0]
    assert list(border.uncertainty) == [50.0, 10.0, 50.0]  # one anchor step where not given
    assert border.reference == 0


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_round_trip(tmp_path: Path, fmt: str) -> None:
    sc = load_scenario(FIXTURE)
    path = save_scenario(sc, tmp_path / f"out.{fmt}")
    assert load_scenario(path) == sc


def test_salience_out_of_range_names_file_line_position_and_field(tmp_path: Path) -> None:
    bad = mutate(tmp_path, lambda t: t.replace("position: 25, salience: 0.8", "position: 25, salience: 1.7"))
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    msg = str(err.value)
    assert msg.startswith(f"{bad}:31: positions[2] (south on border, 2025-03-01): salience:")
    assert "1.7" in msg and "\n" not in msg


@pytest.mark.parametrize(
    "edit,expect",
    [
        (lambda t: t.replace("actor: broker, issue: border", "actor: nobody, issue: border"), "unknown actor id 'nobody'"),
        (lambda t: t.replace("actor: north, issue: trade", "actor: north, issue: fishing"), "unknown issue id 'fishing'"),
        (lambda t: t.replace("id: south", "id: north"), "duplicate id 'north'"),
        (lambda t: t.replace("{value: 50, label: shared zone", "{value: 120, label: shared zone"), "less than or equal to 100"),
        (lambda t: t.replace("{value: 100, label: new line", "{value: 40, label: new line"), "must increase strictly"),
        (lambda t: t.replace("position: 20, salience", "salience"), "Field required"),
        (lambda t: t.replace("date: 2025-02-01", "date: 2025-02-31"), "date"),
        (lambda t: t.replace("position: 80", "position: -3"), "greater than or equal to 0"),
        (lambda t: t.replace("date: 2025-03-01, uncertainty: 10", "date: 2025-01-01, uncertainty: 10"), "duplicate position"),
        (lambda t: t + "\n  - {actor: north, issue: trade, position: [1, 2], salience: 0.3, date: 2025-01-02}\n", "valid number"),
        (lambda t: t.replace("capability: 2.0", "capability: 2.0\n    colour: red"), "Extra inputs"),
        (lambda t: t.replace("positions:", "positions: {"), "YAML syntax error"),
    ],
)
def test_invalid_yaml_gives_located_error(tmp_path: Path, edit, expect: str) -> None:
    bad = mutate(tmp_path, edit)
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert expect in str(err.value)
    assert err.value.file == str(bad) and err.value.line is not None


def test_empty_and_non_utf8_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="empty"):
        load_scenario(empty)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(FIXTURE.read_bytes().replace(b"Northland", b"Nor\xe9land"))
    with pytest.raises(InputError, match="not valid UTF-8") as err:
        load_scenario(latin)
    assert err.value.line == 6


def test_csv_errors(tmp_path: Path) -> None:
    sc = load_scenario(FIXTURE)
    good = save_scenario(sc, tmp_path / "good.csv")
    semi = tmp_path / "semi.csv"
    semi.write_text(good.read_text().replace(",", ";"))
    with pytest.raises(InputError, match="wrong delimiter"):
        load_scenario(semi)
    lines = good.read_text().splitlines()
    assert lines[8].startswith("position,south,border,0.0,0.8,")  # after the header, scenario, 3 actors, 2 issues and 1 position
    lines[8] = lines[8].replace("0.8", "high", 1)
    text_in_number = tmp_path / "text.csv"
    text_in_number.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        load_scenario(text_in_number)
    assert err.value.line == 9 and err.value.field == "salience"
    missing = tmp_path / "missing.csv"
    missing.write_text("actor,issue,position\nnorth,border,10\n")
    with pytest.raises(InputError, match="missing column"):
        load_scenario(missing)


def test_unknown_extension(tmp_path: Path) -> None:
    p = tmp_path / "scenario.xlsx"
    p.write_text("x")
    with pytest.raises(InputError, match="unknown format"):
        load_scenario(p)


def test_load_issues_reads_scenarios_at_a_date() -> None:
    issues = {i.id: i for i in load_issues(FIXTURE, "2025-01-15")}
    assert set(issues) == {"border", "trade"} and issues["border"].n == 2
    assert yaml.safe_load(FIXTURE.read_text())["id"] == "small"


LEGACY_CSV = (
    "actor,issue,position,salience,date,capability,actor_name\n"
    "north,border,100,0.9,2025-01-01,2,Northland\n"
    "south,border,0,0.8,2025-01-01,1,\n"
    "south,border,25,0.8,2025-03-01,3,\n"
)


def test_csv_without_actor_rows_takes_names_and_shared_capabilities(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_text(LEGACY_CSV)
    sc = load_scenario(path)
    assert [(a.id, a.name, a.capability) for a in sc.actors] == [("north", "Northland", 2.0), ("south", "south", 1.0)]
    assert [p.capability for p in sc.positions] == [None, 1.0, 3.0]
    assert [i.id for i in sc.issues] == ["border"] and sc.id == "legacy"


@pytest.mark.parametrize(
    "text,line,expect",
    [
        # found by the CSV fuzz test: a stray quote before the header used to give a two-line
        # message about missing columns that quoted the whole file
        ('"' + LEGACY_CSV, 1, 'a quote (") opens a field that is never closed: is it stray?'),
        (LEGACY_CSV.replace("south,border,0,", '"south,border,0,'), 3, 'a quote (") opens a field that is never closed'),
        (LEGACY_CSV.replace("Northland", '"North"land'), 2, "text follows the closing quote"),
        (LEGACY_CSV.replace("actor,issue", '"actor,issue') + '"x",1\n', 1, "runs on to line 5"),
        (LEGACY_CSV.replace("south,border,0,", 'south,"border,0,') + 'x",y\n', 3, "fewer fields than the header has; a quote"),
    ],
)
def test_csv_stray_quote_is_one_line_naming_file_and_line(tmp_path: Path, text: str, line: int, expect: str) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.line == line and err.value.file == str(path)
    assert expect in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize("text", [",", ",,\n ,\n"])
def test_csv_with_only_commas(tmp_path: Path, text: str) -> None:
    # found by the fuzz profile: a file holding only "," raised IndexError
    path = tmp_path / "commas.csv"
    path.write_text(text)
    with pytest.raises(InputError, match="no header row") as err:
        load_scenario(path)
    assert err.value.line == 1 and err.value.file == str(path)


@pytest.mark.parametrize(
    "edit,field,expect",
    [
        (lambda t: t.replace("actor,north,,,,,2.0", "actor,north,,50,,,2.0"), "position", "actor rows leave this column empty"),
        (lambda t: t.replace('{""aliases""', '{""name"":""x"",""aliases""'), "extra", "name belong(s) in the column(s)"),
        (lambda t: t.replace('{""aliases""', '[{""aliases""').replace('""Nordia""]}"', '""Nordia""]}]"'), "extra", "JSON object"),
        (lambda t: t.replace("issue,,trade", "issue,,border"), "issue", "a second issue row for 'border'"),
        (lambda t: t.replace("position,broker,", "treaty,broker,"), "record", "unknown record 'treaty'"),
        (lambda t: t.replace("position,north,trade,", "position,nobody,trade,"), "actor", "unknown actor id 'nobody'"),
    ],
)
def test_csv_record_errors(tmp_path: Path, edit, field, expect) -> None:
    good = save_scenario(load_scenario(FIXTURE), tmp_path / "good.csv").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text(edit(good))
    assert bad.read_text() != good
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert expect in err.value.message and err.value.field == field and err.value.line is not None
