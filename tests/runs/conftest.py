"""A hand-made run result and a small case folder for the saved-runs, export and compare tests."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from accord.result import RunResult, load_result

TESTS = Path(__file__).resolve().parents[1]
FIXTURE = TESTS / "report" / "fixtures" / "run_result.json"


def _cli_conftest():
    """The CLI tests' conftest, loaded by path (the test folders are not packages)."""
    spec = importlib.util.spec_from_file_location("accord_cli_test_conftest", TESTS / "cli" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: ``cli(*args)`` -> (exit status, stdout, stderr), the CLI tests' fixture.
cli = _cli_conftest().cli


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
