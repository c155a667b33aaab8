"""``accord run`` on another case and on a folder holding only ``scenario.yaml``: the case's own dates, and no
Ukraine actor or issue id, date literal or event rule anywhere in the HTML (scripts stripped), the Markdown,
result.json or the terminal output. The Ukraine tokens are read from the Ukraine case's own files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accord.cases import case_dir
from accord.io import read_yaml

UKRAINE = case_dir("ukraine")
DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def ukraine_tokens() -> tuple[set[str], set[str], set[str]]:
    """Every actor and issue id, every date literal of the Ukraine case files, and the questions of its events."""
    scenario, _ = read_yaml(UKRAINE / "scenario.yaml")
    ids = {a["id"] for a in scenario["actors"]} | {i["id"] for i in scenario["issues"]}
    dates = {d for f in UKRAINE.iterdir() if f.suffix in (".yaml", ".yml", ".py") for d in DATE.findall(f.read_text("utf-8"))}
    events, _ = read_yaml(UKRAINE / "events.yaml")
    texts = {e["question"] for e in events["events"]}
    return ids, dates, texts


def case_inputs(folder: Path) -> str:
    """All text of a case folder: a word the case itself uses may appear in its output."""
    return "\n".join(f.read_text("utf-8", errors="replace") for f in sorted(folder.rglob("*")) if f.is_file())


def outputs(case: Path, out: Path) -> dict[str, str]:
    res = subprocess.run(
        [sys.executable, "-m", "accord.cli.main", "run", str(case), "--out", str(out), "--draws", "20",
         "-f", "html", "-f", "md", "-f", "json"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "COLUMNS": "200"},
    )
    assert res.returncode == 0, res.stderr
    page = (out / "report.html").read_text("utf-8")
    return {
        "terminal": res.stdout + res.stderr,
        "html": re.sub(r"<script\b.*?</script>", "", page, flags=re.S),  # plotly.js holds a country list
        "md": (out / "report.md").read_text("utf-8"),
        "json": (out / "result.json").read_text("utf-8"),
    }


@pytest.fixture(scope="module", params=["colombia", "scenario-only"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp(request.param)
    folder = case_dir("colombia")
    if request.param == "scenario-only":
        folder = tmp / "case"
        folder.mkdir()
        shutil.copy(case_dir("colombia") / "scenario.yaml", folder / "scenario.yaml")
    return folder, outputs(folder, tmp / "out")


def test_no_ukraine_id_date_or_rule_in_any_output(run: tuple[Path, dict[str, str]]) -> None:
    folder, texts = run
    ids, dates, rules = ukraine_tokens()
    own = case_inputs(folder)
    assert len(ids) > 15 and len(dates) > 50 and len(rules) > 5  # the tokens were read, not a short list
    checked_ids = {i for i in ids if not re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", own, re.I)}
    assert {"ukraine", "russia", "donbas_withdrawal", "security_guarantees"} <= checked_ids
    for kind, text in texts.items():
        found_ids = sorted(i for i in checked_ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text, re.I))
        assert found_ids == [], kind
        assert sorted(d for d in dates if d in text) == [], kind
        assert sorted(r for r in rules if r in text) == [], kind


def test_the_case_dates_are_its_own(run: tuple[Path, dict[str, str]]) -> None:
    folder, texts = run
    result = json.loads(texts["json"])
    as_of = result["case"]["as_of"]
    assert as_of.startswith("2016-")
    assert f"Situation as of <b>{as_of}</b>" in texts["html"]
    assert f"Situation as of **{as_of}**" in texts["md"]
    assert f"Executive summary · as of {as_of}" in texts["terminal"]
    if folder.name == "colombia":
        assert result["case"]["horizon"] == "2016-12-31" and "horizon <b>2016-12-31</b>" in texts["html"]
        assert result["executive"]["changed_to"] == "2016-11-24"
    else:
        assert result["case"]["horizon"] is None and "no horizon set" in texts["html"]
        assert result["executive"]["evidence"] == [
            "No package file: whether any package is acceptable to all parties was not computed."]
    suggestions = (result["evidence"] or {}).get("suggestions", [])
    assert all(s["confidence"] > 0 for s in suggestions)  # recency weighted from the case's own date
