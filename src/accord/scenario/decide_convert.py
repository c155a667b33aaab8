"""Scenarios to and from Decide files, every field kept.

The ``#A/#P/#M/#D`` rows hold what other Decide tools read: actors, issues with their raw
scales, and one position per actor and issue (the latest at the date written). Decide has
no dates, history, sources, notes, aliases, keywords, status quo or kinds; accord writes
what those rows cannot hold into ``'#/' 'accord:<kind>'`` comment rows (a JSON object
each, see :class:`~accord.scenario.decide.DecideExtension`), which other tools skip and
:func:`decide_to_scenario` reads back, so that a scenario written here reads back equal.

A Decide file without accord rows dates every position :data:`DECIDE_DATE` (1970-01-01)
unless told otherwise: a date before any date a scenario is viewed at, so the file's
positions always count as current, and plainly a placeholder rather than a claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from accord.errors import InputError
from accord.io import atomic_write_text
from accord.scenario.decide import (
    EXTENSION_PREFIX,
    DecideData,
    DecideExtension,
    parse_decide,
)
from accord.scenario.fields import (
    changed_fields,
    non_default_fields,
    to_json,
    validation_message,
    with_fields,
)
from accord.scenario.model import Actor, Anchor, Issue, Position, Scale, Scenario

__all__ = ["DECIDE_DATE", "decide_to_scenario", "scenario_to_decide_text", "write_decide"]

#: Date given to every position of a Decide file that has no accord rows.
DECIDE_DATE = dt.date(1970, 1, 1)
#: A position refinement from an accord row applies while the ``#D`` value stays this close.
POSITION_TOLERANCE = 1e-6


# -- reading --------------------------------------------------------------------------------


def decide_to_scenario(data: DecideData, date: dt.date | str = DECIDE_DATE) -> Scenario:
    """A scenario with the file's actors, issues and positions, completed by its accord rows.

    Without accord rows every position is dated ``date``. An actor's capability is its
    power; where its power differs between issues the actor keeps the power of its first
    ``#D`` row and the other positions carry their own. Issue scales get one anchor per
    ``#M`` point (labelled by its meaning, else by the raw value); every issue is put in
    one group named after the file.
    """
    when = date if isinstance(date, dt.date) else _parse_date(str(date))
    try:
        base = _base_scenario(data, when)
    except ValidationError as exc:
        loc, message = validation_message(exc)
        raise InputError(f"cannot build a scenario: {loc}: {message}", file=data.file) from None
    except ValueError as exc:
        raise InputError(f"cannot build a scenario: {exc}", file=data.file) from None
    return _Extended(base, data).scenario() if data.extensions else base


def _base_scenario(data: DecideData, when: dt.date) -> Scenario:
    """The scenario the ``#A/#P/#M/#D`` rows alone give."""
    powers: dict[str, float] = {}
    for r in data.rows:
        powers.setdefault(r.actor, r.power)
    capability = {a.key: powers.get(a.key, 1.0) for a in data.actors}
    actors = [
        Actor(id=a.key, name=a.name or a.key, kind="actor", capability=capability[a.key], description=a.comment)
        for a in data.actors
    ]
    issues = [
        Issue(
            id=i.key,
            title=i.name or i.key,
            description=i.description,
            scale=Scale(anchors=[Anchor(value=i.normalise(pt.value), label=pt.meaning or _fmt(pt.value), raw=pt.value) for pt in i.points]),
            group=data.name,
        )
        for i in data.issues
    ]
    positions = [
        Position(
            actor=r.actor,
            issue=r.issue,
            position=r.position,
            salience=r.salience,
            date=when,
            capability=None if r.power == capability[r.actor] else r.power,
            origin="hand",
        )
        for r in data.rows
    ]
    return Scenario(id=data.name or "decide", title=data.name, actors=actors, issues=issues, positions=_ordered(actors, issues, positions))


class _Extended:
    """A base scenario with the file's accord rows applied."""

    def __init__(self, base: Scenario, data: DecideData) -> None:
        self.file = data.file
        self.extensions = data.extensions
        self.head: dict[str, Any] = {"id": base.id, "title": base.title, "description": base.description}
        self.actors = {a.id: a for a in base.actors}
        self.issues = {i.id: i for i in base.issues}
        self.positions = {(p.actor, p.issue): p for p in base.positions}
        self.earlier: list[Position] = []

    def scenario(self) -> Scenario:
        apply: dict[str, Callable[[DecideExtension], None]] = {
            "scenario": lambda ext: self.head.update(ext.fields),
            "actor": lambda ext: self._replace(self.actors, ext.keys[0], ext),
            "issue": lambda ext: self._replace(self.issues, ext.keys[0], ext),
            "position": lambda ext: self._replace(self.positions, ext.keys, ext, _refinement),
            "earlier": lambda ext: self.earlier.append(Position.model_validate(ext.fields)),
        }
        for ext in self.extensions:
            try:
                apply[ext.kind](ext)
            except ValidationError as exc:
                loc, message = validation_message(exc)
                raise InputError(message, file=self.file, line=ext.line, field=loc) from None
        actors, issues = list(self.actors.values()), list(self.issues.values())
        positions = _ordered(actors, issues, [*self.positions.values(), *self.earlier])
        try:
            return Scenario(**self.head, actors=actors, issues=issues, positions=positions)
        except ValidationError as exc:
            loc, message = validation_message(exc)
            raise InputError(f"the accord rows do not fit the #A/#P/#D rows: {message}", file=self.file, field=loc) from None

    def _replace(self, models: dict, key: Any, ext: DecideExtension, adjust: Callable | None = None) -> None:
        lookup = key if isinstance(key, str) else tuple(key)
        if lookup not in models:
            what = " on ".join(ext.keys)
            raise InputError(f"{EXTENSION_PREFIX}{ext.kind} row for {what!r}, which no #A/#P/#D row has", file=self.file, line=ext.line)
        fields = adjust(models[lookup], ext.fields) if adjust else ext.fields
        models[lookup] = with_fields(models[lookup], fields)


def _refinement(position: Position, fields: dict[str, Any]) -> dict[str, Any]:
    """The accord fields of a ``#D`` position; its exact value only while the ``#D`` row still agrees."""
    exact = fields.get("position")
    if isinstance(exact, (int, float)) and abs(exact - position.position) > POSITION_TOLERANCE:
        return {k: v for k, v in fields.items() if k != "position"}  # the #D row was edited: it wins
    return fields


def _ordered(actors: list[Actor], issues: list[Issue], positions: list[Position]) -> list[Position]:
    """Positions by issue, then actor (in scenario order), then date."""
    a_order = {a.id: k for k, a in enumerate(actors)}
    i_order = {i.id: k for k, i in enumerate(issues)}
    return sorted(positions, key=lambda p: (i_order.get(p.issue, -1), a_order.get(p.actor, -1), p.date))


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expected a date as YYYY-MM-DD, found {text!r}", field="date") from None


# -- writing ------------------------------------------------------------------------------------


def scenario_to_decide_text(scenario: Scenario, as_of: dt.date | str | None = None) -> str:
    """The scenario as known at ``as_of`` (default: all of it) as Decide rows plus accord rows.

    ``#D`` rows hold each actor's latest position at ``as_of``, on each issue's raw scale
    through the anchors that carry a raw value (linear through the lowest and highest of
    them); issues without two such anchors keep 0–100. The raw values of 0 and 100 are
    always written as ``#M`` points so that the file reads back onto the same positions.
    Earlier positions and every field the Decide rows cannot hold go into accord rows.
    """
    snap = scenario.as_of(as_of)
    rows = _StandardRows(scenario, snap)
    base = decide_to_scenario(parse_decide(rows.text(), name=scenario.id))
    lines = [_accord("scenario", [], {k: getattr(scenario, k) for k in ("id", "title", "description")})]
    for actor, again in zip(scenario.actors, base.actors, strict=True):
        lines += [rows.actors[actor.id], *_accord_if("actor", [actor.id], changed_fields(actor, again))]
    for issue, again in zip(scenario.issues, base.issues, strict=True):
        changed = {**changed_fields(issue, again), "group": issue.group}  # the base group is the file's name
        lines += [*rows.issues[issue.id], _accord("issue", [issue.id], changed)]
    read_back = {(p.actor, p.issue): p for p in base.positions}
    for p in rows.latest:
        lines += [rows.data[(p.actor, p.issue)], *_accord_if("position", [p.actor, p.issue], changed_fields(p, read_back[(p.actor, p.issue)]))]
    cutoff = dt.date.max if as_of is None else as_of if isinstance(as_of, dt.date) else _parse_date(str(as_of))
    latest = {(p.actor, p.issue, p.date) for p in snap.positions}
    earlier = [p for p in scenario.positions if p.date <= cutoff and (p.actor, p.issue, p.date) not in latest]
    lines += [_accord("earlier", [], non_default_fields(p)) for p in earlier]
    return "\n".join(lines) + "\n"


def write_decide(scenario: Scenario, path: str | Path, as_of: dt.date | str | None = None) -> Path:
    """Write the scenario as a Decide file (see :func:`scenario_to_decide_text`)."""
    return atomic_write_text(Path(path), scenario_to_decide_text(scenario, as_of))


class _StandardRows:
    """The ``#A``, ``#P`` + ``#M`` and ``#D`` rows of a scenario, by actor, issue and position."""

    def __init__(self, scenario: Scenario, snap: Scenario) -> None:
        caps = {a.id: a.capability for a in scenario.actors}
        self.actors = {a.id: _row("#A", _key(a.id, "actor"), _q(a.name), _q(a.description)) for a in scenario.actors}
        self.issues: dict[str, list[str]] = {}
        to_raw: dict[str, tuple[float, float]] = {}
        for issue in scenario.issues:
            to_raw[issue.id] = _raw_map(issue)
            self.issues[issue.id] = [_row("#P", _key(issue.id, "issue"), _q(issue.title), _q(issue.description)), *_m_rows(issue, *to_raw[issue.id])]
        a_order = {a.id: k for k, a in enumerate(scenario.actors)}
        i_order = {i.id: k for k, i in enumerate(scenario.issues)}
        self.latest = sorted(snap.positions, key=lambda p: (a_order[p.actor], i_order[p.issue]))
        self.data = {}
        for p in self.latest:
            lo_raw, hi_raw = to_raw[p.issue]
            raw = _clean(lo_raw + p.position * (hi_raw - lo_raw) / 100.0)
            power = p.capability if p.capability is not None else caps[p.actor]
            self.data[(p.actor, p.issue)] = _row("#D", _q(p.actor), _q(p.issue), _num(raw), repr(float(p.salience)), repr(float(power)))

    def text(self) -> str:
        lines = [*self.actors.values(), *(line for rows in self.issues.values() for line in rows), *self.data.values()]
        return "\n".join(lines) + "\n"


def _m_rows(issue: Issue, lo_raw: float, hi_raw: float) -> list[str]:
    """``#M`` rows: every anchor on the raw scale, and the raw ends of 0–100."""
    points: dict[float, str] = {}
    for anchor in issue.scale.anchors:
        raw = _clean(lo_raw + anchor.value * (hi_raw - lo_raw) / 100.0)
        points.setdefault(raw, "" if anchor.label == _fmt(raw) else anchor.label)
    for end in (lo_raw, hi_raw):
        points.setdefault(end, "")
    return [_row("#M", _q(issue.id), _num(raw), *([_q(meaning)] if meaning else [])) for raw, meaning in sorted(points.items())]


def _raw_map(issue: Issue) -> tuple[float, float]:
    """Raw values of 0 and 100 on the issue's scale (``(0, 100)`` without raw anchors)."""
    raws = [(a.value, a.raw) for a in issue.scale.anchors if a.raw is not None]
    if len(raws) < 2:
        return 0.0, 100.0
    (v0, r0), (v1, r1) = raws[0], raws[-1]
    if v1 <= v0 or r1 <= r0:
        return 0.0, 100.0
    slope = (r1 - r0) / (v1 - v0)
    return _clean(r0 - v0 * slope), _clean(r0 + (100.0 - v0) * slope)


def _accord(kind: str, keys: list[str], fields: dict[str, Any]) -> str:
    """An accord comment row; the JSON is ASCII so that no character can split the line."""
    return _row("#/", _q(EXTENSION_PREFIX + kind), *(_q(k) for k in keys), "'" + to_json(fields, ascii_only=True).replace("'", "''") + "'")


def _accord_if(kind: str, keys: list[str], fields: dict[str, Any]) -> list[str]:
    return [_accord(kind, keys, fields)] if fields else []


def _key(key: str, what: str) -> str:
    """A key quoted for a Decide row; keys the format would change are an error."""
    if " ".join(key.split()) != key:
        raise InputError(f"{what} id {key!r} has whitespace that a Decide file cannot keep (leading, trailing or repeated)")
    return _q(key)


def _clean(v: float) -> float:
    """``v`` rounded to 12 significant digits (drops the noise of the 0–100 mapping)."""
    return float(f"{v:.12g}")


def _num(v: float) -> str:
    return repr(_clean(float(v)))


def _fmt(v: float) -> str:
    return f"{v:g}"


def _q(text: str) -> str:
    clean = " ".join(str(text).split())
    return "'" + clean.replace("'", "''") + "'"


def _row(kind: str, *fields: str) -> str:
    return "\t".join([_q(kind), *fields])
