"""accord levers, explain and blocs: output on the bundled cases, and bad input as one line with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.cases import case_dir


def test_levers_json_on_one_issue(cli) -> None:
    code, out, err = cli("levers", "ukraine", "--issue", "donbas_withdrawal", "-m", "compromise", "-m", "median",
                         "--format", "json")
    assert code == 0, err
    section = json.loads(out)
    assert section["date"] == "2025-11-20" and section["models"] == ["compromise", "median"]
    assert [(il["issue"], il["model"]) for il in section["issues"]] == [("donbas_withdrawal", "compromise"),
                                                                        ("donbas_withdrawal", "median")]
    median = section["issues"][1]
    assert median["forecast"] == 75.0 and median["pivotal"][0] == {"actor": "united_states", "swing": 25.0}
    first = median["levers"][0]
    assert first["text"].startswith("United States moves its position from 75 ")
    assert first["moves"][0]["after"] == pytest.approx(62.5, abs=1e-6)


def test_levers_table_with_a_target_band(cli) -> None:
    code, out, err = cli("levers", str(case_dir("colombia")), "-m", "compromise", "--target", "0:40", "--top", "1")
    assert code == 0, err
    assert "Pivotal actors as of 2016-09-26" in out and "What would it take" in out
    assert out.count("0–40") == 4  # one lever row per issue, all aimed at the band asked for


def test_explain_table_sums_to_the_change(cli) -> None:
    code, out, err = cli("explain", "colombia", "-m", "compromise", "--format", "csv")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "issue,model,before,after,change,actor,input,from,to,contribution,stderr"
    rows = [line.split(",") for line in lines[1:]]
    by_issue: dict[str, list[float]] = {}
    for r in rows:
        by_issue.setdefault(r[0], []).append(float(r[9] or 0.0))  # an issue without a change has no contribution
    for r in rows:
        assert sum(by_issue[r[0]]) == pytest.approx(float(r[4]), abs=1e-9)
    assert set(by_issue) == {"transitional_justice", "political_participation", "rural_reform", "illicit_crops"}


def test_blocs_table(cli) -> None:
    code, out, err = cli("blocs", "colombia", "-m", "compromise")
    assert code == 0, err
    assert "Blocs as of 2016-09-26 (cut at 0.25): government + farc + united_states; no_camp" in out


@pytest.mark.parametrize("args, field", [
    (["levers", "ukraine", "--target", "60:40"], "--target"),
    (["levers", "ukraine", "--target", "a:b"], "--target"),
    (["levers", "ukraine", "--issue", "nope"], "--issue"),
    (["levers", "ukraine", "--as-of", "2025-13-45"], "--as-of"),
    (["explain", "ukraine", "--from", "yesterday"], "--from"),
    (["blocs", "ukraine", "-m", "nope"], "nope"),
])
def test_bad_options_are_one_line(cli, args: list[str], field: str) -> None:
    code, out, err = cli(*args)
    assert code == 2 and field in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2


def test_a_scenario_file_needs_explicit_dates(cli, tmp_path: Path) -> None:
    code, _, err = cli("explain", str(case_dir("colombia") / "scenario.yaml"))
    assert code == 2 and err.startswith("error: --from: give a date")
    code, out, err = cli("explain", str(case_dir("colombia") / "scenario.yaml"), "--from", "2016-09-26",
                         "--to", "2016-11-24", "-m", "median", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["date_to"] == "2016-11-24"
    for bad in ("missing.yaml", str(tmp_path)):
        code, _, err = cli("levers", bad)
        assert code == 2 and err.count("\n") == 1
