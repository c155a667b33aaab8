"""accord compare: the inputs that differ, with sources, and the forecasts of both sides, exact."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from accord.analysis.compare import (
    InputChange,
    ValueRow,
    compare_results,
)
from accord.cases import load_case
from accord.cli.compare_cmds import comparison_page
from accord.result import Agreement
from accord.runs.sources import scenario_result
from accord.scenario.io import load_scenario

MODELS = ["compromise", "weighted-median"]


def _pair(case: str, d1: str, d2: str):
    scenario = load_scenario(load_case(case).scenario_path)
    return (scenario_result(scenario, dt.date.fromisoformat(d1), MODELS),
            scenario_result(scenario, dt.date.fromisoformat(d2), MODELS))


def test_ukraine_between_the_two_case_dates() -> None:
    a, b = _pair("ukraine", "2025-11-20", "2026-02-28")
    c = compare_results(a, b, "before", "after")
    assert (c.date_a, c.date_b) == (dt.date(2025, 11, 20), dt.date(2026, 2, 28))
    assert sum(1 for x in c.inputs if x.kind == "position") == 40
    assert sum(1 for x in c.inputs if x.kind == "salience") == 21
    assert c.inputs[0] == InputChange(
        "position", "ukraine", "donbas_withdrawal", 25.0, 50.0,
        ("open.kg 2025-12-24 https://open.kg/en/news/in-the-world/56817-zelenskij-predstavil-20-punktov-bazovogo-"
         "mirnogo-plana-po-ukraine.html", "GovCon Digest 2025-12-24 https://govcondigest.com/demilitarized-free-"
         "economic-zone"))
    rows = {(r.what, r.item): r for r in c.forecasts}
    assert len(rows) == 34
    donbas = rows[("compromise", "donbas_withdrawal")]
    assert (donbas.before, donbas.after) == (71.59090909090908, 71.078431372549)
    assert donbas.change == pytest.approx(-0.5124777183600742, abs=1e-12)
    assert rows[("weighted-median", "referendum")] == ValueRow("weighted-median", "referendum", None, 25.0)
    assert rows[("weighted-median", "referendum")].change is None
    assert c.probabilities == [] and c.packages == []


def test_colombia_forecast_equals_the_weighted_mean_of_the_positions_in_force() -> None:
    a, b = _pair("colombia", "2016-09-26", "2016-11-24")
    c = compare_results(a, b)
    assert [x.kind for x in c.inputs] == ["position"] * 8
    first = c.inputs[0]
    assert (first.actor, first.issue, first.before, first.after) == ("government", "transitional_justice", 60.0, 50.0)
    assert first.sources[0].startswith("VOA 2016-11-12 https://www.voanews.com/")
    caps = {x.id: x.capability for x in b.scenario.actors}
    held = [p for p in b.scenario.positions if p.issue == "transitional_justice"]
    expect = sum(caps[p.actor] * p.salience * p.position for p in held) / sum(caps[p.actor] * p.salience for p in held)
    row = next(r for r in c.forecasts if (r.what, r.item) == ("compromise", "transitional_justice"))
    assert (row.before, row.after) == (48.51674641148326, 44.25837320574163)
    assert row.after == pytest.approx(expect, abs=1e-9)


def test_the_fixture_run_against_itself_differs_only_where_it_was_changed(result) -> None:
    moved = result.model_copy(deep=True)
    moved.scenario.actors[0].capability = 0.5
    moved.packages.n_acceptable = 3
    c = compare_results(result, moved)
    assert c.inputs == [InputChange("capability", result.scenario.actors[0].id, None,
                                    result.scenario.actors[0].capability, 0.5)]
    assert all(r.change == 0.0 for r in c.forecasts)
    counts = {r.item: r for r in c.packages if r.what == "count"}
    assert (counts["n_acceptable"].before, counts["n_acceptable"].after) == (result.packages.n_acceptable, 3)
    assert [r for r in c.probabilities if r.what == "event"] == []  # the fixture has no events.yaml


def test_event_probabilities_are_compared_by_event_and_deadline(result) -> None:
    deal = Agreement(event="deal", question="A deal by June", kind="package", origin=dt.date(2025, 11, 20),
                     deadline=dt.date(2026, 6, 15), probability=0.125, mc_error=0.01)
    before = result.model_copy(update={"agreements": [deal]})
    after = result.model_copy(update={"agreements": [deal.model_copy(update={"probability": 0.25})]})
    [row] = [r for r in compare_results(before, after).probabilities if r.what == "event"]
    assert (row.item, row.before, row.after) == ("deal by 2026-06-15", 0.125, 0.25)


def test_html_page_is_self_contained_and_escapes_text(result) -> None:
    result.agreements = [Agreement(event="deal", question="<i>q</i>", kind="package", origin=dt.date(2025, 11, 20),
                                   deadline=dt.date(2026, 6, 15), probability=0.125, mc_error=0.01)]
    moved = result.model_copy(deep=True)
    moved.scenario.actors[0].name = "<script>alert(1)</script>"
    moved.scenario.actors.append(moved.scenario.actors[0].model_copy(update={"id": "<b>new</b>"}))
    page = comparison_page(compare_results(result, moved, "A<i>", "B"))
    assert "<script>alert" not in page and "&lt;b&gt;new&lt;/b&gt;" in page and "A&lt;i&gt;" in page
    assert "<link" not in page and "src=" not in page and page.count("<table>") == 4


def test_cli_compare_one_file_two_dates_json_and_html(cli, tmp_path: Path) -> None:
    scenario = str(load_case("colombia").scenario_path)
    code, out, _ = cli("compare", scenario, "--from", "2016-09-26", "--to", "2016-11-24", "-m", "compromise",
                       "-f", "json")
    assert code == 0
    data = json.loads(out)
    row = next(r for r in data["forecasts"] if r["item"] == "transitional_justice")
    assert (row["before"], row["after"]) == (48.51674641148326, 44.25837320574163)
    assert len(data["inputs"]) == 8
    page = tmp_path / "compare.html"
    code, out, _ = cli("compare", scenario, scenario, "--from", "2016-09-26", "--to", "2016-11-24", "-m", "compromise",
                       "-f", "html", "-o", str(page))
    assert code == 0 and "44.26" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "text"), [
    (("compare", "nosuch.yaml", "--from", "2020-01-01", "--to", "2020-02-01"), "nosuch.yaml: no such file"),
    (("compare", "x.yaml", "--from", "2020-01-01"), "--to: with one file, give both --from and --to"),
    (("compare", "x.yaml", "y.yaml", "-m", "nope"), "--model: unknown model 'nope'"),
    (("compare", "x.yaml", "y.yaml", "-f", "pdf"), "--format: unknown format 'pdf'"),
])
def test_cli_compare_bad_input_is_one_line_exit_2(cli, args, text) -> None:
    code, out, err = cli(*args)
    assert (code, out) == (2, "") and err.count("\n") == 1 and text in err
