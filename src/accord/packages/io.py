"""YAML format for package models (issues, options, positions or values, parties, ratifiers, named packages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from accord.io import read_yaml, validate_yaml
from accord.packages.file_format import (
    LogisticSpec,
    PackageFile,
    PollSpec,
    StageSpec,
    ThresholdSpec,
    VotingBodySpec,
)
from accord.packages.ratification import (
    LogisticStage,
    Member,
    Poll,
    Ratifier,
    ReferendumStage,
    ThresholdStage,
    VotingBody,
    compile_rule,
)
from accord.packages.scorable import ScorableGame, load_scorable_game
from accord.packages.space import PackageModel
from accord.packages.utilities import additive_tables, option_values

__all__ = ["PackageCase", "load_package_model", "load_scorable_game", "ScorableGame"]


@dataclass(frozen=True)
class PackageCase:
    """A package model with its ratifiers, named packages and notes from the file."""

    model: PackageModel
    ratifiers: tuple[Ratifier, ...] = ()
    named: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)


def load_package_model(path: str | Path) -> PackageCase:
    """Read a package model from YAML (format: docs/formats.md); every error names file, line and field.

    Per issue, each party is given either by ``positions`` (ideal point and
    salience; options carry scale ``point``s and v = 1 − |y − x|/(hi − lo)) or by
    ``values`` (salience and an explicit v per option). Utilities are additive with
    saliences normalised per party (docs/methods/packages.md).
    """
    data, lines = read_yaml(path)
    spec = validate_yaml(PackageFile, data, lines, str(path))
    pids = tuple(p.id for p in spec.parties)
    tables, warnings = _tables(spec, pids)
    issues = tuple(i.id for i in spec.issues)
    options = tuple(tuple(o.id for o in i.options) for i in spec.issues)
    floor = PackageModel(pids, issues, options, tables, np.zeros(len(pids))).min_utility()
    given = [p.reservation for p in spec.parties]
    reservation = np.array([r if r is not None else (0.0 if spec.defaults == "genius" else floor[i]) for i, r in enumerate(given)])
    model = PackageModel(
        pids, issues, options, tables, reservation, tuple(r is None for r in given),
        tuple(p.name or p.id for p in spec.parties), tuple(i.title or i.id for i in spec.issues),
        meta={"file": str(path), "name": spec.name or Path(path).stem, "as_of": "" if spec.as_of is None else str(spec.as_of)},
    )
    top = model.max_utility()
    for i, pid in enumerate(pids):
        if reservation[i] > top[i]:
            warnings.append(f"reservation value of {pid} ({reservation[i]:.3g}) exceeds its best package ({top[i]:.3g}): no package is acceptable to it")
    named = {name: np.array([options[k].index(package[iid]) for k, iid in enumerate(issues)], dtype=np.int64)
             for name, package in spec.packages.items()}
    ratifiers = tuple(Ratifier(r.side, tuple(_stage(s, model) for s in r.stages), r.tau, r.combine) for r in spec.ratification)
    return PackageCase(model, ratifiers, named, tuple(warnings), {"file": str(path), "notes": spec.notes})


def _tables(spec: PackageFile, pids: tuple[str, ...]) -> tuple[tuple[np.ndarray, ...], list[str]]:
    """Additive utility tables (party × option, per issue) and the warnings they raise."""
    n = len(pids)
    lo, hi = spec.scale.lo, spec.scale.hi
    salience = np.zeros((n, len(spec.issues)))
    values = []
    for k, issue in enumerate(spec.issues):
        table = np.zeros((n, len(issue.options)))
        points = [o.point if o.point is not None else float("nan") for o in issue.options]  # every point is given with positions
        for pid, pos in issue.positions.items():
            i = pids.index(pid)
            table[i] = option_values(points, pos.position, lo, hi, spec.loss)
            salience[i, k] = pos.salience
        for pid, val in issue.values.items():
            i = pids.index(pid)
            table[i] = val.v
            salience[i, k] = val.salience
        values.append(table)
    tables = additive_tables(values, salience)
    warnings = []
    for k, tab in enumerate(tables):
        issue = spec.issues[k]
        for j, option in enumerate(issue.options):
            if len(issue.options) > 1 and np.all(tab[:, j] <= 0):
                warnings.append(f"option {issue.id}={option.id} is valued by no party (zero utility for everyone)")
    for i, pid in enumerate(pids):
        if salience[i].sum() == 0:
            warnings.append(f"party {pid} has no salience on any issue: it is indifferent (u ≡ 0)")
    return tables, warnings


def _stage(spec: StageSpec, model: PackageModel) -> object:
    """The ratification stage a validated stage entry describes."""
    if isinstance(spec, (ThresholdSpec, LogisticSpec)):
        tau = spec.tau if spec.tau is not None else float(model.reservation[model.parties.index(spec.party)])
        if isinstance(spec, ThresholdSpec):
            return ThresholdStage(spec.party, tau, spec.strict)
        return LogisticStage(spec.party, tau, spec.b)
    if isinstance(spec, VotingBodySpec):
        members = tuple(Member(m.name, m.weight, _stage(m.stage, model)) for m in spec.members)
        if spec.rule is not None:
            quota, veto = compile_rule(spec.rule, [m.name for m in members], spec.weights)
        else:
            quota, veto = float(spec.quota or 0.0), tuple(spec.veto)  # validation requires a quota without a rule
        return VotingBody(members, quota, tuple(veto))
    polls = tuple(Poll(p.yes, p.no, p.n, _poll_match(p, model), p.label, p.source) for p in spec.polls)
    return ReferendumStage(polls, spec.population, deff=spec.deff, lam=spec.undecided_split, quorum=spec.quorum,
                           turnout=spec.turnout, turnout_n=spec.turnout_n, theta1=spec.theta1, name=spec.name)


def _poll_match(poll: PollSpec, model: PackageModel) -> dict[int, frozenset[int]]:
    match = {}
    for iid, allowed in poll.match.items():
        k = model.issues.index(iid)
        match[k] = frozenset(model.options[k].index(a) for a in (allowed if isinstance(allowed, list) else [allowed]))
    return match
