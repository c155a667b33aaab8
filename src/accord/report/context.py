"""The report's view model: what each section shows, built once from a typed run result.

The HTML and Markdown templates both read this; neither looks at anything else. Every number
comes from :class:`accord.result.RunResult`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from accord.report.labels import (
    anchor,
    domain,
    fmt_pos,
    forecast_models,
    latest_positions,
    model_name,
    nearest_label,
    package_text,
    pareto_parties,
    safe_url,
)
from accord.report.summary import build_summary, executive_view, headline_model
from accord.report.track_record import track_record_view
from accord.result import (
    Actor,
    Article,
    Backtest,
    BdmPath,
    Contribution,
    Evidence,
    Exchange,
    Issue,
    IssueLevers,
    Package,
    Packages,
    PositionRecord,
    Problem,
    RunResult,
    Source,
    Suggestion,
    Truce,
)

NOT_COMPUTED = "Not computed in this run."

#: The report's sections in reading order: (anchor id, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Likely outcome"),
    ("positions", "Who wants what"),
    ("origin", "Hand-coded and evidence positions"),
    ("forecasts", "Forecasts by model"),
    ("bdm", "Expected-utility rounds"),
    ("exchanges", "Predicted exchanges"),
    ("levers", "Levers: who moves the outcome"),
    ("explain", "Why the forecasts moved"),
    ("blocs", "Blocs and stakeholder map"),
    ("packages", "Package deals"),
    ("ratification", "Ratification"),
    ("truce", "Truce game"),
    ("timeline", "Position shifts"),
    ("sources", "Positions and sources"),
    ("evidence", "Evidence"),
    ("quality", "Data quality"),
    ("backtest", "Track record"),
)

#: Stability concepts of the truce game, in the order the report shows them.
STABILITY_CONCEPTS: tuple[tuple[str, str], ...] = (("nash", "Nash"), ("gmr", "GMR"), ("smr", "SMR"), ("seq", "SEQ"))


class Names:
    """Readers' names of the result's actors and issues, its issues by id, and which positions and statements the
    report has a row for (a link is made only to a row that exists)."""

    def __init__(self, result: RunResult) -> None:
        self.actors: dict[str, str] = {a.id: a.name or a.id for a in result.scenario.actors}
        self.issues: dict[str, str] = {i.id: i.title or i.id for i in result.scenario.issues}
        self.issue_by_id: dict[str, Issue] = {i.id: i for i in result.scenario.issues}
        # the link targets the report holds: a row per position in force, a row per evidence statement
        self.positioned: set[tuple[str, str]] = {(p.actor, p.issue) for p in result.scenario.positions}
        self.statements: set[str] = {st.id for st in (result.evidence.statements if result.evidence else [])}

    def actor(self, key: str | None) -> str:
        return self.actors.get(key or "", key or "")

    def issue(self, key: str | None) -> str:
        return self.issues.get(key or "", key or "")


def build_context(result: RunResult) -> dict[str, Any]:
    """The view model of every section."""
    names = Names(result)
    sc = result.scenario
    case = result.case
    ctx: dict[str, Any] = {
        "case": {"id": case.id, "title": case.title or case.id, "as_of": case.as_of, "generated_at": case.generated_at,
                 "accord_version": case.version, "example": case.example, "note": case.note},
        "actors": [{"id": a.id, "name": names.actor(a.id), "kind": a.kind, "capability": a.capability}
                   for a in sc.actors],
        "issues": [{"id": i.id, "title": names.issue(i.id), "description": i.description, "status_quo": i.status_quo,
                    "status_quo_label": nearest_label(i.anchors, i.status_quo), "anchors": i.anchors}
                   for i in sc.issues],
        "not_computed": NOT_COMPUTED,
    }
    evidence = result.evidence or Evidence()
    ctx["summary"] = build_summary(result)
    ctx["executive"] = executive_view(result)
    ctx["agreements"] = result.agreements
    ctx["grid"] = _grid(sc.positions, sc.actors, sc.issues, names)
    ctx["sources"] = _sources(sc.positions, names, evidence)
    ctx["origin"] = _origin(sc.positions, evidence, names)
    ctx["forecast_table"] = _forecast_tables(result)
    ctx["bdm"] = _bdm(result, names)
    ctx["exchanges"] = _exchanges(result.exchanges, names)
    ctx["packages"] = _packages(result.packages, names, result.case.principals)
    ctx["ratification"] = _ratification(result.packages, names)
    ctx["truce"] = _truce(result.truce)
    ctx["shifts"] = _shifts(sc.history, names)
    ctx["evidence"] = evidence_view(evidence, names)
    ctx["flags"] = _problems(result.problems) + _flags(evidence, ctx["sources"], sc.actors, sc.issues,
                                                        sc.positions, names)
    ctx["backtest"] = _backtest(result.backtest, names)
    ctx["track_record"] = track_record_view(result.track_record)
    ctx["levers"] = levers_view(result, names)
    ctx["explain"] = explain_view(result, names)
    ctx["blocs"] = blocs_view(result, names)
    present = {
        "summary": bool(ctx["summary"]), "positions": ctx["grid"] is not None, "origin": ctx["origin"] is not None,
        "forecasts": ctx["forecast_table"] is not None, "bdm": ctx["bdm"] is not None,
        "exchanges": ctx["exchanges"] is not None, "packages": ctx["packages"] is not None,
        "ratification": ctx["ratification"] is not None, "truce": ctx["truce"] is not None,
        "timeline": ctx["shifts"] is not None, "sources": ctx["sources"] is not None,
        "evidence": ctx["evidence"] is not None, "quality": True, "backtest": ctx["backtest"] is not None or ctx["track_record"] is not None,
        "levers": ctx["levers"] is not None, "explain": ctx["explain"] is not None, "blocs": ctx["blocs"] is not None,
    }
    ctx["titles"] = dict(SECTIONS)
    ctx["sections"] = [{"id": sid, "title": title, "present": present[sid]} for sid, title in SECTIONS]
    return ctx


# --- positions -------------------------------------------------------------------------------


def _grid(positions: list[PositionRecord], actors: list[Actor], issues: list[Issue], names: Names) -> dict[str, Any] | None:
    if not positions:
        return None
    latest = latest_positions(positions)
    rows = []
    for issue in issues:
        cells: list[dict[str, Any]] = []
        for a in actors:
            p = latest.get((a.id, issue.id))
            if p is None:
                cells.append({"missing": True})
                continue
            cells.append({"missing": False, "value": p.position, "label": nearest_label(issue.anchors, p.position),
                          "salience": p.salience, "origin": p.origin, "href": "#" + anchor("pos", a.id, issue.id)})
        rows.append({"issue": issue.id, "title": names.issue(issue.id), "status_quo": issue.status_quo, "cells": cells})
    return {"actors": [names.actor(a.id) for a in actors], "rows": rows}


def _source_view(s: Source) -> dict[str, Any]:
    return {"id": s.id, "url": s.url, "href": safe_url(s.url), "outlet": s.outlet or s.title or domain(s.url),
            "date": s.date, "quote": s.quote}


def _sources(positions: list[PositionRecord], names: Names, evidence: Evidence) -> list[dict[str, Any]] | None:
    if not positions:
        return None
    suggestions = {(s.actor, s.issue): s for s in evidence.suggestions}
    order = {iid: k for k, iid in enumerate(names.issues)}
    actor_order = {aid: k for k, aid in enumerate(names.actors)}
    rows = []
    for p in sorted(latest_positions(positions).values(), key=lambda p: (order[p.issue], actor_order[p.actor])):
        supporting = list(suggestions[(p.actor, p.issue)].supporting) if (p.actor, p.issue) in suggestions else []
        rows.append({
            "anchor": anchor("pos", p.actor, p.issue), "actor": names.actor(p.actor), "issue": names.issue(p.issue),
            "position": p.position, "label": nearest_label(names.issue_by_id[p.issue].anchors, p.position),
            "salience": p.salience, "date": p.date, "origin": p.origin, "note": p.note,
            "sources": [_source_view(s) for s in p.sources],
            "statements": _links(supporting, names),
        })
    return rows


def _links(ids: list[str], names: Names) -> list[dict[str, str | None]]:
    """Statement ids with a link to each one's row, or no link where the report has no such statement."""
    return [{"id": x, "href": "#" + anchor("st", x) if x in names.statements else None} for x in ids]


def _suggestion_view(s: Suggestion, names: Names) -> dict[str, Any]:
    return {
        "actor": names.actor(s.actor), "issue": names.issue(s.issue), "suggested": s.suggested, "hand": s.hand,
        "confidence": s.confidence, "agrees": s.agrees is not False,
        "position_href": "#" + anchor("pos", s.actor, s.issue) if (s.actor, s.issue) in names.positioned else None,
        "first_statement": "#" + anchor("st", s.supporting[0]) if s.supporting and s.supporting[0] in names.statements
        else None,
        "supporting": _links(s.supporting, names), "contradicting": _links(s.contradicting, names),
    }


def _origin(positions: list[PositionRecord], evidence: Evidence, names: Names) -> dict[str, Any] | None:
    if not positions:
        return None
    latest = list(latest_positions(positions).values())
    evidence_rows = [{"actor": names.actor(p.actor), "issue": names.issue(p.issue), "position": p.position,
                      "href": "#" + anchor("pos", p.actor, p.issue)} for p in latest if p.origin == "evidence"]
    views = [_suggestion_view(s, names) for s in evidence.suggestions]
    return {
        "n_total": len(latest), "n_hand": sum(1 for p in latest if p.origin != "evidence"),
        "n_evidence": len(evidence_rows), "evidence_rows": evidence_rows, "n_suggestions": len(views),
        "n_agree": sum(1 for v in views if v["agrees"]), "disagreements": [v for v in views if not v["agrees"]],
        "has_suggestions": bool(views),
    }


# --- forecasts -------------------------------------------------------------------------------


def _forecast_tables(result: RunResult) -> dict[str, Any] | None:
    """The point forecasts of every model at every date, with the Monte Carlo 90% range at the run's date."""
    models = forecast_models(result)
    if not models:
        return None
    intervals = result.intervals()
    dates = [t.date for t in result.forecasts] or [result.case.as_of]
    tables = []
    for date in dates:
        points = result.forecasts_at(date)
        with_ranges = date == result.case.as_of
        rows = []
        for issue in result.scenario.issues:
            cells = []
            for m in models:
                value = points.get(m, {}).get(issue.id)
                iv = intervals.get(m, {}).get(issue.id) if with_ranges else None
                cells.append({"model": m, "value": value, "label": nearest_label(issue.anchors, value),
                              "q05": iv.q05 if iv else None, "q50": iv.q50 if iv else None,
                              "q95": iv.q95 if iv else None})
            rows.append({"issue": issue.id, "title": issue.title or issue.id, "status_quo": issue.status_quo,
                         "status_quo_label": nearest_label(issue.anchors, issue.status_quo), "cells": cells})
        tables.append({"date": date, "id": f"forecasts-{date.isoformat()}", "rows": rows, "has_ranges": with_ranges})
    return {"models": [model_name(m) for m in models], "model_keys": models, "tables": tables,
            "has_intervals": bool(intervals), "draws": result.simulation.draws if result.simulation else None}


#: Why an expected-utility run stopped, in words (``BdmPath.stop_reason``); an unknown reason is shown as it is.
STOP_REASONS: dict[str, str] = {
    "running": "the record was cut before the run ended",
    "fixed": "it played the fixed number of rounds it was given",
    "converged": "the positions stopped moving (converged)",
    "cycle": "the median entered a repeating cycle",
    "bdm_discount": "the discounted median-shift rule judged further rounds not worth playing",
    "max_rounds": "it reached the most rounds allowed before its stop rule fired",
    "degenerate": "no round could be played",
}
BDM_MODEL = "bdm"
#: A path whose end and the BDM forecast differ by more than this (on 0–100) is shown with both numbers.
BDM_MISMATCH = 0.5
#: Rounds at the end of a path looked at for oscillation, and direction changes that make one.
OSCILLATION_WINDOW, OSCILLATION_TURNS = 6, 2


def _degenerate_reason(path: BdmPath) -> str:
    """Why no round was played, from the actors' positions on the issue."""
    starts = [v[0] for v in path.positions.values() if v and v[0] is not None]
    if len(starts) <= 1:
        return "only one party has a position on this issue, so there is nobody to bargain with"
    return f"every party stands at the same position ({fmt_pos(starts[0])}), so there is nothing to bargain over"


def _oscillation(median: list[float | None]) -> tuple[float, float] | None:
    """(low, high) of the median over the last rounds when it keeps changing direction there, else None."""
    tail = [v for v in median[-OSCILLATION_WINDOW:] if v is not None]
    steps = [b - a for a, b in zip(tail, tail[1:]) if abs(b - a) > 1e-6]
    turns = sum(1 for a, b in zip(steps, steps[1:]) if (a > 0) != (b > 0))
    return (min(tail), max(tail)) if turns >= OSCILLATION_TURNS else None


def bdm_notes(result: RunResult) -> dict[str, dict[str, Any]]:
    """Per issue with a round path: the path's start and end, the BDM forecast of the tables, why the run stopped
    (in words), whether the path oscillates, and a comment when the path's end is not the forecast."""
    forecasts = result.forecasts_at().get(BDM_MODEL, {})
    out: dict[str, dict[str, Any]] = {}
    for iid, p in result.bdm_paths.items():
        if not p.median:
            continue
        reason = p.stop_reason or ""
        why = STOP_REASONS.get(reason, reason.replace("_", " "))
        if reason == "degenerate":
            why = f"{why}: {_degenerate_reason(p)}"
        end, forecast = p.median[-1], forecasts.get(iid)
        swing = _oscillation(p.median)
        comments = []
        if swing:
            comments.append(f"The median oscillates between {fmt_pos(swing[0])} and {fmt_pos(swing[1])} in the last "
                            "rounds instead of settling, so where the path ends depends on the round it stops at.")
        mismatch = forecast is not None and end is not None and abs(forecast - end) > BDM_MISMATCH
        if mismatch:
            comments.append(f"The plotted path ends at {fmt_pos(end)} after {len(p.median) - 1} rounds, but the "
                            f"model's forecast in the tables is {fmt_pos(forecast)}: the forecast comes from the "
                            "model's own stop rule, which ends the run at another round than this record of the "
                            "rounds. Both are shown: the path as drawn, the forecast as a marker.")
        out[iid] = {"rounds": len(p.median) - 1, "start": p.median[0], "end": end, "forecast": forecast,
                    "stop_reason": reason, "why": why, "degenerate": reason == "degenerate",
                    "oscillation": swing, "mismatch": mismatch, "comments": comments}
    return out


def _bdm(result: RunResult, names: Names) -> dict[str, Any] | None:
    notes = bdm_notes(result)
    rows = [{"issue": names.issue(iid), **n} for iid, n in notes.items()]
    if not rows:
        return None
    return {"rows": rows, "n_oscillating": sum(1 for r in rows if r["oscillation"]),
            "n_mismatch": sum(1 for r in rows if r["mismatch"]),
            "n_degenerate": sum(1 for r in rows if r["degenerate"])}


def _exchanges(exchanges: list[Exchange], names: Names) -> list[dict[str, Any]] | None:
    if not exchanges:
        return None
    return [{"text": e.text, "gain": e.gain, "supplier": names.actor(e.supplier),
             "issue_supplied": names.issue(e.issue_supplied), "partner": names.actor(e.partner),
             "issue_demanded": names.issue(e.issue_demanded)}
            for e in sorted(exchanges, key=lambda e: -(e.gain or 0.0))]


# --- packages, ratification, truce -----------------------------------------------------------


def _package_view(point: Package | None, packages: Packages, names: Names) -> dict[str, Any] | None:
    if point is None or not point.options:
        return None
    titles = [i.title or i.id for i in packages.issues]
    pairs = [{"issue": titles[k] if k < len(titles) else f"Issue {k + 1}", "option": option_text(opt)}
             for k, opt in enumerate(point.options)]
    utils = [{"party": names.actor(p), "value": point.utilities[p]} for p in packages.parties if p in point.utilities]
    return {"options": pairs, "utilities": utils}


def option_text(option: str) -> str:
    """A package option as a reader sees it: an identifier such as ``line_of_contact`` as words."""
    return option.replace("_", " ")


def _packages(packages: Packages | None, names: Names, principals: Sequence[str] = ()) -> dict[str, Any] | None:
    if packages is None:
        return None
    pair = pareto_parties(packages, principals)
    return {
        "acceptable_to_all": packages.acceptable_to_all, "n_packages": packages.n_packages,
        "n_acceptable": packages.n_acceptable, "n_frontier": packages.n_frontier,
        "n_frontier_shown": len(packages.frontier), "parties": [names.actor(p) for p in packages.parties],
        "issues": [{"title": i.title or i.id, "options": i.options} for i in packages.issues],
        "nash": _package_view(packages.nash, packages, names),
        "ks": _package_view(packages.kalai_smorodinsky, packages, names),
        "pair": [names.actor(p) for p in pair] if pair else None,
        "has_frontier": bool(packages.frontier) and pair is not None,
    }


#: Readers' names of the bargaining solutions the package analysis computes.
SOLUTION_NAMES: dict[str, str] = {
    "nash": "Nash bargaining", "kalai_smorodinsky": "Kalai–Smorodinsky", "egalitarian": "Egalitarian",
    "utilitarian_ir": "Utilitarian (acceptable packages)", "utilitarian_all": "Utilitarian (all packages)",
}
#: What each type of ratification stage is, in words.
STAGE_TYPES: dict[str, str] = {
    "threshold": "veto player: ratifies what beats its reservation value",
    "logistic": "veto player with a smooth acceptance curve",
    "voting_body": "legislature: a weighted vote of its blocs",
    "referendum": "referendum fitted to opinion polls",
}
#: Why a bargaining solution has no ratified package, in words.
MISSING_REASONS: dict[str, str] = {
    "no_rational_outcome": "no package is acceptable to every party and ratified by every side",
    "no_strictly_rational_outcome": "no ratified package leaves every party strictly better off than no deal",
}


def solution_name(key: str) -> str:
    """A reader's name of a bargaining solution or a named package."""
    return SOLUTION_NAMES.get(key, key.replace("_", " "))


def package_legend(packages: Packages) -> list[dict[str, Any]]:
    """What the package codes mean: per issue its letter, title and numbered options (``A2`` = issue A, option 2)."""
    return [{"letter": i.letter, "issue": i.title or i.id,
             "options": [{"code": f"{i.letter}{n + 1}", "option": option_text(o)} for n, o in enumerate(i.options)]}
            for i in packages.issues]


def _ratification(packages: Packages | None, names: Names) -> dict[str, Any] | None:
    if packages is None or not (packages.ratification or packages.stages):
        return None
    rows = [{"code": f"P{k + 1}", "label": r.label or "", "named": r.named,
             "text": package_text(r.options) if r.options else solution_name(r.label or ""),
             "ratifier": r.ratifier, "probability": r.probability, "passes": (r.probability or 0.0) >= 0.5}
            for k, r in enumerate(packages.ratification)]
    passing = [{"side": names.actor(side), "count": n} for side, n in packages.passing_count.items()]
    candidates = list(dict.fromkeys(k for st in packages.stages for k in st.probabilities))
    stages = [{"side": names.actor(st.side), "name": st.name, "type": st.type,
               "type_text": STAGE_TYPES.get(st.type, st.type), "passing_count": st.passing_count,
               "n_packages": st.n_packages, "probabilities": [st.probabilities.get(c) for c in candidates]}
              for st in packages.stages]
    ratified = [{"key": k, "name": solution_name(k), "view": _package_view(p, packages, names), "label": p.label}
                for k, p in packages.ratified.items()]
    missing = [{"name": solution_name(k), "why": MISSING_REASONS.get(v, v.replace("_", " "))}
               for k, v in packages.ratified_missing.items()]
    return {"rows": rows, "passing": passing, "n_shown": len(rows), "stages": stages,
            "candidates": [solution_name(c) for c in candidates],
            "kinds": [{"type": t, "text": STAGE_TYPES.get(t, t)} for t in dict.fromkeys(st.type for st in packages.stages)],
            "win_sets": [{"side": names.actor(side), "count": n} for side, n in packages.win_set_sizes.items()],
            "zopa2_count": packages.zopa2_count, "n_acceptable": packages.n_acceptable,
            "ratified": ratified, "missing": missing, "legend": package_legend(packages)}


def _truce(truce: Truce | None) -> dict[str, Any] | None:
    if truce is None or not truce.states:
        return None
    concepts = [(key, label) for key, label in STABILITY_CONCEPTS if key in truce.stability]
    rows = [{"id": s.id, "label": s.label, "stable": [s.id in truce.stability[key] for key, _ in concepts],
             "equilibrium": s.id in truce.equilibria} for s in truce.states]
    return {"concepts": [label for _, label in concepts], "rows": rows, "equilibria": [r for r in rows if r["equilibrium"]]}


# --- history and evidence --------------------------------------------------------------------


def _shifts(history: list[PositionRecord], names: Names) -> list[dict[str, Any]] | None:
    if not history:
        return None
    by_pair: dict[tuple[str, str], list[PositionRecord]] = defaultdict(list)
    for h in history:
        by_pair[(h.actor, h.issue)].append(h)
    rows = []
    for (aid, iid), items in by_pair.items():
        items.sort(key=lambda h: str(h.date or ""))
        anchors = names.issue_by_id[iid].anchors
        for prev, nxt in zip(items, items[1:]):
            if abs(nxt.position - prev.position) < 1e-9:
                continue
            rows.append({"date": nxt.date, "actor": names.actor(aid), "issue": names.issue(iid),
                         "from": prev.position, "to": nxt.position, "from_label": nearest_label(anchors, prev.position),
                         "to_label": nearest_label(anchors, nxt.position),
                         "sources": [_source_view(s) for s in nxt.sources]})
    rows.sort(key=lambda r: str(r["date"] or ""))
    return rows


def evidence_view(evidence: Evidence, names: Names) -> dict[str, Any] | None:
    if not (evidence.articles or evidence.statements or evidence.claims or evidence.suggestions):
        return None
    art = {a.id: a for a in evidence.articles}

    def source(article_id: str | None, url: str | None) -> dict[str, Any]:
        a = art.get(article_id or "")
        return {"article_href": "#" + anchor("art", article_id) if a else None, "article_id": article_id,
                "outlet": (a.outlet if a else None) or domain(url or (a.url if a else None)),
                "href": safe_url(url or (a.url if a else None))}

    statements = [{"anchor": anchor("st", s.id), "id": s.id, "actor": names.actor(s.actor),
                   "issue": names.issue(s.issue), "event_type": s.event_type, "date": s.date, "sentence": s.sentence,
                   "quote": s.quote.text if s.quote else None, "speaker": s.quote.speaker if s.quote else None,
                   **source(s.article_id, s.url)} for s in evidence.statements]
    claims = [{"anchor": anchor("cl", c.id), "id": c.id, "text": c.text, "quantity_type": c.quantity_type,
               "value": _fmt_quantity(c.value), "unit": c.unit or "", "referent": names.issue(c.referent),
               "hedged": c.hedged, **source(c.article_id, c.url)} for c in evidence.claims]
    articles = [{"anchor": anchor("art", a.id), "id": a.id, "title": a.title or a.url or a.id, "date": a.date,
                 "outlet": a.outlet or domain(a.url), "url": a.url, "href": safe_url(a.url), "flags": a.flags,
                 "example": is_example_article(a)}
                for a in evidence.articles]
    n_example = sum(1 for a in evidence.articles if is_example_article(a))
    return {"statements": statements, "claims": claims, "articles": articles,
            "suggestions": [_suggestion_view(s, names) for s in evidence.suggestions],
            "n_example": n_example, "n_articles": len(evidence.articles), "example_outlet": EXAMPLE_OUTLET}


#: The outlet name of accord's own example articles: short reports written for accord in its own words from
#: the sources at their addresses (docs/formats.md), not the text of the outlets linked.
EXAMPLE_OUTLET = "accord example wire"


def is_example_article(article: Article) -> bool:
    """True when the article names accord's example outlet as its outlet."""
    return (article.outlet or "").strip().lower() == EXAMPLE_OUTLET


def _fmt_quantity(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_fmt_quantity(v) for v in value)
    if value is None:
        return "–"
    v = float(value)
    for div, suffix in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if abs(v) >= div:
            return f"{v / div:,.3g}{suffix}"
    return f"{v:,.0f}" if v == int(v) else f"{v:,.2f}"


def _flags(evidence: Evidence, sources: list[dict[str, Any]] | None, actors: list[Actor], issues: list[Issue],
           positions: list[PositionRecord], names: Names) -> list[dict[str, Any]]:
    art_ids = {a.id for a in evidence.articles}
    rows = [{"kind": f.kind, "detail": f.detail or "", "where": f.article_id or "",
             "href": "#" + anchor("art", f.article_id) if f.article_id in art_ids else None} for f in evidence.flags]
    for s in sources or []:
        if not any(x["href"] for x in s["sources"]):
            rows.append({"kind": "no_source", "detail": f"{s['actor']} on {s['issue']}: the position has no "
                         "source address.", "where": s["actor"], "href": "#" + s["anchor"]})
    if positions:
        have = {(p.actor, p.issue) for p in positions}
        rows += [{"kind": "missing_position", "where": names.actor(a.id), "href": None,
                  "detail": f"No position of {names.actor(a.id)} on {names.issue(i.id)}; "
                            "the models leave this actor out of the issue."}
                 for i in issues for a in actors if (a.id, i.id) not in have]
    return rows


def _problems(problems: list[Problem]) -> list[dict[str, Any]]:
    """Inputs the run could not use, first among the data-quality rows."""
    return [{"kind": "unusable_input", "where": PurePath(p.file).name, "href": None,
             "detail": f"{p.stage} stage: {p.error}"} for p in problems]


def _backtest(backtest: Backtest | None, names: Names) -> dict[str, Any] | None:
    if backtest is None or not backtest.direction:
        return None
    return {
        "headline_model": model_name(backtest.headline_model) if backtest.headline_model else "accord",
        "window": backtest.shift_window,
        "direction": [{"actor": names.actor(d.actor), "issue": names.issue(d.issue), "predicted": _signed(d.predicted),
                       "actual": _signed(d.actual), "match": d.match} for d in backtest.direction],
    }


def _signed(move: int | None) -> str:
    """A direction of move as text: +1, 0, −1, or a dash when unknown."""
    return "–" if move is None else f"{move:+d}" if move else "0"


# --- levers, explanations, blocs ---------------------------------------------------------------

#: Readers' names of the inputs a lever or an explanation speaks of.
INPUT_NAMES: dict[str, str] = {"position": "position", "salience": "salience", "capability": "capability",
                               "participation": "", "all inputs": "all its changes"}
#: Pivotal actor-issue pairs listed in words at the top of the levers section.
TOP_LEVERS = 3


def fmt_input(name: str, value: float | None) -> str:
    """An input's value as the levers and explanations show it: salience with two decimals, a position or a
    forecast with at most one; an en dash when absent."""
    if value is None:
        return "–"
    if name == "salience":
        return f"{value:.2f}"
    return f"{value:.1f}".removesuffix(".0")


def fmt_change(value: float | None) -> str:
    """A signed change of a forecast (two decimals), or an en dash."""
    return "–" if value is None else f"{value:+.2f}"


def _lead(sections: list[IssueLevers]) -> str | None:
    return headline_model(list(dict.fromkeys(s.model for s in sections)))


def top_levers(result: RunResult, n: int = TOP_LEVERS) -> list[dict[str, Any]]:
    """The ``n`` actor-issue pairs whose one-step move swings the headline model's forecast most, with the input
    (issues with a single party are left out: its position is the forecast by construction)."""
    if result.levers is None:
        return []
    lead = _lead(result.levers.issues)
    rows = [(s.swing or 0.0, il.issue, s) for il in result.levers.issues
            if il.model == lead and len(il.pivotal) > 1 for s in il.sensitivities]  # one party: it sets the forecast
    rows.sort(key=lambda r: -r[0])
    out, seen = [], set()
    for swing, iid, s in rows:
        if (s.actor, iid) in seen or swing <= 0:
            continue
        seen.add((s.actor, iid))
        out.append({"actor": s.actor, "issue": iid, "input": s.input, "swing": swing, "step": s.step,
                    "model": lead, "derivative": s.derivative, "method": s.method})
        if len(out) == n:
            break
    return out


def levers_view(result: RunResult, names: Names) -> dict[str, Any] | None:
    """Pivotal actors per issue and model, the headline model's levers in words, the three strongest levers."""
    lv = result.levers
    if lv is None or not lv.issues:
        return None
    lead = _lead(lv.issues)
    models = list(lv.models)
    by = {(il.issue, il.model): il for il in lv.issues}
    grid = []
    for issue in result.scenario.issues:
        cells = []
        for m in models:
            il = by.get((issue.id, m))
            top = il.pivotal[0] if il and il.pivotal and (il.pivotal[0].swing or 0) > 0 else None
            tied = [p.actor for p in il.pivotal if abs((p.swing or 0) - (top.swing or 0)) <= 1e-9] if il and top else []
            cells.append({"model": m, "actor": " = ".join(names.actor(a) for a in tied) if top else None,
                          "swing": fmt_input("position", top.swing) if top else None})
        grid.append({"issue": issue.id, "title": names.issue(issue.id), "cells": cells})  # "–": no forecast then
    rows = []
    for il in lv.issues:
        if il.model != lead:
            continue
        reachable = [x for x in il.levers if x.size is not None]
        picks = _lever_picks(reachable)
        rows.append({"issue": il.issue, "title": names.issue(il.issue), "forecast": fmt_input("position", il.forecast),
                     "label": il.forecast_label, "levers": [{"text": x.text, "target": x.target_label,
                                                            "size": fmt_input(x.moves[0].input, x.size),
                                                            "input": x.moves[0].input} for x in picks],
                     "none": not reachable})
    sens = [{"issue": names.issue(il.issue), "issue_id": il.issue, "actor": names.actor(s.actor), "input": s.input,
             "value": fmt_input(s.input, s.value), "derivative": f"{s.derivative:.3g}" if s.derivative is not None else "–",
             "swing": fmt_input("position", s.swing), "method": s.method}
            for il in lv.issues if il.model == lead for s in il.sensitivities]
    top = [{**t, "actor_name": names.actor(t["actor"]), "title": names.issue(t["issue"]),
            "swing_text": fmt_input("position", t["swing"]),
            "step_text": fmt_input(t["input"], t["step"])} for t in top_levers(result)]
    notes = [{"model": model_name(il.model), "note": il.note} for il in lv.issues if il.note]
    return {"model": model_name(lead) if lead else "", "model_key": lead, "models": [model_name(m) for m in models],
            "model_keys": models, "grid": grid, "rows": rows, "sensitivities": sens, "top": top,
            "notes": list({n["model"]: n for n in notes}.values()),
            "not_computed": [{"model": model_name(m), "why": why} for m, why in lv.not_computed.items()],
            "date": lv.date}


def _lever_picks(levers: list[Any]) -> list[Any]:
    """Per target band: the smallest single position move, the smallest salience move and the smallest pair move."""
    picks: dict[tuple[Any, str, int], Any] = {}
    for x in levers:
        key = (x.target_lo, x.moves[0].input, min(len(x.moves), 2))
        if key not in picks or (x.size or 0) < (picks[key].size or 0):
            picks[key] = x
    return list(picks.values())


def _contribution_view(c: Contribution, names: Names) -> dict[str, Any]:
    moved = "" if c.before is None and c.after is None else (
        ("enters the issue" if c.after else "leaves the issue") if c.input == "participation"
        else f"{fmt_input(c.input, c.before)} → {fmt_input(c.input, c.after)}")
    return {"actor": names.actor(c.actor), "input": INPUT_NAMES.get(c.input, c.input), "moved": moved,
            "value": fmt_change(c.value), "raw": c.value or 0.0,
            "stderr": None if c.stderr is None else f"{c.stderr:.2f}",
            "sources": [_source_view(s) for s in c.sources]}


def explain_view(result: RunResult, names: Names) -> dict[str, Any] | None:
    """Per pair of dates: every model's change per issue, and the headline model's split of each change."""
    if not result.explanations:
        return None
    periods = []
    for ex in result.explanations:
        lead = headline_model(list(ex.models))
        by = {(e.issue, e.model): e for e in ex.issues}
        issue_ids = list(dict.fromkeys(e.issue for e in ex.issues))
        table = [{"issue": iid, "title": names.issue(iid),
                  "changes": [fmt_change(by[(iid, m)].change) if (iid, m) in by else "–" for m in ex.models]}
                 for iid in issue_ids]
        detail = []
        for e in ex.issues:
            if e.model != lead:
                continue
            detail.append({"issue": e.issue, "title": names.issue(e.issue), "before": fmt_input("position", e.before),
                           "after": fmt_input("position", e.after), "change": fmt_change(e.change),
                           "method": e.method, "permutations": e.permutations, "note": e.note,
                           "contributions": [_contribution_view(c, names) for c in
                                             sorted(e.contributions, key=lambda c: -abs(c.value or 0.0))]})
        periods.append({"from": ex.date_from, "to": ex.date_to, "model": model_name(lead) if lead else "",
                        "model_key": lead, "models": [model_name(m) for m in ex.models], "model_keys": ex.models,
                        "table": table, "detail": detail})
    return {"periods": periods}


def blocs_view(result: RunResult, names: Names) -> dict[str, Any] | None:
    """The blocs, the distance matrix and the coalition the headline model's forecast of each issue rests on."""
    b = result.blocs
    if b is None or not b.actors:
        return None
    lead = headline_model(list(dict.fromkeys(c.model for c in b.coalitions)))
    coalitions = [{"issue": c.issue, "title": names.issue(c.issue), "forecast": fmt_input("position", c.forecast),
                   "band": c.band_label or f"{fmt_input('position', c.band_lo)}–{fmt_input('position', c.band_hi)}",
                   "sets": [" + ".join(names.actor(a) for a in s) for s in c.sets],
                   "moved_to": [fmt_input("position", v) for v in c.moved_to]}
                  for c in b.coalitions if c.model == lead]
    return {"blocs": [[names.actor(a) for a in bloc] for bloc in b.blocs], "threshold": b.threshold,
            "actors": [names.actor(a) for a in b.actors],
            "distance": [[f"{v:.2f}" if v is not None else "–" for v in row] for row in b.distance],
            "model": model_name(lead) if lead else "", "coalitions": coalitions, "date": b.date}
