"""A hand-made run result and a small case folder for the saved-runs, export and compare tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.result import RunResult, load_result

FIXTURE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "run_result.json"


@pytest.fixture
def result() -> RunResult:
    """The report tests' hand-made Ukraine run result."""
    return load_result(json.loads(FIXTURE.read_text(encoding="utf-8")))


@pytest.fixture
def case_folder(tmp_path: Path) -> Path:
    """A folder with two small input files (their content is what the run id hashes)."""
    folder = tmp_path / "case"
    (folder / "articles").mkdir(parents=True)
    (folder / "scenario.yaml").write_text("id: x\n", encoding="utf-8")
    (folder / "articles" / "a.txt").write_text("text\n", encoding="utf-8")
    return folder
