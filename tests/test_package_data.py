"""Every data file of the package ships in the wheel: `pip install .` (not editable) must find it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "accord"


def _shipped() -> set[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["accord"]
    return {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}


def _data_files() -> set[Path]:
    return {p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts}


def test_every_data_file_matches_a_package_data_pattern() -> None:
    missing = sorted(str(p.relative_to(PACKAGE)) for p in _data_files() - _shipped())
    assert missing == []


def test_the_workbench_templates_and_static_files_are_data_files() -> None:
    # the files a non-editable install of `accord serve` reads; the first test fails if one is not shipped
    names = {str(p.relative_to(PACKAGE)) for p in _data_files()}
    assert {"serve/templates/workbench.html.j2", "serve/static/workbench.js", "report/templates/report.html.j2"} <= names
