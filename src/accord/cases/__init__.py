"""Bundled negotiation cases, shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from accord.errors import InputError

DEFAULT_CASE = "ukraine"


def bundled_cases() -> list[str]:
    """Names of the cases shipped with accord."""
    root = resources.files(__name__)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "scenario.yaml").is_file())


def case_dir(case: str | Path | None = None) -> Path:
    """The folder of a case: a bundled case by name, or any folder holding a scenario.yaml."""
    if case is None:
        case = DEFAULT_CASE
    p = Path(case)
    if p.is_dir():
        if not (p / "scenario.yaml").is_file():
            raise InputError("a case folder must hold scenario.yaml", file=str(p))
        return p
    if isinstance(case, str) and case in bundled_cases():
        return Path(str(resources.files(__name__) / case))
    raise InputError(f"no such case folder or bundled case (bundled: {', '.join(bundled_cases()) or 'none'})", file=str(case))
