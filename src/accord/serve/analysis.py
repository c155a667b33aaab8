"""Levers and "why it moved" of the workbench's fast view, as a typed run result the report's views render.

Levers are those of the shown scenario (the edited working copy or a saved variant) at the shown date;
"why it moved" splits each issue's change of forecast from a saved baseline (the case's own scenario,
or a chosen variant) to the shown scenario, at the same date, into the Shapley contributions of the
inputs that differ (``accord.analysis.explain``; docs/methods/levers.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from accord.analysis.explain import explain_issue, explain_linked
from accord.analysis.uncertainty import as_model_runs
from accord.models.registry import get
from accord.pipeline import Snapshot, levers_section, scenario_section
from accord.result import CaseInfo, Contribution, Explanations, IssueExplanation, RunResult
from accord.scenario.model import Scenario

BASELINE_LABEL = "baseline"
SHOWN_LABEL = "edited"


def explained_models(models: Sequence[str]) -> list[str]:
    """The models whose levers and moves are shown (reference points such as the status quo left out)."""
    return [m for m in models if get(m).kind != "reference"]


def edit_explanations(baseline: Scenario, shown: Scenario, when: dt.date, models: Sequence[str]) -> Explanations:
    """Each model's change of forecast per issue from ``baseline`` to ``shown`` at ``when``, split over the
    inputs that differ (exact Shapley values for up to 12 changed inputs per issue, sampled above)."""
    old, new = baseline.issue_data(when), shown.issue_data(when)
    old_by, new_by = {i.id: i for i in old}, {i.id: i for i in new}
    ids = [i.id for i in shown.issues if i.id in old_by or i.id in new_by]
    kept = explained_models(models)
    found = []
    for run in as_model_runs(kept, None):
        if run.spec.multi_issue:
            found += explain_linked(run, old, new)
        else:
            found += [explain_issue(run, old_by.get(iid), new_by.get(iid)) for iid in ids]
    return Explanations(date_from=when, date_to=when, models=kept, issues=[
        IssueExplanation(issue=e.issue, model=e.model, before=e.before, after=e.after, change=e.change,
                         method=e.method, permutations=e.permutations, note=e.note,
                         contributions=[Contribution(**c.to_dict()) for c in e.contributions])
        for e in found])


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
