"""The workbench in headless Chromium (driven over the DevTools protocol by tests/serve/cdp.py):
edit Russia's salience on one issue, see the forecast change, save a variant, reload and find it."""

from __future__ import annotations

import json

import pytest
from cdp import Browser

from accord.report.screenshot import find_chromium
from accord.serve.workbench import Edit, Workbench, apply_edits, fast_forecasts

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary (apt-get install chromium)")

SALIENCE = 'tr[data-issue="donbas_withdrawal"] td[data-actor="russia"] input[data-field="salience"]'
COMPROMISE = '#forecasts tr[data-issue="donbas_withdrawal"] td[data-model="compromise"] .value'


def text_of(selector: str) -> str:
    return f"document.querySelector({json.dumps(selector)}).textContent"


def test_edit_see_forecast_move_save_and_reload(live, bench: Workbench) -> None:
    edited = apply_edits(bench.original, {("russia", "donbas_withdrawal"): Edit("russia", "donbas_withdrawal", salience=0.2)},
                         bench.as_of)
    before = fast_forecasts(bench.original, bench.as_of)["compromise"]["donbas_withdrawal"]
    after = fast_forecasts(edited, bench.as_of)["compromise"]["donbas_withdrawal"]
    assert f"{before:.1f}" != f"{after:.1f}"

    browser = Browser()
    try:
        browser.goto(f"{live.url}/forecasts")
        assert browser.eval(text_of(COMPROMISE)) == f"{before:.1f}"
        assert browser.wait_for("document.querySelectorAll('#forecast-chart .main-svg').length") >= 1

        browser.type_into(SALIENCE, "0.2")
        shown = browser.wait_for(f"{text_of(COMPROMISE)} !== {json.dumps(f'{before:.1f}')} && {text_of(COMPROMISE)}")
        assert shown == f"{after:.1f}"
        assert browser.eval(f"document.querySelector({json.dumps(SALIENCE)}).closest('td').previousElementSibling"
                            ".classList.contains('edited')")

        browser.type_into("#variant-name", "russia-cares-less")
        browser.click("#save-variant")
        assert browser.wait_for("document.body.dataset.saved") == "russia-cares-less"

        browser.goto(f"{live.url}/variants")
        link = browser.wait_for("Array.from(document.querySelectorAll('#variants a')).map(a => a.href)[0]")
        assert link == f"{live.url}/forecasts?variant=russia-cares-less"
        browser.goto(link)
        assert browser.eval(f"document.querySelector({json.dumps(SALIENCE)}).value") == "0.2"
        assert browser.eval(text_of(COMPROMISE)) == f"{after:.1f}"
    finally:
        browser.close()
