"""The run-result dict that ``accord run`` hands to the report renderers: its keys and checks.

Shape (every key optional except ``case``, ``actors`` and ``issues``; positions are on 0–100)::

    case:      {id, title, as_of, generated_at, accord_version, example: bool, note}
    actors:    [{id, name, kind, capability}]
    issues:    [{id, title, description, status_quo, anchors: [{value, label}]}]
    positions: [{actor, issue, position, salience, date, origin: "hand"|"evidence",
                 sources: [{id, url, outlet, date, quote}], note}]
    history:   [{actor, issue, date, position, sources}]
    forecasts: {model: {issue: value}}
    intervals: {model: {issue: {q05, q25, q50, q75, q95, mean, bands: {anchor label: probability}}}}
    bdm_paths: {issue: {median: [...], mean: [...], positions: {actor: [...]}}}
    exchanges: [{text, gain, supplier, issue_supplied, partner, issue_demanded}]
    packages:  {acceptable_to_all, n_packages, n_acceptable, parties, issues: [{id, title, options}],
                frontier: [{package, utilities}], nash: {package, utilities},
                kalai_smorodinsky: {package, utilities}, referendum: [{package, probability}], passing: [...]}
    truce:     {states: [{id, label}], stability: {nash, gmr, smr, seq}, equilibria}
    evidence:  {articles, statements, claims, suggestions, flags}
    backtest:  {rows: [{event, accord_probability, baseline, outcome}], brier: {name: x},
                direction: [{actor, issue, predicted, actual, match}]}
    summary:   [{issue, text}]

``case.example`` marks data that is not a real run (a test fixture); the report then says "example data".
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import PurePath
from typing import Any, Mapping

from accord.errors import InputError

REQUIRED_KEYS: tuple[str, ...] = ("case", "actors", "issues")

#: Optional top-level keys and the JSON type each must have when present.
OPTIONAL_KEYS: dict[str, type] = {
    "positions": list,
    "history": list,
    "forecasts": dict,
    "intervals": dict,
    "bdm_paths": dict,
    "exchanges": list,
    "packages": dict,
    "truce": dict,
    "evidence": dict,
    "backtest": dict,
    "summary": list,
}

#: The report's sections in reading order: (anchor id, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Likely outcome"),
    ("positions", "Who wants what"),
    ("origin", "Hand-coded and evidence positions"),
    ("forecasts", "Forecasts by model"),
    ("bdm", "Expected-utility rounds"),
    ("exchanges", "Predicted exchanges"),
    ("packages", "Package deals"),
    ("ratification", "Ratification"),
    ("truce", "Truce game"),
    ("timeline", "Position shifts"),
    ("sources", "Positions and sources"),
    ("evidence", "Evidence"),
    ("quality", "Data quality"),
    ("backtest", "Track record"),
)


def to_plain(value: Any) -> Any:
    """Return ``value`` as plain JSON types: numpy scalars and arrays, dates and paths converted,
    non-finite floats replaced by None."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return to_plain(value.tolist())
    if hasattr(value, "model_dump"):  # pydantic models
        return to_plain(value.model_dump(mode="json"))
    raise InputError(f"cannot put a {type(value).__name__} into the report", field="result")


def validate_result(result: Any, *, file: str | None = None) -> dict[str, Any]:
    """Check the run-result dict and return it as plain JSON types.

    Raises InputError naming the first bad field (e.g. ``positions.3.actor``).
    """
    if not isinstance(result, Mapping):
        raise InputError("the run result must be a mapping", file=file, field="result")
    plain = to_plain(result)
    for key in REQUIRED_KEYS:
        if key not in plain or plain[key] in (None, "", []):
            raise InputError("required section is missing or empty", file=file, field=key)
    if not isinstance(plain["case"], dict):
        raise InputError("must be a mapping", file=file, field="case")
    for key, kind in OPTIONAL_KEYS.items():
        if plain.get(key) is not None and not isinstance(plain[key], kind):
            raise InputError(f"must be a {'list' if kind is list else 'mapping'}", file=file, field=key)
    actors = _ids(plain["actors"], "actors", file)
    issues = _ids(plain["issues"], "issues", file)
    for k, issue in enumerate(plain["issues"]):
        sq = issue.get("status_quo")
        if sq is not None and not _on_scale(sq):
            raise InputError("must be a number on 0–100", file=file, field=f"issues.{k}.status_quo")
        for j, anchor in enumerate(issue.get("anchors") or []):
            if not isinstance(anchor, dict) or not _on_scale(anchor.get("value")):
                raise InputError("anchor value must be a number on 0–100", file=file,
                                 field=f"issues.{k}.anchors.{j}.value")
    for name in ("positions", "history"):
        for k, p in enumerate(plain.get(name) or []):
            if not isinstance(p, dict):
                raise InputError("must be a mapping", file=file, field=f"{name}.{k}")
            if p.get("actor") not in actors:
                raise InputError(f"unknown actor id {p.get('actor')!r}", file=file, field=f"{name}.{k}.actor")
            if p.get("issue") not in issues:
                raise InputError(f"unknown issue id {p.get('issue')!r}", file=file, field=f"{name}.{k}.issue")
            if not _on_scale(p.get("position")):
                raise InputError("must be a number on 0–100", file=file, field=f"{name}.{k}.position")
            if not isinstance(p.get("sources") or [], list):
                raise InputError("must be a list", file=file, field=f"{name}.{k}.sources")
    for model, table in (plain.get("forecasts") or {}).items():
        if not isinstance(table, dict):
            raise InputError("must map issue ids to values", file=file, field=f"forecasts.{model}")
        for iid, value in table.items():
            if value is not None and not _number(value):
                raise InputError("must be a number", file=file, field=f"forecasts.{model}.{iid}")
    for model, table in (plain.get("intervals") or {}).items():
        if not isinstance(table, dict):
            raise InputError("must map issue ids to intervals", file=file, field=f"intervals.{model}")
        for iid, iv in table.items():
            where = f"intervals.{model}.{iid}"
            if not isinstance(iv, dict):
                raise InputError("must be a mapping of quantiles", file=file, field=where)
            for q in ("q05", "q25", "q50", "q75", "q95", "mean"):
                if iv.get(q) is not None and not _number(iv[q]):
                    raise InputError("must be a number", file=file, field=f"{where}.{q}")
            bands = iv.get("bands") or {}
            if not isinstance(bands, dict):
                raise InputError("must map anchor labels to probabilities", file=file, field=f"{where}.bands")
            for label, prob in bands.items():
                if prob is not None and not (_number(prob) and 0.0 <= prob <= 1.0):
                    raise InputError("must be a probability in 0–1", file=file, field=f"{where}.bands.{label}")
    return plain


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ids(items: Any, name: str, file: str | None) -> set[str]:
    if not isinstance(items, list):
        raise InputError("must be a list", file=file, field=name)
    seen: set[str] = set()
    for k, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise InputError("every entry needs a text id", file=file, field=f"{name}.{k}.id")
        if item["id"] in seen:
            raise InputError(f"duplicate id {item['id']!r}", file=file, field=f"{name}.{k}.id")
        seen.add(item["id"])
    return seen


def _on_scale(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 100.0
