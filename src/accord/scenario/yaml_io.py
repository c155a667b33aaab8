"""Scenario YAML: the human-edited format, read with line numbers for every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from accord.errors import InputError
from accord.io import atomic_write_text, line_for, read_yaml
from accord.scenario.model import Scenario, ScenarioReferenceError

Path_ = tuple[Any, ...]

__all__ = ["dump_scenario_yaml", "read_scenario_yaml", "scenario_from_data",
           "scenario_to_data", "validation_to_input_error", "write_scenario_yaml"]


def _position_label(data: Any, index: int) -> str:
    try:
        p = data["positions"][index]
        return f" ({p.get('actor')} on {p.get('issue')}, {p.get('date')})"
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""


def _loc_text(loc: Path_, data: Any) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]"]
        else:
            parts.append(str(item))
    text = ".".join(parts)
    if len(loc) >= 2 and loc[0] == "positions" and isinstance(loc[1], int):
        head = f"positions[{loc[1]}]{_position_label(data, loc[1])}"
        rest = ".".join(str(x) if not isinstance(x, int) else f"[{x}]" for x in loc[2:]).replace(".[", "[")
        return f"{head}: {rest}" if rest else head
    return text


def _parse_loc(dotted: str) -> Path_:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def validation_to_input_error(exc: ValidationError, data: Any, lines: dict[Path_, int], file: str | None) -> InputError:
    """The first pydantic error as an InputError with file, line and field."""
    err = exc.errors()[0]
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ScenarioReferenceError):
        loc = _parse_loc(ctx_error.loc)
        message = ctx_error.message
    else:
        loc = tuple(err["loc"])
        message = err["msg"]
        if err.get("type") not in ("missing",) and "input" in err and not isinstance(err["input"], (dict, list)):
            message += f" (got {err['input']!r})"
    extra = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
    return InputError(message + extra, file=file, line=line_for(loc, lines), field=_loc_text(loc, data) or None)


def scenario_from_data(data: Any, lines: dict[Path_, int] | None = None, file: str | None = None) -> Scenario:
    """Validate plain data (as parsed from YAML or JSON) into a Scenario."""
    if not isinstance(data, dict):
        raise InputError("a scenario must be a mapping with actors, issues and positions", file=file, line=1)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_to_input_error(exc, data, lines or {}, file) from None


def read_scenario_yaml(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file."""
    data, lines = read_yaml(path)
    return scenario_from_data(data, lines, str(path))


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data for YAML, leaving out empty optional fields."""
    return scenario.model_dump(exclude_none=True, exclude_defaults=True, by_alias=True)


def dump_scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text."""
    return yaml.safe_dump(scenario_to_data(scenario), sort_keys=False, allow_unicode=True, width=100)


def write_scenario_yaml(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as YAML atomically."""
    return atomic_write_text(path, dump_scenario_yaml(scenario))

