"""Option types reused by several commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from accord.errors import InputError


def parse_date(value: str | None, option: str = "--as-of") -> dt.date | None:
    """An ISO date from the command line, or None."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {value!r}", field=option) from None


MAX_SEED = 2**63 - 1


def seed_option(help_text: str = "Random seed.") -> Any:
    """The ``--seed`` option: an integer from 0 to 2^63 − 1 (a negative seed is a usage error)."""
    return typer.Option(0, "--seed", min=0, max=MAX_SEED, help=help_text)


def parse_model_params(items: list[str]) -> dict[str, dict[str, object]]:
    """``["bdm.stop=bdm_discount", "bdm.rounds=50"]`` as ``{"bdm": {"stop": "bdm_discount", "rounds": 50}}``."""
    out: dict[str, dict[str, object]] = {}
    for item in items:
        head, eq, raw = item.partition("=")
        model, dot, name = head.strip().partition(".")
        if not (eq and dot and model and name.strip()):
            raise InputError(f"{item!r} is not MODEL.NAME=VALUE", field="--param")
        value: object = raw.strip()
        for kind in (int, float):
            try:
                value = kind(raw)
                break
            except ValueError:
                continue
        out.setdefault(model, {})[name.strip()] = value
    return out
