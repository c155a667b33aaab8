"""The report's track record: the rolling backtest's scores, its origins × events table and reliability table.

Every figure comes from :class:`accord.result.TrackRecord`; the rules and method are in
docs/methods/backtest.md.
"""

from __future__ import annotations

from typing import Any

from accord.result import TrackRecord

#: The forecaster the table of origins shows (accord's own probabilities).
MODEL = "accord"


def prob_text(p: float | None) -> str:
    """A probability as a percentage precise enough that a small one never reads as 0% (or a large one as 100%)."""
    if p is None:
        return "–"
    pct = 100 * p
    return f"{pct:.1f}%" if pct < 1 or pct > 99 else f"{pct:.0f}%"


def _interval(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]" if low is not None and high is not None else f"{value:.3f}"


def track_record_view(tr: TrackRecord | None) -> dict[str, Any] | None:
    """The section's view model, None when the run has no rolling backtest."""
    if tr is None or not tr.cells:
        return None
    best = min((s.brier for s in tr.scores if s.brier is not None), default=None)
    at = {(c.origin, c.event): c for c in tr.cells}
    rows = []
    for e in tr.events:
        cells = [at.get((o, e.id)) for o in tr.origins]
        if not any(cells):
            continue
        outcome = next(c.outcome for c in cells if c is not None)
        rows.append({"event": e.id, "question": e.question, "deadline": e.deadline,
                     "outcome": "yes" if outcome else "no", "not_modelled": e.not_modelled,
                     "cells": [_cell_view(c) for c in cells]})
    return {
        "origins": tr.origins, "draws": tr.draws, "rules": tr.rules, "notes": tr.notes, "rows": rows,
        "scores": [{"name": s.scorer, "n": s.n, "events": s.events, "best": s.brier is not None and s.brier == best,
                    "brier": _interval(s.brier, s.brier_low, s.brier_high),
                    "log": _interval(s.log, s.log_low, s.log_high),
                    "versus": (f"{s.minus_accord:+.3f} [{s.minus_accord_low:+.3f}, {s.minus_accord_high:+.3f}] "
                               f"on {s.shared}" if s.minus_accord is not None else "–")} for s in tr.scores],
        "reliability": [{"scorer": r.scorer, "bin": f"{r.low:.1f}–{r.high:.1f}", "n": r.n,
                         "mean": prob_text(r.mean_forecast),
                         "observed": "–" if r.observed is None else f"{100 * r.observed:.0f}%"}
                        for r in tr.reliability if r.n],
        "not_modelled": [{"event": e.id, "reason": e.not_modelled} for e in tr.events if e.not_modelled],
        "yes": sum(r["outcome"] == "yes" for r in rows), "events": len(rows),
    }


def _cell_view(cell: Any) -> dict[str, Any] | None:
    if cell is None:
        return None
    p = cell.forecasts.get(MODEL)
    if p is None:
        return {"text": "n/m", "title": cell.reason or "not modelled"}
    err = f" ± {100 * cell.mc_error:.1f} pts (Monte Carlo s.e.)" if cell.mc_error is not None else ""
    others = ", ".join(f"{k} {prob_text(v)}" for k, v in cell.forecasts.items() if k != MODEL)
    return {"text": prob_text(p), "title": f"accord {prob_text(p)}{err}; {others}"}
