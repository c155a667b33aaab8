"""The workbench's JSON API and pages: edits with validation, stable URLs, variants, exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from serve_support import TOKEN

from accord.scenario.io import load_scenario
from accord.scenario.model import Scenario
from accord.serve.app import create_app
from accord.serve.workbench import Edit, Workbench, apply_edits, fast_forecasts, fast_models

HEADERS = {"x-csrf-token": TOKEN}
RUSSIA_DONBAS = {"actor": "russia", "issue": "donbas_withdrawal"}


@pytest.fixture()
def client(bench: Workbench) -> TestClient:
    return TestClient(create_app(bench, token=TOKEN))


def edited(bench: Workbench, **values: float):
    return apply_edits(bench.original, {("russia", "donbas_withdrawal"): Edit("russia", "donbas_withdrawal", **values)},
                       bench.as_of)


def test_an_edit_returns_the_forecasts_of_the_edited_scenario(client: TestClient, bench: Workbench) -> None:
    got = client.post("/api/edit", json={**RUSSIA_DONBAS, "salience": 0.2}, headers=HEADERS)
    assert got.status_code == 200
    want = fast_forecasts(edited(bench, salience=0.2), bench.as_of)
    before = fast_forecasts(bench.original, bench.as_of)
    rows = {r["issue"]: {c["model"]: c for c in r["cells"]} for r in got.json()["rows"]}
    for model in fast_models():
        for issue, value in want[model].items():
            assert rows[issue][model]["value"] == value
            assert rows[issue][model]["baseline"] == before[model][issue]
    assert rows["donbas_withdrawal"]["compromise"]["value"] != before["compromise"]["donbas_withdrawal"]
    cell = next(c for r in got.json()["grid"] if r["issue"] == "donbas_withdrawal" for c in r["cells"] if c["actor"] == "russia")
    assert cell["salience"] == 0.2 and cell["edited"] is True


def test_the_edited_position_is_dated_at_the_as_of_date_and_keeps_history(bench: Workbench) -> None:
    scenario = bench.edit(Edit("russia", "donbas_withdrawal", position=50))
    history = scenario.as_of(bench.as_of).history("russia", "donbas_withdrawal")
    assert history[-1].date == bench.as_of and history[-1].position == 50
    assert history[-1].salience == bench.original.as_of(bench.as_of).history("russia", "donbas_withdrawal")[-1].salience
    assert history[-1].note == "edited in the workbench"
    assert Scenario.model_validate(scenario.model_dump(by_alias=True)) == scenario  # what `accord validate` accepts
    assert len(scenario.history("russia", "donbas_withdrawal")) == len(bench.original.history("russia", "donbas_withdrawal")) + 1


def test_only_the_edited_issue_is_recomputed(bench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    import accord.serve.workbench as wb

    fast_forecasts(bench.original, bench.as_of)
    seen: list[str] = []
    real = wb.forecast_table
    monkeypatch.setattr(wb, "forecast_table", lambda issues, models: seen.extend(i.id for i in issues) or real(issues, models))
    fast_forecasts(edited(bench, salience=0.37), bench.as_of)
    assert set(seen) == {"donbas_withdrawal"}


@pytest.mark.parametrize(("body", "message"), [
    ({**RUSSIA_DONBAS, "salience": 1.5}, "russia.donbas_withdrawal.salience: Input should be less than or equal to 1"),
    ({**RUSSIA_DONBAS, "position": -3}, "russia.donbas_withdrawal.position: Input should be greater than or equal to 0"),
    ({**RUSSIA_DONBAS, "capability": "lots"}, "capability: not a number: 'lots'"),
    ({**RUSSIA_DONBAS, "salience": "nan"}, "russia.donbas_withdrawal.salience: Input should be a finite number"),
    ({"actor": "nobody", "issue": "donbas_withdrawal", "salience": 0.5}, "actor: unknown actor id 'nobody'"),
    ({**RUSSIA_DONBAS, "weight": 1}, "weight: unknown field 'weight'; use actor, issue, position, salience, capability"),
    ([1, 2], "body: an edit is an object with actor, issue and the values to set"),
])
def test_bad_edits_are_refused_with_one_line_naming_the_field(client: TestClient, bench: Workbench, body, message) -> None:
    got = client.post("/api/edit", json=body, headers=HEADERS)
    assert got.status_code == 400
    assert got.json() == {"error": message}
    assert bench.edits == {}


def test_an_edit_where_the_actor_has_no_position_needs_position_and_salience(client: TestClient, bench: Workbench) -> None:
    missing = next((a.id, i.id) for i in bench.original.issues for a in bench.original.actors
                   if not bench.original.as_of(bench.as_of).history(a.id, i.id))
    got = client.post("/api/edit", json={"actor": missing[0], "issue": missing[1], "salience": 0.5}, headers=HEADERS)
    assert got.json() == {"error": f"{missing[0]}.{missing[1]}: position needed: {missing[0]} has no position on "
                                   f"{missing[1]} at {bench.as_of}"}
    ok = client.post("/api/edit", json={"actor": missing[0], "issue": missing[1], "salience": 0.5, "position": 40},
                     headers=HEADERS)
    assert ok.status_code == 200


def test_pages_have_stable_urls(client: TestClient, bench: Workbench) -> None:
    for view in ("forecasts", "evidence", "packages", "levers", "variants"):
        page = client.get(f"/{view}?as_of=2026-02-28")
        assert page.status_code == 200, view
        assert "as of 2026-02-28" in page.text
    page = client.get("/forecasts?as_of=2026-02-28&models=compromise,nash")
    want = fast_forecasts(bench.original, "2026-02-28", ["compromise", "nash"])
    assert f">{want['nash']['donbas_withdrawal']:.1f}<" in page.text
    assert "<th title=\"Median\">" not in page.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/forecasts"
    assert client.get("/forecasts?as_of=someday").status_code == 400
    bad_model = client.get("/forecasts?models=bdm")
    assert bad_model.status_code == 400 and "unknown or slow model &#39;bdm&#39;" in bad_model.text
    assert 'id="work-here" data-as-of="2026-02-28"' in client.get("/forecasts?as_of=2026-02-28").text
    moved = client.post("/api/as-of", json={"as_of": "2026-02-28"}, headers=HEADERS)
    assert moved.json() == {"as_of": "2026-02-28"} and bench.as_of.isoformat() == "2026-02-28"
    assert 'data-field="salience" aria-label="russia salience on donbas_withdrawal" value="1.0">' in client.get(
        "/forecasts?as_of=2026-02-28").text
    assert client.get("/nothing").status_code == 404
    assert client.get("/static/../../etc/passwd").status_code == 404


def test_levers_view_without_edits_says_nothing_moved(client: TestClient) -> None:
    page = client.get("/levers").text
    assert "No forecast moved" in page and 'id="attribution"' not in page and 'id="pivotal"' in page


def test_save_a_variant_reload_it_and_write_yaml(client: TestClient, bench: Workbench) -> None:
    client.post("/api/edit", json={**RUSSIA_DONBAS, "salience": 0.2}, headers=HEADERS)
    saved = client.post("/api/variants", json={"name": "softer", "yaml": True}, headers=HEADERS).json()
    assert saved["file"] == "scenarios/softer.yaml"
    assert saved["changes"] == [f"position russia on donbas_withdrawal dated {bench.as_of}"]
    on_disk = load_scenario(bench.out / "scenarios" / "softer.yaml")
    assert on_disk == edited(bench, salience=0.2)
    client.post("/api/reset", headers=HEADERS)
    assert bench.edits == {}
    page = client.get("/variants?variant=softer").text
    assert "position russia on donbas_withdrawal dated 2025-11-20" in page
    view = client.get("/forecasts?variant=softer").text
    assert 'value="0.2" disabled' in view
    loaded = client.post("/api/variants/softer/load", headers=HEADERS)
    assert loaded.json() == {"loaded": "softer", "as_of": bench.as_of.isoformat()}
    assert bench.scenario() == on_disk


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden", "x" * 65, None, "..", "C:\\x"])
def test_variant_names_cannot_be_paths(client: TestClient, bench: Workbench, name) -> None:
    got = client.post("/api/variants", json={"name": name, "yaml": True}, headers=HEADERS)
    assert got.status_code == 400
    assert got.json()["error"] == "name: use 1-64 letters, digits, '-' or '_', starting with a letter or digit"
    assert {p.name for p in bench.out.iterdir()} <= {"workbench.duckdb", "workbench.duckdb.wal"}
    assert not list(bench.out.parent.glob("escape*"))


def test_csv_export_has_the_shown_numbers(client: TestClient, bench: Workbench) -> None:
    text = client.get("/export/forecasts.csv?models=compromise,nash").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["issue", "compromise", "nash"]
    want = fast_forecasts(bench.original, bench.as_of, ["compromise", "nash"])
    assert rows[1] == ["donbas_withdrawal", repr(want["compromise"]["donbas_withdrawal"]),
                       repr(want["nash"]["donbas_withdrawal"])]
    assert client.get("/export/report.html").status_code == 404
    assert client.get("/export/report.xlsx").status_code == 404
    assert client.get("/export/forecasts.pdf").status_code == 404


def test_xlsx_export_of_the_edited_view_equals_its_numbers(client: TestClient, bench: Workbench) -> None:
    from openpyxl import load_workbook

    client.post("/api/edit", json={**RUSSIA_DONBAS, "salience": 0.2}, headers=HEADERS)
    got = client.get("/export/forecasts.xlsx")
    assert got.headers["content-disposition"] == 'attachment; filename="forecasts.xlsx"'
    sheet = load_workbook(io.BytesIO(got.content))["forecasts"]
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == ["issue", *fast_models()]
    shown = client.get("/api/forecasts").json()["rows"]
    assert [r[0] for r in table[1:]] == [r["issue"] for r in shown]
    for line, r in zip(table[1:], shown):  # the workbook keeps 15 significant digits (Excel's precision)
        assert line[1:] == [pytest.approx(c["value"], rel=1e-14) if c["value"] is not None else None for c in r["cells"]]
    edited_value = fast_forecasts(bench.scenario(), bench.as_of)["compromise"]["donbas_withdrawal"]
    assert table[1][1] == pytest.approx(edited_value, rel=1e-14) and round(edited_value, 6) == 57.77027


def test_serve_command_reports_a_taken_port(tmp_path: Path) -> None:
    import socket

    from accord.cli.serve_cmd import check_port
    from accord.errors import InputError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as err:
            check_port("127.0.0.1", port)
    assert str(err.value) == f"--port: port {port} on 127.0.0.1 is already in use; pick another with --port"


def finish_run(client: TestClient, bench: Workbench, tmp_path: Path):
    """Give the client's server a finished full run (the report tests' run result) of the working copy; return it."""
    import json
    from types import SimpleNamespace

    from accord.result import load_result

    fixture = Path(__file__).parents[1] / "report" / "fixtures" / "run_result.json"
    result = load_result(json.loads(fixture.read_text(encoding="utf-8")))
    report = tmp_path / "report.html"
    report.write_text("<!doctype html><title>report</title>", encoding="utf-8")
    server = client.app.app.state.server
    server.last_run, server.run_of = SimpleNamespace(result=result, files={"html": report}), ("", bench.as_of.isoformat())
    return result


def test_a_finished_full_run_shows_its_intervals_probabilities_and_packages(client: TestClient, bench: Workbench,
                                                                           tmp_path: Path) -> None:
    result = finish_run(client, bench, tmp_path)
    page = client.get("/forecasts").text
    draws = result.simulation.draws
    assert f"Full run: intervals and agreement probabilities ({draws} Monte Carlo draws)" in page
    assert 'id="agreements"' not in page  # the fixture's run has no events.yaml
    assert 'id="chart-forecasts"' in page
    packages = client.get("/packages").text
    pk = result.packages
    assert f"{pk.n_acceptable} of {pk.n_packages} packages acceptable to all parties" in packages
    assert f"<td>{pk.nash.options[0].replace('_', ' ')}</td>" in packages
    assert client.get("/export/report.html").text == "<!doctype html><title>report</title>"
    from openpyxl import load_workbook

    from accord.report.export import report_tables

    book = load_workbook(io.BytesIO(client.get("/export/report.xlsx").content))
    tables = report_tables(result)
    assert book.sheetnames == [t.name for t in tables]
    terms = next(t for t in tables if t.name == "terms")
    assert [tuple(c.value for c in row) for row in book["terms"].iter_rows(min_row=2)] == list(terms.rows)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(client.get("/export/report.zip").content)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{t.name}.csv" for t in tables)
    from accord.result import Agreement

    signed = Agreement(event="ceasefire", question="Ceasefire <b>signed</b>?", kind="ceasefire",
                       origin=bench.as_of, deadline="2026-06-15", probability=0.31, mc_error=0.02, draws=2000,
                       reason="terms acceptable to both sides", figure="0.31 ± 0.02")
    vote = Agreement(event="vote", question="Referendum held?", kind="referendum", origin=bench.as_of,
                     deadline="2026-09-01", modelled=False, reason="no model of referendums")
    result.agreements = [signed, vote]
    page = client.get("/forecasts").text
    assert ('<tr data-event="ceasefire"><td>Ceasefire &lt;b&gt;signed&lt;/b&gt;?</td><td><strong>0.31 ± 0.02</strong>'
            f"</td><td>2026-06-15</td><td>terms acceptable to both sides (2,000 draws from {bench.as_of})</td></tr>") in page
    assert "Not modelled (1): Referendum held? (no model of referendums)." in page
    other_date = client.get("/forecasts?as_of=2026-02-28").text
    assert "Full run:" not in other_date


def test_evidence_shows_the_run_statements_under_their_position_with_inert_hostile_text(
        client: TestClient, bench: Workbench, tmp_path: Path) -> None:
    before = client.get("/evidence").text
    assert "after “Run all models”" in before and "Extracted statements" not in before
    result = finish_run(client, bench, tmp_path)
    s01 = next(s for s in result.evidence.statements if s.id == "s01")
    page = client.get("/evidence").text
    assert "after “Run all models”" not in page
    row = next(r for r in page.split("<tr>") if r.startswith("<td>Russia</td><td>Donbas"))
    assert (f'<li id="st-s01">{s01.sentence} <small>(Vladimir Putin)</small><br><small>DEMAND · 2025-11-27 · '
            f'<a href="{s01.url}" rel="noopener noreferrer nofollow" target="_blank">') in row
    s01.sentence, s01.url, s01.hedged = '<script>alert("x")</script> said', "javascript:alert(1)", True
    page = client.get("/evidence").text
    assert "<script>alert" not in page and "javascript:" not in page
    assert ('<li id="st-s01">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; said <small>(Vladimir Putin)</small>'
            '<br><small>DEMAND · 2025-11-27 · hedged · <span class="unlinked"') in page
    assert "Extracted statements" not in client.get("/evidence?as_of=2026-02-28").text


@pytest.mark.parametrize(("args", "line"), [
    (["--port", "70000"], "error: --port: must be from 1 to 65535"),
    (["nosuchcase"], "error: nosuchcase: no such case folder or bundled case (bundled: colombia, ukraine)"),
])
def test_serve_command_bad_options_are_one_line_and_exit_2(args: list[str], line: str) -> None:
    import subprocess
    import sys

    got = subprocess.run([sys.executable, "-m", "accord.cli.main", "serve", *args], capture_output=True, text=True,
                         timeout=120)
    assert got.returncode == 2
    assert got.stderr.strip() == line
