"""``accord run`` on a case with an events file: every probability of agreement appears with the same figures,
deadline, conditioning and Monte Carlo error in the terminal, the HTML and Markdown first screens and result.json;
a not-modelled event is listed as such; a broken events file is a problem of the run, not a crash."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accord.cases import case_dir

EVENTS = """\
events:
  - {id: deal, question: "Agreement of government and FARC", deadline: 2016-12-31, kind: package, parties: [government, farc], headline: true}
  - {id: politics, question: "Agreement on political participation", deadline: 2016-11-30, kind: partial, parties: [government, farc], issue: political_participation}
  - {id: talks, question: "Talks resume", deadline: 2016-10-31, kind: talks, parties: [government, farc]}
"""


def _run(case: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", str(case), "--out", str(out), "--draws", "60",
         "-f", "html", "-f", "md"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "COLUMNS": "2000"},
    )


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("events") / "colombia"
    shutil.copytree(case_dir("colombia"), folder, ignore=shutil.ignore_patterns("articles", "events.yaml"))
    (folder / "events.yaml").write_text(EVENTS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def shown(case: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("out")
    res = _run(case, out)
    assert res.returncode == 0, res.stderr
    return {"cli": res.stdout, "html": (out / "report.html").read_text(encoding="utf-8"),
            "md": (out / "report.md").read_text(encoding="utf-8"),
            "json": json.loads((out / "result.json").read_text(encoding="utf-8"))}


def test_every_probability_is_shown_alike_everywhere(shown: dict) -> None:
    agreements = shown["json"]["agreements"]
    assert [a["event"] for a in agreements] == ["deal", "politics", "talks"]
    for a in agreements[:2]:
        assert a["modelled"] and 0 < a["probability"] < 1 and a["draws"] == 60
        days = (dt.date.fromisoformat(a["deadline"]) - dt.date(2016, 9, 26)).days
        figure = f"P = {a['probability']:.2f} ± {a['mc_error']:.2f} by {a['deadline']} ({days} days after 2016-09-26, 60 draws)"
        assert figure in a["text"]
        assert a["text"] in shown["md"] and a["text"] in shown["cli"]
        row = (f"<td>{html.escape(a['question'])}</td><td class=\"num\"><b>{a['figure']}</b></td>"
               f"<td class=\"nowrap\">{a['deadline']}</td><td class=\"cond\">{html.escape(a['reason'])} "
               f"(60 draws from 2016-09-26)</td>")
        assert row in shown["html"]
        assert f"P = {a['figure']} by" in a["text"]
    assert "given a package acceptable to Government of Colombia and FARC-EP among every package" in agreements[0]["text"]


def test_a_not_modelled_event_is_listed_as_such(shown: dict) -> None:
    talks = shown["json"]["agreements"][2]
    assert not talks["modelled"] and talks["probability"] is None and talks["mc_error"] is None
    assert talks["text"].startswith("Talks resume (by 2016-10-31): not modelled. No model quantity says whether")
    for where in ("md", "cli"):
        assert talks["text"] in shown[where]
    assert f"Not modelled (1): Talks resume ({html.escape(talks['reason'])})." in shown["html"]


def test_the_first_screen_says_probabilities_follow(shown: dict) -> None:
    outlook = shown["json"]["executive"]["outlook"]
    assert outlook == ("Will an agreement be reached by 2016-12-31? Probabilities of the case's events by their "
                       "deadlines follow (events.yaml): each says what it is conditional on, and ± is its Monte "
                       "Carlo standard error.")
    assert "### Probabilities by deadline" in shown["md"] and 'id="agreements"' in shown["html"]
    ex, deal = shown["json"]["executive"], shown["json"]["agreements"][0]
    # the first line answers the question: the headline event's sentence (P ± error, deadline, conditions) first
    assert deal["headline"] and not any(a["headline"] for a in shown["json"]["agreements"][1:])
    assert ex["in_short"].startswith(f"In short: {deal['question']}: P = {deal['figure']} (forecast on 2016-09-26). "
                                     f"Its terms hold with P = {deal['p_terms']:.3g} over 60 draws, and terms that "
                                     f"hold are reached by 2016-12-31 with P = {deal['p_by_deadline']:.3g}; the "
                                     "full conditions of the event are listed below. Findings behind it: ")
    assert (ex["probability"], ex["mc_error"], ex["headline_event"]) == (deal["probability"], deal["mc_error"], "deal")
    assert "not a probability of agreement" not in ex["in_short"]
    for where in ("md", "cli"):
        assert ex["in_short"] in shown[where]
    assert html.escape(ex["in_short"], quote=False) in shown["html"]


def test_accord_events_prints_the_same_figures_as_the_run(case: Path, shown: dict) -> None:
    res = subprocess.run([sys.executable, "-m", "accord.cli.main", "events", str(case), "--draws", "60",
                          "--format", "json"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    run = shown["json"]["agreements"]
    assert [r["event"] for r in rows] == [a["event"] for a in run]
    assert [r["probability"] for r in rows] == [a["probability"] for a in run]
    assert [r["mc_error"] for r in rows] == [a["mc_error"] for a in run]


def test_a_broken_events_file_is_a_problem_of_the_run(case: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(case, broken)
    (broken / "events.yaml").write_text("events:\n  - {id: x, question: q, deadline: 2016-12-31, kind: deal}\n",
                                        encoding="utf-8")
    res = _run(broken, tmp_path / "out")
    assert res.returncode == 0, res.stderr
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert result["agreements"] == []
    assert [(p["stage"], p["file"]) for p in result["problems"]] == [("agreements", str(broken / "events.yaml"))]
    assert "kind must be one of" in result["problems"][0]["error"]
