"""YAML format for package models (issues, options, positions or values, parties, ratifiers, named packages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from accord.errors import ModelError
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
from accord.packages.yamlsrc import YamlSource

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
    """Read a package model from YAML; every error names file, line and field.

    Per issue, each party is given either by ``positions`` (ideal point and
    salience; options carry scale ``point``s and v = 1 − |y − x|/(hi − lo)) or by
    ``values`` (salience and an explicit v per option). Utilities are additive with
    saliences normalised per party (spec §2).
    """
    src = YamlSource(path)
    root = src.mapping(src.data, ())
    parties_raw = src.seq(src.require(root, "parties", ()), ("parties",))
    if not parties_raw:
        src.fail("at least one party is needed", ("parties",))
    pids: list[str] = []
    pnames: list[str] = []
    for i, p in enumerate(parties_raw):
        pm = src.mapping(p, ("parties", i)) if isinstance(p, dict) else {"id": p}
        pid = src.string(src.require(pm, "id", ("parties", i)), ("parties", i, "id"))
        if pid in pids:
            src.fail(f"duplicate party {pid!r}", ("parties", i, "id"))
        pids.append(pid)
        pnames.append(str(pm.get("name", pid)))
    scale = src.mapping(root.get("scale", {}) or {}, ("scale",))
    lo = src.number(scale.get("lo", 0.0), ("scale", "lo"))
    hi = src.number(scale.get("hi", 100.0), ("scale", "hi"))
    if hi <= lo:
        src.fail("scale.hi must exceed scale.lo", ("scale",))
    loss = str(root.get("loss", "linear"))
    if loss not in ("linear", "quadratic"):
        src.fail("loss must be linear or quadratic", ("loss",))
    issues_raw = src.seq(src.require(root, "issues", ()), ("issues",))
    if not issues_raw:
        src.fail("at least one issue is needed", ("issues",))
    n = len(pids)
    iids: list[str] = []
    titles: list[str] = []
    options: list[tuple[str, ...]] = []
    values: list[np.ndarray] = []
    sal = np.zeros((n, len(issues_raw)))
    warnings: list[str] = []
    for k, it in enumerate(issues_raw):
        ip = ("issues", k)
        im = src.mapping(it, ip)
        iid = src.string(src.require(im, "id", ip), ip + ("id",))
        if iid in iids:
            src.fail(f"duplicate issue {iid!r}", ip + ("id",))
        iids.append(iid)
        titles.append(str(im.get("title", iid)))
        opts_raw = src.seq(src.require(im, "options", ip), ip + ("options",))
        if not opts_raw:
            src.fail("an issue needs at least one option", ip + ("options",))
        oids, points = [], []
        for j, o in enumerate(opts_raw):
            op = ip + ("options", j)
            om = src.mapping(o, op) if isinstance(o, dict) else {"id": o}
            oid = src.string(src.require(om, "id", op), op + ("id",))
            if oid in oids:
                src.fail(f"duplicate option {oid!r}", op + ("id",))
            oids.append(oid)
            points.append(None if om.get("point") is None else src.number(om["point"], op + ("point",), lo, hi))
        options.append(tuple(oids))
        table = np.zeros((n, len(oids)))
        given = set()
        if "positions" in im:
            pos = src.mapping(im["positions"], ip + ("positions",))
            if any(p is None for p in points):
                src.fail("every option needs a scale 'point' when positions are given", ip + ("options",))
            for pid, entry in pos.items():
                pp = ip + ("positions", pid)
                if pid not in pids:
                    src.fail(f"unknown party {pid!r}", pp)
                em = src.mapping(entry, pp)
                x = src.number(src.require(em, "position", pp), pp + ("position",), lo, hi)
                s = src.number(src.require(em, "salience", pp), pp + ("salience",), 0.0)
                i = pids.index(pid)
                table[i] = option_values(points, x, lo, hi, loss)
                sal[i, k] = s
                given.add(pid)
        if "values" in im:
            vals = src.mapping(im["values"], ip + ("values",))
            for pid, entry in vals.items():
                vp = ip + ("values", pid)
                if pid not in pids:
                    src.fail(f"unknown party {pid!r}", vp)
                if pid in given:
                    src.fail(f"party {pid!r} has both a position and values on this issue", vp)
                em = src.mapping(entry, vp)
                v = src.seq(src.require(em, "v", vp), vp + ("v",))
                if len(v) != len(oids):
                    src.fail(f"expected {len(oids)} values (one per option), got {len(v)}", vp + ("v",))
                i = pids.index(pid)
                table[i] = [src.number(x, vp + ("v", j), 0.0, 1.0) for j, x in enumerate(v)]
                sal[i, k] = src.number(src.require(em, "salience", vp), vp + ("salience",), 0.0)
                given.add(pid)
        values.append(table)
    tables = additive_tables(values, sal)
    for k, tab in enumerate(tables):
        for j, oid in enumerate(options[k]):
            if len(options[k]) > 1 and np.all(tab[:, j] <= 0):
                warnings.append(f"option {iids[k]}={oid} is valued by no party (zero utility for everyone)")
    for i, pid in enumerate(pids):
        if sal[i].sum() == 0:
            warnings.append(f"party {pid} has no salience on any issue: it is indifferent (u ≡ 0)")
    defaults = str(root.get("defaults", "negmas"))
    res = np.zeros(n)
    flagged = []
    tmp = PackageModel(tuple(pids), tuple(iids), tuple(options), tables, np.zeros(n))
    mins = tmp.min_utility()
    for i, p in enumerate(parties_raw):
        pm = p if isinstance(p, dict) else {}
        if pm.get("reservation") is not None:
            res[i] = src.number(pm["reservation"], ("parties", i, "reservation"))
            flagged.append(False)
        else:
            res[i] = 0.0 if defaults == "genius" else mins[i]
            flagged.append(True)
    model = PackageModel(
        tuple(pids), tuple(iids), tuple(options), tables, res, tuple(flagged), tuple(pnames), tuple(titles),
        meta={"file": src.file, "name": root.get("name", Path(path).stem), "as_of": str(root.get("as_of", ""))},
    )
    top = model.max_utility()
    for i, pid in enumerate(pids):
        if res[i] > top[i]:
            warnings.append(f"reservation value of {pid} ({res[i]:.3g}) exceeds its best package ({top[i]:.3g}): no package is acceptable to it")
    named = _named(src, root, model)
    ratifiers = tuple(_ratifier(src, r, ("ratification", j), model) for j, r in enumerate(src.seq(root.get("ratification", []) or [], ("ratification",))))
    return PackageCase(model, ratifiers, named, tuple(warnings), {"file": src.file, "notes": root.get("notes")})


def _named(src: YamlSource, root: dict, model: PackageModel) -> dict[str, np.ndarray]:
    out = {}
    raw = src.mapping(root.get("packages", {}) or {}, ("packages",))
    for name, spec in raw.items():
        pp = ("packages", name)
        m = src.mapping(spec, pp)
        choice = []
        for k, iid in enumerate(model.issues):
            if iid not in m:
                src.fail(f"package {name!r} gives no option for issue {iid!r}", pp)
            oid = str(m[iid])
            if oid not in model.options[k]:
                src.fail(f"unknown option {oid!r} (options: {', '.join(model.options[k])})", pp + (iid,))
            choice.append(model.options[k].index(oid))
        for iid in m:
            if iid not in model.issues:
                src.fail(f"unknown issue {iid!r}", pp + (iid,))
        out[str(name)] = np.array(choice, dtype=np.int64)
    return out


def _stage(src: YamlSource, raw: Any, path: tuple, model: PackageModel) -> object:
    m = src.mapping(raw, path)
    kind = str(src.require(m, "type", path))
    if kind in ("threshold", "logistic"):
        party = src.string(src.require(m, "party", path), path + ("party",))
        if party not in model.parties:
            src.fail(f"unknown party {party!r}", path + ("party",))
        tau = src.number(m["tau"], path + ("tau",)) if m.get("tau") is not None else float(model.reservation[model.parties.index(party)])
        if kind == "threshold":
            return ThresholdStage(party, tau, bool(m.get("strict", False)))
        b = src.number(src.require(m, "b", path), path + ("b",))
        if b <= 0:
            src.fail("logistic temperature b must be > 0", path + ("b",))
        return LogisticStage(party, tau, b)
    if kind == "voting_body":
        members = []
        for j, mm in enumerate(src.seq(src.require(m, "members", path), path + ("members",))):
            mp = path + ("members", j)
            mmap = src.mapping(mm, mp)
            name = src.string(src.require(mmap, "name", mp), mp + ("name",))
            w = src.number(mmap.get("weight", 1), mp + ("weight",), 0.0)
            if w != round(w):
                src.fail("member weights must be integers (seats or votes)", mp + ("weight",))
            members.append(Member(name, w, _stage(src, src.require(mmap, "stage", mp), mp + ("stage",), model)))
        names = [x.name for x in members]
        if "rule" in m:
            try:
                quota, veto = compile_rule(str(m["rule"]), names, [x.weight for x in members] if any(x.weight != 1 for x in members) else None)
            except ModelError as exc:
                src.fail(str(exc), path + ("rule",))
        else:
            quota = src.number(src.require(m, "quota", path), path + ("quota",), 0.0)
            veto = tuple(str(v) for v in (m.get("veto") or []))
            for v in veto:
                if v not in names:
                    src.fail(f"veto holder {v!r} is not a member", path + ("veto",))
        return VotingBody(tuple(members), quota, tuple(veto))
    if kind == "referendum":
        population = src.string(m.get("population", ""), path + ("population",))
        if population not in model.parties:
            src.fail(f"population utility must name a party, got {population!r}", path + ("population",))
        polls = []
        for j, pr in enumerate(src.seq(m.get("polls") or [], path + ("polls",))):
            pp = path + ("polls", j)
            pm = src.mapping(pr, pp)
            # YAML 1.1 reads bare `yes:` / `no:` keys as booleans: accept both spellings
            for word, flag in (("yes", True), ("no", False)):
                if word not in pm and flag in pm:
                    pm[word] = pm.pop(flag)
            yes = src.number(src.require(pm, "yes", pp), pp + ("yes",), 0.0, 1.0)
            no = src.number(src.require(pm, "no", pp), pp + ("no",), 0.0, 1.0)
            if yes + no > 1 + 1e-9:
                src.fail("yes + no exceeds 1", pp)
            size = src.number(src.require(pm, "n", pp), pp + ("n",), 1.0)
            match = {}
            for iid, allowed in src.mapping(pm.get("match", {}) or {}, pp + ("match",)).items():
                if iid not in model.issues:
                    src.fail(f"unknown issue {iid!r}", pp + ("match", iid))
                k = model.issues.index(iid)
                al = allowed if isinstance(allowed, list) else [allowed]
                idx = []
                for a in al:
                    if str(a) not in model.options[k]:
                        src.fail(f"unknown option {a!r}", pp + ("match", iid))
                    idx.append(model.options[k].index(str(a)))
                match[k] = frozenset(idx)
            polls.append(Poll(yes, no, size, match, str(pm.get("label", "")), str(pm.get("source", ""))))
        if not polls:
            src.fail("a referendum needs at least one poll (yes, no, n); none given", path + ("polls",))
        lam = m.get("undecided_split")
        return ReferendumStage(
            tuple(polls), population, deff=src.number(m.get("deff", 2.0), path + ("deff",), 1e-9),
            lam=None if lam is None else src.number(lam, path + ("undecided_split",), 0.0, 1.0),
            quorum=None if m.get("quorum") is None else src.number(m["quorum"], path + ("quorum",), 0.0, 1.0),
            turnout=None if m.get("turnout") is None else src.number(m["turnout"], path + ("turnout",), 0.0, 1.0),
            turnout_n=None if m.get("turnout_n") is None else src.number(m["turnout_n"], path + ("turnout_n",), 1.0),
            theta1=src.number(m.get("theta1", 10.0), path + ("theta1",)),
            name=str(m.get("name", "referendum")),
        )
    src.fail(f"unknown stage type {kind!r} (threshold, logistic, voting_body, referendum)", path + ("type",))


def _ratifier(src: YamlSource, raw: Any, path: tuple, model: PackageModel) -> Ratifier:
    m = src.mapping(raw, path)
    side = src.string(src.require(m, "side", path), path + ("side",))
    stages = tuple(_stage(src, s, path + ("stages", j), model) for j, s in enumerate(src.seq(src.require(m, "stages", path), path + ("stages",))))
    combine = str(m.get("combine", "product"))
    if combine not in ("product", "min"):
        src.fail("combine must be product or min", path + ("combine",))
    return Ratifier(side, stages, src.number(m.get("tau", 0.5), path + ("tau",), 0.0, 1.0), combine)
