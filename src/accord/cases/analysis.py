"""The structural analyses of a case folder: package deals with ratification (``packages.yaml``) and the
stability of a graph model (``truce.yaml``), each optional and each reported on its own.

A missing file means that part is not computed; a broken one is reported as a problem
naming the file and the run goes on with the other part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.errors import AccordError
from accord.gmcr.io import load_gmcr
from accord.gmcr.model import GMCRModel
from accord.gmcr.stability import CONCEPTS, analyse_stability
from accord.packages.analysis import analyse_packages, stage_summaries
from accord.packages.io import load_package_model
from accord.packages.ratification import Context

PACKAGES_FILE = "packages.yaml"
GRAPH_MODEL_FILE = "truce.yaml"
MAX_ENUMERATE = 10**6


def analyse_case_files(folder: str | Path) -> dict[str, Any]:
    """JSON-ready analyses of a case folder's optional structural files.

    Keys: ``packages`` (see :func:`package_analysis`) and ``truce`` (see
    :func:`stability_analysis`), each None when its file is absent or broken, and
    ``problems``: one ``{"file", "message"}`` per file that could not be used.
    """
    root = Path(folder)
    problems: list[dict[str, str]] = []
    packages = _optional(root / PACKAGES_FILE, package_analysis, problems)
    truce = _optional(root / GRAPH_MODEL_FILE, stability_analysis, problems)
    return {"packages": packages, "truce": truce, "problems": problems}


def _optional(path: Path, analyse: Any, problems: list[dict[str, str]]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return analyse(path)
    except AccordError as exc:
        problems.append({"file": str(path), "message": str(exc)})
        return None


def package_analysis(path: str | Path, max_enumerate: int = MAX_ENUMERATE, epsilon: float | None = None) -> dict[str, Any]:
    """The package analysis of one ``packages.yaml`` (docs/methods/packages.md, docs/methods/ratification.md).

    The result of :func:`accord.packages.analysis.analyse_packages` (acceptable set,
    exact Pareto ``frontier`` with ``frontier_count``, Nash and Kalai–Smorodinsky
    points, named packages, win-sets and ratified solutions), plus ``file``,
    ``warnings`` and ``stages``: per side, every ratification stage of any type with
    its passing count and the probabilities of the named packages and bargaining points.
    """
    case = load_package_model(path)
    out = analyse_packages(case.model, case.ratifiers, case.named, max_enumerate=max_enumerate, epsilon=epsilon)
    out["file"] = str(path)
    out["warnings"] = list(case.warnings)
    if case.ratifiers and case.model.n_packages <= max_enumerate:
        points = {k: (out["solutions"][k] or {}).get("label") for k in ("nash", "kalai_smorodinsky")}
        out["stages"] = stage_summaries(case.ratifiers, Context.of(case.model), case.named, points)
    return out


def stability_analysis(path: str | Path) -> dict[str, Any]:
    """Equilibria of one graph-model file per stability concept (docs/methods/gmcr.md).

    Keys: ``file``, ``name``, ``dms``, ``n_states``, ``states`` (every state with its
    label and a description from the options' descriptions, for every state that is an
    equilibrium under at least one concept), ``stability`` (concept →
    equilibrium state ids) and ``equilibria`` (states stable under every concept).
    """
    model = load_gmcr(path)
    result = analyse_stability(model)
    stability = {c: [int(i) for i in result.equilibrium_ids(c)] for c in CONCEPTS}
    common = set.intersection(*(set(v) for v in stability.values())) if stability else set()
    return {
        "file": str(path),
        "name": model.name,
        "dms": list(model.dms),
        "n_states": model.n_states,
        "states": [_state(model, i - 1) for i in sorted(set().union(*stability.values()))],
        "stability": stability,
        "equilibria": sorted(common),
    }


def _state(model: GMCRModel, pos: int) -> dict[str, Any]:
    row: dict[str, Any] = {"state": pos + 1, "label": model.state_label(pos)}
    if model.codes is not None:
        code = int(model.codes[pos])
        row["code"] = code
        descriptions = (model.meta or {}).get("descriptions", {})
        taken = [o for b, o in enumerate(model.options) if code >> b & 1]
        row["description"] = "; ".join(descriptions.get(o, o) for o in taken) or "no option taken"
    return row
