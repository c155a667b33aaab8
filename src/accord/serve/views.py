"""What each workbench page shows, as template context: every number comes from the scenario's
forecasts or from the typed result of the last full run, never from the page itself."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from accord.serve.analysis import fast_analysis, relabel_waterfalls
from accord.serve.safety import safe_url
from accord.serve.variants import check_name
from accord.serve.workbench import fast_models, forecast_rows, input_grid, model_heads


def context(server: Any, view: str, when: dt.date, variant: str | None, models: list[str],
            baseline: str | None = None) -> dict[str, Any]:
    """The template context of one page, with ``data`` for the page's script; ``baseline`` names the saved
    variant the levers page measures moves against (default: the case's own scenario)."""
    scenario, edits = server.scenario_for(variant)
    bench = server.bench
    query = {k: v for k, v in (("as_of", when.isoformat()), ("variant", variant or ""),
                               ("models", ",".join(models) if models != fast_models() else ""),
                               ("baseline", baseline or "")) if v}
    ctx: dict[str, Any] = {
        "title": scenario.title or scenario.id, "as_of": when.isoformat(), "variant": variant,
        "query": urlencode(query), "heads": model_heads(models), "all_models": model_heads(fast_models()),
        "chosen": models, "editable": variant is None and when == bench.as_of, "working_as_of": bench.as_of.isoformat(),
        "actors": [{"id": a.id, "name": a.name} for a in scenario.actors],
        "variants": server.store.names(server.case_name),
        "job": (server.jobs.latest().view() if server.jobs.latest() else None),
        "run": run_summary(server, variant, when),
        "data": {"as_of": when.isoformat(), "models": models, "variant": variant},
    }
    if view == "forecasts":
        ctx["grid"] = input_grid(scenario, when, edits)
        ctx["rows"] = forecast_rows(scenario, bench.original, when, models)
        ctx["data"]["rows"] = ctx["rows"]
    elif view == "evidence":
        result = finished_run(server, variant, when)
        ctx["evidence"] = evidence_rows(scenario, when, result)
        ctx["extracted"] = result is not None
    elif view == "levers":
        ctx.update(levers_context(server, scenario, when, models, baseline))
    elif view == "variants" and variant:
        ctx["detail"] = server.store.get(server.case_name, variant)
    return ctx


def levers_context(server: Any, scenario: Any, when: dt.date, models: list[str], baseline: str | None) -> dict[str, Any]:
    """The levers of the shown scenario and why its forecasts moved from the baseline, as the report shows them."""
    from accord.report.charts import chart_html, explain_waterfalls, levers_heatmap
    from accord.report.context import Names, explain_view, levers_view

    base = server.store.get(server.case_name, check_name(baseline)).scenario() if baseline else server.bench.original
    result = fast_analysis(base, scenario, when, models)
    names = Names(result)
    heatmap, waterfalls = levers_heatmap(result), relabel_waterfalls(explain_waterfalls(result))
    explained = explain_view(result, names)
    return {"levers": levers_view(result, names), "explained": explained["periods"][0] if explained else None,
            "baseline": baseline,
            "moved": [r for r in forecast_rows(scenario, base, when, models) if any(c["moved"] for c in r["cells"])],
            "charts": {k: chart_html(f, k) for k, f in (("chart-levers", heatmap), ("chart-explain", waterfalls)) if f}}


def evidence_rows(scenario: Any, when: dt.date, result: Any = None) -> list[dict[str, Any]]:
    """Each position in force at ``when`` with its note and sources (links only for http(s) addresses) and,
    given a finished run's ``result``, the statements its evidence pipeline extracted for that party and issue."""
    names = {a.id: a.name for a in scenario.actors}
    issues = {i.id: i for i in scenario.issues}
    statements = extracted_statements(result) if result is not None else {}
    rows = []
    for p in scenario.as_of(when).positions:
        rows.append({
            "actor": names[p.actor], "issue": issues[p.issue].title, "position": p.position, "salience": p.salience,
            "band": issues[p.issue].scale.band(p.position), "date": p.date.isoformat(), "note": p.note,
            "origin": p.origin,
            "sources": [{"href": safe_url(s.url), "url": s.url, "title": s.title or s.id or s.url,
                         "outlet": s.outlet, "date": s.date.isoformat() if s.date else None, "quote": s.quote}
                        for s in p.sources],
            "statements": statements.get((p.actor, p.issue), []),
        })
    return rows


def extracted_statements(result: Any) -> dict[tuple[str | None, str | None], list[dict[str, Any]]]:
    """The run's extracted statements by (actor, issue), each as the report's evidence table shows it
    (speaker, outlet, safe link) plus its hedged flag."""
    from accord.report.context import Names, evidence_view

    records = result.evidence.statements if result.evidence else []
    view = evidence_view(result.evidence, Names(result)) if records else None
    grouped: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
    for record, row in zip(records, view["statements"] if view else [], strict=True):
        grouped.setdefault((record.actor, record.issue), []).append({**row, "hedged": record.hedged})
    return grouped


def finished_run(server: Any, variant: str | None, when: dt.date) -> Any:
    """The typed result of the last full run when it is of this view (the working copy at its date), else None."""
    out = server.last_run
    if out is None or variant or server.run_of != ("", when.isoformat()):
        return None
    return out.result


def run_summary(server: Any, variant: str | None, when: dt.date) -> dict[str, Any] | None:
    """Intervals, agreement probabilities, packages and charts of the last full run, if it matches this view."""
    result = finished_run(server, variant, when)
    if result is None:
        return None
    from accord.report.charts import build_charts

    intervals = []
    for model, per_issue in result.intervals().items():
        for issue in result.scenario.issues:
            s = per_issue.get(issue.id)
            if s is not None:
                intervals.append({"model": model, "issue": issue.title, "point": s.point, "q05": s.q05,
                                  "q50": s.q50, "q95": s.q95})
    modelled = [a for a in result.agreements if a.modelled]
    unmodelled = [a for a in result.agreements if not a.modelled]
    pk = result.packages
    packages = None
    if pk is not None:
        packages = {"n": pk.n_packages, "acceptable": pk.n_acceptable, "frontier": pk.n_frontier,
                    "issues": [i.title for i in pk.issues],
                    "solutions": [{"name": name, "options": p.options} for name, p in
                                  (("Nash", pk.nash), ("Kalai–Smorodinsky", pk.kalai_smorodinsky)) if p is not None],
                    "stages": [{"side": s.side, "name": s.name, "passing": s.passing_count, "n": s.n_packages}
                               for s in pk.stages]}
    return {"intervals": intervals, "agreements": modelled, "unmodelled": unmodelled, "packages": packages,
            "charts": build_charts(result),
            "problems": [p.error for p in result.problems], "draws": result.simulation.draws if result.simulation else None}
