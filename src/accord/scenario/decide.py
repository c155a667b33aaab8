"""Decide ``#A/#P/#M/#D`` files: reading, conversion to and from a :class:`Scenario`.

The format (models spec §5.1) is tab-separated with ``'`` as the quote character, one
record per line. The first field is the row type:

- ``#A`` actor key, display name, comment
- ``#P`` issue key, display name, description
- ``#M`` issue key, scale point, meaning (optional)
- ``#D`` actor key, issue key, position, salience, power
- ``#/`` and ``#0`` comments (ignored)

Fields beyond the schema are joined into the last field with a space. The ``#M`` points
of an issue span its raw range ``[lo, hi]`` (``[0, 100]`` when it has none); positions are
normalised to 0–100 by ``x = (raw − lo) · 100 / (hi − lo)``.

Decide files carry no dates. :func:`decide_to_scenario` dates every position
:data:`DECIDE_DATE` (1970-01-01) unless told otherwise: a date that precedes any date a
scenario is viewed at, so the file's positions always count as current, and which is
plainly a placeholder rather than a claim about when the positions were stated.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from accord.errors import InputError
from accord.models.issue import IssueData
from accord.scenario.model import Actor, Anchor, Issue, Position, Scale, Scenario
from accord.scenario.text import read_text
from accord.io import atomic_write_text

__all__ = [
    "DECIDE_DATE",
    "DecideActor",
    "DecideData",
    "DecideIssue",
    "DecidePoint",
    "DecideRow",
    "decide_to_scenario",
    "issue_data_from_decide",
    "parse_decide",
    "read_decide",
    "scenario_to_decide_text",
    "write_decide",
]

#: Date given to every position read from a Decide file (the format has none).
DECIDE_DATE = dt.date(1970, 1, 1)

_COMMENT_TYPES = ("#/", "#0")
#: Row type -> (field names after the type, how many are required).
_SCHEMA: dict[str, tuple[tuple[str, ...], int]] = {
    "#A": (("actor key", "name", "comment"), 1),
    "#P": (("issue key", "name", "description"), 1),
    "#M": (("issue key", "scale point", "meaning"), 2),
    "#D": (("actor key", "issue key", "position", "salience", "power"), 5),
}


@dataclass(frozen=True)
class DecideActor:
    """An ``#A`` row."""

    key: str
    name: str
    comment: str
    line: int


@dataclass(frozen=True)
class DecidePoint:
    """An ``#M`` row: a raw scale point of an issue and what it means."""

    value: float
    meaning: str
    line: int


@dataclass(frozen=True)
class DecideIssue:
    """A ``#P`` row with its ``#M`` points (sorted) and raw range ``[lo, hi]``."""

    key: str
    name: str
    description: str
    points: tuple[DecidePoint, ...]
    lo: float
    hi: float
    line: int

    def normalise(self, raw: float) -> float:
        """The raw value on 0–100."""
        x = (raw - self.lo) * 100.0 / (self.hi - self.lo)
        return min(100.0, max(0.0, x))

    def denormalise(self, x: float) -> float:
        """The 0–100 value on the raw scale."""
        return self.lo + x * (self.hi - self.lo) / 100.0


@dataclass(frozen=True)
class DecideRow:
    """A ``#D`` row: raw and normalised position, salience (``[0,1]``) and power."""

    actor: str
    issue: str
    raw: float
    position: float
    salience: float
    power: float
    line: int


@dataclass(frozen=True)
class DecideData:
    """The content of one Decide file, in file order."""

    name: str
    actors: tuple[DecideActor, ...]
    issues: tuple[DecideIssue, ...]
    rows: tuple[DecideRow, ...]
    file: str | None = None

    def actor(self, key: str) -> DecideActor:
        """The actor with this key."""
        for a in self.actors:
            if a.key == key:
                return a
        raise KeyError(key)

    def issue(self, key: str) -> DecideIssue:
        """The issue with this key."""
        for i in self.issues:
            if i.key == key:
                return i
        raise KeyError(key)

    def row(self, actor: str, issue: str) -> DecideRow | None:
        """The ``#D`` row of an actor on an issue, if any."""
        for r in self.rows:
            if r.actor == actor and r.issue == issue:
                return r
        return None


# -- reading -----------------------------------------------------------------------


def read_decide(path: str | Path, *, salience_scale: float | None = None) -> DecideData:
    """Read a Decide file; malformed input raises :class:`InputError` naming file and line.

    Saliences must lie on ``[0, 1]``; pass ``salience_scale=100`` for files on 0–100.
    """
    p = Path(path)
    return parse_decide(read_text(p), name=p.stem or "decide", file=str(p), salience_scale=salience_scale)


def parse_decide(
    text: str, *, name: str = "decide", file: str | None = None, salience_scale: float | None = None
) -> DecideData:
    """Parse the text of a Decide file (see :func:`read_decide`)."""
    if salience_scale is not None and not (math.isfinite(salience_scale) and salience_scale > 0):
        raise InputError(f"salience_scale must be a positive number, got {salience_scale!r}", file=file)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError("file is empty", file=file)

    actors: dict[str, DecideActor] = {}
    issue_rows: dict[str, tuple[str, str, int]] = {}
    points: dict[str, list[DecidePoint]] = {}
    m_rows: list[tuple[str, DecidePoint]] = []
    d_rows: list[tuple[str, str, float, float, float, int]] = []

    def err(message: str, line: int, field: str | None = None) -> InputError:
        return InputError(message, file=file, line=line, field=field)

    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        if not raw_line.strip():
            continue
        fields = _split(raw_line, lineno, file)
        kind = fields[0].strip()
        if kind in _COMMENT_TYPES or kind.startswith(_COMMENT_TYPES):
            continue
        if kind not in _SCHEMA:
            hint = ""
            if "," in raw_line or ";" in raw_line or len(fields) == 1:
                hint = " (fields must be separated by tabs)"
            shown = kind if len(kind) <= 20 else kind[:17] + "..."
            raise err(f"unknown row type {shown!r}; expected '#A', '#P', '#M', '#D' or a comment{hint}", lineno, "row type")
        names, required = _SCHEMA[kind]
        values = fields[1:]
        if len(values) < required:
            raise err(
                f"{kind} row needs {required} field(s) after the type ({', '.join(names[:required])}), "
                f"found {len(values)}; fields must be separated by tabs",
                lineno,
            )
        if len(values) > len(names):
            values = values[: len(names) - 1] + [" ".join(values[len(names) - 1 :])]
        values = values + [""] * (len(names) - len(values))

        if kind == "#A":
            key = _key(values[0], lineno, file, "actor key")
            if key in actors:
                raise err(f"duplicate actor key {key!r} (first on line {actors[key].line})", lineno, "actor key")
            actors[key] = DecideActor(key, values[1].strip() or key, values[2].strip(), lineno)
        elif kind == "#P":
            key = _key(values[0], lineno, file, "issue key")
            if key in issue_rows:
                raise err(f"duplicate issue key {key!r} (first on line {issue_rows[key][2]})", lineno, "issue key")
            issue_rows[key] = (values[1].strip() or key, values[2].strip(), lineno)
        elif kind == "#M":
            key = _key(values[0], lineno, file, "issue key")
            value = _number(values[1], lineno, file, "scale point")
            m_rows.append((key, DecidePoint(value, values[2].strip(), lineno)))
        else:
            actor = _key(values[0], lineno, file, "actor key")
            issue = _key(values[1], lineno, file, "issue key")
            pos = _number(values[2], lineno, file, "position")
            sal = _number(values[3], lineno, file, "salience")
            power = _number(values[4], lineno, file, "power")
            d_rows.append((actor, issue, pos, sal, power, lineno))

    for key, point in m_rows:
        if key not in issue_rows:
            raise err(f"#M row names unknown issue {key!r} (no #P row)", point.line, "issue key")
        same = [q for q in points.get(key, []) if q.value == point.value]
        if same:
            raise err(
                f"duplicate scale point {point.value:g} of issue {key!r} (first on line {same[0].line})",
                point.line,
                "scale point",
            )
        points.setdefault(key, []).append(point)

    issues: dict[str, DecideIssue] = {}
    for key, (title, description, lineno) in issue_rows.items():
        pts = tuple(sorted(points.get(key, []), key=lambda q: q.value))
        if not pts:
            lo, hi = 0.0, 100.0
        elif len(pts) == 1:
            raise err(
                f"issue {key!r} has a single #M scale point; give at least two (its lowest and highest value)",
                pts[0].line,
                "scale point",
            )
        else:
            lo, hi = pts[0].value, pts[-1].value
        issues[key] = DecideIssue(key, title, description, pts, lo, hi, lineno)

    if not actors:
        raise InputError("no #A (actor) rows", file=file)
    if not issues:
        raise InputError("no #P (issue) rows", file=file)
    if not d_rows:
        raise InputError("no #D (data) rows", file=file)

    rows: list[DecideRow] = []
    seen: dict[tuple[str, str], int] = {}
    for actor, issue_key, pos, sal, power, lineno in d_rows:
        if actor not in actors:
            raise err(f"#D row names unknown actor {actor!r} (no #A row)", lineno, "actor key")
        if issue_key not in issues:
            raise err(f"#D row names unknown issue {issue_key!r} (no #P row)", lineno, "issue key")
        if (actor, issue_key) in seen:
            raise err(
                f"duplicate #D row for actor {actor!r} on issue {issue_key!r} (first on line {seen[(actor, issue_key)]})",
                lineno,
            )
        seen[(actor, issue_key)] = lineno
        issue = issues[issue_key]
        if not issue.lo <= pos <= issue.hi:
            if issue.points:
                msg = f"position {pos:g} lies outside the range [{issue.lo:g}, {issue.hi:g}] of issue {issue_key!r} set by its #M rows"
            else:
                msg = (
                    f"position {pos:g} lies outside [0, 100] and issue {issue_key!r} has no #M rows "
                    "giving its range"
                )
            raise err(msg, lineno, "position")
        if sal < 0:
            raise err(f"salience {sal:g} is negative", lineno, "salience")
        if salience_scale is not None:
            sal = sal / salience_scale
        if sal > 1:
            hint = "" if salience_scale is not None else "; for saliences on 0–100 pass salience_scale=100"
            raise err(f"salience {sal:g} is above 1{hint}", lineno, "salience")
        if power < 0:
            raise err(f"power {power:g} is negative", lineno, "power")
        rows.append(DecideRow(actor, issue_key, pos, issue.normalise(pos), sal, power, lineno))

    return DecideData(
        name=name or "decide",
        actors=tuple(actors.values()),
        issues=tuple(issues.values()),
        rows=tuple(rows),
        file=file,
    )


def _split(line: str, lineno: int, file: str | None) -> list[str]:
    try:
        fields = next(csv.reader([line], delimiter="\t", quotechar="'", strict=True))
    except csv.Error as exc:
        raise InputError(
            f"cannot split the row ({exc}); fields must be tab-separated and quoted with '",
            file=file,
            line=lineno,
        ) from None
    return fields or [""]


def _key(value: str, lineno: int, file: str | None, field: str) -> str:
    key = value.strip()
    if not key:
        raise InputError("empty key", file=file, line=lineno, field=field)
    return key


def _number(value: str, lineno: int, file: str | None, field: str) -> float:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise InputError(f"expected a number, found {shown!r}", file=file, line=lineno, field=field) from None
    if not math.isfinite(number):
        raise InputError(f"expected a finite number, found {text!r}", file=file, line=lineno, field=field)
    return number


# -- conversion to the project's types ------------------------------------------------


def issue_data_from_decide(data: DecideData, group: str | None = None) -> list[IssueData]:
    """Array views of every issue on 0–100, all in one group (``group`` or the file's name).

    Actors appear in ``#A`` order. ``meta`` holds the raw range (``raw_lo``, ``raw_hi``)
    and the ``#D`` line of every position.
    """
    order = {a.key: k for k, a in enumerate(data.actors)}
    by_issue: dict[str, list[DecideRow]] = {}
    for r in data.rows:
        by_issue.setdefault(r.issue, []).append(r)
    out = []
    for issue in data.issues:
        rows = sorted(by_issue.get(issue.key, []), key=lambda r: order[r.actor])
        if not rows:
            continue
        out.append(
            IssueData(
                id=issue.key,
                title=issue.name,
                actors=tuple(r.actor for r in rows),
                x=np.array([r.position for r in rows]),
                s=np.array([r.salience for r in rows]),
                c=np.array([r.power for r in rows]),
                lo=0.0,
                hi=100.0,
                group=group or data.name,
                meta={"raw_lo": issue.lo, "raw_hi": issue.hi, "lines": [r.line for r in rows]},
            )
        )
    return out


def decide_to_scenario(data: DecideData, date: dt.date | str = DECIDE_DATE) -> Scenario:
    """A scenario with the file's actors, issues and positions, every position dated ``date``.

    An actor's capability is its power; where its power differs between issues the actor
    keeps the power of its first ``#D`` row and the other positions carry their own.
    Issue scales get one anchor per ``#M`` point (labelled by its meaning, else by the raw
    value); every issue is put in one group named after the file.
    """
    when = date if isinstance(date, dt.date) else _parse_date(str(date))
    powers: dict[str, list[float]] = {}
    for r in data.rows:
        powers.setdefault(r.actor, []).append(r.power)
    capability = {a.key: (powers[a.key][0] if a.key in powers else 1.0) for a in data.actors}
    issue_order = {i.key: k for k, i in enumerate(data.issues)}
    actor_order = {a.key: k for k, a in enumerate(data.actors)}
    try:
        actors = [
            Actor(id=a.key, name=a.name or a.key, kind="actor", capability=capability[a.key], description=a.comment)
            for a in data.actors
        ]
        issues = [
            Issue(
                id=i.key,
                title=i.name or i.key,
                description=i.description,
                scale=Scale(
                    anchors=[Anchor(value=i.normalise(pt.value), label=pt.meaning or _fmt(pt.value), raw=pt.value) for pt in i.points]
                ),
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
            for r in sorted(data.rows, key=lambda r: (actor_order[r.actor], issue_order[r.issue]))
        ]
        return Scenario(id=data.name or "decide", title=data.name, actors=actors, issues=issues, positions=positions)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(f"cannot build a scenario: {loc}: {first.get('msg')}", file=data.file) from None
    except ValueError as exc:
        raise InputError(f"cannot build a scenario: {exc}", file=data.file) from None


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expected a date as YYYY-MM-DD, found {text!r}", field="date") from None


# -- writing ----------------------------------------------------------------------------


def scenario_to_decide_text(scenario: Scenario, as_of: dt.date | str | None = None) -> str:
    """The scenario at ``as_of`` (latest positions) as Decide rows.

    Positions go back to each issue's raw scale through the anchors that carry a raw value
    (linear through the lowest and highest of them); issues without two such anchors keep
    0–100. The raw values of 0 and 100 are always written as ``#M`` points so that the file
    reads back onto the same 0–100 positions.
    """
    snap = scenario.as_of(as_of)
    caps = {a.id: a.capability for a in scenario.actors}
    lines: list[str] = []
    for a in scenario.actors:
        lines.append(_row("#A", _q(a.id), _q(a.name), _q(a.description)))
    to_raw: dict[str, tuple[float, float]] = {}
    for issue in scenario.issues:
        lines.append(_row("#P", _q(issue.id), _q(issue.title), _q(issue.description)))
        lo_raw, hi_raw = _raw_map(issue)
        to_raw[issue.id] = (lo_raw, hi_raw)
        written: list[float] = []
        m_lines: list[tuple[float, str]] = []
        for anchor in issue.scale.anchors:
            raw = _clean(lo_raw + anchor.value * (hi_raw - lo_raw) / 100.0)
            if raw in written:
                continue
            written.append(raw)
            meaning = "" if anchor.label == _fmt(raw) else anchor.label
            m_lines.append((raw, meaning))
        for end in (lo_raw, hi_raw):
            if end not in written:
                written.append(end)
                m_lines.append((end, ""))
        for raw, meaning in sorted(m_lines, key=lambda t: t[0]):
            fields = [_q(issue.id), _num(raw)] + ([_q(meaning)] if meaning else [])
            lines.append(_row("#M", *fields))
    a_order = {a.id: k for k, a in enumerate(scenario.actors)}
    i_order = {i.id: k for k, i in enumerate(scenario.issues)}
    for p in sorted(snap.positions, key=lambda p: (a_order[p.actor], i_order[p.issue])):
        lo_raw, hi_raw = to_raw[p.issue]
        raw = _clean(lo_raw + p.position * (hi_raw - lo_raw) / 100.0)
        power = p.capability if p.capability is not None else caps[p.actor]
        lines.append(_row("#D", _q(p.actor), _q(p.issue), _num(raw), _num(p.salience), _num(power)))
    return "\n".join(lines) + "\n"


def write_decide(scenario: Scenario, path: str | Path, as_of: dt.date | str | None = None) -> Path:
    """Write the scenario as a Decide file (see :func:`scenario_to_decide_text`)."""
    return atomic_write_text(Path(path), scenario_to_decide_text(scenario, as_of))


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
