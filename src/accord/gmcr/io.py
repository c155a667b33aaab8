"""YAML format for graph models (option form or collapsed explicit-state form)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


from accord.errors import ModelError
from accord.gmcr.model import (
    REVERSIBILITY,
    GMCRModel,
    build_explicit_model,
    build_option_model,
    feasible_codes,
    ranking_scores,
    statement_truth,
)
from accord.packages.yamlsrc import YamlSource


def load_gmcr(path: str | Path) -> GMCRModel:
    """Read a graph model from YAML; errors name file, line and field.

    Option form: ``dms`` (list of {id, options}), optional ``infeasible`` patterns,
    ``preferences`` per DM ({prioritisation: [...]} or {ranking: [[ids], ...]}).
    Collapsed form: ``dms`` (list of ids), ``states`` (names or a count),
    ``moves`` per DM ([[from, to], ...]) and ``preferences`` per DM ({ranking: ...}).
    """
    src = YamlSource(path)
    root = src.mapping(src.data, ())
    name = str(root.get("name", Path(path).stem))
    dms_raw = src.seq(src.require(root, "dms", ()), ("dms",))
    if len(dms_raw) < 2:
        src.fail("a graph model needs at least two decision makers", ("dms",))
    prefs = src.mapping(src.require(root, "preferences", ()), ("preferences",))
    if "states" in root or "moves" in root:
        return _load_collapsed(src, root, dms_raw, prefs, name)
    dms: list[str] = []
    options: list[tuple[str, str, str]] = []
    descriptions: dict[str, str] = {}
    for i, d in enumerate(dms_raw):
        dm = src.mapping(d, ("dms", i))
        did = src.string(src.require(dm, "id", ("dms", i)), ("dms", i, "id"))
        if did in dms:
            src.fail(f"duplicate decision maker {did!r}", ("dms", i, "id"))
        dms.append(did)
        opts = src.seq(src.require(dm, "options", ("dms", i)), ("dms", i, "options"))
        for j, o in enumerate(opts):
            p = ("dms", i, "options", j)
            if isinstance(o, dict):
                oid = src.string(src.require(o, "id", p), p + ("id",))
                rev = str(o.get("reversibility", "both"))
                if rev not in REVERSIBILITY:
                    src.fail(f"reversibility must be one of {', '.join(REVERSIBILITY)}, got {rev!r}", p + ("reversibility",))
                if o.get("description"):
                    descriptions[oid] = str(o["description"])
            else:
                oid, rev = src.string(o, p), "both"
            if any(oid == x[0] for x in options):
                src.fail(f"duplicate option id {oid!r}", p)
            options.append((oid, did, rev))
    if not options:
        src.fail("no options declared", ("dms",))
    if len(options) > 30:
        src.fail(f"{len(options)} options: at most 30 binary options are supported", ("dms",))
    opt_ids = [o[0] for o in options]
    patterns = []
    for j, pat in enumerate(src.seq(root.get("infeasible", []) or [], ("infeasible",))):
        p = ("infeasible", j)
        if isinstance(pat, str):
            conv = {}
            for lit in [t.strip() for t in pat.split("&") if t.strip()]:
                neg = lit.startswith("-")
                oid = lit[1:].strip() if neg else lit
                if oid not in opt_ids:
                    src.fail(f"unknown option {oid!r}", p)
                conv[oid] = not neg
            patterns.append(conv)
        else:
            m = src.mapping(pat, p)
            for oid, v in m.items():
                if oid not in opt_ids:
                    src.fail(f"unknown option {oid!r}", p + (oid,))
                if not isinstance(v, bool):
                    src.fail("pattern values must be true or false", p + (oid,))
            patterns.append(dict(m))
    codes = feasible_codes(len(opt_ids), [{opt_ids.index(o): v for o, v in pat.items()} for pat in patterns])
    if codes.size == 0:
        src.fail("no feasible state is left after the infeasibility patterns", ("infeasible",))
    conv_prefs: dict[str, dict[str, Any]] = {}
    for dm in dms:
        p = ("preferences", dm)
        if dm not in prefs:
            src.fail(f"no preferences for decision maker {dm!r}", ("preferences",))
        pref = src.mapping(prefs[dm], p)
        if "prioritisation" in pref:
            sts = src.seq(pref["prioritisation"], p + ("prioritisation",))
            for k, st in enumerate(sts):
                try:
                    statement_truth(src.string(st, p + ("prioritisation", k)), codes[:1], opt_ids)
                except ModelError as exc:
                    src.fail(str(exc), p + ("prioritisation", k))
            conv_prefs[dm] = {"prioritisation": [str(s) for s in sts]}
        elif "ranking" in pref:
            rk = src.seq(pref["ranking"], p + ("ranking",))
            try:
                ranking_scores(rk, codes.size)
            except (ModelError, TypeError, ValueError) as exc:
                src.fail(str(exc), p + ("ranking",))
            conv_prefs[dm] = {"ranking": rk}
        else:
            src.fail("give 'prioritisation' (statements) or 'ranking' (state ids)", p)
    for extra in prefs:
        if extra not in dms:
            src.fail(f"preferences for unknown decision maker {extra!r}", ("preferences", extra))
    try:
        model = build_option_model(dms, options, conv_prefs, patterns, name=name)
    except ModelError as exc:
        src.fail(str(exc), ())
    object.__setattr__(model, "meta", {"file": src.file, "descriptions": descriptions, "notes": root.get("notes")})
    return model


def _load_collapsed(src: YamlSource, root: dict, dms_raw: list, prefs: dict, name: str) -> GMCRModel:
    dms = [src.string(d if not isinstance(d, dict) else d.get("id"), ("dms", i)) for i, d in enumerate(dms_raw)]
    states = src.require(root, "states", ())
    if isinstance(states, int) and not isinstance(states, bool):
        n, names = states, []
    else:
        lst = src.seq(states, ("states",))
        n, names = len(lst), [str(s) for s in lst]
    if n < 1:
        src.fail("at least one state is needed", ("states",))
    moves_raw = src.mapping(src.require(root, "moves", ()), ("moves",))
    moves: dict[str, list[tuple[int, int]]] = {}
    for dm, lst in moves_raw.items():
        if dm not in dms:
            src.fail(f"moves for unknown decision maker {dm!r}", ("moves", dm))
        pairs = []
        for j, pr in enumerate(src.seq(lst, ("moves", dm))):
            if not (isinstance(pr, list) and len(pr) == 2 and all(isinstance(x, int) for x in pr)):
                src.fail("a move is [from, to] with state ids", ("moves", dm, j))
            if not all(1 <= x <= n for x in pr):
                src.fail(f"state ids must lie in 1..{n}", ("moves", dm, j))
            pairs.append((pr[0], pr[1]))
        moves[dm] = pairs
    rankings = {}
    for dm in dms:
        p = ("preferences", dm)
        if dm not in prefs:
            src.fail(f"no preferences for decision maker {dm!r}", ("preferences",))
        pref = src.mapping(prefs[dm], p)
        if "ranking" not in pref:
            src.fail("collapsed models need a 'ranking' per decision maker", p)
        try:
            ranking_scores(pref["ranking"], n)
        except (ModelError, TypeError, ValueError) as exc:
            src.fail(str(exc), p + ("ranking",))
        rankings[dm] = pref["ranking"]
    model = build_explicit_model(dms, n, moves, rankings, names if names and names != [str(i + 1) for i in range(n)] else (), name)
    object.__setattr__(model, "meta", {"file": src.file, "notes": root.get("notes")})
    return model


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
