"""The workbench's working state: a case, the analyst's edits, and the fast forecasts they move.

An edit sets an actor's position, salience or capability on one issue. It becomes a new
position dated at the workbench's as-of date (origin ``workbench``), so the scenario keeps
its history and the same validation as ``accord validate`` applies to the edited one.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from accord.cases import Case, load_case
from accord.errors import InputError
from accord.models.issue import IssueData
from accord.models.registry import closed_form_names, get, label, short
from accord.pipeline import forecast_table
from accord.scenario.io import load_scenario
from accord.scenario.model import Position, Scenario

EDITABLE = ("position", "salience", "capability")
ORIGIN = "hand"
"""Edited positions are hand-coded ones (the result schema knows hand and evidence); their note says where they come from."""


@dataclass(frozen=True)
class Edit:
    """One actor's edited values on one issue (None: keep the scenario's value)."""

    actor: str
    issue: str
    position: float | None = None
    salience: float | None = None
    capability: float | None = None

    def values(self) -> dict[str, float]:
        """The fields this edit sets."""
        return {k: getattr(self, k) for k in EDITABLE if getattr(self, k) is not None}


def apply_edits(scenario: Scenario, edits: dict[tuple[str, str], Edit], when: dt.date) -> Scenario:
    """The scenario with each edit as a position dated ``when``; invalid values raise :class:`InputError`."""
    if not edits:
        return scenario
    known_actors, known_issues = {a.id for a in scenario.actors}, {i.id for i in scenario.issues}
    for edit in edits.values():
        if edit.actor not in known_actors:
            raise InputError(f"unknown actor id {edit.actor[:60]!r}", field="actor")
        if edit.issue not in known_issues:
            raise InputError(f"unknown issue id {edit.issue[:60]!r}", field="issue")
    current = {(p.actor, p.issue): p for p in scenario.as_of(when).positions}
    kept = [p for p in scenario.positions if not (p.date == when and (p.actor, p.issue) in edits)]
    added = []
    for key, edit in edits.items():
        base = current.get(key)
        values = ({"position": base.position, "salience": base.salience, "capability": base.capability}
                  if base is not None else {})
        values.update(edit.values())
        missing = [k for k in ("position", "salience") if k not in values]
        if missing:
            raise InputError(f"{' and '.join(missing)} needed: {edit.actor} has no position on {edit.issue} at {when}",
                             field=f"{edit.actor}.{edit.issue}")
        try:
            added.append(Position(actor=edit.actor, issue=edit.issue, date=when, origin=ORIGIN,
                                  note="edited in the workbench", **values))
        except ValidationError as exc:
            raise _edit_error(exc, edit) from None
    # Each new position passed the scenario model's field checks above and its ids are known; an
    # edited (actor, issue) has no other position at ``when`` left, so no duplicate can arise.
    return scenario.model_copy(update={"positions": kept + added})


def _edit_error(exc: ValidationError, edit: Edit) -> InputError:
    first = exc.errors()[0]
    name = ".".join(str(p) for p in first["loc"]) or "value"
    return InputError(first["msg"], field=f"{edit.actor}.{edit.issue}.{name}")


def parse_edit(data: Any) -> Edit:
    """An edit from a request body: ``{"actor", "issue", and any of position, salience, capability}``."""
    if not isinstance(data, dict):
        raise InputError("an edit is an object with actor, issue and the values to set", field="body")
    unknown = sorted(set(data) - {"actor", "issue", *EDITABLE})
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}; use actor, issue, {', '.join(EDITABLE)}", field=unknown[0])
    values: dict[str, float | None] = {}
    for k in EDITABLE:
        v = data.get(k)
        if v is None or v == "":
            continue
        try:
            values[k] = float(v)
        except (TypeError, ValueError):
            raise InputError(f"not a number: {str(v)[:40]!r}", field=k) from None
    actor, issue = data.get("actor"), data.get("issue")
    if not isinstance(actor, str) or not isinstance(issue, str):
        raise InputError("actor and issue must be ids (text)", field="actor" if not isinstance(actor, str) else "issue")
    return Edit(actor=actor, issue=issue, **values)


@dataclass
class Workbench:
    """A case opened for editing: the original scenario, the analyst's edits and the as-of date."""

    case: Case
    original: Scenario
    out: Path
    as_of: dt.date
    edits: dict[tuple[str, str], Edit] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _edited: Scenario | None = None

    @classmethod
    def open(cls, case: str | Path | None, out: str | Path) -> Workbench:
        """Open a case (bundled name or folder); outputs go under ``out``."""
        the_case = load_case(case)
        scenario = load_scenario(the_case.scenario_path)
        when = the_case.config.as_of or (scenario.dates()[-1] if scenario.positions else dt.date.today())
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        return cls(case=the_case, original=scenario, out=folder, as_of=when)

    def scenario(self) -> Scenario:
        """The edited scenario."""
        with self.lock:
            if self._edited is None:
                self._edited = apply_edits(self.original, dict(self.edits), self.as_of)
            return self._edited

    def edit(self, edit: Edit) -> Scenario:
        """Apply one edit (validated as the scenario model validates a position) and return the edited scenario."""
        with self.lock:
            trial = {**self.edits, (edit.actor, edit.issue): edit}
            scenario = apply_edits(self.original, trial, self.as_of)
            self.edits, self._edited = trial, scenario
            return scenario

    def reset(self) -> None:
        """Drop every edit."""
        with self.lock:
            self.edits, self._edited = {}, None

    def set_as_of(self, when: dt.date) -> None:
        """Move the as-of date; edits move with it (they are dated at the as-of date)."""
        with self.lock:
            self.as_of, self._edited = when, None


def fast_models() -> list[str]:
    """The models recomputed on every edit: the closed-form baselines and bargaining solutions."""
    return closed_form_names()


class ForecastCache:
    """Forecasts of one-issue models kept per issue's inputs, so an edit recomputes only its issue.

    A model that links issues (``multi_issue``) is always run over all issues.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._values: dict[tuple[Any, ...], float | None] = {}
        self._lock = threading.Lock()

    def table(self, issues: list[IssueData], models: list[str]) -> dict[str, dict[str, float | None]]:
        """model → issue → forecast, as :func:`accord.pipeline.forecast_table` computes it."""
        out: dict[str, dict[str, float | None]] = {}
        for m in models:
            if get(m).multi_issue:
                out.update(forecast_table(issues, [m]))
                continue
            out[m] = {}
            for issue in issues:
                key = (m, _fingerprint(issue))
                with self._lock:
                    hit = key in self._values
                    value = self._values.get(key)
                if not hit:
                    value = forecast_table([issue], [m])[m].get(issue.id)
                    with self._lock:
                        if len(self._values) >= self.size:
                            self._values.clear()
                        self._values[key] = value
                out[m][issue.id] = value
        return out


def _fingerprint(issue: IssueData) -> tuple[Any, ...]:
    return (issue.id, issue.actors, issue.x.tobytes(), issue.s.tobytes(), issue.c.tobytes(), issue.reference,
            issue.lo, issue.hi, issue.group, tuple(sorted(issue.meta.items())))


_CACHE = ForecastCache()


def fast_forecasts(scenario: Scenario, when: dt.date, models: list[str] | None = None) -> dict[str, dict[str, float | None]]:
    """model → issue → forecast on 0–100 at ``when`` (None where a model cannot speak to an issue)."""
    return _CACHE.table(scenario.issue_data(when), models or fast_models())


def forecast_rows(scenario: Scenario, baseline: Scenario, when: dt.date, models: list[str]) -> list[dict[str, Any]]:
    """One row per issue: each model's forecast, the unedited one and the move, with the scale's label."""
    now = fast_forecasts(scenario, when, models)
    before = fast_forecasts(baseline, when, models)
    rows = []
    for issue in scenario.issues:
        cells = []
        for m in models:
            v, b = now[m].get(issue.id), before[m].get(issue.id)
            cells.append({"model": m, "value": v, "baseline": b,
                          "moved": None if v is None or b is None else v - b,
                          "band": issue.scale.band(v) if v is not None else ""})
        rows.append({"issue": issue.id, "title": issue.title, "cells": cells})
    return rows


def model_heads(models: list[str]) -> list[dict[str, str]]:
    """Column heads of the forecast table: short name and full label of each model."""
    return [{"id": m, "short": short(m), "label": label(m)} for m in models]


def input_grid(scenario: Scenario, when: dt.date, edits: dict[tuple[str, str], Edit]) -> list[dict[str, Any]]:
    """Rows of the editable table: per issue, per actor, the values in force at ``when``."""
    current = {(p.actor, p.issue): p for p in scenario.as_of(when).positions}
    caps = {a.id: a.capability for a in scenario.actors}
    rows = []
    for issue in scenario.issues:
        cells = []
        for actor in scenario.actors:
            p = current.get((actor.id, issue.id))
            cells.append({
                "actor": actor.id,
                "position": None if p is None else p.position,
                "salience": None if p is None else p.salience,
                "capability": caps[actor.id] if p is None or p.capability is None else p.capability,
                "band": "" if p is None else issue.scale.band(p.position),
                "edited": (actor.id, issue.id) in edits,
                "date": None if p is None else p.date.isoformat(),
            })
        rows.append({"issue": issue.id, "title": issue.title,
                     "anchors": [{"value": a.value, "label": a.label} for a in issue.scale.anchors],
                     "cells": cells})
    return rows
