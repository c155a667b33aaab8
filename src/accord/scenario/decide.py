"""Decide ``#A/#P/#M/#D`` files: reading them into typed rows and issue arrays.

The format is tab-separated with ``'`` as the quote character, one
record per line. The first field is the row type:

- ``#A`` actor key, display name, comment
- ``#P`` issue key, display name, description
- ``#M`` issue key, scale point, meaning (optional)
- ``#D`` actor key, issue key, position, salience, power
- ``#/`` and ``#0`` comments (ignored), except ``#/`` rows whose second field starts with
  ``accord:``: the fields of a scenario that the other rows cannot hold (see
  :class:`DecideExtension`; written and read by :mod:`accord.scenario.decide_convert`)

Fields beyond the schema are joined into the last field with a space. The ``#M`` points
of an issue span its raw range ``[lo, hi]`` (``[0, 100]`` when it has none); positions are
normalised to 0–100 by ``x = (raw − lo) · 100 / (hi − lo)``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accord.errors import InputError
from accord.io import read_text
from accord.models.issue import IssueData
from accord.scenario.fields import from_json

__all__ = [
    "DecideActor",
    "DecideData",
    "DecideExtension",
    "DecideIssue",
    "DecidePoint",
    "DecideRow",
    "issue_data_from_decide",
    "parse_decide",
    "read_decide",
]

EXTENSION_PREFIX = "accord:"
#: accord comment row kind -> how many key fields precede its JSON object.
EXTENSION_KEYS = {"scenario": 0, "actor": 1, "issue": 1, "position": 2, "earlier": 0}

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
class DecideExtension:
    """A ``'#/' 'accord:<kind>' key... '<JSON object>'`` comment row.

    Other Decide readers skip it as a comment. ``kind`` is ``scenario`` (its id, title and
    description), ``actor`` or ``issue`` (key: the fields its ``#A``/``#P`` row cannot
    hold), ``position`` (keys: actor and issue of a ``#D`` row; its date, sources, note and
    other fields) or ``earlier`` (a whole position older than the ``#D`` row).
    """

    kind: str
    keys: tuple[str, ...]
    fields: dict[str, Any]
    line: int


@dataclass(frozen=True)
class DecideData:
    """The content of one Decide file, in file order."""

    name: str
    actors: tuple[DecideActor, ...]
    issues: tuple[DecideIssue, ...]
    rows: tuple[DecideRow, ...]
    file: str | None = None
    extensions: tuple[DecideExtension, ...] = ()

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
    parser = _Parser(file, salience_scale)
    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        if raw_line.strip():
            parser.add(raw_line, lineno)
    return parser.data(name or "decide")


class _Parser:
    """Collects the rows of a Decide file, then checks them against each other."""

    def __init__(self, file: str | None, salience_scale: float | None) -> None:
        self.file = file
        self.salience_scale = salience_scale
        self.actors: dict[str, DecideActor] = {}
        self.issue_rows: dict[str, tuple[str, str, int]] = {}
        self.m_rows: list[tuple[str, DecidePoint]] = []
        self.d_rows: list[tuple[str, str, float, float, float, int]] = []
        self.extensions: list[DecideExtension] = []

    def err(self, message: str, line: int | None, field: str | None = None) -> InputError:
        return InputError(message, file=self.file, line=line, field=field)

    def add(self, raw_line: str, lineno: int) -> None:
        """Take one non-blank line."""
        fields = _split(raw_line, lineno, self.file)
        kind = fields[0].strip()
        if kind in _COMMENT_TYPES or kind.startswith(_COMMENT_TYPES):
            extension = _extension(fields[1:], lineno, self.file)
            if extension is not None:
                self.extensions.append(extension)
            return
        if kind not in _SCHEMA:
            hint = " (fields must be separated by tabs)" if "," in raw_line or ";" in raw_line or len(fields) == 1 else ""
            shown = kind if len(kind) <= 20 else kind[:17] + "..."
            raise self.err(f"unknown row type {shown!r}; expected '#A', '#P', '#M', '#D' or a comment{hint}", lineno, "row type")
        values = self._fit(kind, fields[1:], lineno)
        {"#A": self._actor, "#P": self._issue, "#M": self._point, "#D": self._data}[kind](values, lineno)

    def _fit(self, kind: str, values: list[str], lineno: int) -> list[str]:
        """The row's fields after the type, padded to the schema (extra ones joined into the last)."""
        names, required = _SCHEMA[kind]
        if len(values) < required:
            raise self.err(
                f"{kind} row needs {required} field(s) after the type ({', '.join(names[:required])}), "
                f"found {len(values)}; fields must be separated by tabs",
                lineno,
            )
        if len(values) > len(names):
            values = values[: len(names) - 1] + [" ".join(values[len(names) - 1 :])]
        return values + [""] * (len(names) - len(values))

    def _actor(self, values: list[str], lineno: int) -> None:
        key = _key(values[0], lineno, self.file, "actor key")
        if key in self.actors:
            raise self.err(f"duplicate actor key {key!r} (first on line {self.actors[key].line})", lineno, "actor key")
        self.actors[key] = DecideActor(key, values[1].strip() or key, values[2].strip(), lineno)

    def _issue(self, values: list[str], lineno: int) -> None:
        key = _key(values[0], lineno, self.file, "issue key")
        if key in self.issue_rows:
            raise self.err(f"duplicate issue key {key!r} (first on line {self.issue_rows[key][2]})", lineno, "issue key")
        self.issue_rows[key] = (values[1].strip() or key, values[2].strip(), lineno)

    def _point(self, values: list[str], lineno: int) -> None:
        key = _key(values[0], lineno, self.file, "issue key")
        value = _number(values[1], lineno, self.file, "scale point")
        self.m_rows.append((key, DecidePoint(value, values[2].strip(), lineno)))

    def _data(self, values: list[str], lineno: int) -> None:
        actor = _key(values[0], lineno, self.file, "actor key")
        issue = _key(values[1], lineno, self.file, "issue key")
        numbers = [_number(values[k], lineno, self.file, f) for k, f in ((2, "position"), (3, "salience"), (4, "power"))]
        self.d_rows.append((actor, issue, *numbers, lineno))

    def _issues(self) -> dict[str, DecideIssue]:
        """Each ``#P`` issue with its sorted ``#M`` points and raw range."""
        points: dict[str, list[DecidePoint]] = {}
        for key, point in self.m_rows:
            if key not in self.issue_rows:
                raise self.err(f"#M row names unknown issue {key!r} (no #P row)", point.line, "issue key")
            same = [q for q in points.get(key, []) if q.value == point.value]
            if same:
                raise self.err(
                    f"duplicate scale point {point.value:g} of issue {key!r} (first on line {same[0].line})",
                    point.line,
                    "scale point",
                )
            points.setdefault(key, []).append(point)
        issues = {}
        for key, (title, description, lineno) in self.issue_rows.items():
            pts = tuple(sorted(points.get(key, []), key=lambda q: q.value))
            if len(pts) == 1:
                raise self.err(
                    f"issue {key!r} has a single #M scale point; give at least two (its lowest and highest value)",
                    pts[0].line,
                    "scale point",
                )
            lo, hi = (pts[0].value, pts[-1].value) if pts else (0.0, 100.0)
            issues[key] = DecideIssue(key, title, description, pts, lo, hi, lineno)
        return issues

    def _row(self, issues: dict[str, DecideIssue], d_row: tuple[str, str, float, float, float, int]) -> DecideRow:
        """One ``#D`` row checked against the actors, issues and ranges."""
        actor, issue_key, pos, sal, power, lineno = d_row
        if actor not in self.actors:
            raise self.err(f"#D row names unknown actor {actor!r} (no #A row)", lineno, "actor key")
        if issue_key not in issues:
            raise self.err(f"#D row names unknown issue {issue_key!r} (no #P row)", lineno, "issue key")
        issue = issues[issue_key]
        if not issue.lo <= pos <= issue.hi:
            if issue.points:
                msg = f"position {pos:g} lies outside the range [{issue.lo:g}, {issue.hi:g}] of issue {issue_key!r} set by its #M rows"
            else:
                msg = f"position {pos:g} lies outside [0, 100] and issue {issue_key!r} has no #M rows giving its range"
            raise self.err(msg, lineno, "position")
        if sal < 0:
            raise self.err(f"salience {sal:g} is negative", lineno, "salience")
        if self.salience_scale is not None:
            sal = sal / self.salience_scale
        if sal > 1:
            hint = "" if self.salience_scale is not None else "; for saliences on 0–100 pass salience_scale=100"
            raise self.err(f"salience {sal:g} is above 1{hint}", lineno, "salience")
        if power < 0:
            raise self.err(f"power {power:g} is negative", lineno, "power")
        return DecideRow(actor, issue_key, pos, issue.normalise(pos), sal, power, lineno)

    def data(self, name: str) -> DecideData:
        """The checked content of the file."""
        issues = self._issues()
        for what, rows in (("#A (actor)", self.actors), ("#P (issue)", issues), ("#D (data)", self.d_rows)):
            if not rows:
                raise InputError(f"no {what} rows", file=self.file)
        rows: list[DecideRow] = []
        seen: dict[tuple[str, str], int] = {}
        for d_row in self.d_rows:
            actor, issue_key, lineno = d_row[0], d_row[1], d_row[-1]
            if (actor, issue_key) in seen:
                raise self.err(
                    f"duplicate #D row for actor {actor!r} on issue {issue_key!r} (first on line {seen[(actor, issue_key)]})",
                    lineno,
                )
            seen[(actor, issue_key)] = lineno
            rows.append(self._row(issues, d_row))
        return DecideData(
            name=name,
            actors=tuple(self.actors.values()),
            issues=tuple(issues.values()),
            rows=tuple(rows),
            file=self.file,
            extensions=tuple(self.extensions),
        )


def _extension(fields: list[str], lineno: int, file: str | None) -> DecideExtension | None:
    """An ``accord:`` comment row (see :class:`DecideExtension`), or None for any other comment."""
    tag = fields[0].strip() if fields else ""
    if not tag.startswith(EXTENSION_PREFIX):
        return None
    kind = tag.removeprefix(EXTENSION_PREFIX)
    if kind not in EXTENSION_KEYS:
        raise InputError(f"unknown accord row {tag!r}; expected one of {', '.join(EXTENSION_KEYS)}", file=file, line=lineno, field="row type")
    keys = [k.strip() for k in fields[1:-1]]
    if len(keys) != EXTENSION_KEYS[kind] or len(fields) < 2:
        raise InputError(f"{tag} row needs {EXTENSION_KEYS[kind]} key(s) and a JSON object", file=file, line=lineno)
    payload = from_json(fields[-1], file=file, line=lineno, field=tag)
    return DecideExtension(kind, tuple(keys), payload, lineno)


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
