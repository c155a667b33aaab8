"""The bundled Ukraine case: package deals, the referendum win-set and the truce graph model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from accord.packages.analysis import analyse_packages, package_record
from accord.packages.io import load_package_model
from accord.packages.ratification import Context, ReferendumStage

CASE_DIR = Path(__file__).resolve().parents[1] / "cases" / "ukraine"


def referendum_summary(case: Any, ctx: Context, top: int = 10) -> dict[str, Any]:
    """Per referendum stage: how many packages pass with probability ≥ 0.5, the named packages' probabilities and the best packages."""
    out: dict[str, Any] = {}
    for rat in case.ratifiers:
        for stage in rat.stages:
            if not isinstance(stage, ReferendumStage):
                continue
            p = stage.prob(ctx)
            th0, th1, nmin = stage.voter_model(ctx.model)
            passing = np.flatnonzero(p >= 0.5)
            order = passing[np.argsort(-p[passing], kind="stable")][:top]
            out[rat.side] = {
                "stage": stage.name,
                "passing_count": int(passing.size),
                "n_packages": int(p.size),
                "voter_model": {"theta0": round(th0, 6), "theta1": round(th1, 6), "n_eff_polls": nmin},
                "named": {name: round(float(p[int(ctx.model.flat_index(ch)[0])]), 6) for name, ch in case.named.items()},
                "top": [dict(package_record(ctx.model, ctx.choices[i], ctx.U[i]), probability=round(float(p[i]), 6)) for i in order],
            }
    return out


def analyse_case(packages_path: str | Path | None = None, truce_path: str | Path | None = None) -> dict[str, Any]:
    """JSON-ready answers for the Ukraine case.

    Keys: ``any_acceptable_to_all`` (and the count), ``referendum`` (packages passing
    with probability ≥ 0.5), ``nash`` and ``kalai_smorodinsky`` packages, the full
    ``packages`` analysis, and ``truce`` equilibria per stability concept.
    """
    from accord.gmcr.io import load_gmcr
    from accord.gmcr.stability import CONCEPTS, analyse_stability

    ppath = Path(packages_path) if packages_path else CASE_DIR / "packages.yaml"
    tpath = Path(truce_path) if truce_path else CASE_DIR / "truce.yaml"
    case = load_package_model(ppath)
    analysis = analyse_packages(case.model, case.ratifiers, case.named)
    ctx = Context.of(case.model)
    gm = load_gmcr(tpath)
    res = analyse_stability(gm)
    truce = {
        c: [{"state": i, "label": gm.state_label(i - 1), "code": int(gm.codes[i - 1]) if gm.codes is not None else None}
            for i in res.equilibrium_ids(c)]
        for c in CONCEPTS
    }
    referendum = referendum_summary(case, ctx)
    for side, summary in referendum.items():
        stage = next(st for r in case.ratifiers if r.side == side for st in r.stages if isinstance(st, ReferendumStage))
        for key, sol_key in (("nash", "nash"), ("kalai_smorodinsky", "kalai_smorodinsky")):
            sol = analysis["solutions"][sol_key]
            if sol.get("label"):
                ch = ctx.model.parse_label(sol["label"])
                summary[f"{key}_probability"] = round(float(stage.prob(Context.of(ctx.model, ch))[0]), 6)
    return {
        "packages_file": str(ppath),
        "truce_file": str(tpath),
        "warnings": list(case.warnings),
        "any_acceptable_to_all": analysis.get("any_acceptable_to_all"),
        "acceptable_count": analysis.get("acceptable_count"),
        "referendum": referendum,
        "nash": analysis["solutions"]["nash"],
        "kalai_smorodinsky": analysis["solutions"]["kalai_smorodinsky"],
        "zopa2_count": analysis.get("ratification", {}).get("zopa2_count"),
        "ratified_solutions": analysis.get("ratification", {}).get("solutions_on_zopa2"),
        "packages": analysis,
        "truce": truce,
    }
