"""Case folders: settings from case.yaml or the scenario, case code, optional structural files, generic code."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from accord.analysis.rolling import has_backtest
from accord.cases import case_dir, load_case
from accord.cases.analysis import analyse_case_files
from accord.errors import InputError

BUNDLED = case_dir("ukraine")
SRC = Path(__file__).resolve().parents[2] / "src" / "accord"


@pytest.fixture()
def bare(tmp_path: Path) -> Path:
    """A case folder holding only the scenario."""
    folder = tmp_path / "other"
    folder.mkdir()
    shutil.copy(BUNDLED / "scenario.yaml", folder / "scenario.yaml")
    return folder


def test_bundled_case_reads_its_settings() -> None:
    case = load_case(None)
    assert case.name == "ukraine" and case.folder == BUNDLED
    assert case.config.as_of == dt.date(2025, 11, 20)
    assert case.config.compare == [dt.date(2026, 2, 28)]
    assert case.config.horizon == dt.date(2026, 6, 15)
    assert case.hooks is None  # the Ukraine case has no code of its own: its questions are data (events.yaml)
    assert load_case("ukraine").config == case.config


def test_folder_without_case_yaml_takes_its_dates_from_the_scenario(bare: Path) -> None:
    case = load_case(bare)
    assert case.name == "other" and case.hooks is None
    assert case.config.as_of == dt.date(2026, 6, 4)  # the latest position date of the scenario
    assert case.config.compare == [] and case.config.horizon is None
    assert case.scenario_path == bare / "scenario.yaml"


def test_broken_case_yaml_names_file_line_and_field(bare: Path) -> None:
    (bare / "case.yaml").write_text("title: x\nas_of: 2025-11-20\ncompare: [soon]\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_case(bare)
    assert (err.value.line, err.value.field) == (3, "compare.0")
    (bare / "case.yaml").write_text("as_of: 2025-11-20\nhorizn: 2026-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="Extra inputs") as err:
        load_case(bare)
    assert err.value.field == "horizn"


def test_case_code_of_a_user_folder_is_loaded_by_path(bare: Path) -> None:
    (bare / "case.py").write_text("MARK = 'mine'\n", encoding="utf-8")
    assert load_case(bare).hooks.MARK == "mine"
    (bare / "case.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    other = bare.parent / "other2"
    shutil.copytree(bare, other)
    with pytest.raises(InputError, match="RuntimeError: boom"):
        load_case(other)


def test_a_case_needs_events_and_outcomes_for_a_backtest(bare: Path) -> None:
    shutil.copy(BUNDLED / "outcomes.yaml", bare / "outcomes.yaml")
    assert not has_backtest(bare)
    shutil.copy(BUNDLED / "events.yaml", bare / "events.yaml")
    assert has_backtest(bare)


def test_packages_survive_a_missing_or_broken_truce(bare: Path) -> None:
    shutil.copy(BUNDLED / "packages.yaml", bare / "packages.yaml")
    out = analyse_case_files(bare)
    assert out["truce"] is None and out["problems"] == []
    assert out["packages"]["frontier_count"] == 2747
    (bare / "truce.yaml").write_text("dms: [a]\npreferences: {}\n", encoding="utf-8")
    out = analyse_case_files(bare)
    assert out["truce"] is None and out["packages"]["acceptable_count"] == 10992
    (problem,) = out["problems"]
    assert problem["file"] == str(bare / "truce.yaml") and "at least two decision makers" in problem["message"]


def test_truce_alone_and_a_broken_packages_file(bare: Path) -> None:
    shutil.copy(BUNDLED / "truce.yaml", bare / "truce.yaml")
    (bare / "packages.yaml").write_text("parties: []\nissues: []\n", encoding="utf-8")
    out = analyse_case_files(bare)
    assert out["packages"] is None and out["truce"]["equilibria"] == [5, 15]
    assert out["problems"][0]["message"].startswith(f"{bare / 'packages.yaml'}:1: parties: ")


def test_generic_code_names_no_case() -> None:
    pattern = re.compile(r"ukrain|\bua\b|\bru\b|donbas|2025-|2026-", re.I)
    owned = [SRC / "cases" / "__init__.py", SRC / "cases" / "analysis.py", SRC / "analysis" / "backtest.py", SRC / "io.py",
             SRC / "analysis" / "rolling.py", SRC / "analysis" / "scoring.py", SRC / "report" / "track_record.py",
             *(SRC / "packages").glob("*.py"), *(SRC / "gmcr").glob("*.py")]
    for path in owned:
        assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_gmcr_and_packages_do_not_import_each_other() -> None:
    for here, there in (("gmcr", "packages"), ("packages", "gmcr")):
        for path in (SRC / here).glob("*.py"):
            assert f"accord.{there}" not in path.read_text(encoding="utf-8"), path


def test_backtest_command_for_a_case_without_events(bare: Path) -> None:
    from typer.testing import CliRunner

    from accord.cli.main import app

    for args in (["backtest", "events", str(bare)], ["backtest", str(bare)]):
        res = CliRunner().invoke(app, args)
        assert isinstance(res.exception, InputError)  # accord's main turns it into one line and exit 2
        assert res.exception.file == str(bare) and "needs events.yaml and outcomes.yaml" in res.exception.message
