"""``accord packages`` explains its package codes: a legend row per issue names every option behind its code."""

from __future__ import annotations

import csv
import io
import sys

from accord.cases import load_case
from accord.cli.main import main


def test_package_codes_come_with_a_legend_of_issues_and_options(monkeypatch, capsys) -> None:
    file = load_case("colombia").folder / "packages-congress.yaml"
    monkeypatch.setattr(sys, "argv", ["accord", "packages", str(file), "-f", "csv"])
    try:
        main()
    except SystemExit as stop:
        assert stop.code in (0, None)
    rows = {r["quantity"]: r["value"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["package teatro_colon_2016_11_24"].startswith("A2,B1,C2,D1 ")
    assert rows["code A: transitional_justice"] == "A1 = jep_first_text · A2 = jep_revised · A3 = farm_confinement"
    assert rows["code B: political_participation"] == "B1 = seats_2018_2026 · B2 = no_office_until_sentence_served"
    assert rows["code D: illicit_crops"] == "D1 = substitution_first · D2 = manual_first_spraying_kept"
    assert [k for k in rows if k.startswith("code ")] == [
        "code A: transitional_justice", "code B: political_participation", "code C: rural_reform",
        "code D: illicit_crops"]
