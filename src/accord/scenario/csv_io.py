"""The long CSV table: one row per dated position, plus rows describing the scenario, actors and issues.

Columns (comma-separated, a header row first; ``actor, issue, position, salience, date``
are required, the others optional and in any order):

======================  ================================================================
``record``              ``position`` (also when empty or absent), ``actor``, ``issue`` or ``scenario``
``actor``, ``issue``    the ids the row is about
``position``            0–100, ``salience`` 0–1, ``date`` YYYY-MM-DD, ``uncertainty`` sd
``capability``          an actor row: the actor's capability; a position row: an override
``source``, ``quote``   a position's one source address and its quote
``note``                a position's note
``actor_name``          an actor row: the name (position rows may name actors without a row)
``issue_title``         an issue row: the title (position rows may title issues without a row)
``actor_kind``          an actor row: its kind (state, organisation, ...)
``status_quo``          an issue row: the status quo on 0–100
``description``         a scenario, actor or issue row: its description
``extra``               a JSON object with the fields no column holds: a scenario's ``id``
                        and ``title``; an actor's ``aliases`` and ``roles``; an issue's
                        ``scale``, ``keywords`` and ``group``; a position's ``sources`` (when
                        they are more than one address and quote) and ``origin``
======================  ================================================================

A row leaves empty the columns its record does not use. Tables without ``actor`` rows
still read: an actor's name comes from ``actor_name`` and its capability from the
position rows (shared when they all agree). :func:`scenario_to_csv` writes every field,
so a scenario reads back unchanged.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from accord.errors import InputError
from accord.io import read_text
from accord.scenario.fields import (
    from_json,
    non_default_fields,
    to_json,
    validation_message,
)
from accord.scenario.model import (
    Actor,
    Issue,
    Position,
    Scenario,
    ScenarioReferenceError,
)

REQUIRED = ("actor", "issue", "position", "salience", "date")
COLUMNS = (
    "record", *REQUIRED, "capability", "uncertainty", "source", "quote", "note",
    "actor_name", "issue_title", "actor_kind", "status_quo", "description", "extra",
)
#: record type -> {column: model field}
RECORD_FIELDS: dict[str, dict[str, str]] = {
    "scenario": {"description": "description"},
    "actor": {"actor": "id", "actor_name": "name", "capability": "capability", "actor_kind": "kind", "description": "description"},
    "issue": {"issue": "id", "issue_title": "title", "status_quo": "status_quo", "description": "description"},
    "position": {
        "actor": "actor", "issue": "issue", "position": "position", "salience": "salience", "date": "date",
        "capability": "capability", "uncertainty": "uncertainty", "note": "note",
    },
}
#: Columns a position row reads besides its fields (its source, and names of actors and issues without a row).
POSITION_ALSO = ("source", "quote", "actor_name", "issue_title")
NUMBERS = frozenset({"position", "salience", "capability", "uncertainty", "status_quo"})
FREE_TEXT = frozenset({"note", "description", "actor_name", "issue_title", "quote", "source", "extra"})
SCENARIO_FIELDS = ("id", "title", "description")


# -- splitting the text into records ---------------------------------------------------


@dataclass(frozen=True)
class _Record:
    first: int  # line the record starts on
    last: int  # line it ends on (later than ``first`` when a quoted field spans lines)
    cells: list[str]

    def span_hint(self) -> str:
        if self.last == self.first:
            return ""
        return f"; a quote (\") on line {self.first} opens a field that runs to line {self.last}: is it stray?"


def _check_delimiter(text: str, file: str) -> None:
    first = text.splitlines()[0]
    if "," in first:
        return
    for delim, name in (("\t", "tab"), (";", "semicolon"), ("|", "pipe")):
        if delim in first:
            raise InputError(f"wrong delimiter: the header uses {name}s, expected commas", file=file, line=1)


def _csv_problem(exc: csv.Error, first: int, last: int) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return "a quote (\") opens a field that is never closed: is it stray?"
    if last > first:
        return f"a quote (\") opens a field that runs on to line {last} and ends badly there: is it stray?"
    if "expected after" in text:
        return "text follows the closing quote of a quoted field: a stray quote (\")? quote whole fields and double quotes inside them"
    return f"cannot split the row ({text})"


def _records(text: str, file: str) -> list[_Record]:
    """Every non-blank record with the lines it spans; quoting errors name their line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    first = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append(_Record(first, reader.line_num, cells))
            first = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(_csv_problem(exc, first, reader.line_num), file=file, line=first) from None
    return records


def _header(record: _Record, file: str) -> list[str]:
    header = [h.strip() for h in record.cells]
    if record.last > record.first:
        raise InputError("the header" + record.span_hint()[1:], file=file, line=1)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; header is {','.join(header)}", file=file, line=1)
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)}; allowed: {','.join(COLUMNS)}", file=file, line=1)
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise InputError(f"column(s) {', '.join(twice)} appear more than once", file=file, line=1)
    return header


# -- reading one row ----------------------------------------------------------------------


def _cell(value: str, column: str, file: str, line: int) -> Any:
    """A cell as the model wants it: a float, raw free text, or stripped text (None when empty)."""
    if column in FREE_TEXT:
        return value if value else None
    value = value.strip()
    if not value:
        return None
    if column in NUMBERS:
        try:
            return float(value)
        except ValueError:
            raise InputError(f"not a number: {value!r}", file=file, line=line, field=column) from None
    return value


@dataclass
class _Row:
    """One data record: its kind, its line, and its non-empty cells by column."""

    kind: str
    line: int
    cells: dict[str, Any]
    file: str

    def fields(self) -> dict[str, Any]:
        """The model fields the row gives, from its columns and its ``extra`` object."""
        mapping = RECORD_FIELDS[self.kind]
        allowed = set(mapping) | {"record", "extra"} | (set(POSITION_ALSO) if self.kind == "position" else set())
        for column in self.cells:
            if column not in allowed:
                raise self.error(f"{self.kind} rows leave this column empty", column)
        out = {name: self.cells[col] for col, name in mapping.items() if col in self.cells}
        extra = from_json(self.cells.get("extra") or "", file=self.file, line=self.line, field="extra")
        clash = sorted(set(extra) & (set(out) | set(mapping.values())))
        if clash:
            raise self.error(f"{', '.join(clash)} belong(s) in the column(s), not in extra", "extra")
        out.update(extra)
        return out

    def error(self, message: str, column: str | None = None) -> InputError:
        return InputError(message, file=self.file, line=self.line, field=column)

    def require(self, *columns: str) -> None:
        for column in columns:
            if column not in self.cells:
                raise self.error("missing value", column)

    def validate(self, model: type[BaseModel], data: dict[str, Any]) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            loc, message = validation_message(exc)
            raise self.error(message, loc) from None


def _position_fields(row: _Row) -> dict[str, Any]:
    data = row.fields()
    source, quote = row.cells.get("source"), row.cells.get("quote")
    if quote is not None and source is None:
        raise row.error("a quote needs its source address in the source column", "quote")
    if source is not None:
        if "sources" in data:
            raise row.error("give sources either in the source column or in extra, not both", "source")
        data["sources"] = [{"url": source, "quote": quote}]
    return data


# -- the whole table ---------------------------------------------------------------------------


@dataclass
class _Named:
    """An actor or issue that position rows mention without a row of its own."""

    line: int
    name: str | None
    capabilities: list[float | None] = field(default_factory=list)


class _Table:
    """Rows collected by record type, then built into a scenario."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.scenario: dict[str, Any] = {}
        self.actors: dict[str, tuple[int, Actor]] = {}
        self.issues: dict[str, tuple[int, Issue]] = {}
        self.positions: list[tuple[_Row, dict[str, Any]]] = []
        self.named_actors: dict[str, _Named] = {}
        self.named_issues: dict[str, _Named] = {}

    def add(self, row: _Row) -> None:
        if row.kind == "scenario":
            if self.scenario:
                raise row.error("a second scenario row", "record")
            self.scenario = row.fields() or {"description": ""}
        elif row.kind == "actor":
            row.require("actor")
            self._add_record(self.actors, row, Actor, "actor")
        elif row.kind == "issue":
            row.require("issue")
            self._add_record(self.issues, row, Issue, "issue")
        else:
            row.require(*REQUIRED)
            self._add_position(row)

    def _add_record(self, into: dict, row: _Row, model: type[BaseModel], kind: str) -> None:
        key = row.cells[kind]
        if key in into:
            raise row.error(f"a second {kind} row for {key!r} (first on line {into[key][0]})", kind)
        into[key] = (row.line, row.validate(model, row.fields()))

    def _add_position(self, row: _Row) -> None:
        data = _position_fields(row)
        actor = self.named_actors.setdefault(row.cells["actor"], _Named(row.line, row.cells.get("actor_name")))
        actor.capabilities.append(data.get("capability"))
        self.named_issues.setdefault(row.cells["issue"], _Named(row.line, row.cells.get("issue_title")))
        self.positions.append((row, data))

    def build(self, default_id: str, forced_id: str | None) -> Scenario:
        actors = [a for _, a in self.actors.values()]
        shared: dict[str, float] = {}
        for aid, named in self.named_actors.items():
            if aid in self.actors:
                _same_name(named, self.actors[aid][1].name, "actor_name", self.file)
                continue
            if self.actors:
                raise InputError(f"unknown actor id {aid!r}: the table has actor rows but none for it", file=self.file, line=named.line, field="actor")
            caps = named.capabilities
            if caps[0] is not None and all(c == caps[0] for c in caps):
                shared[aid] = caps[0]
            actors.append(Actor(id=aid, name=_name(named.name, aid), capability=shared.get(aid, 1.0)))
        issues = [i for _, i in self.issues.values()]
        for key, named in self.named_issues.items():
            if key in self.issues:
                _same_name(named, self.issues[key][1].title, "issue_title", self.file)
            elif self.issues:
                raise InputError(f"unknown issue id {key!r}: the table has issue rows but none for it", file=self.file, line=named.line, field="issue")
        issues += [Issue(id=k, title=_name(n.name, k)) for k, n in self.named_issues.items() if k not in self.issues]
        positions = []
        for row, data in self.positions:
            if row.cells["actor"] in shared:
                data.pop("capability", None)
            positions.append(row.validate(Position, data))
        head = {"id": default_id, **self.scenario}
        if forced_id is not None:
            head["id"] = forced_id
        try:
            return Scenario(**head, actors=actors, issues=issues, positions=positions)
        except ValidationError as exc:
            raise self._scenario_error(exc) from None

    def _scenario_error(self, exc: ValidationError) -> InputError:
        err = exc.errors()[0]
        ctx = (err.get("ctx") or {}).get("error")
        if not isinstance(ctx, ScenarioReferenceError):
            loc, message = validation_message(exc)
            return InputError(message, file=self.file, field=loc)
        kind, _, rest = ctx.loc.partition(".")
        index = int(rest.split(".")[0])
        lines = {
            "positions": [r.line for r, _ in self.positions],
            "actors": [n for n, _ in self.actors.values()] + [n.line for k, n in self.named_actors.items() if k not in self.actors],
            "issues": [n for n, _ in self.issues.values()] + [n.line for k, n in self.named_issues.items() if k not in self.issues],
        }
        return InputError(ctx.message, file=self.file, line=lines[kind][index])


def _same_name(named: _Named, name: str, column: str, file: str) -> None:
    if named.name is not None and named.name != name:
        raise InputError(f"{named.name!r} differs from the name {name!r} of its own row", file=file, line=named.line, field=column)


def _name(given: str | None, key: str) -> str:
    return given if given is not None and given.strip() else key


def read_scenario_csv(path: str | Path, scenario_id: str | None = None) -> Scenario:
    """Build a scenario from the long CSV table (see the module docstring for the columns)."""
    file = str(path)
    text = read_text(path)
    _check_delimiter(text, file)
    records = _records(text, file)
    if not records:
        raise InputError("no header row: every line is blank or holds only commas", file=file, line=1)
    header = _header(records[0], file)
    table = _Table(file)
    for record in records[1:]:
        if len(record.cells) != len(header):
            more = "more" if len(record.cells) > len(header) else "fewer"
            raise InputError(f"{more} fields than the header has{record.span_hint()}", file=file, line=record.first)
        cells = {}
        for column, value in zip(header, record.cells, strict=True):
            parsed = _cell(value, column, file, record.first)
            if parsed is not None:
                cells[column] = parsed
        kind = cells.pop("record", "position")
        if kind not in RECORD_FIELDS:
            raise InputError(f"unknown record {kind!r}; use {', '.join(RECORD_FIELDS)}", file=file, line=record.first, field="record")
        table.add(_Row(kind, record.first, cells, file))
    if not table.positions and not table.actors:
        raise InputError("no data rows after the header", file=file, line=1)
    return table.build(Path(path).stem, scenario_id)


# -- writing ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _row(kind: str, model: BaseModel, rest: dict[str, Any]) -> dict[str, str]:
    """A record's cells: its columns, and the remaining fields in ``rest`` as the extra JSON."""
    cells = {"record": kind}
    for column, name in RECORD_FIELDS[kind].items():
        cells[column] = _text(getattr(model, name))
        rest.pop(name, None)
    cells["extra"] = to_json(rest)
    return cells


def _position_row(p: Position) -> dict[str, str]:
    rest = non_default_fields(p)
    source: dict[str, Any] = {}
    if len(p.sources) == 1 and set(rest["sources"][0]) <= {"url", "quote"}:
        source = rest.pop("sources")[0]
    cells = _row("position", p, rest)
    cells["source"] = source.get("url", "")
    cells["quote"] = source.get("quote") or ""
    return cells


def scenario_to_csv(scenario: Scenario) -> str:
    """The scenario as the long CSV table, every field included (see the module docstring)."""
    buf = io.StringIO()
    # CRLF (as RFC 4180 has it): the writer then also quotes fields holding a lone carriage return
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    head = {k: v for k, v in non_default_fields(scenario).items() if k in SCENARIO_FIELDS}
    writer.writerow(_row("scenario", scenario, head))
    for actor in scenario.actors:
        writer.writerow(_row("actor", actor, non_default_fields(actor)))
    for issue in scenario.issues:
        writer.writerow(_row("issue", issue, non_default_fields(issue)))
    for position in scenario.positions:
        writer.writerow(_position_row(position))
    return buf.getvalue()
