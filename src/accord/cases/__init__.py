"""Negotiation cases: a folder with ``scenario.yaml`` and optional files, bundled or the user's own.

A case declares its own defaults in ``case.yaml`` (see docs/formats.md) and may carry
code of its own in ``case.py`` (for example the rules that turn forecasts into event
probabilities); generic code reaches both through :func:`load_case`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Annotated, Literal

from pydantic import Field

from accord.errors import InputError
from accord.io import FileModel, read_yaml, validate_yaml

CASE_SETTINGS = "case.yaml"
CASE_CODE = "case.py"
BUNDLE_SETTINGS = "bundled.yaml"


class CaseConfig(FileModel):
    """A case's defaults: the date of the situation, the dates to compare it with, the forecast horizon."""

    title: str | None = None
    as_of: dt.date | None = None
    compare: list[dt.date] = []
    horizon: dt.date | None = None
    principals: list[str] = Field(default=[], description="the two parties charts pair first (e.g. on the frontier)")
    hazard: dict[Literal["package", "issue", "partial", "truce"], Annotated[float, Field(gt=0, allow_inf_nan=False)]] = Field(
        default={}, description="median days from acceptable terms to an agreement, per event kind (docs/methods/agreement.md)")


class _Bundle(FileModel):
    default: str


@dataclass(frozen=True)
class Case:
    """A case folder with its settings and, where it has one, its own code."""

    name: str
    folder: Path
    config: CaseConfig
    hooks: ModuleType | None = None
    problems: tuple[InputError, ...] = ()  # a case.yaml that could not be read (lenient loading only)

    @property
    def scenario_path(self) -> Path:
        """The case's scenario file."""
        return self.folder / "scenario.yaml"

    def file(self, name: str) -> Path | None:
        """An optional file of the case (``packages.yaml``, ``truce.yaml``, ``outcomes.yaml``...), None if absent."""
        path = self.folder / name
        return path if path.is_file() else None


def bundled_cases() -> list[str]:
    """Names of the cases shipped with accord."""
    root = resources.files(__name__)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "scenario.yaml").is_file())


def default_case() -> str:
    """The bundled case used when none is named (set in cases/bundled.yaml)."""
    path = Path(str(resources.files(__name__) / BUNDLE_SETTINGS))
    data, lines = read_yaml(path)
    return validate_yaml(_Bundle, data, lines, str(path)).default


def case_dir(case: str | Path | None = None) -> Path:
    """The folder of a case: a bundled case by name, or any folder holding a scenario.yaml."""
    if case is None:
        case = default_case()
    p = Path(case)
    if p.is_dir():
        if not (p / "scenario.yaml").is_file():
            raise InputError("a case folder must hold scenario.yaml", file=str(p))
        return p
    if isinstance(case, str) and case in bundled_cases():
        return Path(str(resources.files(__name__) / case))
    raise InputError(f"no such case folder or bundled case (bundled: {', '.join(bundled_cases()) or 'none'})", file=str(case))


def load_case(case: str | Path | None = None, lenient: bool = False) -> Case:
    """A case by bundled name or folder, with its settings (``case.yaml``, else derived from the scenario) and code.

    A ``case.yaml`` that cannot be read is an :class:`InputError`; with ``lenient`` the case
    gets the settings derived from the scenario instead and the error in ``problems``.
    """
    folder = case_dir(case)
    if case is None or (isinstance(case, str) and not Path(case).is_dir()):
        name, bundled = (case or default_case()), True
    else:
        name, bundled = folder.resolve().name, False
    problems: tuple[InputError, ...] = ()
    try:
        config = _settings(folder)
    except InputError as exc:
        if not lenient:
            raise
        config, problems = CaseConfig(), (exc,)
    if config.as_of is None:
        config = config.model_copy(update={"as_of": _latest_position_date(folder / "scenario.yaml")})
    return Case(name=name, folder=folder, config=config, hooks=_hooks(folder, name if bundled else None),
                problems=problems)


def _settings(folder: Path) -> CaseConfig:
    """The case's ``case.yaml`` (all defaults when it has none)."""
    path = folder / CASE_SETTINGS
    if not path.is_file():
        return CaseConfig()
    data, lines = read_yaml(path)
    return validate_yaml(CaseConfig, data, lines, str(path))


def _latest_position_date(scenario_path: Path) -> dt.date | None:
    from accord.scenario.io import load_scenario

    dates = load_scenario(scenario_path).dates()
    return dates[-1] if dates else None


def _hooks(folder: Path, bundled_name: str | None) -> ModuleType | None:
    """The case's own ``case.py``: imported as part of accord for a bundled case, by path for a user's folder."""
    if not (folder / CASE_CODE).is_file():
        return None
    if bundled_name is not None:
        return importlib.import_module(f"{__name__}.{bundled_name}.case")
    module_name = f"accord_case_{abs(hash(str(folder.resolve())))}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, folder / CASE_CODE)
    if spec is None or spec.loader is None:
        raise InputError("cannot load the case's code", file=str(folder / CASE_CODE))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: report it as a problem of that file, not a traceback
        del sys.modules[module_name]
        raise InputError(f"case code failed to load: {type(exc).__name__}: {exc}", file=str(folder / CASE_CODE)) from None
    return module
