"""``accord run`` on the bundled case: the terminal, the HTML report, the Markdown report and result.json
show the same number for every forecast (every model × issue × date), and a Monte Carlo median is never
shown as a model's point forecast."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys

import pytest

from accord.models.registry import get as model_spec
from accord.report.labels import fmt_pos, model_name


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("agree")
    res = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", "--out", str(out), "--draws", "60",
         "-f", "html", "-f", "md", "-f", "json"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "COLUMNS": "2000"},
    )
    assert res.returncode == 0, res.stderr
    return {
        "cli": res.stdout,
        "html": (out / "report.html").read_text(encoding="utf-8"),
        "md": (out / "report.md").read_text(encoding="utf-8"),
        "json": json.loads((out / "result.json").read_text(encoding="utf-8")),
    }


def expected(result: dict) -> dict[tuple[str, str, str], str]:
    """(date, model, issue) -> the forecast as every renderer must print it."""
    issues = [i["id"] for i in result["scenario"]["issues"]]
    return {(t["date"], m, iid): fmt_pos(t["values"][m].get(iid))
            for t in result["forecasts"] for m in result["models"] for iid in issues}


def cli_numbers(text: str, result: dict) -> dict[tuple[str, str, str], str]:
    by_short = {model_spec(m).short: m for m in result["models"]}
    issues = {i["id"] for i in result["scenario"]["issues"]}
    found: dict[tuple[str, str, str], str] = {}
    date, columns = None, []
    for line in text.splitlines():
        title = re.match(r"\s*Point forecasts as of (\d{4}-\d\d-\d\d), 0–100", line)
        words = line.split()
        if title:
            date, columns = title.group(1), []
        elif line.startswith("Models:"):
            date = None  # the forecast tables end here
        elif date and not columns and words[:1] == ["issue"]:
            columns = [by_short[w] for w in words[1:]]
        elif date and columns and words and words[0] in issues:
            for model, value in zip(columns, words[1:1 + len(columns)], strict=True):
                found[(date, model, words[0])] = value
    return found


def html_numbers(text: str) -> dict[tuple[str, str, str], str]:
    found: dict[tuple[str, str, str], str] = {}
    for date, table in re.findall(r'<table class="grid forecasts" id="forecasts-([\d-]+)">(.*?)</table>', text, re.S):
        for issue, row in re.findall(r'<tr data-issue="([^"]+)">(.*?)</tr>', table, re.S):
            for model, value in re.findall(r'<td class="num" data-model="([^"]+)"[^>]*><span class="point">([^<]*)</span>',
                                           row):
                found[(date, model, issue)] = html.unescape(value)
    return found


def md_numbers(text: str, result: dict) -> dict[tuple[str, str, str], str]:
    by_name = {model_name(m): m for m in result["models"]}
    by_title = {i["title"]: i["id"] for i in result["scenario"]["issues"]}
    found: dict[tuple[str, str, str], str] = {}
    for date, body in re.findall(r"^### Point forecasts as of ([\d-]+)\n\n(.*?)(?:\n\n|\Z)", text, re.S | re.M):
        lines = body.splitlines()
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        models = [by_name[h] for h in header[2:]]
        for line in lines[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            for model, cell in zip(models, cells[2:], strict=True):
                found[(date, model, by_title[cells[0]])] = cell.split(" [")[0]
    return found


def test_every_forecast_is_the_same_number_everywhere(run: dict) -> None:
    result = run["json"]
    want = expected(result)
    assert len(want) == len(result["forecasts"]) * len(result["models"]) * len(result["scenario"]["issues"]) > 300
    assert cli_numbers(run["cli"], result) == want
    assert html_numbers(run["html"]) == want
    assert md_numbers(run["md"], result) == want


def test_monte_carlo_medians_are_labelled_apart_from_point_forecasts(run: dict) -> None:
    result = run["json"]
    as_of = result["case"]["as_of"]
    points = next(t for t in result["forecasts"] if t["date"] == as_of)["values"]["compromise"]
    sims = result["simulation"]["summaries"]["compromise"]
    differ = 0
    for issue in result["scenario"]["issues"]:
        point, sim = points.get(issue["id"]), sims.get(issue["id"])
        if point is None or sim is None:
            continue
        differ += fmt_pos(point) != fmt_pos(sim["q50"])
        said = f"The compromise model forecasts {fmt_pos(point)} of 100."
        median = f"The median of its Monte Carlo simulations is {fmt_pos(sim['q50'])}"
        for report in (run["html"], run["md"]):
            assert said in report and median in report, issue["id"]
        row = re.search(rf"^\s*{issue['id']}\s.*$", run["cli"].split("compromise: point forecast and Monte Carlo")[1], re.M)
        assert row.group(0).split()[1:] == [fmt_pos(point), fmt_pos(sim["q50"]), fmt_pos(sim["q05"]), fmt_pos(sim["q95"])]
    assert differ > 0  # the case has issues where the two numbers differ, so the labels matter
    assert re.search(r"point\s+sim\. median\s+sim\. 5%\s+sim\. 95%", run["cli"])


def executive_lines(result: dict) -> list[str]:
    """Every sentence of the executive summary, as result.json holds it."""
    ex = result["executive"]
    return [ex["outlook"], ex["in_short"], *ex["evidence"], ex["conditioning"], *(b["text"] for b in ex["blockers"]),
            *(t["text"] for t in ex["terms"]), *(t["warning"] for t in ex["terms"] if t["warning"]),
            *(c["text"] for c in ex["changes"])]


def test_the_executive_summary_reads_the_same_everywhere(run: dict) -> None:
    result = run["json"]
    page = html.unescape(run["html"])
    lines = executive_lines(result)
    assert len(lines) > 20
    for line in lines:
        assert line in page, line
        assert line in run["md"], line
        assert line in run["cli"], line
    top = [a for a in result["agreements"] if a["headline"]]
    assert [a["event"] for a in top] == [result["executive"]["headline_event"]] == ["comprehensive_agreement_by_2026_06_15"]
    assert (result["executive"]["probability"], result["executive"]["mc_error"]) == (top[0]["probability"],
                                                                                       top[0]["mc_error"])
    assert result["executive"]["in_short"].startswith(f"In short: {top[0]['question']}: P ")
    assert top[0]["text"] in run["md"] and top[0]["text"] in run["cli"].replace("\n", " ")
    assert result["executive"]["horizon"] == result["case"]["horizon"] == "2026-06-15"


def test_headline_rows_without_a_principal_position_are_warned(run: dict) -> None:
    result = run["json"]
    assert result["case"]["principals"] == ["ukraine", "russia"] and result["case"]["principals_from"] == "case.yaml"
    missing = next(t for t in result["forecasts"] if t["date"] == result["case"]["as_of"])["missing"]
    warned = {t["issue"]: t["missing_principals"] for t in result["executive"]["terms"] if t["warning"]}
    assert warned == {iid: [a for a in ("ukraine", "russia") if a in actors] for iid, actors in missing.items()
                      if {"ukraine", "russia"} & set(actors)}
    # the bundled case at its first date: Kyiv's positions on these issues are first reported later
    assert {"security_guarantees", "elections", "amnesty", "buffer_zone", "language_church"} <= set(warned)
    amnesty = next(t for t in result["executive"]["terms"] if t["issue"] == "amnesty")
    assert amnesty["warning"].endswith("First recorded later: Ukraine 0 on 2025-11-23.")
    assert html.unescape(run["html"]).count(f'<span class="missing-warning">{amnesty["warning"]}</span>') == 2


# --- levers, explanations, blocs (issue 18): the report shows the typed result's sentences and numbers ---------------


def test_lever_sentences_and_contributions_read_the_same_everywhere(run: dict) -> None:
    from accord.report.context import fmt_change
    from accord.report.summary import headline_model

    result = run["json"]
    page = html.unescape(run["html"])
    lead = headline_model(result["levers"]["models"])
    texts = [lv["text"] for il in result["levers"]["issues"] if il["model"] == lead for lv in il["levers"]]
    shown = [t for t in texts if t in page]
    assert len(shown) >= 2 * len(result["scenario"]["issues"]) - 4  # the smallest moves of each issue are listed
    for t in shown:
        assert t.replace("|", "\\|") in run["md"], t
    ex = result["explanations"][0]
    lead = headline_model(ex["models"])
    values = [fmt_change(c["value"]) for e in ex["issues"] if e["model"] == lead for c in e["contributions"]]
    assert len(values) > 20
    html_values = re.findall(r'<span class="num contribution">([^<]*)</span>', run["html"])
    assert sorted(html_values) == sorted(values)
    table = run["md"].split("## Why the forecasts moved")[1].split("Change of every model's forecast")[0]
    md_values = re.findall(r"(?:\| |<br>)([+-]\d+\.\d\d) (?!\|)", table)  # not the change column: "| -0.51 |"
    assert sorted(md_values) == sorted(values)


def test_the_cli_gives_the_run_s_levers_and_explanations(run: dict) -> None:
    result = run["json"]
    env = {**os.environ, "COLUMNS": "400"}
    levers = subprocess.run([sys.executable, "-m", "accord.cli.main", "levers", "ukraine", "-m", "compromise",
                             "--format", "json"], capture_output=True, text=True, timeout=600, env=env)
    assert levers.returncode == 0, levers.stderr
    ours = [il for il in result["levers"]["issues"] if il["model"] == "compromise"]
    assert json.loads(levers.stdout)["issues"] == ours
    explain = subprocess.run([sys.executable, "-m", "accord.cli.main", "explain", "ukraine", "--format", "json"],
                             capture_output=True, text=True, timeout=600, env=env)
    assert explain.returncode == 0, explain.stderr
    assert json.loads(explain.stdout) == result["explanations"][0]
