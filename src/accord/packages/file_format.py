"""The ``packages.yaml`` format as pydantic models: shapes, ranges and every cross-reference.

Field by field, the format is documented in docs/formats.md; :mod:`accord.packages.io`
turns a validated :class:`PackageFile` into a package model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field, model_validator
from pydantic.types import AllowInfNan, Strict

from accord.errors import ModelError
from accord.io import FieldError, FileModel, Id, id_mapping
from accord.packages.ratification import compile_rule

Number = Annotated[float, Strict(), AllowInfNan(False)]
Share = Annotated[Number, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]


class PartyEntry(FileModel):
    id: Id
    name: str | None = None
    reservation: Number | None = None


class OptionEntry(FileModel):
    id: Id
    point: Number | None = None
    source: str | None = None
    description: str | None = None


class PositionEntry(FileModel):
    position: Number
    salience: NonNegative
    sources: list[str] = []
    why: str | None = None


class ValuesEntry(FileModel):
    salience: NonNegative
    v: list[Share]
    sources: list[str] = []
    why: str | None = None


class IssueEntry(FileModel):
    id: Id
    title: str | None = None
    options: list[Annotated[OptionEntry, BeforeValidator(id_mapping)]] = Field(min_length=1)
    positions: dict[Id, PositionEntry] = {}
    values: dict[Id, ValuesEntry] = {}

    @model_validator(mode="after")
    def _unique_options(self) -> IssueEntry:
        _no_duplicates([o.id for o in self.options], "option", ("options",))
        if self.positions and any(o.point is None for o in self.options):
            raise FieldError(("options",), "every option needs a scale 'point' when positions are given")
        for party in self.values:
            if party in self.positions:
                raise FieldError(("values", party), f"party {party!r} has both a position and values on this issue")
            if len(self.values[party].v) != len(self.options):
                raise FieldError(("values", party, "v"),
                                 f"expected {len(self.options)} values (one per option), got {len(self.values[party].v)}")
        return self


class Scale(FileModel):
    lo: Number = 0.0
    hi: Number = 100.0

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.hi <= self.lo:
            raise ValueError("scale.hi must exceed scale.lo")
        return self


class ThresholdSpec(FileModel):
    type: Literal["threshold"]
    party: Id
    tau: Number | None = None
    strict: bool = False


class LogisticSpec(FileModel):
    type: Literal["logistic"]
    party: Id
    tau: Number | None = None
    b: Annotated[Number, Field(gt=0.0)]


class MemberSpec(FileModel):
    name: Id
    weight: NonNegative = 1.0
    stage: StageSpec

    @model_validator(mode="after")
    def _whole_weight(self) -> MemberSpec:
        if self.weight != round(self.weight):
            raise FieldError(("weight",), "member weights must be integers (seats or votes)")
        return self


class VotingBodySpec(FileModel):
    type: Literal["voting_body"]
    members: list[MemberSpec]
    rule: str | None = None
    quota: NonNegative | None = None
    veto: list[Id] = []

    @model_validator(mode="after")
    def _rule_or_quota(self) -> VotingBodySpec:
        names = [m.name for m in self.members]
        if self.rule is not None:
            try:
                compile_rule(self.rule, names, self.weights)
            except ModelError as exc:
                raise FieldError(("rule",), str(exc)) from None
        elif self.quota is None:
            raise FieldError(("quota",), "give a 'rule' (e.g. 'n-1 incl {a}') or a 'quota'")
        for v in self.veto:
            if v not in names:
                raise FieldError(("veto",), f"veto holder {v!r} is not a member")
        return self

    @property
    def weights(self) -> list[float] | None:
        """Member weights, or None when every member has one vote."""
        return [m.weight for m in self.members] if any(m.weight != 1 for m in self.members) else None


def _yes_no_keys(value: Any) -> Any:
    """YAML 1.1 reads bare ``yes:`` / ``no:`` keys as booleans: accept both spellings."""
    if isinstance(value, dict):
        value = {({True: "yes", False: "no"}[k] if isinstance(k, bool) else k): v for k, v in value.items()}
    return value


class PollSpec(FileModel):
    yes: Share
    no: Share
    n: Annotated[Number, Field(ge=1.0)]
    match: dict[Id, Union[Id, list[Id]]] = {}
    label: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _shares(self) -> PollSpec:
        if self.yes + self.no > 1 + 1e-9:
            raise ValueError("yes + no exceeds 1")
        return self


class ReferendumSpec(FileModel):
    type: Literal["referendum"]
    population: Id
    polls: list[Annotated[PollSpec, BeforeValidator(_yes_no_keys)]] = []
    deff: Annotated[Number, Field(ge=1e-9)] = 2.0
    undecided_split: Share | None = None
    quorum: Share | None = None
    turnout: Share | None = None
    turnout_n: Annotated[Number, Field(ge=1.0)] | None = None
    theta1: Number = 10.0
    name: str = "referendum"

    @model_validator(mode="after")
    def _has_polls(self) -> ReferendumSpec:
        if not self.polls:
            raise FieldError(("polls",), "a referendum needs at least one poll (yes, no, n); none given")
        return self


StageSpec = Annotated[Union[ThresholdSpec, LogisticSpec, VotingBodySpec, ReferendumSpec], Field(discriminator="type")]
MemberSpec.model_rebuild()


class RatifierSpec(FileModel):
    side: Id
    stages: list[StageSpec]
    combine: Literal["product", "min"] = "product"
    tau: Share = 0.5


class PackageFile(FileModel):
    """A whole ``packages.yaml``: parties, issues with options and valuations, named packages, ratifiers."""

    name: str | None = None
    as_of: Any = None
    notes: Any = None
    scale: Scale = Scale()
    loss: Literal["linear", "quadratic"] = "linear"
    defaults: Literal["negmas", "genius"] = "negmas"
    parties: list[Annotated[PartyEntry, BeforeValidator(id_mapping)]] = Field(min_length=1)
    issues: list[IssueEntry] = Field(min_length=1)
    packages: dict[Id, dict[Id, Id]] = {}
    ratification: list[RatifierSpec] = []

    @model_validator(mode="after")
    def _references(self) -> PackageFile:
        _no_duplicates([p.id for p in self.parties], "party", ("parties",))
        _no_duplicates([i.id for i in self.issues], "issue", ("issues",))
        parties = {p.id for p in self.parties}
        for k, issue in enumerate(self.issues):
            self._check_issue(k, issue, parties)
        self._check_named()
        for j, rat in enumerate(self.ratification):
            for s, stage in enumerate(rat.stages):
                for path, leaf in _stages(stage, ("ratification", j, "stages", s)):
                    self._check_stage(path, leaf, parties)
        return self

    def _check_issue(self, k: int, issue: IssueEntry, parties: set[str]) -> None:
        lo, hi = self.scale.lo, self.scale.hi
        for j, option in enumerate(issue.options):
            if option.point is not None and not lo <= option.point <= hi:
                raise FieldError(("issues", k, "options", j, "point"), f"must lie in [{lo:g}, {hi:g}], got {option.point:g}")
        for kind, entries in (("positions", issue.positions), ("values", issue.values)):
            for party in entries:
                if party not in parties:
                    raise FieldError(("issues", k, kind, party), f"unknown party {party!r}")
        for party, pos in issue.positions.items():
            if not lo <= pos.position <= hi:
                raise FieldError(("issues", k, "positions", party, "position"), f"must lie in [{lo:g}, {hi:g}], got {pos.position:g}")

    def _check_named(self) -> None:
        options = {i.id: [o.id for o in i.options] for i in self.issues}
        for name, package in self.packages.items():
            for issue, option in package.items():
                if issue not in options:
                    raise FieldError(("packages", name, issue), f"unknown issue {issue!r}")
                if option not in options[issue]:
                    raise FieldError(("packages", name, issue), f"unknown option {option!r} (options: {', '.join(options[issue])})")
            for issue in options:
                if issue not in package:
                    raise FieldError(("packages", name), f"package {name!r} gives no option for issue {issue!r}")

    def _check_stage(self, path: tuple, stage: Any, parties: set[str]) -> None:
        if isinstance(stage, (ThresholdSpec, LogisticSpec)) and stage.party not in parties:
            raise FieldError(path + ("party",), f"unknown party {stage.party!r}")
        if isinstance(stage, ReferendumSpec):
            if stage.population not in parties:
                raise FieldError(path + ("population",), f"population utility must name a party, got {stage.population!r}")
            options = {i.id: [o.id for o in i.options] for i in self.issues}
            for j, poll in enumerate(stage.polls):
                for issue, allowed in poll.match.items():
                    where = path + ("polls", j, "match", issue)
                    if issue not in options:
                        raise FieldError(where, f"unknown issue {issue!r}")
                    for option in allowed if isinstance(allowed, list) else [allowed]:
                        if option not in options[issue]:
                            raise FieldError(where, f"unknown option {option!r}")


def _stages(stage: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """A stage and, for a voting body, every member's stage below it, with their paths."""
    yield path, stage
    if isinstance(stage, VotingBodySpec):
        for j, member in enumerate(stage.members):
            yield from _stages(member.stage, path + ("members", j, "stage"))


def _no_duplicates(ids: list[str], what: str, path: tuple) -> None:
    seen: set[str] = set()
    for j, x in enumerate(ids):
        if x in seen:
            raise FieldError(path + (j, "id"), f"duplicate {what} {x!r}")
        seen.add(x)
