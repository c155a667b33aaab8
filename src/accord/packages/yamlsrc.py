"""YAML input with source lines: errors name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import yaml

from accord.errors import InputError

PathKey = tuple[Any, ...]


class YamlSource:
    """Parsed YAML plus the line of every mapping key and sequence item."""

    def __init__(self, path: str | Path) -> None:
        self.file = str(path)
        p = Path(path)
        if not p.is_file():
            raise InputError("file not found", file=self.file)
        text = p.read_text(encoding="utf-8")
        try:
            self.data = yaml.safe_load(text)
            node = yaml.compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=self.file, line=line) from None
        self.lines: dict[PathKey, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: PathKey) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value
                self.lines[path + (key,)] = k.start_mark.line + 1
                self._walk(v, path + (key,))
                self.lines[path + (key,)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self._walk(v, path + (i,))

    def line(self, path: PathKey) -> int | None:
        """Line of ``path`` or of its nearest recorded ancestor."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def fail(self, message: str, path: PathKey) -> NoReturn:
        """Raise an InputError located at ``path``."""
        field = ".".join(str(x) for x in path) if path else None
        raise InputError(message, file=self.file, line=self.line(path), field=field)

    def mapping(self, value: Any, path: PathKey) -> dict:
        if not isinstance(value, dict):
            self.fail(f"expected a mapping, got {type(value).__name__}", path)
        return value

    def seq(self, value: Any, path: PathKey) -> list:
        if not isinstance(value, list):
            self.fail(f"expected a list, got {type(value).__name__}", path)
        return value

    def require(self, mapping: dict, key: str, path: PathKey) -> Any:
        if key not in mapping or mapping[key] is None:
            self.fail(f"required field '{key}' is missing", path + (key,) if path + (key,) in self.lines else path)
        return mapping[key]

    def number(self, value: Any, path: PathKey, lo: float | None = None, hi: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"expected a number, got {value!r}", path)
        v = float(value)
        if v != v or v in (float("inf"), float("-inf")):
            self.fail("expected a finite number", path)
        if lo is not None and v < lo:
            self.fail(f"must be >= {lo}, got {value}", path)
        if hi is not None and v > hi:
            self.fail(f"must be <= {hi}, got {value}", path)
        return v

    def string(self, value: Any, path: PathKey) -> str:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.fail(f"expected a string, got {value!r}", path)
        return str(value)
