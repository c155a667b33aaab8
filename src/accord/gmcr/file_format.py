"""The graph-model YAML format (``truce.yaml`` and the like) as pydantic models, with every cross-reference checked.

Two forms, documented in docs/formats.md: the option form (decision makers with binary
options, infeasible patterns, preferences by prioritisation or ranking) and the collapsed
form (numbered states, moves per decision maker, rankings).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BeforeValidator, Field, model_validator
from pydantic.types import Strict

from accord.errors import ModelError
from accord.gmcr.model import MAX_OPTIONS, MAX_STATES, check_size, feasible_codes, ranking_scores, statement_truth
from accord.io import FieldError, FileModel, Id, id_mapping


class OptionSpec(FileModel):
    id: Id
    reversibility: Literal["both", "forward", "backward"] = "both"
    description: str | None = None


class DecisionMakerSpec(FileModel):
    id: Id
    options: list[Annotated[OptionSpec, BeforeValidator(id_mapping)]] | None = None


class PreferenceSpec(FileModel):
    prioritisation: list[Annotated[str, Strict()]] | None = None
    ranking: list[Union[Annotated[int, Strict()], list[Annotated[int, Strict()]]]] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PreferenceSpec:
        if self.prioritisation is None and self.ranking is None:
            raise ValueError("give 'prioritisation' (statements) or 'ranking' (state ids)")
        return self


Pattern = Union[Annotated[str, Strict()], dict[Id, Annotated[bool, Strict()]]]
Move = Annotated[list[Annotated[int, Strict()]], Field(min_length=2, max_length=2)]


class GMCRFile(FileModel):
    """A whole graph-model file in either form; ``collapsed`` tells which."""

    name: str | None = None
    notes: Any = None
    dms: list[Annotated[DecisionMakerSpec, BeforeValidator(id_mapping)]] = Field(min_length=2)
    preferences: dict[Id, PreferenceSpec]
    infeasible: list[Pattern] = []
    states: Union[Annotated[int, Strict(), Field(ge=1)], list[Any], None] = None
    moves: dict[Id, list[Move]] | None = None

    @property
    def collapsed(self) -> bool:
        """True for the explicit-state form (``states`` and ``moves``)."""
        return self.states is not None or self.moves is not None

    @property
    def dm_ids(self) -> list[str]:
        return [d.id for d in self.dms]

    @property
    def n_states(self) -> int:
        return self.states if isinstance(self.states, int) else len(self.states or [])

    @property
    def options(self) -> list[tuple[str, str, str]]:
        """(option, owner, reversibility) for every option, in file order."""
        return [(o.id, d.id, o.reversibility) for d in self.dms for o in d.options or []]

    @model_validator(mode="before")
    @classmethod
    def _dms_given(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("dms"), list) and len(data["dms"]) < 2:
            raise FieldError(("dms",), "a graph model needs at least two decision makers")
        return data

    @model_validator(mode="after")
    def _references(self) -> GMCRFile:
        seen: set[str] = set()
        for i, entry in enumerate(self.dms):
            if entry.id in seen:
                raise FieldError(("dms", i, "id"), f"duplicate decision maker {entry.id!r}")
            seen.add(entry.id)
        for dm in self.dm_ids:
            if dm not in self.preferences:
                raise FieldError(("preferences",), f"no preferences for decision maker {dm!r}")
        for dm in self.preferences:
            if dm not in seen:
                raise FieldError(("preferences", dm), f"preferences for unknown decision maker {dm!r}")
        if self.collapsed:
            self._check_collapsed()
        else:
            self._check_options()
        return self

    def _check_options(self) -> None:
        ids: list[str] = []
        for i, entry in enumerate(self.dms):
            if entry.options is None:
                raise FieldError(("dms", i), "required field 'options' is missing")
            for j, o in enumerate(entry.options):
                if o.id in ids:
                    raise FieldError(("dms", i, "options", j), f"duplicate option id {o.id!r}")
                ids.append(o.id)
        if not ids:
            raise FieldError(("dms",), "no options declared")
        if len(ids) > MAX_OPTIONS:
            raise FieldError(("dms",), f"{len(ids)} options; limit {MAX_OPTIONS} binary options")
        codes = feasible_codes(len(ids), [{ids.index(o): v for o, v in p.items()} for p in self.patterns()])
        if codes.size == 0:
            raise FieldError(("infeasible",), "no feasible state is left after the infeasibility patterns")
        try:
            check_size(codes.size, {d.id: len(d.options or []) for d in self.dms})
        except ModelError as exc:
            raise FieldError(("dms",), f"{len(ids)} options: {exc}") from None
        for dm, pref in self.preferences.items():
            self._check_preference(dm, pref, codes, ids)

    def _check_preference(self, dm: str, pref: PreferenceSpec, codes: np.ndarray, ids: list[str]) -> None:
        if pref.prioritisation is not None:
            for k, statement in enumerate(pref.prioritisation):
                try:
                    statement_truth(statement, codes[:1], ids)
                except ModelError as exc:
                    raise FieldError(("preferences", dm, "prioritisation", k), str(exc)) from None
        else:
            _check_ranking(dm, pref, codes.size)

    def patterns(self) -> list[dict[str, bool]]:
        """The infeasible patterns as {option: required truth}; raises FieldError on an unknown option."""
        ids = [o[0] for o in self.options]
        out = []
        for j, pattern in enumerate(self.infeasible):
            if isinstance(pattern, str):
                conv = {}
                for literal in (t.strip() for t in pattern.split("&") if t.strip()):
                    negated = literal.startswith("-")
                    oid = literal[1:].strip() if negated else literal
                    if oid not in ids:
                        raise FieldError(("infeasible", j), f"unknown option {oid!r}")
                    conv[oid] = not negated
                out.append(conv)
            else:
                for oid in pattern:
                    if oid not in ids:
                        raise FieldError(("infeasible", j, oid), f"unknown option {oid!r}")
                out.append(dict(pattern))
        return out

    def _check_collapsed(self) -> None:
        if self.states is None or self.moves is None:
            raise FieldError(("states" if self.states is None else "moves",), "collapsed models need both 'states' and 'moves'")
        n = self.n_states
        if n < 1:
            raise FieldError(("states",), "at least one state is needed")
        if n > MAX_STATES:
            raise FieldError(("states",), f"{n:,} states; limit {MAX_STATES:,}")
        for dm, moves in self.moves.items():
            if dm not in self.dm_ids:
                raise FieldError(("moves", dm), f"moves for unknown decision maker {dm!r}")
            for j, move in enumerate(moves):
                if not all(1 <= x <= n for x in move):
                    raise FieldError(("moves", dm, j), f"state ids must lie in 1..{n}")
        for dm, pref in self.preferences.items():
            if pref.ranking is None:
                raise FieldError(("preferences", dm), "collapsed models need a 'ranking' per decision maker")
            _check_ranking(dm, pref, n)


def _check_ranking(dm: str, pref: PreferenceSpec, n_states: int) -> None:
    try:
        ranking_scores(pref.ranking or [], n_states)
    except (ModelError, TypeError, ValueError) as exc:
        raise FieldError(("preferences", dm, "ranking"), str(exc)) from None
