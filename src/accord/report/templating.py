"""The jinja2 environments of the report templates (``report/templates/``): HTML and Markdown."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2

from accord.report.labels import fmt_pct, fmt_pos


@lru_cache(maxsize=2)
def environment(html: bool) -> jinja2.Environment:
    """The template environment; ``html`` turns on HTML escaping (Markdown escapes through filters)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("accord.report", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    filters: dict[str, Callable[..., Any]] = {"pos": fmt_pos, "pct": fmt_pct, "num": fmt_num}
    env.filters.update(filters)
    return env


def fmt_num(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals, or an en dash when absent."""
    return "–" if value is None else f"{float(value):.{digits}f}"
