"""YAML format for graph models (option form or collapsed explicit-state form)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.errors import InputError, ModelError
from accord.gmcr.file_format import GMCRFile
from accord.gmcr.model import GMCRModel, build_explicit_model, build_option_model
from accord.io import read_yaml, validate_yaml


def load_gmcr(path: str | Path) -> GMCRModel:
    """Read a graph model from YAML (format: docs/formats.md); errors name file, line and field.

    Option form: ``dms`` (list of {id, options}), optional ``infeasible`` patterns,
    ``preferences`` per DM ({prioritisation: [...]} or {ranking: [[ids], ...]}).
    Collapsed form: ``dms`` (list of ids), ``states`` (names or a count),
    ``moves`` per DM ([[from, to], ...]) and ``preferences`` per DM ({ranking: ...}).
    """
    data, lines = read_yaml(path)
    spec = validate_yaml(GMCRFile, data, lines, str(path))
    name = spec.name or Path(path).stem
    try:
        model = _collapsed(spec, name) if spec.collapsed else _option_form(spec, name)
    except ModelError as exc:
        raise InputError(str(exc), file=str(path), line=1) from None
    object.__setattr__(model, "meta", {"file": str(path), "notes": spec.notes,
                                       **({} if spec.collapsed else {"descriptions": _descriptions(spec)})})
    return model


def _option_form(spec: GMCRFile, name: str) -> GMCRModel:
    prefs: dict[str, dict[str, Any]] = {
        dm: {"prioritisation": list(p.prioritisation)} if p.prioritisation is not None else {"ranking": p.ranking}
        for dm, p in spec.preferences.items()
    }
    return build_option_model(spec.dm_ids, spec.options, prefs, spec.patterns(), name=name)


def _descriptions(spec: GMCRFile) -> dict[str, str]:
    return {o.id: o.description for d in spec.dms for o in d.options or [] if o.description}


def _collapsed(spec: GMCRFile, name: str) -> GMCRModel:
    n = spec.n_states
    names = [str(s) for s in spec.states] if isinstance(spec.states, list) else []
    moves = {dm: [(a, b) for a, b in pairs] for dm, pairs in (spec.moves or {}).items()}
    rankings = {dm: p.ranking or [] for dm, p in spec.preferences.items()}
    return build_explicit_model(spec.dm_ids, n, moves, rankings, names if names and names != [str(i + 1) for i in range(n)] else (), name)


def stability_rows(model: GMCRModel, result: Any) -> list[dict[str, Any]]:
    """One row per state: id, label, code, stability per DM and concept, equilibrium flags."""
    rows = []
    for p in range(model.n_states):
        row: dict[str, Any] = {"state": p + 1, "label": model.state_label(p)}
        if model.codes is not None:
            row["code"] = int(model.codes[p])
        for c, mat in result.stable.items():
            row[f"{c}_eq"] = bool(mat[:, p].all())
        for c, mat in result.stable.items():
            row[c] = "".join("Y" if mat[i, p] else "n" for i in range(len(model.dms)))
        rows.append(row)
    return rows
