"""Scenario YAML: the human-edited format, read with line numbers for every error."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from accord.errors import InputError
from accord.scenario.model import Scenario, ScenarioReferenceError
from accord.scenario.text import read_text

Path_ = tuple[Any, ...]


class _LineLoader(yaml.SafeLoader):
    """Safe loader that records the line of every mapping value and sequence item."""


def _construct_with_lines(node: yaml.Node, loader: yaml.SafeLoader, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise InputError("mapping keys must be plain values", line=key_node.start_mark.line + 1)
            if key in out:
                raise InputError(f"duplicate key {key!r}", line=key_node.start_mark.line + 1)
            out[key] = _construct_with_lines(value_node, loader, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct_with_lines(v, loader, path + (k,), lines) for k, v in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError) as exc:
        field = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".") or None
        raise InputError(f"cannot read value {node.value!r}: {exc}", line=node.start_mark.line + 1, field=field) from None


def load_yaml_with_lines(text: str, file: str | None = None) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text into plain data and a map from data path to line number."""
    loader = None
    try:
        loader = _LineLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise InputError("file holds no YAML document", file=file)
        lines: dict[Path_, int] = {}
        data = _construct_with_lines(node, loader, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"YAML syntax error: {exc.problem}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise InputError(f"YAML cannot hold character {exc.character!r}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {' '.join(str(exc).split())}", file=file) from None
    except RecursionError:
        raise InputError("YAML nesting is too deep", file=file) from None
    except InputError as exc:
        raise exc.located(file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines


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


def _line_for(loc: Path_, lines: dict[Path_, int]) -> int | None:
    for k in range(len(loc), -1, -1):
        if loc[:k] in lines:
            return lines[loc[:k]]
    return None


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
    return InputError(message + extra, file=file, line=_line_for(loc, lines), field=_loc_text(loc, data) or None)


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
    text = read_text(path)
    data, lines = load_yaml_with_lines(text, file=str(path))
    return scenario_from_data(data, lines, str(path))


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data for YAML, leaving out empty optional fields."""
    return scenario.model_dump(exclude_none=True, exclude_defaults=True, by_alias=True)


def dump_scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text."""
    return yaml.safe_dump(scenario_to_data(scenario), sort_keys=False, allow_unicode=True, width=100)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write text to ``path`` through a temporary file and a rename, so a crash never leaves half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_scenario_yaml(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as YAML atomically."""
    return atomic_write_text(path, dump_scenario_yaml(scenario))

