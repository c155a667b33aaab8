"""The plain-words summary: the likely outcome of each issue, from the forecasts and their intervals.

Each line names what each number is: the headline model's point forecast, and separately the
median and range of its Monte Carlo simulations, which generally differ from the point forecast.
"""

from __future__ import annotations

from typing import Any

from accord.report.labels import fmt_pct, model_name, nearest_label
from accord.result import Anchor, Issue, RunResult, SimulatedForecast

HEADLINE_MODELS: tuple[str, ...] = ("compromise", "bdm", "weighted-median", "exchange", "nash", "mean")


def headline_model(candidates: list[str]) -> str | None:
    """The first of HEADLINE_MODELS among ``candidates``, else the first candidate."""
    for key in HEADLINE_MODELS:
        if key in candidates:
            return key
    return candidates[0] if candidates else None


def build_summary(result: RunResult) -> list[dict[str, Any]]:
    """One row per issue: the headline forecast, its band and the share of simulations in it."""
    titles = {i.id: i.title or i.id for i in result.scenario.issues}
    if result.summary:
        return [{"issue": s.issue, "title": titles.get(s.issue, s.issue), "text": s.text, "detail": s.text,
                 "label": "", "value": None, "probability": None, "model": ""} for s in result.summary]
    points = result.forecasts_at()
    intervals = result.intervals()
    rows = []
    for issue in result.scenario.issues:
        row = _issue_row(issue, points, intervals)
        if row:
            rows.append(row)
    return rows


def _issue_row(issue: Issue, points: dict[str, dict[str, float | None]],
               intervals: dict[str, dict[str, SimulatedForecast]]) -> dict[str, Any] | None:
    iid = issue.id
    model = headline_model([m for m, t in points.items() if t.get(iid) is not None])
    simulated = False
    if model is None:  # no point forecast: fall back to a simulated model's point
        model = headline_model([m for m, t in intervals.items() if iid in t and t[iid].point is not None])
        simulated = model is not None
    if model is None:
        return None
    interval = intervals.get(model, {}).get(iid)
    value = interval.point if simulated and interval else points[model][iid]
    if value is None:
        return None
    label = nearest_label(issue.anchors, value)
    probability = interval.bands.get(label) if interval and label else None
    others = [v for t in points.values() if (v := t.get(iid)) is not None]
    headline = f"Most likely outcome: “{label}”" if label else f"Most likely outcome: {value:.0f} on the 0–100 scale"
    headline += f" ({fmt_pct(probability)} of simulations)." if probability is not None else "."
    detail = _detail(model, value, interval, issue, others)
    return {"issue": iid, "title": issue.title or iid, "text": f"{headline} {detail}", "detail": detail,
            "label": label, "value": value, "probability": probability, "model": model_name(model)}


def _detail(model: str, value: float, interval: SimulatedForecast | None, issue: Issue, others: list[float]) -> str:
    anchors = issue.anchors
    parts = [f"The {model_name(model).lower()} model forecasts {value:.0f} of 100."]
    if interval and interval.q50 is not None:
        sim = f"The median of its Monte Carlo simulations is {interval.q50:.0f}"
        if interval.q05 is not None and interval.q95 is not None:
            sim += f"; 90% of them fall between {interval.q05:.0f} and {interval.q95:.0f}"
            lo, hi = nearest_label(anchors, interval.q05), nearest_label(anchors, interval.q95)
            if lo and hi and lo != hi:
                sim += f" (“{lo}” to “{hi}”)"
        parts.append(sim + ".")
    if issue.status_quo is not None:
        sq_label = nearest_label(anchors, issue.status_quo)
        today = f" (“{sq_label}”)" if sq_label else ""
        close = abs(value - issue.status_quo) <= _step(anchors) / 2
        parts.append(f"That is {'close to' if close else 'a change from'} the status quo{today}.")
    if len(others) > 1:
        least, most = min(others), max(others)
        if most - least <= _step(anchors) / 2:
            parts.append(f"All {len(others)} models agree closely ({least:.0f} to {most:.0f}).")
        else:
            parts.append(f"The {len(others)} models differ: their forecasts run from {least:.0f} to {most:.0f}.")
    return " ".join(parts)


def _step(anchors: list[Anchor]) -> float:
    vals = sorted(a.value for a in anchors)
    gaps = [b - a for a, b in zip(vals, vals[1:]) if b > a]
    return min(gaps) if gaps else 10.0
