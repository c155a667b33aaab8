"""Levers and "why it moved" of the workbench's fast view, as a typed run result the report's views render.

Levers are those of the shown scenario (the edited working copy or a saved variant) at the shown date;
"why it moved" splits each issue's change of forecast from a saved baseline (the case's own scenario,
or a chosen variant) to the shown scenario, at the same date, into the Shapley contributions of the
inputs that differ (the run's explanation of a move between two dates; docs/methods/levers.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from accord.models.registry import get
from accord.pipeline import Snapshot, explanations_section, levers_section, scenario_section
from accord.result import CaseInfo, Explanations, RunResult
from accord.scenario.model import Scenario

BASELINE_LABEL = "baseline"
SHOWN_LABEL = "edited"


def explained_models(models: Sequence[str]) -> list[str]:
    """The models whose levers and moves are shown (reference points such as the status quo left out)."""
    return [m for m in models if get(m).kind != "reference"]


def baseline_then_shown(baseline: Scenario, shown: Scenario, when: dt.date) -> tuple[Scenario, dt.date]:
    """One scenario whose positions in force are the baseline's the day before ``when`` and the shown one's at
    ``when`` (with that day), so the move between the two is a move between two dates.

    A party the baseline has on an issue and the shown scenario lacks keeps its baseline inputs: an edit can add
    a party to an issue but never remove one, so this only arises between two variants that differ so.
    """
    before = when - dt.timedelta(days=1)
    old = [p.model_copy(update={"date": before}) for p in baseline.as_of(when).positions]
    new = [p.model_copy(update={"date": when}) for p in shown.as_of(when).positions]
    return shown.model_copy(update={"positions": old + new}), before


def edit_explanations(baseline: Scenario, shown: Scenario, when: dt.date, models: Sequence[str]) -> Explanations:
    """Each model's change of forecast per issue from ``baseline`` to ``shown`` at ``when``, split over the
    inputs that differ (exact Shapley values for up to 12 changed inputs per issue, sampled above)."""
    both, before = baseline_then_shown(baseline, shown, when)
    return explanations_section(both, before, when, explained_models(models))


def fast_analysis(baseline: Scenario, shown: Scenario, when: dt.date, models: Sequence[str]) -> RunResult:
    """A run result holding only the levers of ``shown`` and why its forecasts moved from ``baseline``."""
    snap = Snapshot.of(shown, when)
    return RunResult(case=CaseInfo(id=shown.id, title=shown.title, as_of=when), scenario=scenario_section(shown, snap),
                     models=explained_models(models), levers=levers_section(shown, snap, explained_models(models)),
                     explanations=[edit_explanations(baseline, shown, when, models)])


def relabel_waterfalls(fig: dict[str, Any] | None) -> dict[str, Any] | None:
    """The report's waterfalls start and end at dates; here both ends are at one date: name them instead."""
    if fig is None:
        return None
    for trace in fig["data"]:
        trace["x"] = [BASELINE_LABEL, *trace["x"][1:-1], SHOWN_LABEL]
    return fig
