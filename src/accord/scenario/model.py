"""The scenario: actors, issues and dated positions with their sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from accord.models.issue import IssueData

SCALE_MIN = 0.0
SCALE_MAX = 100.0
MAX_CAPABILITY = 1e6
"""Largest capability accepted: weights are relative, and larger values overflow the models' products."""
MAX_UNCERTAINTY = SCALE_MAX - SCALE_MIN
"""Largest position uncertainty (a standard deviation on the 0–100 scale)."""


class _Strict(BaseModel):
    """Unknown fields are errors, and every number must be finite (no inf or nan)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Source(_Strict):
    """Where a stated position comes from: an address and, optionally, a short quote."""

    url: str = Field(min_length=1)
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: dt.date | None = None
    quote: str | None = None


class Anchor(_Strict):
    """A labelled point of an issue's scale, mapped onto 0–100."""

    value: float = Field(ge=SCALE_MIN, le=SCALE_MAX)
    label: str = Field(min_length=1)
    raw: float | None = None


class Scale(_Strict):
    """The labelled anchor points of an issue, strictly increasing on 0–100."""

    anchors: list[Anchor] = Field(default_factory=list)

    @field_validator("anchors")
    @classmethod
    def _monotonic(cls, anchors: list[Anchor]) -> list[Anchor]:
        for prev, nxt in zip(anchors, anchors[1:]):
            if nxt.value <= prev.value:
                raise ValueError(
                    f"scale points must increase strictly: {nxt.value:g} ({nxt.label!r}) "
                    f"follows {prev.value:g} ({prev.label!r})"
                )
        return anchors

    def step(self) -> float:
        """The smallest gap between neighbouring anchors (25 on a 0–4 scale), or 10."""
        if len(self.anchors) < 2:
            return 10.0
        return float(min(b.value - a.value for a, b in zip(self.anchors, self.anchors[1:])))

    def band(self, value: float) -> str:
        """The label of the anchor nearest to ``value`` (empty without anchors)."""
        if not self.anchors:
            return ""
        return min(self.anchors, key=lambda a: abs(a.value - value)).label

    def band_edges(self) -> list[float]:
        """Edges halfway between neighbouring anchors, with 0 and 100 at the ends."""
        vals = [a.value for a in self.anchors]
        return [SCALE_MIN] + [(a + b) / 2 for a, b in zip(vals, vals[1:])] + [SCALE_MAX]


class Role(_Strict):
    """A dated office an actor's representative holds (for linking news mentions)."""

    title: str
    holder: str | None = None
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class Actor(_Strict):
    """A party to the negotiation."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    kind: str = "state"
    capability: float = Field(default=1.0, ge=0, le=MAX_CAPABILITY)
    description: str = ""
    roles: list[Role] = Field(default_factory=list)


class Issue(_Strict):
    """A dimension of the negotiation, with its scale, status quo and linking keywords."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    scale: Scale = Field(default_factory=Scale)
    status_quo: float | None = Field(default=None, ge=SCALE_MIN, le=SCALE_MAX)
    keywords: list[str] = Field(default_factory=list)
    group: str | None = None


class Position(_Strict):
    """An actor's stated position on an issue from a date on, with its sources."""

    actor: str = Field(min_length=1)
    issue: str = Field(min_length=1)
    position: float = Field(ge=SCALE_MIN, le=SCALE_MAX)
    salience: float = Field(ge=0, le=1)
    date: dt.date
    capability: float | None = Field(default=None, ge=0, le=MAX_CAPABILITY)
    uncertainty: float | None = Field(default=None, ge=0, le=MAX_UNCERTAINTY)
    sources: list[Source] = Field(default_factory=list)
    note: str = ""
    origin: str = "hand"


class Scenario(_Strict):
    """Actors × issues with dated positions; ``as_of`` gives the picture at a date."""

    id: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    actors: list[Actor] = Field(min_length=1)
    issues: list[Issue] = Field(min_length=1)
    positions: list[Position] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        _unique("actors", [a.id for a in self.actors])
        _unique("issues", [i.id for i in self.issues])
        actors = {a.id for a in self.actors}
        issues = {i.id for i in self.issues}
        seen: set[tuple[str, str, dt.date]] = set()
        for k, p in enumerate(self.positions):
            if p.actor not in actors:
                raise _located(f"positions.{k}.actor", f"unknown actor id {p.actor!r}")
            if p.issue not in issues:
                raise _located(f"positions.{k}.issue", f"unknown issue id {p.issue!r}")
            key = (p.actor, p.issue, p.date)
            if key in seen:
                raise _located(
                    f"positions.{k}", f"duplicate position of {p.actor!r} on {p.issue!r} dated {p.date}"
                )
            seen.add(key)
        return self

    # -- lookups -------------------------------------------------------------
    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise KeyError(issue_id)

    def dates(self) -> list[dt.date]:
        """Sorted distinct dates of all positions."""
        return sorted({p.date for p in self.positions})

    def history(self, actor_id: str, issue_id: str) -> list[Position]:
        """All positions of one actor on one issue, oldest first."""
        return sorted(
            (p for p in self.positions if p.actor == actor_id and p.issue == issue_id),
            key=lambda p: p.date,
        )

    def as_of(self, when: dt.date | str | None = None) -> Scenario:
        """The scenario holding only each actor's latest position per issue at ``when``."""
        if when is None:
            cutoff = dt.date.max
        else:
            cutoff = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when))
        latest: dict[tuple[str, str], Position] = {}
        for p in self.positions:
            if p.date > cutoff:
                continue
            key = (p.actor, p.issue)
            if key not in latest or p.date > latest[key].date:
                latest[key] = p
        order = {(a.id, i.id): n for n, (a, i) in enumerate((a, i) for i in self.issues for a in self.actors)}
        kept = sorted(latest.values(), key=lambda p: order[(p.actor, p.issue)])
        return self.model_copy(update={"positions": kept})

    def issue_data(self, when: dt.date | str | None = None) -> list[IssueData]:
        """Array views of every issue at ``when`` (issues nobody has a position on are left out)."""
        snap = self.as_of(when)
        caps = {a.id: a.capability for a in self.actors}
        by_issue: dict[str, list[Position]] = {}
        for p in snap.positions:
            by_issue.setdefault(p.issue, []).append(p)
        out = []
        for issue in self.issues:
            ps = by_issue.get(issue.id, [])
            if not ps:
                continue
            step = issue.scale.step()
            out.append(
                IssueData(
                    id=issue.id,
                    title=issue.title,
                    actors=tuple(p.actor for p in ps),
                    x=np.array([p.position for p in ps]),
                    s=np.array([p.salience for p in ps]),
                    c=np.array([p.capability if p.capability is not None else caps[p.actor] for p in ps]),
                    lo=SCALE_MIN,
                    hi=SCALE_MAX,
                    reference=issue.status_quo,
                    uncertainty=np.array([p.uncertainty if p.uncertainty is not None else step for p in ps]),
                    group=issue.group,
                    meta=_raw_range(issue),
                )
            )
        return out


def _raw_range(issue: Issue) -> dict:
    """``raw_lo``/``raw_hi`` where the issue's scale maps 0 and 100 to raw values (a Decide ``#M`` range)."""
    raw = {a.value: a.raw for a in issue.scale.anchors if a.raw is not None}
    if SCALE_MIN in raw and SCALE_MAX in raw:
        return {"raw_lo": raw[SCALE_MIN], "raw_hi": raw[SCALE_MAX]}
    return {}


def _unique(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for k, i in enumerate(ids):
        if i in seen:
            raise _located(f"{kind}.{k}.id", f"duplicate id {i!r}")
        seen.add(i)


class ScenarioReferenceError(ValueError):
    """A cross-reference problem found after field validation, with its location."""

    def __init__(self, loc: str, message: str) -> None:
        self.loc = loc
        self.message = message
        super().__init__(f"{loc}: {message}")


def _located(loc: str, message: str) -> ScenarioReferenceError:
    return ScenarioReferenceError(loc, message)
