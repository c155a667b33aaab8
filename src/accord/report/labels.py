"""Small helpers every part of the report shares: names, labels, number formats, link targets."""

from __future__ import annotations

import re
from typing import Any, Iterable

from accord.models import registry

#: Preferred model for the plain-words summary, in order.

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


def nearest_label(anchors: list[dict[str, Any]], value: float | None) -> str:
    """The label of the anchor nearest to ``value`` ('' without anchors or value)."""
    if value is None or not anchors:
        return ""
    return str(min(anchors, key=lambda a: abs(float(a["value"]) - value))["label"])


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


def latest_positions(positions: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest-dated position per (actor, issue)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for p in positions:
        key = (p["actor"], p["issue"])
        if key not in out or str(p.get("date") or "") >= str(out[key].get("date") or ""):
            out[key] = p
    return out


def forecast_models(result: dict[str, Any]) -> list[str]:
    """Model keys with a point forecast or an interval, in first-seen order."""
    models: list[str] = []
    for key in list((result.get("forecasts") or {})) + list((result.get("intervals") or {})):
        if key not in models:
            models.append(key)
    return models


def pareto_parties(packages: dict[str, Any]) -> tuple[str, str] | None:
    """The two parties the frontier is drawn for: ukraine and russia when present, else the first two."""
    parties = list(packages.get("parties") or [])
    if not parties:
        for point in packages.get("frontier") or []:
            parties = list((point.get("utilities") or {}).keys())
            break
    if len(parties) < 2:
        return None
    if "ukraine" in parties and "russia" in parties:
        return "ukraine", "russia"
    return parties[0], parties[1]


def package_text(package: Any) -> str:
    """A package's option labels joined into one line."""
    return " · ".join(str(x) for x in package or [])


def domain(url: Any) -> str:
    """The host name of an address, or the address itself."""
    m = re.match(r"^[a-z]+://([^/:]+)", str(url or ""), re.IGNORECASE)
    return m.group(1) if m else str(url or "source")
