"""A case's questions (``events.yaml``): binary events with a deadline, each defined over model quantities.

The vocabulary of ``kind`` (format: docs/formats.md, section "events.yaml"; what each kind
means for the models: docs/methods/agreement.md):

* ``package`` — a package acceptable to every named party that survives ratification;
* ``issue`` — an issue settles on the far side of a value;
* ``partial`` — an issue-level agreement between the named parties;
* ``truce`` — some state of the case's graph model among those named (one ``state``, a list of
  ``states``, or every state with the given ``options`` taken or not) is stable under ``concept``;
* ``talks`` — talks between the parties are held (no model quantity carries it: not modelled);
* ``not_modelled`` — a question the models cannot speak to, with its ``reason``.

:func:`load_events` reads and checks the file; a problem is an InputError naming the file,
the line and the field. One event may be the case's ``headline``: the question the report's first
screen answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic.types import AllowInfNan, Strict

from accord.errors import InputError
from accord.io import FieldError, FileModel, Id, read_yaml, validate_yaml
from accord.models.registry import names

EVENTS_FILE = "events.yaml"
KINDS = ("package", "issue", "partial", "truce", "talks", "not_modelled")
CONCEPTS = ("nash", "gmr", "smr", "seq", "all")

Number = Annotated[float, Strict(), AllowInfNan(False)]


class SourceEntry(FileModel):
    id: Id
    url: str | None = None
    note: str | None = None


class _EventBase(FileModel):
    id: Id
    question: str = Field(min_length=1)
    deadline: dt.date
    parties: list[Id] = []
    sources: list[SourceEntry] = []
    note: str | None = None
    headline: Annotated[bool, Strict()] = False

    @model_validator(mode="after")
    def _unique_parties(self) -> _EventBase:
        if len(set(self.parties)) != len(self.parties):
            raise FieldError(("parties",), "a party is named twice")
        return self


class PackageEvent(_EventBase):
    kind: Literal["package"]
    packages: str = "packages.yaml"
    issues: list[Id] = []

    @model_validator(mode="after")
    def _needs_parties(self) -> PackageEvent:
        if not self.parties:
            raise FieldError(("parties",), "a package event names the parties that must accept it")
        return self


class IssueEvent(_EventBase):
    kind: Literal["issue"]
    issue: Id
    side: Literal["above", "below"]
    value: Number
    model: Id | None = None

    @model_validator(mode="after")
    def _known_model(self) -> IssueEvent:
        if self.model is not None and self.model not in names():
            raise FieldError(("model",), f"unknown model {self.model!r}; known: {', '.join(names())}")
        return self


class PartialEvent(_EventBase):
    kind: Literal["partial"]
    issue: Id

    @model_validator(mode="after")
    def _two_or_more(self) -> PartialEvent:
        if len(self.parties) < 2:
            raise FieldError(("parties",), "a partial agreement needs at least two parties")
        return self


StateRef = Union[Annotated[int, Strict(), Field(ge=1)], str]


class TruceEvent(_EventBase):
    kind: Literal["truce"]
    truce: str = "truce.yaml"
    state: StateRef | None = None
    states: list[StateRef] | None = Field(default=None, min_length=1)
    options: dict[str, Annotated[bool, Strict()]] | None = Field(default=None, min_length=1)
    concept: Literal["nash", "gmr", "smr", "seq", "all"] = "all"

    @model_validator(mode="after")
    def _one_way_to_name_states(self) -> TruceEvent:
        given = [k for k in ("state", "states", "options") if getattr(self, k) is not None]
        if len(given) != 1:
            raise FieldError(("state",), "a truce event names its states by exactly one of state, states or options"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self


class TalksEvent(_EventBase):
    kind: Literal["talks"]


class NotModelledEvent(_EventBase):
    kind: Literal["not_modelled"]
    reason: str = Field(min_length=1)


def _kind_tag(value: Any) -> str | None:
    """The union tag of an entry; tags are not field names, so error locations skip them."""
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"kind={kind}" if kind in KINDS else None


EventEntry = Annotated[
    Union[
        Annotated[PackageEvent, Tag("kind=package")],
        Annotated[IssueEvent, Tag("kind=issue")],
        Annotated[PartialEvent, Tag("kind=partial")],
        Annotated[TruceEvent, Tag("kind=truce")],
        Annotated[TalksEvent, Tag("kind=talks")],
        Annotated[NotModelledEvent, Tag("kind=not_modelled")],
    ],
    Discriminator(_kind_tag, custom_error_type="kind", custom_error_message=f"kind must be one of {', '.join(KINDS)}"),
]


class EventsFile(FileModel):
    events: list[EventEntry] = Field(min_length=1)
    notes: Any = None

    @model_validator(mode="after")
    def _unique_ids(self) -> EventsFile:
        seen: set[str] = set()
        for k, e in enumerate(self.events):
            if e.id in seen:
                raise FieldError(("events", k, "id"), f"event id {e.id!r} is used twice")
            seen.add(e.id)
        headlines = [k for k, e in enumerate(self.events) if e.headline]
        if len(headlines) > 1:
            raise FieldError(("events", headlines[1], "headline"), "only one event can be the headline")
        return self


@dataclass(frozen=True)
class Event:
    """One question: what must happen (``kind`` and ``params``), between whom, by when."""

    id: str
    question: str
    deadline: dt.date
    kind: str
    parties: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[Mapping[str, str], ...] = ()
    note: str = ""
    headline: bool = False
    file: str = ""
    line: int | None = None


_COMMON = {"id", "question", "deadline", "kind", "parties", "sources", "note", "headline"}


def load_events(path: str | Path) -> list[Event]:
    """The events of an ``events.yaml`` (format: docs/formats.md); bad input is an InputError naming file, line and field."""
    data, lines = read_yaml(path)
    if not isinstance(data, dict) or "events" not in data:
        raise InputError("an events file needs an 'events' list", file=str(path), line=1)
    spec = validate_yaml(EventsFile, data, lines, str(path))
    out = []
    for k, e in enumerate(spec.events):
        params = {name: getattr(e, name) for name in type(e).model_fields if name not in _COMMON}
        out.append(Event(
            id=e.id, question=e.question, deadline=e.deadline, kind=e.kind, parties=tuple(e.parties),
            params=params, sources=tuple(s.model_dump(exclude_none=True) for s in e.sources),
            note=e.note or "", headline=e.headline, file=str(path), line=lines.get(("events", k)),
        ))
    return out
