"""The report's first screen: the executive summary, and the likely terms of each issue in plain words.

Each line names what each number is and what it is conditional on: the headline model's point
forecast (conditional on an agreement being reached), and separately the median and range of its
Monte Carlo simulations, which generally differ from the point forecast. A row whose issue lacks a
principal party's position carries a warning. See docs/report.md.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from accord.report.labels import fmt_pct, fmt_pos, latest_positions, model_name, nearest_label
from accord.result import (
    Agreement,
    Anchor,
    Blocker,
    Change,
    ExecutiveSummary,
    Issue,
    Move,
    Packages,
    RatificationVote,
    RunResult,
    SimulatedForecast,
    Term,
)

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
                 "label": "", "value": None, "probability": None, "model": "", "warning": ""} for s in result.summary]
    points = result.forecasts_at()
    intervals = result.intervals()
    names = {a.id: a.name or a.id for a in result.scenario.actors}
    missing = _missing_at(result, result.case.as_of)
    rows = []
    for issue in result.scenario.issues:
        row = _issue_row(issue, points, intervals)
        if row:
            absent = [a for a in result.case.principals if a in missing.get(issue.id, [])]
            row["warning"] = _missing_warning(result, issue.id, absent, names)
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
    headline = "If an agreement is reached, most likely: " + (f"“{label}”" if label else f"{value:.0f} on the 0–100 scale")
    headline += (f" ({fmt_pct(probability)} of simulations of the {model_name(model).lower()} model, conditional on a "
                 "deal)." if probability is not None else ".")
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


# --- the executive summary ---------------------------------------------------------------------

#: How many blocking issues and changed issues the first screen lists.
TOP = 3
CONDITIONING = ("Conditional on an agreement being reached: the {model} model's point forecast per issue. A share is "
                "the share of that model's Monte Carlo simulations landing in the same band, conditional on a deal "
                "under that model: it is not the probability that the outcome happens.")
WITH_PROBABILITIES = ("Probabilities of the case's events by their deadlines follow (events.yaml): each says what it is "
                      "conditional on, and ± is its Monte Carlo standard error.")
NOT_COMPUTED_PROBABILITY = ("accord does not yet compute a calibrated probability of agreement, so this summary gives "
                            "none; below is the evidence this run does have.")


def executive_summary(result: RunResult) -> ExecutiveSummary:
    """The first screen, from the typed result alone (see :class:`accord.result.ExecutiveSummary`)."""
    names = {a.id: a.name or a.id for a in result.scenario.actors}
    horizon = result.case.horizon
    question = (f"Will an agreement be reached by {horizon.isoformat()}? " if horizon
                else "No horizon is set for this case (case.yaml: horizon). ")
    model = headline_model(list(result.forecasts_at()))
    in_short, evidence = _agreement_evidence(result, names)
    changes, later = _changes(result, model, names)
    top = next((a for a in result.agreements if a.headline), None)
    return ExecutiveSummary(
        horizon=horizon, outlook=question + (WITH_PROBABILITIES if result.agreements else NOT_COMPUTED_PROBABILITY),
        probability=top.probability if top else None, mc_error=top.mc_error if top else None,
        headline_event=top.event if top else None, in_short=in_short, evidence=evidence,
        headline_model=model, conditioning=CONDITIONING.format(model=model_name(model).lower()) if model else "",
        terms=_terms(result, model, names), blockers=_party_blockers(result, names) + _issue_blockers(result, names),
        changed_from=result.case.as_of if later else None, changed_to=later, changes=changes,
    )


def agreement_figure(probability: float, mc_error: float, draws: int = 0) -> str:
    """``P ± error`` with as many decimals as the error's first significant digit needs (two to four).

    A probability held at the Monte Carlo floor 1/(2n) or ceiling 1 − 1/(2n) (no draw, or every
    draw, met the terms) is shown as ``< 1/n`` or ``> 1 − 1/n``: the draws cannot tell it apart
    from anything closer to 0 or 1, so a point figure there would claim more than they know.
    """
    bound = resolution_bound(probability, draws)
    if bound:
        return bound
    decimals = 2 if mc_error <= 0 else min(4, max(2, -math.floor(math.log10(mc_error))))
    return f"{probability:.{decimals}f} ± {mc_error:.{decimals}f}"


def resolution_bound(probability: float, draws: int) -> str:
    """``< 1/n`` or ``> 1 − 1/n`` for a probability within half a draw of 0 or 1 over ``draws``
    draws (the Monte Carlo resolution), else empty (no draws: empty)."""
    if draws <= 0:
        return ""
    step = 1.0 / draws
    if probability <= step / 2:
        return f"< {step:.4g}"
    if probability >= 1.0 - step / 2:
        return f"> {1.0 - step:.4g}"
    return ""


def _shown(a: Agreement) -> str:
    """``= 0.62 ± 0.02`` or ``< 0.001``: the figure with the sign it needs after ``P``."""
    figure = a.figure or agreement_figure(a.probability, a.mc_error, a.draws)
    return figure if figure[:1] in "<>" else f"= {figure}"


def agreement_sentence(a: Agreement) -> str:
    """The line every renderer shows for one event: probability ± Monte Carlo error, deadline, origin, conditioning."""
    if not a.modelled or a.probability is None or a.mc_error is None:
        return f"{a.question} (by {a.deadline.isoformat()}): not modelled. {a.reason[:1].upper()}{a.reason[1:]}."
    days = (a.deadline - a.origin).days
    return (f"{a.question}: P {_shown(a)} by {a.deadline.isoformat()} "
            f"({days} days after {a.origin.isoformat()}, {a.draws:,} draws); {a.reason}.")


def agreement_short(a: Agreement) -> str:
    """The first screen's answer for one event: the figure and its two factors; the full conditions are listed below."""
    if not a.modelled or a.probability is None or a.mc_error is None or a.p_terms is None or a.p_by_deadline is None:
        return agreement_sentence(a)
    terms = resolution_bound(a.p_terms, a.draws) or f"= {a.p_terms:.3g}"
    terms = f"its terms hold with P {terms} over {a.draws:,} draws"
    return (f"{a.question}: P {_shown(a)} (forecast on {a.origin.isoformat()}). {terms[:1].upper()}{terms[1:]}, and "
            f"terms that hold are reached by {a.deadline.isoformat()} with P = {a.p_by_deadline:.3g}; the "
            f"full conditions of the event are listed below.")


def _party_list(ids: list[str], names: dict[str, str]) -> str:
    words = [names.get(i, i) for i in ids]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _agreement_evidence(result: RunResult, names: dict[str, str]) -> tuple[str, list[str]]:
    """One line in short, and the lines of evidence on agreement: packages, bargaining, ratification, truce."""
    pk = result.packages
    short, lines = [], []
    if pk is None:
        lines.append("No package file: whether any package is acceptable to all parties was not computed.")
    else:
        parties = f"all {len(pk.parties)} parties of the package file ({_party_list(pk.parties, names)})"
        if pk.acceptable_to_all:
            short.append("a zone of possible agreement exists in the package file")
            count = f"{pk.n_acceptable:,} of {pk.n_packages:,} packages are" if pk.n_acceptable is not None else \
                "Some packages are"
            lines.append(f"{count} acceptable to {parties}: each gives every one of them at least its reservation value.")
        else:
            short.append("no package in the package file is acceptable to every party")
            lines.append(f"No package is acceptable to {parties}: none gives every one of them its reservation value.")
        solutions = [n for n, p in (("Nash", pk.nash), ("Kalai–Smorodinsky", pk.kalai_smorodinsky)) if p]
        lines.append(f"Bargaining solutions found: {', '.join(solutions)}." if solutions
                     else "No bargaining solution exists, since no package is acceptable to all.")
        if pk.passing_count:
            lines.append("Packages passing each ratification stage with probability ≥ 0.5: "
                         + "; ".join(f"{stage} {n:,}" for stage, n in pk.passing_count.items()) + ".")
        named = _named_ratification(pk)
        if named:
            passing = [label for label, (fails, _) in named.items() if not fails]
            short.append(f"named plans passing every ratification stage: {', '.join(passing)}" if passing
                         else f"none of the {len(named)} named plans passes every ratification stage")
            lines.append("Named plans, ratification stages failed (probability below 0.5): " + "; ".join(
                f"{label} {len(fails)} of {n}" for label, (fails, n) in named.items()) + ".")
    if result.truce is not None:
        labels = {s.id: s.label for s in result.truce.states}
        stable = [f"state {s} ({labels.get(s, s)})" for s in result.truce.equilibria]
        lines.append("Truce game, states stable under every stability concept: " + "; ".join(stable) + "."
                     if stable else "Truce game: no state is stable under every stability concept.")
    return _in_short(result, short), lines


NO_HEADLINE = ("the case names no headline event (events.yaml: headline: true), so the first line gives no single "
               "probability; the probabilities of its events follow.")


def _in_short(result: RunResult, findings: list[str]) -> str:
    """The first line: the headline event's sentence (probability ± error, deadline, conditions), then the findings."""
    found = ("; ".join(findings) + ".") if findings else ""
    if not result.agreements:
        return f"In short: {found} These are findings, not a probability of agreement." if found else ""
    top = next((a for a in result.agreements if a.headline), None)
    answer = agreement_short(top) if top else NO_HEADLINE
    return f"In short: {answer}" + (f" Findings behind it: {found}" if found else "")


def _named_ratification(pk: Packages) -> dict[str, tuple[list[str], int]]:
    """Per named package of the package file: the ratification stages it fails (probability below 0.5), of how many."""
    votes: dict[str, list[RatificationVote]] = {}
    for v in pk.ratification:
        if v.named and v.label:
            votes.setdefault(v.label, []).append(v)
    return {label: ([v.ratifier for v in vs if v.probability is None or v.probability < 0.5], len(vs))
            for label, vs in votes.items()}


def executive_view(result: RunResult) -> ExecutiveSummary:
    """The result's executive summary, or one computed now for a result saved without it."""
    return result.executive or executive_summary(result)


def _terms(result: RunResult, model: str | None, names: dict[str, str]) -> list[Term]:
    if model is None:
        return []
    points = result.forecasts_at().get(model, {})
    sims = result.intervals().get(model, {})
    missing = _missing_at(result, result.case.as_of)
    principals = result.case.principals
    terms = []
    for issue in result.scenario.issues:
        value = points.get(issue.id)
        label = nearest_label(issue.anchors, value)
        sim = sims.get(issue.id)
        share = sim.bands.get(label) if sim and label else None
        if value is None:
            text = "no forecast: too few parties have a position at this date"
        else:
            text = f"{value:.0f} of 100" + (f", “{label}”" if label else "")
        if share is not None:
            text += f" ({fmt_pct(share)} of simulations of the {model_name(model).lower()} model, conditional on a deal)"
        absent = [a for a in principals if a in missing.get(issue.id, [])]
        terms.append(Term(issue=issue.id, title=issue.title or issue.id, model=model, value=value, label=label, share=share, missing_principals=absent,
                          text=text, warning=_missing_warning(result, issue.id, absent, names)))
    return terms


def _missing_at(result: RunResult, date: dt.date) -> dict[str, list[str]]:
    return next((t.missing for t in result.forecasts if t.date == date), {})


def _missing_warning(result: RunResult, issue: str, absent: list[str], names: dict[str, str]) -> str:
    """The warning of a headline row whose issue lacks a principal party's position ('' if none lacks one)."""
    if not absent:
        return ""
    when = result.case.as_of
    text = (f"No position of {_party_list(absent, names)} on this issue at {when.isoformat()}: every model leaves "
            f"{'it' if len(absent) == 1 else 'them'} out, so the forecast reflects the other parties only.")
    later = sorted((p for p in result.scenario.history if p.issue == issue and p.actor in absent and p.date
                    and p.date > when), key=lambda p: p.date)
    firsts = {p.actor: p for p in reversed(later)}
    if firsts:
        text += " First recorded later: " + "; ".join(
            f"{names.get(a, a)} {firsts[a].position:.0f} on {firsts[a].date.isoformat()}" for a in absent if a in firsts) + "."
    return text


def _party_blockers(result: RunResult, names: dict[str, str]) -> list[Blocker]:
    pk = result.packages
    if pk is None or not pk.acceptable_to_each or not pk.n_packages:
        return []
    fewest = min(pk.acceptable_to_each.values())
    return [Blocker(kind="party", id=party, value=n,
                    text=f"{names.get(party, party)}: only {n:,} of {pk.n_packages:,} packages reach its reservation "
                         "value, the fewest of any party of the package file.")
            for party, n in pk.acceptable_to_each.items() if n == fewest]


def _issue_blockers(result: RunResult, names: dict[str, str]) -> list[Blocker]:
    """The issues where the principal parties' latest positions lie furthest apart (ties in the scenario's order)."""
    latest = latest_positions(result.scenario.positions)
    titles = {i.id: i.title or i.id for i in result.scenario.issues}
    gaps = []
    for issue in result.scenario.issues:
        held = [(a, latest[(a, issue.id)].position) for a in result.case.principals if (a, issue.id) in latest]
        if len(held) < 2:
            continue
        lo, hi = min(held, key=lambda x: x[1]), max(held, key=lambda x: x[1])
        if hi[1] - lo[1] > 0:
            gaps.append((hi[1] - lo[1], issue.id, lo, hi))
    gaps.sort(key=lambda g: -g[0])
    return [Blocker(kind="issue", id=iid, value=gap,
                    text=f"{titles[iid]}: {names.get(lo[0], lo[0])} at {lo[1]:.0f}, {names.get(hi[0], hi[0])} at "
                         f"{hi[1]:.0f} ({gap:.0f} points apart).")
            for gap, iid, lo, hi in gaps[:TOP]]


def _changes(result: RunResult, model: str | None, names: dict[str, str]) -> tuple[list[Change], dt.date | None]:
    """The issues whose headline forecast moved most between the run's date and the first comparison date."""
    later = next((d for d in result.case.compare if result.forecasts_at(d)), None)
    if model is None or later is None:
        return [], later
    before, after = result.forecasts_at().get(model, {}), result.forecasts_at(later).get(model, {})
    titles = {i.id: i.title or i.id for i in result.scenario.issues}
    moved = sorted(((abs(after[i] - before[i]), i) for i in titles
                    if before.get(i) is not None and after.get(i) is not None and abs(after[i] - before[i]) >= 0.5),
                   key=lambda x: -x[0])
    old = latest_positions(p for p in result.scenario.history if p.date is None or p.date <= result.case.as_of)
    new = latest_positions(p for p in result.scenario.history if p.date is None or p.date <= later)
    changes = []
    for _, iid in moved[:TOP]:
        moves = [Move(actor=a, before=old[(a, iid)].position if (a, iid) in old else None, after=new[(a, iid)].position)
                 for (a, i) in new if i == iid and ((a, iid) not in old or old[(a, iid)].position != new[(a, iid)].position)]
        said = "; ".join(f"{names.get(m.actor, m.actor)} {fmt_pos(m.before) if m.before is not None else 'no position'}"
                         f" → {fmt_pos(m.after)}" for m in moves)
        changes.append(Change(issue=iid, model=model, before=before[iid], after=after[iid], moves=moves,
                              text=f"{titles[iid]}: {before[iid]:.0f} → {after[iid]:.0f}"
                                   + (f" (positions that changed: {said})." if said else ".")))
    return changes, later
