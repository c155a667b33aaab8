"""The levers page: levers of the edited scenario and the Shapley split of each move from the saved baseline."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from serve_support import TOKEN

from accord.pipeline import Snapshot, levers_section
from accord.serve.analysis import edit_explanations, explained_models
from accord.serve.app import create_app
from accord.serve.workbench import Edit, Workbench, apply_edits, fast_forecasts, fast_models

HEADERS = {"x-csrf-token": TOKEN}
DONBAS = "donbas_withdrawal"


@pytest.fixture()
def client(bench: Workbench) -> TestClient:
    return TestClient(create_app(bench, token=TOKEN))


def shares(page: str, issue: str) -> list[float]:
    rows = re.findall(r'<tr data-issue="' + issue + r'">(.*?)</tr>', page.split('id="attribution"')[1].split("</table>")[0])
    return [float(v) for r in rows for v in re.findall(r'data-raw="([^"]+)"', r)]


def test_the_levers_page_splits_an_edited_salience_into_shares_summing_to_the_move(client: TestClient,
                                                                                   bench: Workbench) -> None:
    assert client.post("/api/edit", json={"actor": "russia", "issue": DONBAS, "salience": 0.2}, headers=HEADERS).is_success
    page = client.get("/levers").text
    before = fast_forecasts(bench.original, bench.as_of)["compromise"][DONBAS]
    after = fast_forecasts(bench.scenario(), bench.as_of)["compromise"][DONBAS]
    assert "Shapley attribution (Compromise model)" in page
    assert after - before == pytest.approx(-13.820638820638806, abs=1e-9)
    assert sum(shares(page, DONBAS)) == pytest.approx(after - before, abs=1e-9)
    assert 'id="chart-explain"' in page and 'id="chart-levers"' in page


def test_shares_of_several_edits_sum_to_each_models_move(bench: Workbench) -> None:
    edits = {("russia", DONBAS): Edit("russia", DONBAS, salience=0.2, position=40.0),
             ("ukraine", DONBAS): Edit("ukraine", DONBAS, capability=3.0)}
    shown = apply_edits(bench.original, edits, bench.as_of)
    found = edit_explanations(bench.original, shown, bench.as_of, fast_models())
    now, then = fast_forecasts(shown, bench.as_of), fast_forecasts(bench.original, bench.as_of)
    assert found.models == explained_models(fast_models()) and "status-quo" not in found.models
    for e in found.issues:
        change = now[e.model][e.issue] - then[e.model][e.issue]
        assert e.change == pytest.approx(change, abs=1e-9)
        assert sum(c.value for c in e.contributions) == pytest.approx(change, abs=1e-9)
        assert len(e.contributions) == (3 if e.issue == DONBAS else 0)


def test_the_levers_page_shows_the_levers_of_the_edited_scenario(client: TestClient, bench: Workbench) -> None:
    client.post("/api/edit", json={"actor": "russia", "issue": DONBAS, "position": 10}, headers=HEADERS)
    page = html.unescape(client.get("/levers").text)
    shown = bench.scenario()
    found = levers_section(shown, Snapshot.of(shown, bench.as_of), explained_models(fast_models()), issues=[DONBAS])
    texts = [x.text for il in found.issues if il.model == "compromise" for x in il.levers]
    assert texts and any(t in page for t in texts)
    assert "What would it take (Compromise model)" in page


def test_moves_are_measured_against_a_chosen_saved_variant(client: TestClient) -> None:
    client.post("/api/edit", json={"actor": "russia", "issue": DONBAS, "salience": 0.2}, headers=HEADERS)
    assert client.post("/api/variants", json={"name": "low-sal"}, headers=HEADERS).is_success
    against_case = client.get("/levers").text
    against_variant = client.get("/levers?baseline=low-sal").text
    assert 'id="attribution"' in against_case
    assert "No forecast moved" in against_variant and 'id="attribution"' not in against_variant
    assert 'value="low-sal" selected' in against_variant
    assert client.get("/levers?baseline=..%2Fx").status_code == 400
