"""Package-space analysis: acceptable set, frontiers, bargaining points, ZOPA and ratification (JSON-ready).

Definitions and formulas: docs/methods/packages.md and docs/methods/ratification.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from accord.packages.bargaining import Solution, egalitarian, ks, nash, utilitarian
from accord.packages.pareto import frontier_additive, pareto_mask
from accord.packages.ratification import (
    Context,
    LogisticStage,
    Ratifier,
    ReferendumStage,
    ThresholdStage,
    VotingBody,
    expected_utility,
    win_sets,
)
from accord.packages.space import PackageModel


def _num(x: Any) -> Any:
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return round(v, 10) if np.isfinite(v) else None
    return x


def package_record(model: PackageModel, choice: np.ndarray, u: np.ndarray | None = None) -> dict[str, Any]:
    """Label, options and utilities of one package."""
    ch = np.asarray(choice, dtype=np.int64)
    uu = model.utilities_of(ch)[0] if u is None else np.asarray(u)
    return {
        "label": model.label(ch),
        "options": model.describe(ch),
        "utilities": {p: _num(uu[i]) for i, p in enumerate(model.parties)},
        "acceptable_to": [p for i, p in enumerate(model.parties) if uu[i] >= model.reservation[i]],
    }


def _solution_record(model: PackageModel, sol: Solution, choices: np.ndarray, U: np.ndarray) -> dict[str, Any]:
    if sol.row is None:
        return {"package": None, "reason": sol.reason}
    rec = package_record(model, choices[sol.row], U[sol.row])
    rec["value"] = _num(sol.value)
    for k, v in sol.details.items():
        rec[k] = [_num(x) for x in v] if isinstance(v, list) else _num(v)
    return rec


def solutions(model: PackageModel, choices: np.ndarray, U: np.ndarray, d: np.ndarray, keys: np.ndarray,
              all_choices: np.ndarray | None = None, all_U: np.ndarray | None = None,
              all_keys: np.ndarray | None = None, pareto: np.ndarray | None = None) -> dict[str, Any]:
    """Nash, KS (classical), egalitarian and utilitarian points on the candidate set (``pareto``: its known Pareto mask)."""
    out = {
        "nash": _solution_record(model, nash(U, d, keys), choices, U),
        "kalai_smorodinsky": _solution_record(model, ks(U, d, keys, pareto=pareto), choices, U),
        "egalitarian": _solution_record(model, egalitarian(U, d, keys), choices, U),
        "utilitarian_ir": _solution_record(model, utilitarian(U, d, keys, over="ir"), choices, U),
    }
    if all_U is not None:
        out["utilitarian_all"] = _solution_record(model, utilitarian(all_U, d, all_keys, over="all"), all_choices, all_U)
    return out


def zopa_per_issue(model: PackageModel, ir_choices: np.ndarray) -> dict[str, list[str]]:
    """For each issue, the options that occur in at least one individually rational package."""
    return {
        iid: [model.options[k][o] for o in sorted(set(ir_choices[:, k].tolist()))] for k, iid in enumerate(model.issues)
    }


def analyse_packages(
    model: PackageModel,
    ratifiers: Sequence[Ratifier] = (),
    named: dict[str, np.ndarray] | None = None,
    max_enumerate: int = 10**6,
    epsilon: float | None = None,
    winset_list: int = 20,
) -> dict[str, Any]:
    """Everything the package commands report, as plain JSON-ready values.

    Exact enumeration up to ``max_enumerate`` packages; above it the additive
    frontier (exact for any number of parties unless ``epsilon`` asks for
    ε-pruning) and bargaining points on PF(X) ∩ IR.
    """
    d = model.reservation
    out: dict[str, Any] = {
        "parties": list(model.parties),
        "issues": {iid: list(model.options[k]) for k, iid in enumerate(model.issues)},
        "n_packages": model.n_packages,
        "reservation": {p: _num(d[i]) for i, p in enumerate(model.parties)},
        "reservation_defaulted": [p for i, p in enumerate(model.parties) if model.reservation_defaulted[i]],
        "max_utility": {p: _num(x) for p, x in zip(model.parties, model.max_utility())},
    }
    if model.n_packages <= max_enumerate:
        ctx = Context.of(model)
        U, choices = ctx.U, ctx.choices
        keys = np.arange(U.shape[0], dtype=np.int64)
        ir = (U >= d).all(axis=1)
        irp = (U > d).all(axis=1)
        if model.n_parties <= 2:
            pf_all = pareto_mask(U)
        else:  # the additive merge is exact and much faster than a sweep over every package
            pf_all = np.zeros(U.shape[0], dtype=bool)
            pf_all[model.flat_index(frontier_additive(model).choices)] = True
        ir_idx = np.flatnonzero(ir)
        pf_ir = ir_idx[pf_all[ir_idx]]  # PF(IR) = PF(X) ∩ IR: whatever dominates a rational package is rational
        out.update({
            "method": "enumeration",
            "acceptable_count": int(ir.sum()),
            "strictly_acceptable_count": int(irp.sum()),
            "any_acceptable_to_all": bool(ir.any()),
            "acceptable_to_each": {p: int((U[:, i] >= d[i]).sum()) for i, p in enumerate(model.parties)},
            "pareto_count": int(pf_all.sum()),
            "pareto_acceptable_count": int(pf_ir.size),
            "frontier": [package_record(model, choices[p], U[p]) for p in np.flatnonzero(pf_all)],
            "frontier_count": int(pf_all.sum()),
            "zopa_per_issue": zopa_per_issue(model, choices[ir_idx]),
        })
        out["solutions"] = solutions(model, choices[ir_idx], U[ir_idx], d, keys[ir_idx], choices, U, keys,
                                     pareto=pf_all[ir_idx])
        if ratifiers:
            ws = win_sets(ratifiers, ctx)
            zopa2 = ir & ws.member.all(axis=0)
            z_idx = np.flatnonzero(zopa2)
            out["ratification"] = {
                "win_set_sizes": ws.sizes(),
                "zopa2_count": int(zopa2.sum()),
                "win_sets": {
                    side: [
                        dict(package_record(model, choices[p], U[p]), probability=_num(ws.prob[j, p]))
                        for p in np.flatnonzero(ws.member[j])[np.argsort(-ws.prob[j, ws.member[j]], kind="stable")][:winset_list]
                    ]
                    for j, side in enumerate(ws.sides)
                },
                "solutions_on_zopa2": solutions(model, choices[z_idx], U[z_idx], d, keys[z_idx]),
            }
            cand = np.flatnonzero(ir & (ws.p_all > 0))
            if cand.size <= 50_000:
                eu = expected_utility(U[cand], ws.p_all[cand], d)
                out["ratification"]["solutions_on_expected_utility"] = solutions(model, choices[cand], eu, d, keys[cand])
            else:
                out["ratification"]["solutions_on_expected_utility"] = {"note": f"{cand.size} candidates: skipped (limit 50,000)"}
        if named:
            out["named_packages"] = {}
            for name, ch in named.items():
                p = int(model.flat_index(ch)[0])
                rec = package_record(model, ch, U[p])
                if ratifiers:
                    rec["ratification_probability"] = {s: _num(ws.prob[j, p]) for j, s in enumerate(ws.sides)}
                out["named_packages"][name] = rec
        return out
    front = frontier_additive(model, epsilon=epsilon)
    U, choices = front.utilities, front.choices
    keys = np.arange(len(front), dtype=np.int64)
    ir = (U >= d).all(axis=1)
    out.update({
        "method": "additive_frontier",
        "approximate": front.approximate,
        "epsilon": front.epsilon,
        "pareto_count": len(front),
        "frontier": [package_record(model, choices[p], U[p]) for p in range(len(front))],
        "frontier_count": len(front),
        "any_acceptable_to_all": bool(ir.any()),
        "pareto_acceptable_count": int(ir.sum()),
        "note": "space too large to enumerate: solutions are computed on PF(X) ∩ IR",
    })
    out["solutions"] = solutions(model, choices[ir], U[ir], d, keys[ir], choices, U, keys)
    if ratifiers:
        ctx = Context(model, choices, U)
        ws = win_sets(ratifiers, ctx)
        out["ratification"] = {"win_set_sizes_on_frontier": ws.sizes()}
    if named:
        out["named_packages"] = {name: package_record(model, ch) for name, ch in named.items()}
    return out


def stage_label(stage: object) -> tuple[str, str]:
    """(type, readable name) of a ratification stage."""
    if isinstance(stage, ReferendumStage):
        return "referendum", stage.name
    if isinstance(stage, VotingBody):
        return "voting_body", f"vote of {', '.join(m.name for m in stage.members)}"
    if isinstance(stage, LogisticStage):
        return "logistic", f"{stage.party} (logistic, τ = {stage.tau:.3g})"
    if isinstance(stage, ThresholdStage):
        return "threshold", f"{stage.party} (threshold, τ = {stage.tau:.3g})"
    return type(stage).__name__, type(stage).__name__


def stage_summaries(
    ratifiers: Sequence[Ratifier],
    ctx: Context,
    named: dict[str, np.ndarray] | None = None,
    points: dict[str, str | None] | None = None,
    top: int = 10,
) -> dict[str, list[dict[str, Any]]]:
    """Per side, every ratification stage of any type: how many packages pass it with probability ≥ 0.5,
    the probabilities of the named packages and of the bargaining ``points`` (name → package label),
    and the packages most likely to pass; a referendum adds its fitted voter model.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for rat in ratifiers:
        rows = []
        for stage in rat.stages:
            p: np.ndarray = np.asarray(stage.prob(ctx), dtype=float)  # type: ignore[attr-defined]
            kind, name = stage_label(stage)
            passing = np.flatnonzero(p >= 0.5)
            order = passing[np.argsort(-p[passing], kind="stable")][:top]
            row: dict[str, Any] = {
                "stage": name,
                "type": kind,
                "passing_count": int(passing.size),
                "n_packages": int(p.size),
                "named": {k: _num(p[int(ctx.model.flat_index(ch)[0])]) for k, ch in (named or {}).items()},
                "points": {k: _num(p[int(ctx.model.flat_index(ctx.model.parse_label(label))[0])])
                           for k, label in (points or {}).items() if label},
                "top": [dict(package_record(ctx.model, ctx.choices[i], ctx.U[i]), probability=_num(p[i])) for i in order],
            }
            if isinstance(stage, ReferendumStage):
                th0, th1, nmin = stage.voter_model(ctx.model)
                row["voter_model"] = {"theta0": _num(th0), "theta1": _num(th1), "n_eff_polls": nmin}
            rows.append(row)
        out[rat.side] = rows
    return out
