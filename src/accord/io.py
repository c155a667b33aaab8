"""Shared file I/O: YAML with the line of every value, pydantic errors located in the file, atomic writes, JSON values.

Every reader of a human-edited YAML file (scenarios, case settings, package and graph
models) goes through :func:`read_yaml` so that an error names the file, the line and the
field; every file accord writes goes through :func:`atomic_write_text`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.types import Strict

from accord.errors import InputError

YamlPath = tuple[Any, ...]
Lines = dict[YamlPath, int]
M = TypeVar("M", bound=BaseModel)

# Limits of every YAML and JSON document accord reads (docs/formats.md, "Limits"):
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024  # size of one YAML or JSON file (YAML parses at about 250 kB/s)
MAX_NESTING = 64  # mappings and lists inside one another (accord's own files use at most 9)
MAX_ALIASES = 10_000  # alias uses (*name) in one YAML file
MAX_ALIAS_VALUES = 100_000  # values that aliases add to the written ones: a few kB of aliases can expand to billions


class _LineLoader(yaml.SafeLoader):
    """Safe loader whose nodes keep their source marks while accord builds plain data from them.

    Composing counts nesting and alias uses, so that a deep or alias-heavy document stops
    with the limit it broke before any data is built.
    """

    depth = 0
    aliases = 0
    nodes = 0  # values written in the document (an alias use counts as one)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.nodes += 1
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise InputError(f"more than {MAX_ALIASES:,} aliases (*name); limit {MAX_ALIASES:,}",
                                 line=self.peek_event().start_mark.line + 1)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise InputError(f"nesting deeper than {MAX_NESTING} levels; limit {MAX_NESTING}",
                                 line=self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    """Plain data from a YAML node tree, recording the line of every mapping key and sequence item."""

    def __init__(self, loader: _LineLoader) -> None:
        self.loader = loader
        self.lines: Lines = {}
        self.count = 0
        self.limit = loader.nodes + MAX_ALIAS_VALUES
        self.open: set[int] = set()  # the collections being built: meeting one again is a recursive alias

    def build(self, node: yaml.Node, path: YamlPath, line: int) -> Any:
        self.count += 1
        if self.count > self.limit:
            raise InputError(f"aliases add more than {MAX_ALIAS_VALUES:,} values; limit {MAX_ALIAS_VALUES:,}", line=line)
        self.lines[path] = line
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.open:
                raise InputError("an alias refers to a mapping or list that holds it (recursive alias)", line=line)
            if len(path) >= MAX_NESTING:
                raise InputError(f"aliases nest values deeper than {MAX_NESTING} levels; limit {MAX_NESTING}", line=line)
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path)
                return [self.build(v, path + (k,), v.start_mark.line + 1) for k, v in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError) as exc:
            raise InputError(f"cannot read value {node.value!r}: {exc}", line=node.start_mark.line + 1,
                             field=field_text(path)) from None

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise InputError("mapping keys must be plain values", line=key_line)
            if key in out:
                raise InputError(f"duplicate key {key!r}", line=key_line)
            out[key] = self.build(value_node, path + (key,), key_line)
        return out


MAX_INPUT_BYTES = 200 * 1024 * 1024


def read_text(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The file's text as UTF-8 (a BOM is dropped); errors name the file and the line."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=str(p))
    if p.is_dir():
        raise InputError("is a folder, expected a file", file=str(p))
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is too large ({size} bytes; limit {max_bytes})", file=str(p))
    data = p.read_bytes()
    if not data.strip():
        raise InputError("file is empty", file=str(p))
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file (NUL bytes), expected text", file=str(p))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", file=str(p), line=line
        ) from None
    return text.removeprefix("\ufeff")


def load_yaml_with_lines(text: str, file: str | None = None) -> tuple[Any, Lines]:
    """Parse YAML text into plain data and a map from each data path to its line (a key's line for mapping values)."""
    loader = None
    try:
        loader = _LineLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise InputError("file holds no YAML document", file=file)
        builder = _Builder(loader)
        data = builder.build(node, (), node.start_mark.line + 1)
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
        raise InputError(f"YAML nesting is too deep; limit {MAX_NESTING} levels", file=file) from None
    except InputError as exc:
        raise exc.located(file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, builder.lines


def read_yaml(path: str | Path) -> tuple[Any, Lines]:
    """Read a YAML file into plain data and its line map; errors name the file and the line.

    The limits (:data:`MAX_DOCUMENT_BYTES`, :data:`MAX_NESTING`, :data:`MAX_ALIASES`,
    :data:`MAX_ALIAS_VALUES`) hold for every file type read here.
    """
    return load_yaml_with_lines(read_text(path, max_bytes=MAX_DOCUMENT_BYTES), file=str(path))


def load_json(text: str, file: str | None = None, line: int | None = None, field: str | None = None) -> Any:
    """Parse JSON text under the YAML limits (nesting, integer digits); errors are one located line."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        where = exc.lineno if line is None else line
        raise InputError(f"not valid JSON ({exc.msg} at character {exc.pos})", file=file, line=where, field=field) from None
    except RecursionError:
        raise InputError(f"JSON nesting is too deep; limit {MAX_NESTING} levels", file=file, line=line, field=field) from None
    except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
        raise InputError(f"cannot read a JSON value: {exc}".split(";")[0], file=file, line=line, field=field) from None
    if _depth(value) > MAX_NESTING:
        raise InputError(f"JSON nesting deeper than {MAX_NESTING} levels; limit {MAX_NESTING}", file=file, line=line,
                         field=field)
    return value


def read_json(path: str | Path) -> Any:
    """Read a JSON file under the limits of :func:`load_json` and :data:`MAX_DOCUMENT_BYTES`."""
    return load_json(read_text(path, max_bytes=MAX_DOCUMENT_BYTES), file=str(path))


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion (1 for a scalar)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return deepest


def field_text(path: YamlPath) -> str | None:
    """A data path as the dotted field name errors show (``issues.0.options.1.point``)."""
    return ".".join(str(p) for p in path) or None


def line_for(path: YamlPath, lines: Lines) -> int | None:
    """The line of ``path``, or of its nearest ancestor the file has."""
    for k in range(len(path), -1, -1):
        if path[:k] in lines:
            return lines[path[:k]]
    return None


class FieldError(ValueError):
    """A problem a validator finds at ``path`` below the value it validates (a cross-reference, a range)."""

    def __init__(self, path: YamlPath, message: str) -> None:
        super().__init__(message)
        self.path = tuple(path)
        self.message = message


def first_validation_error(exc: ValidationError, data: Any, lines: Lines, file: str | None) -> InputError:
    """The first pydantic error as an InputError naming file, line and field (and how many more there are)."""
    errors = exc.errors()
    err = errors[0]
    located = (err.get("ctx") or {}).get("error")
    if isinstance(located, FieldError):
        loc = data_path(tuple(err["loc"]) + located.path, data)
        message = located.message
    elif err.get("type") == "union_tag_invalid":
        ctx = err["ctx"]
        key = ctx["discriminator"].strip("'")
        loc = data_path(tuple(err["loc"]), data) + (key,)
        message = f"unknown {key} {ctx['tag']!r} (expected one of {ctx['expected_tags']})"
    else:
        loc = data_path(tuple(err["loc"]), data)
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    given = err.get("input")
    if err.get("type") not in ("missing", "value_error", "union_tag_invalid") and not isinstance(given, (dict, list)):
        message += f" (got {given!r})"
    extra = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return InputError(message + extra, file=file, line=line_for(loc, lines), field=field_text(loc))


def data_path(loc: YamlPath, data: Any) -> YamlPath:
    """An error location reduced to keys and indexes of the data (pydantic adds the tags of union members)."""
    out: YamlPath = ()
    node = data
    for k, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif k < len(loc) - 1:
            continue  # a union member's tag: not in the file
        out += (part,)
    return out


class FileModel(BaseModel):
    """Base of the pydantic models of accord's input files: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _plain_id(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Id = Annotated[str, BeforeValidator(_plain_id), Strict(), Field(min_length=1)]
"""An identifier in a file: a non-empty string (a bare integer is read as its digits)."""


def id_mapping(value: Any) -> Any:
    """In lists of entries with an ``id``, a bare ``a`` stands for ``{id: a}``."""
    return {"id": _plain_id(value)} if isinstance(value, (str, int)) and not isinstance(value, bool) else value


def validate_yaml(model: type[M], data: Any, lines: Lines, file: str | None, context: dict[str, Any] | None = None) -> M:
    """Validate parsed YAML with a pydantic model; the first problem becomes a located InputError."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise first_validation_error(exc, data, lines, file) from None


def atomic_write_text(path: str | Path, text: str, mode: int = 0o666) -> Path:
    """Write text to ``path`` so that readers see the old file or the whole new one, never a part.

    The text goes to a new temporary file in the same folder (created exclusively, so a
    symlink planted under its name is never followed), is flushed to disk, and replaces
    the target with one rename; a symlink at the target is replaced, not written through.
    Permissions are ``mode`` less the process umask (0644 under the usual 022).
    A failure of the operating system (disk full, no permission, a file where the folder
    should be) is an :class:`InputError` naming the target; the target is left as it was
    and the temporary file removed. Temporary files of the same target that a killed process
    left behind (older than this process) are removed first.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(TMP_TOKEN_BYTES)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", file=str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}; the file is left as it was", file=str(target)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return target


TMP_TOKEN_BYTES = 6
_STARTED = time.time()  # when this process loaded accord's I/O: older temporaries are no one's


def remove_stale_temporaries(target: Path) -> None:
    """Remove the hidden ``.NAME.<12 hex digits>.tmp`` files beside ``target`` last modified
    before this process started: what a kill left of an :func:`atomic_write_text` (a write in
    progress elsewhere keeps its file newer). Symlinks are removed, never followed; files
    that cannot be removed are left."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{{2 * TMP_TOKEN_BYTES}}}\.tmp")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            if entry.stat(follow_symlinks=False).st_mtime < _STARTED:
                os.unlink(entry.path)


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry of a rename to disk where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def json_value(x: Any) -> Any:
    """A JSON-ready stand-in for values ``json`` cannot write: numpy numbers and arrays, dates, paths."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    return str(x)
