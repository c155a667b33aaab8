"""Field-level helpers for the table formats (CSV, Decide) that hold part of a scenario in columns.

A format writes what its columns can hold and carries the rest of a model as a JSON
object; reading merges the two back. These helpers compute and apply that remainder.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from accord.errors import InputError
from accord.io import load_json

M = TypeVar("M", bound=BaseModel)


def non_default_fields(model: BaseModel) -> dict[str, Any]:
    """The model's fields that differ from their defaults, in JSON form (aliases as keys)."""
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def changed_fields(model: M, base: M) -> dict[str, Any]:
    """The fields whose values in ``model`` differ from ``base`` (JSON form, aliases as keys)."""
    mine = model.model_dump(mode="json", by_alias=True)
    theirs = base.model_dump(mode="json", by_alias=True)
    brief = non_default_fields(model)  # the same values without the defaults of nested models
    return {k: brief.get(k, v) for k, v in mine.items() if theirs.get(k) != v}


def with_fields(model: M, fields: dict[str, Any]) -> M:
    """A copy of ``model`` with ``fields`` (JSON form) validated in."""
    data = model.model_dump(mode="json", by_alias=True)
    data.update(fields)
    return type(model).model_validate(data)


def to_json(fields: dict[str, Any], *, ascii_only: bool = False) -> str:
    """A compact one-line JSON object (empty text for no fields); ``ascii_only`` escapes the rest."""
    return json.dumps(fields, ensure_ascii=ascii_only, separators=(",", ":")) if fields else ""


def from_json(text: str, *, file: str | None, line: int | None, field: str) -> dict[str, Any]:
    """Parse a JSON object written by :func:`to_json`; errors name file, line and field."""
    if not text.strip():
        return {}
    value = load_json(text, file=file, line=line, field=field)
    if not isinstance(value, dict):
        raise InputError(f"expected a JSON object {{...}}, found {type(value).__name__}", file=file, line=line, field=field)
    return value


def validation_message(exc: ValidationError) -> tuple[str | None, str]:
    """The first problem of a pydantic error as (dotted location or None, one-line message)."""
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or None
    shown = repr(err.get("input"))
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return loc, " ".join(f"{err['msg']} (got {shown})".split())
