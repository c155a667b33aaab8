"""Small helpers every part of the report shares: names, labels, number formats, link targets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from accord.models import registry
from accord.result import Anchor, Packages, PositionRecord, RunResult

_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def anchor(kind: str, *parts: Any) -> str:
    """An HTML id made of ``kind`` and the parts, safe to use as ``#fragment``."""
    text = "-".join([kind, *(str(p) for p in parts)])
    return _ANCHOR_UNSAFE.sub("_", text)


def safe_url(url: Any) -> str | None:
    """The url when it is an http(s) address (the only kind the report links), else None."""
    if not isinstance(url, str):
        return None
    stripped = url.strip()
    return stripped if re.match(r"^https?://[^\s\"'<>]+$", stripped, re.IGNORECASE) else None


def model_name(key: str) -> str:
    """A reader's name for a model key: its registry label."""
    return registry.label(key)


def nearest_label(anchors: Sequence[Anchor], value: float | None) -> str:
    """The label of the anchor nearest to ``value`` ('' without anchors or value)."""
    if value is None or not anchors:
        return ""
    return min(anchors, key=lambda a: abs(a.value - value)).label


def fmt_pos(value: Any) -> str:
    """A 0–100 position as a whole number, or an en dash when absent."""
    if value is None:
        return "–"
    return f"{float(value):.0f}"


def fmt_pct(value: Any) -> str:
    """A probability as a percentage, or an en dash when absent."""
    if value is None:
        return "–"
    return f"{100 * float(value):.0f}%"


def latest_positions(positions: Iterable[PositionRecord]) -> dict[tuple[str, str], PositionRecord]:
    """The latest-dated position per (actor, issue)."""
    out: dict[tuple[str, str], PositionRecord] = {}
    for p in positions:
        key = (p.actor, p.issue)
        if key not in out or _day(p.date) >= _day(out[key].date):
            out[key] = p
    return out


def _day(date: dt.date | None) -> dt.date:
    return date or dt.date.min


def forecast_models(result: RunResult) -> list[str]:
    """Model keys with a point forecast or a Monte Carlo summary, in first-seen order."""
    return list(dict.fromkeys([*result.forecasts_at(), *result.intervals()]))


def pareto_parties(packages: Packages, principals: Sequence[str] = ()) -> tuple[str, str] | None:
    """The two parties the frontier chart is drawn for: the case's principals (``case.principals`` of the
    result) that are parties of the package file, then the package file's other parties in its order."""
    parties = [p for p in principals if p in packages.parties]
    parties += [p for p in packages.parties if p not in parties]
    return (parties[0], parties[1]) if len(parties) >= 2 else None


def package_text(package: Any) -> str:
    """A package's option labels joined into one line."""
    return " · ".join(str(x) for x in package or [])


def domain(url: Any) -> str:
    """The host name of an address, or the address itself."""
    m = re.match(r"^[a-z]+://([^/:]+)", str(url or ""), re.IGNORECASE)
    return m.group(1) if m else str(url or "source")
