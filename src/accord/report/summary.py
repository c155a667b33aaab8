"""The plain-words summary: the likely outcome of each issue, from the forecasts and their intervals."""

from __future__ import annotations

from typing import Any

from accord.report.labels import fmt_pct, model_name, nearest_label

HEADLINE_MODELS: tuple[str, ...] = ("compromise", "bdm", "weighted-median", "exchange", "nash", "mean")


def _headline_model(table: dict[str, Any]) -> str | None:
    for key in HEADLINE_MODELS:
        if key in table:
            return key
    return next(iter(table), None)


def build_summary(result: dict[str, Any], issues: list[dict[str, Any]], issue_title: dict[str, str]) -> list[dict[str, Any]]:
    """One row per issue: the likely band, its chance and an explanation (or the run's own summary)."""
    given = result.get("summary")
    if given:
        return [
            {"issue": s.get("issue"), "title": issue_title.get(s.get("issue"), s.get("issue") or ""),
             "text": s.get("text", ""), "detail": s.get("text", ""), "label": "", "value": None,
             "probability": None}
            for s in given
            if isinstance(s, dict)
        ]
    intervals = result.get("intervals") or {}
    forecasts = result.get("forecasts") or {}
    if not intervals and not forecasts:
        return []
    rows = []
    for issue in issues:
        iid = issue["id"]
        anchors = issue.get("anchors") or []
        model = _headline_model({k: v for k, v in intervals.items() if iid in (v or {})})
        interval = intervals[model][iid] if model else None
        if interval is None:
            model = _headline_model({k: v for k, v in forecasts.items() if iid in (v or {})})
            value = forecasts[model][iid] if model else None
        else:
            value = interval.get("q50", interval.get("mean"))
        if value is None:
            continue
        label = nearest_label(anchors, value)
        probability = ((interval or {}).get("bands") or {}).get(label) if label else None
        point_values = [v[iid] for v in forecasts.values() if v and v.get(iid) is not None]
        sq = issue.get("status_quo")
        sq_label = nearest_label(anchors, sq)
        headline, detail = _summary_text(model, value, label, probability, interval, sq, sq_label, point_values,
                                         anchors)
        rows.append({"issue": iid, "title": issue_title[iid], "text": f"{headline} {detail}", "detail": detail,
                     "label": label, "value": value,
                     "probability": probability, "model": model_name(model or "")})
    return rows


def _summary_text(model: str | None, value: float, label: str, probability: float | None,
                  interval: dict[str, Any] | None, sq: float | None, sq_label: str,
                  point_values: list[float], anchors: list[dict[str, Any]]) -> tuple[str, str]:
    """The headline sentence and the explanation that follows it."""
    what = f"“{label}”" if label else f"{value:.0f} on the 0–100 scale"
    headline = f"Most likely outcome: {what}" + (f" ({fmt_pct(probability)} chance)." if probability is not None else ".")
    parts = [f"The {model_name(model or '').lower()} model puts it at {value:.0f} of 100"]
    if interval and interval.get("q05") is not None and interval.get("q95") is not None:
        lo, hi = interval["q05"], interval["q95"]
        lo_l, hi_l = nearest_label(anchors, lo), nearest_label(anchors, hi)
        parts[0] += f"; 90% of simulations fall between {lo:.0f} and {hi:.0f}"
        if lo_l and hi_l and lo_l != hi_l:
            parts[0] += f" (“{lo_l}” to “{hi_l}”)"
    parts[0] += "."
    if sq is not None:
        today = f" (“{sq_label}”)" if sq_label else ""
        if abs(value - sq) <= _step(anchors) / 2:
            parts.append(f"That is close to the status quo{today}.")
        else:
            parts.append(f"That is a change from the status quo{today}.")
    if len(point_values) > 1:
        lo, hi = min(point_values), max(point_values)
        if hi - lo <= _step(anchors) / 2:
            parts.append(f"All {len(point_values)} models agree closely ({lo:.0f} to {hi:.0f}).")
        else:
            parts.append(f"The {len(point_values)} models differ: their forecasts run from {lo:.0f} to {hi:.0f}.")
    return headline, " ".join(parts)


def _step(anchors: list[dict[str, Any]]) -> float:
    vals = sorted(float(a["value"]) for a in anchors)
    gaps = [b - a for a, b in zip(vals, vals[1:]) if b > a]
    return min(gaps) if gaps else 10.0
