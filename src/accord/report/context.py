"""The report's view model: what each section shows, built once from a checked run result.

The HTML and Markdown renderers both read this; neither looks at the raw run result again.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from accord.report.labels import (
    anchor,
    domain,
    forecast_models,
    latest_positions,
    model_name,
    nearest_label,
    package_text,
    pareto_parties,
    safe_url,
)
from accord.report.schema import SECTIONS
from accord.report.summary import build_summary

NOT_COMPUTED = "Not computed in this run."

#: Stability concepts of the truce game, in the order the report shows them.
STABILITY_CONCEPTS: tuple[tuple[str, str], ...] = (
    ("nash", "Nash"),
    ("gmr", "GMR"),
    ("smr", "SMR"),
    ("seq", "SEQ"),
)


def build_context(result: dict[str, Any]) -> dict[str, Any]:
    """The view model of every section from a result checked by ``validate_result``."""
    case = dict(result["case"])
    actors = result["actors"]
    issues = result["issues"]
    actor_name = {a["id"]: a.get("name") or a["id"] for a in actors}
    issue_by_id = {i["id"]: i for i in issues}
    issue_title = {i["id"]: i.get("title") or i["id"] for i in issues}

    ctx: dict[str, Any] = {
        "case": {
            "id": case.get("id", ""),
            "title": case.get("title") or case.get("id") or "accord report",
            "as_of": case.get("as_of"),
            "generated_at": case.get("generated_at"),
            "accord_version": case.get("accord_version"),
            "example": bool(case.get("example")),
            "note": case.get("note") or "",
        },
        "actors": [
            {"id": a["id"], "name": actor_name[a["id"]], "kind": a.get("kind", ""), "capability": a.get("capability")}
            for a in actors
        ],
        "issues": [
            {
                "id": i["id"],
                "title": issue_title[i["id"]],
                "description": i.get("description", ""),
                "status_quo": i.get("status_quo"),
                "status_quo_label": nearest_label(i.get("anchors") or [], i.get("status_quo")),
                "anchors": i.get("anchors") or [],
            }
            for i in issues
        ],
        "actor_name": actor_name,
        "issue_title": issue_title,
        "not_computed": NOT_COMPUTED,
    }
    positions = result.get("positions") or []
    evidence = result.get("evidence") or {}
    ctx["summary"] = build_summary(result, issues, issue_title)
    ctx["grid"] = _grid(positions, actors, issues, actor_name)
    ctx["sources"] = _sources(positions, issue_by_id, actor_name, issue_title, evidence)
    ctx["origin"] = _origin(positions, evidence, actor_name, issue_title)
    ctx["forecast_table"] = _forecast_table(result, issues)
    ctx["bdm"] = _bdm(result, issue_title)
    ctx["exchanges"] = _exchanges(result.get("exchanges"), actor_name, issue_title)
    ctx["packages"] = _packages(result.get("packages"), actor_name)
    ctx["ratification"] = _ratification(result.get("packages"))
    ctx["truce"] = _truce(result.get("truce"))
    ctx["shifts"] = _shifts(result.get("history"), actor_name, issue_title, issue_by_id)
    ctx["evidence"] = _evidence(evidence, actor_name, issue_title)
    ctx["flags"] = _flags(evidence, ctx["sources"], actors, issues, positions, actor_name, issue_title)
    ctx["backtest"] = _backtest(result.get("backtest"), actor_name, issue_title)
    present = {
        "summary": bool(ctx["summary"]),
        "positions": ctx["grid"] is not None,
        "origin": ctx["origin"] is not None,
        "forecasts": ctx["forecast_table"] is not None,
        "bdm": ctx["bdm"] is not None,
        "exchanges": ctx["exchanges"] is not None,
        "packages": ctx["packages"] is not None,
        "ratification": ctx["ratification"] is not None,
        "truce": ctx["truce"] is not None,
        "timeline": ctx["shifts"] is not None,
        "sources": ctx["sources"] is not None,
        "evidence": ctx["evidence"] is not None,
        "quality": True,
        "backtest": ctx["backtest"] is not None,
    }
    ctx["sections"] = [{"id": sid, "title": title, "present": present[sid]} for sid, title in SECTIONS]
    return ctx


# --- positions -------------------------------------------------------------------------------


def _grid(positions: list[dict[str, Any]], actors: list[dict[str, Any]], issues: list[dict[str, Any]],
          actor_name: dict[str, str]) -> dict[str, Any] | None:
    if not positions:
        return None
    latest = latest_positions(positions)
    rows = []
    for issue in issues:
        cells = []
        for a in actors:
            p = latest.get((a["id"], issue["id"]))
            if p is None:
                cells.append({"missing": True})
            else:
                cells.append({
                    "missing": False,
                    "value": p["position"],
                    "label": nearest_label(issue.get("anchors") or [], p["position"]),
                    "salience": p.get("salience"),
                    "origin": p.get("origin", "hand"),
                    "href": "#" + anchor("pos", a["id"], issue["id"]),
                })
        rows.append({"issue": issue["id"], "title": issue.get("title") or issue["id"],
                     "status_quo": issue.get("status_quo"), "cells": cells})
    return {"actors": [actor_name[a["id"]] for a in actors], "rows": rows}


def _source_view(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": s.get("id"),
        "url": s.get("url"),
        "href": safe_url(s.get("url")),
        "outlet": s.get("outlet") or s.get("title") or domain(s.get("url")),
        "date": s.get("date"),
        "quote": s.get("quote"),
    }


def _suggestion_index(evidence: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s.get("actor"), s.get("issue")): s for s in evidence.get("suggestions") or [] if isinstance(s, dict)}


def _sources(positions: list[dict[str, Any]], issue_by_id: dict[str, Any], actor_name: dict[str, str],
             issue_title: dict[str, str], evidence: dict[str, Any]) -> list[dict[str, Any]] | None:
    if not positions:
        return None
    suggestions = _suggestion_index(evidence)
    order = {iid: k for k, iid in enumerate(issue_by_id)}
    actor_order = {aid: k for k, aid in enumerate(actor_name)}
    rows = []
    for p in sorted(latest_positions(positions).values(),
                    key=lambda p: (order[p["issue"]], actor_order[p["actor"]])):
        sug = suggestions.get((p["actor"], p["issue"]))
        rows.append({
            "anchor": anchor("pos", p["actor"], p["issue"]),
            "actor": actor_name[p["actor"]],
            "issue": issue_title[p["issue"]],
            "position": p["position"],
            "label": nearest_label(issue_by_id[p["issue"]].get("anchors") or [], p["position"]),
            "salience": p.get("salience"),
            "date": p.get("date"),
            "origin": p.get("origin", "hand"),
            "note": p.get("note") or "",
            "sources": [_source_view(s) for s in p.get("sources") or [] if isinstance(s, dict)],
            "statements": [anchor("st", sid) for sid in (sug or {}).get("supporting") or []],
            "statement_ids": list((sug or {}).get("supporting") or []),
        })
    return rows


def _origin(positions: list[dict[str, Any]], evidence: dict[str, Any], actor_name: dict[str, str],
            issue_title: dict[str, str]) -> dict[str, Any] | None:
    if not positions:
        return None
    latest = latest_positions(positions).values()
    evidence_rows = [
        {"actor": actor_name[p["actor"]], "issue": issue_title[p["issue"]], "position": p["position"],
         "href": "#" + anchor("pos", p["actor"], p["issue"])}
        for p in latest if p.get("origin") == "evidence"
    ]
    suggestions = [s for s in evidence.get("suggestions") or [] if isinstance(s, dict)]
    disagreements = []
    for s in suggestions:
        if s.get("agrees", True):
            continue
        disagreements.append({
            "actor": actor_name.get(s.get("actor"), s.get("actor")),
            "issue": issue_title.get(s.get("issue"), s.get("issue")),
            "hand": s.get("hand"),
            "suggested": s.get("suggested"),
            "confidence": s.get("confidence"),
            "position_href": "#" + anchor("pos", s.get("actor"), s.get("issue")),
            "supporting": [{"id": sid, "href": "#" + anchor("st", sid)} for sid in s.get("supporting") or []],
            "contradicting": [{"id": sid, "href": "#" + anchor("st", sid)} for sid in s.get("contradicting") or []],
        })
    return {
        "n_total": len(list(latest)),
        "n_hand": sum(1 for p in latest if p.get("origin", "hand") != "evidence"),
        "n_evidence": len(evidence_rows),
        "evidence_rows": evidence_rows,
        "n_suggestions": len(suggestions),
        "n_agree": sum(1 for s in suggestions if s.get("agrees", True)),
        "disagreements": disagreements,
        "has_suggestions": bool(suggestions),
    }


# --- forecasts -------------------------------------------------------------------------------


def _forecast_table(result: dict[str, Any], issues: list[dict[str, Any]]) -> dict[str, Any] | None:
    forecasts = result.get("forecasts") or {}
    intervals = result.get("intervals") or {}
    models = forecast_models(result)
    if not models:
        return None
    rows = []
    for issue in issues:
        iid = issue["id"]
        anchors = issue.get("anchors") or []
        cells = []
        for m in models:
            iv = (intervals.get(m) or {}).get(iid)
            value = (forecasts.get(m) or {}).get(iid)
            if value is None and iv:
                value = iv.get("q50")
            cells.append({
                "value": value,
                "label": nearest_label(anchors, value),
                "q05": (iv or {}).get("q05"),
                "q95": (iv or {}).get("q95"),
            })
        rows.append({"issue": iid, "title": issue.get("title") or iid, "status_quo": issue.get("status_quo"),
                     "status_quo_label": nearest_label(anchors, issue.get("status_quo")), "cells": cells})
    return {"models": [model_name(m) for m in models], "keys": models, "rows": rows,
            "has_intervals": bool(intervals)}


def _bdm(result: dict[str, Any], issue_title: dict[str, str]) -> dict[str, Any] | None:
    paths = result.get("bdm_paths") or {}
    if not paths:
        return None
    rows = []
    for iid, p in paths.items():
        med = (p or {}).get("median") or []
        if not med:
            continue
        rows.append({"issue": issue_title.get(iid, iid), "rounds": len(med), "start": med[0], "end": med[-1]})
    return {"rows": rows} if rows else None


def _exchanges(exchanges: Any, actor_name: dict[str, str], issue_title: dict[str, str]) -> list[dict[str, Any]] | None:
    if not exchanges:
        return None
    rows = []
    for e in sorted((e for e in exchanges if isinstance(e, dict)), key=lambda e: -(e.get("gain") or 0)):
        rows.append({
            "text": e.get("text", ""),
            "gain": e.get("gain"),
            "supplier": actor_name.get(e.get("supplier"), e.get("supplier") or ""),
            "issue_supplied": issue_title.get(e.get("issue_supplied"), e.get("issue_supplied") or ""),
            "partner": actor_name.get(e.get("partner"), e.get("partner") or ""),
            "issue_demanded": issue_title.get(e.get("issue_demanded"), e.get("issue_demanded") or ""),
        })
    return rows


# --- packages, ratification, truce -----------------------------------------------------------


def _package_view(point: Any, issues: list[dict[str, Any]], parties: list[str],
                  actor_name: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(point, dict) or not point.get("package"):
        return None
    labels = list(point["package"])
    pairs = [{"issue": (issues[k].get("title") or issues[k].get("id")) if k < len(issues) else f"Issue {k + 1}",
              "option": lab} for k, lab in enumerate(labels)]
    utils = point.get("utilities") or {}
    return {"options": pairs,
            "utilities": [{"party": actor_name.get(p, p), "value": utils.get(p)} for p in parties if p in utils]}


def _packages(packages: Any, actor_name: dict[str, str]) -> dict[str, Any] | None:
    if not packages:
        return None
    issues = packages.get("issues") or []
    parties = list(packages.get("parties") or [])
    pair = pareto_parties(packages)
    return {
        "acceptable_to_all": packages.get("acceptable_to_all"),
        "n_packages": packages.get("n_packages"),
        "n_acceptable": packages.get("n_acceptable"),
        "n_frontier": len(packages.get("frontier") or []),
        "parties": [actor_name.get(p, p) for p in parties],
        "issues": [{"title": i.get("title") or i.get("id"), "options": i.get("options") or []} for i in issues],
        "nash": _package_view(packages.get("nash"), issues, parties, actor_name),
        "ks": _package_view(packages.get("kalai_smorodinsky"), issues, parties, actor_name),
        "pair": [actor_name.get(p, p) for p in pair] if pair else None,
        "has_frontier": bool(packages.get("frontier")) and pair is not None,
    }


def _ratification(packages: Any) -> dict[str, Any] | None:
    if not packages or not packages.get("referendum"):
        return None
    ref = [r for r in packages["referendum"] if isinstance(r, dict)]
    rows = [{"code": f"P{k + 1}", "text": package_text(r.get("package")), "probability": r.get("probability"),
             "passes": (r.get("probability") or 0) >= 0.5} for k, r in enumerate(ref)]
    passing = packages.get("passing")
    n_passing = len(passing) if isinstance(passing, list) else sum(1 for r in rows if r["passes"])
    return {"rows": rows, "n_passing": n_passing, "n_shown": len(rows)}


def _truce(truce: Any) -> dict[str, Any] | None:
    if not truce or not truce.get("states"):
        return None
    stability = truce.get("stability") or {}
    equilibria = {str(s) for s in truce.get("equilibria") or []}
    concepts = [(key, label) for key, label in STABILITY_CONCEPTS if key in stability]
    rows = []
    for s in truce["states"]:
        sid = str(s.get("id"))
        rows.append({
            "id": s.get("id"),
            "label": s.get("label", ""),
            "stable": [sid in {str(x) for x in stability.get(key) or []} for key, _ in concepts],
            "equilibrium": sid in equilibria,
        })
    return {"concepts": [label for _, label in concepts], "rows": rows,
            "equilibria": [r for r in rows if r["equilibrium"]]}


# --- history and evidence --------------------------------------------------------------------


def _shifts(history: Any, actor_name: dict[str, str], issue_title: dict[str, str],
            issue_by_id: dict[str, Any]) -> list[dict[str, Any]] | None:
    if not history:
        return None
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for h in history:
        by_pair[(h["actor"], h["issue"])].append(h)
    rows = []
    for (aid, iid), items in by_pair.items():
        items.sort(key=lambda h: str(h.get("date") or ""))
        for prev, nxt in zip(items, items[1:]):
            if abs(nxt["position"] - prev["position"]) < 1e-9:
                continue
            anchors = issue_by_id[iid].get("anchors") or []
            rows.append({
                "date": nxt.get("date"),
                "actor": actor_name[aid],
                "issue": issue_title[iid],
                "from": prev["position"],
                "to": nxt["position"],
                "from_label": nearest_label(anchors, prev["position"]),
                "to_label": nearest_label(anchors, nxt["position"]),
                "sources": [_source_view(s) for s in nxt.get("sources") or [] if isinstance(s, dict)],
            })
    rows.sort(key=lambda r: str(r["date"] or ""))
    return rows


def _evidence(evidence: dict[str, Any], actor_name: dict[str, str], issue_title: dict[str, str]) -> dict[str, Any] | None:
    if not evidence or not any(evidence.get(k) for k in ("articles", "statements", "claims", "suggestions")):
        return None
    articles = [a for a in evidence.get("articles") or [] if isinstance(a, dict)]
    art = {a.get("id"): a for a in articles}
    statements = []
    for s in evidence.get("statements") or []:
        if not isinstance(s, dict):
            continue
        quote = s.get("quote") if isinstance(s.get("quote"), dict) else None
        a = art.get(s.get("article_id")) or {}
        statements.append({
            "anchor": anchor("st", s.get("id")),
            "id": s.get("id"),
            "actor": actor_name.get(s.get("actor"), s.get("actor") or ""),
            "issue": issue_title.get(s.get("issue"), s.get("issue") or ""),
            "event_type": s.get("event_type", ""),
            "date": s.get("date"),
            "sentence": s.get("sentence", ""),
            "quote": (quote or {}).get("text"),
            "speaker": (quote or {}).get("speaker"),
            "article_href": "#" + anchor("art", s.get("article_id")) if s.get("article_id") in art else None,
            "article_id": s.get("article_id"),
            "outlet": a.get("outlet") or domain(s.get("url") or a.get("url")),
            "href": safe_url(s.get("url") or a.get("url")),
        })
    claims = []
    for c in evidence.get("claims") or []:
        if not isinstance(c, dict):
            continue
        a = art.get(c.get("article_id")) or {}
        claims.append({
            "anchor": anchor("cl", c.get("id")),
            "id": c.get("id"),
            "text": c.get("text", ""),
            "quantity_type": c.get("quantity_type", ""),
            "value": _fmt_quantity(c.get("value")),
            "unit": c.get("unit") or "",
            "referent": issue_title.get(c.get("referent"), c.get("referent") or ""),
            "hedged": bool(c.get("hedged")),
            "article_href": "#" + anchor("art", c.get("article_id")) if c.get("article_id") in art else None,
            "article_id": c.get("article_id"),
            "outlet": a.get("outlet") or domain(c.get("url") or a.get("url")),
            "href": safe_url(c.get("url") or a.get("url")),
        })
    suggestions = []
    for s in evidence.get("suggestions") or []:
        if not isinstance(s, dict):
            continue
        suggestions.append({
            "actor": actor_name.get(s.get("actor"), s.get("actor") or ""),
            "issue": issue_title.get(s.get("issue"), s.get("issue") or ""),
            "suggested": s.get("suggested"),
            "hand": s.get("hand"),
            "confidence": s.get("confidence"),
            "agrees": s.get("agrees", True),
            "position_href": "#" + anchor("pos", s.get("actor"), s.get("issue")),
            "first_statement": "#" + anchor("st", s["supporting"][0]) if s.get("supporting") else None,
            "supporting": [{"id": x, "href": "#" + anchor("st", x)} for x in s.get("supporting") or []],
            "contradicting": [{"id": x, "href": "#" + anchor("st", x)} for x in s.get("contradicting") or []],
        })
    article_rows = [{
        "anchor": anchor("art", a.get("id")),
        "id": a.get("id"),
        "title": a.get("title") or a.get("url") or a.get("id"),
        "date": a.get("date"),
        "outlet": a.get("outlet") or domain(a.get("url")),
        "url": a.get("url"),
        "href": safe_url(a.get("url")),
        "flags": a.get("flags") or [],
    } for a in articles]
    return {"statements": statements, "claims": claims, "suggestions": suggestions, "articles": article_rows}


def _fmt_quantity(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_fmt_quantity(v) for v in value)
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, (int, float)):
        v = float(value)
        for div, suffix in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
            if abs(v) >= div:
                return f"{v / div:,.3g}{suffix}"
        return f"{v:,.0f}" if v == int(v) else f"{v:,.2f}"
    return str(value)


def _flags(evidence: dict[str, Any], sources: list[dict[str, Any]] | None, actors: list[dict[str, Any]],
           issues: list[dict[str, Any]], positions: list[dict[str, Any]], actor_name: dict[str, str],
           issue_title: dict[str, str]) -> list[dict[str, Any]]:
    art_ids = {a.get("id") for a in evidence.get("articles") or [] if isinstance(a, dict)}
    rows = []
    for f in evidence.get("flags") or []:
        if not isinstance(f, dict):
            continue
        aid = f.get("article_id")
        rows.append({"kind": f.get("kind", ""), "detail": f.get("detail", ""), "where": aid or "",
                     "href": "#" + anchor("art", aid) if aid in art_ids else None})
    for s in sources or []:
        if not any(x["href"] for x in s["sources"]):
            rows.append({"kind": "no_source", "detail": f"{s['actor']} on {s['issue']}: the position has no "
                         "source address.", "where": s["actor"], "href": "#" + s["anchor"]})
    if positions:
        have = {(p["actor"], p["issue"]) for p in positions}
        for i in issues:
            for a in actors:
                if (a["id"], i["id"]) not in have:
                    rows.append({"kind": "missing_position",
                                 "detail": f"No position of {actor_name[a['id']]} on {issue_title[i['id']]}; "
                                           "the models leave this actor out of the issue.",
                                 "where": actor_name[a["id"]], "href": None})
    return rows


def _backtest(backtest: Any, actor_name: dict[str, str], issue_title: dict[str, str]) -> dict[str, Any] | None:
    if not backtest or not any(backtest.get(k) for k in ("rows", "brier", "direction")):
        return None
    rows = [r for r in backtest.get("rows") or [] if isinstance(r, dict)]
    baselines: list[str] = []
    for r in rows:
        for name in (r.get("baseline") or {}):
            if name not in baselines:
                baselines.append(name)
    brier = backtest.get("brier") or {}
    best = min((v for v in brier.values() if v is not None), default=None)
    return {
        "baselines": baselines,
        "rows": [{"event": r.get("event", ""), "accord": r.get("accord_probability"),
                  "baseline": [(r.get("baseline") or {}).get(b) for b in baselines],
                  "outcome": r.get("outcome")} for r in rows],
        "brier": [{"name": k, "value": v, "best": v is not None and v == best} for k, v in brier.items()],
        "direction": [{"actor": actor_name.get(d.get("actor"), d.get("actor") or ""),
                       "issue": issue_title.get(d.get("issue"), d.get("issue") or ""),
                       "predicted": d.get("predicted", ""), "actual": d.get("actual", ""),
                       "match": bool(d.get("match"))} for d in backtest.get("direction") or [] if isinstance(d, dict)],
    }
