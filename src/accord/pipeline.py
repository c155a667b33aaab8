"""The main job: from a case folder to evidence, forecasts, analyses and a report.

``run()`` is what ``accord run`` calls. Stages, in order: scenario → evidence (ingest the case's
articles, suggest positions, compare with the hand-coded ones) → forecasts of every model at
every date → Monte Carlo intervals → expected-utility paths and predicted exchanges → packages,
ratification and the truce game → backtest → report. Each stage is timed by one context manager
and reports progress through an optional callback. Each date's scenario snapshot is built once.
A broken input file (bad YAML, an unreadable article) is recorded as a problem naming the file,
and the run goes on with the rest; only a broken scenario stops it. The result is one typed
:class:`accord.result.RunResult`; ``result.json`` is its serialisation.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

import accord
from accord.cases import CASE_SETTINGS, Case, load_case
from accord.errors import AccordError, InputError
from accord.models.registry import forecast, names
from accord.packages.space import issue_letter
from accord.result import (
    Actor,
    Agreement,
    Anchor,
    Article,
    Backtest,
    BdmOffer,
    BdmPath,
    Blocs,
    CaseInfo,
    Claim,
    Coalition,
    Contribution,
    DatedForecasts,
    DirectionCheck,
    DirectionScore,
    Evidence,
    Exchange,
    Explanations,
    IngestCounts,
    Issue,
    IssueExplanation,
    IssueLevers,
    Lever,
    LeverMove,
    Levers,
    LeverSensitivity,
    Package,
    PackageIssue,
    Packages,
    PivotalActor,
    PositionRecord,
    Problem,
    QualityFlag,
    RatificationStage,
    RatificationVote,
    ReliabilityRow,
    RunResult,
    ScenarioSnapshot,
    SimulatedForecast,
    Simulation,
    Statement,
    Suggestion,
    TrackRecord,
    TrackRecordCell,
    TrackRecordEvent,
    TrackRecordScore,
    Truce,
    TruceState,
)
from accord.scenario.io import load_scenario
from accord.scenario.model import IssueData, Scenario

DEFAULT_DRAWS = 1000
STAGES = ("scenario", "evidence", "forecasts", "uncertainty", "dynamics", "levers", "packages", "agreements", "backtest", "report")
#: At most this many Pareto-optimal packages are kept (evenly spaced) for the report's chart.
FRONTIER_SAMPLE = 400

Progress = Callable[[str, str], None]
RecordT = TypeVar("RecordT", bound=BaseModel)


@dataclass
class RunOutput:
    """What ``run()`` returns: the typed result, the output folder and the files written."""

    result: RunResult
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per stage, and ``total``."""
        return self.result.timings

    @property
    def problems(self) -> list[Problem]:
        """Inputs that could not be used, each with the file and the reason."""
        return self.result.problems


@dataclass(frozen=True)
class Snapshot:
    """The scenario at one date, built once per run: latest positions and the models' array view."""

    date: dt.date
    scenario: Scenario
    issues: list[IssueData]

    @classmethod
    def of(cls, scenario: Scenario, date: dt.date) -> Snapshot:
        snap = scenario.as_of(date)
        return cls(date, snap, snap.issue_data())


class Stages:
    """Times each stage with one context manager, reports progress and collects problems."""

    def __init__(self, say: Progress, folder: Path) -> None:
        self.say = say
        self.folder = folder
        self.timings: dict[str, float] = {}
        self.problems: list[Problem] = []

    @contextmanager
    def stage(self, name: str, detail: str = "") -> Iterator[None]:
        """Report the stage, then time its body (a stage run twice adds up)."""
        self.say(name, detail)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def attempt(self, stage: str, file: Path | None, fn: Callable[[], Any]) -> Any:
        """``fn()``, or None with the failure recorded as a problem of ``stage``."""
        try:
            return fn()
        except AccordError as exc:
            where = getattr(exc, "file", None) or file or self.folder
            self.problems.append(Problem(file=str(where), error=str(exc), stage=stage))
            return None


def _date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def missing_positions(snap: Snapshot, scenario: Scenario) -> dict[str, list[str]]:
    """Per issue, the actors without a position at the snapshot's date (every model leaves them out)."""
    held = {(p.actor, p.issue) for p in snap.scenario.positions}
    missing = {i.id: [a.id for a in scenario.actors if (a.id, i.id) not in held] for i in scenario.issues}
    return {iid: actors for iid, actors in missing.items() if actors}


def check_principals(case: Case, scenario: Scenario) -> None:
    """InputError naming case.yaml's field when a principal is not an actor of the scenario."""
    actors = {a.id for a in scenario.actors}
    for k, party in enumerate(case.config.principals):
        if party not in actors:
            raise InputError(f"unknown actor id {party!r}", file=str(case.folder / CASE_SETTINGS),
                             field=f"principals.{k}")


def principal_parties(case: Case, scenario: Scenario, packages: Packages | None) -> tuple[list[str], str]:
    """The parties the summary checks first, and where they come from.

    The case's ``principals`` (case.yaml) when set; else the parties of the package file, the
    parties a deal must satisfy; else every actor.
    """
    if case.config.principals:
        return list(case.config.principals), "case.yaml"
    if packages is not None and packages.parties:
        return list(packages.parties), "package file"
    return [a.id for a in scenario.actors], "all actors"


def forecast_table(issues: Sequence[IssueData], models: Sequence[str]) -> dict[str, dict[str, float | None]]:
    """``{model: {issue: value}}`` for one snapshot's issues."""
    return {m: {k: f.value for k, f in forecast(list(issues), m).forecasts.items()} for m in models}


def _position_record(p: Any) -> PositionRecord:
    return PositionRecord(
        actor=p.actor, issue=p.issue, position=p.position, salience=p.salience, date=p.date, origin=p.origin,
        uncertainty=p.uncertainty, note=p.note or "",
        sources=[s.model_dump(exclude_none=True) for s in p.sources],
    )


def scenario_section(scenario: Scenario, snap: Snapshot) -> ScenarioSnapshot:
    """Actors, issues, the positions in force at the snapshot's date and the full position history."""
    return ScenarioSnapshot(
        actors=[Actor(id=a.id, name=a.name, kind=a.kind or "", capability=a.capability) for a in scenario.actors],
        issues=[
            Issue(id=i.id, title=i.title, description=i.description or "", status_quo=i.status_quo,
                  anchors=[Anchor(value=a.value, label=a.label) for a in i.scale.anchors])
            for i in scenario.issues
        ],
        positions=[_position_record(p) for p in snap.scenario.positions],
        history=[_position_record(p) for p in sorted(scenario.positions, key=lambda p: (p.date, p.actor, p.issue))],
    )


# -- stages -------------------------------------------------------------------------


def evidence_stage(scenario: Scenario, snap: Snapshot, articles: Path, db: Path, problems: list[Problem]) -> Evidence:
    """Ingest the case's articles, then compare evidence-suggested positions with the scenario's."""
    from accord.evidence.ingest import ingest_paths
    from accord.evidence.report_view import evidence_view
    from accord.evidence.suggest import suggest_positions

    report = ingest_paths([articles], db, scenario=scenario)
    for prob in report.problems:
        problems.append(Problem(file=str(getattr(prob, "file", prob)), error=str(prob), stage="evidence"))
    suggestions = suggest_positions(db, scenario, as_of=snap.date)
    hand = {(p.actor, p.issue): p for p in snap.scenario.positions}
    view = evidence_view(db)
    rows = []
    for s in suggestions:
        h = hand.get((s.actor, s.issue))
        step = scenario.issue(s.issue).scale.step()
        rows.append(Suggestion(
            actor=s.actor, issue=s.issue, suggested=round(s.position, 2), hand=None if h is None else h.position,
            confidence=round(s.confidence, 3),
            agrees=None if h is None else bool(abs(s.position - h.position) <= step / 2),
            supporting=[i.statement_id for i in s.supporting], contradicting=[i.statement_id for i in s.contradicting],
            n_statements=s.n_statements,
        ))
    return Evidence(
        articles=_records(Article, view["articles"]), statements=_records(Statement, view["statements"]),
        claims=_records(Claim, view["claims"]), flags=_records(QualityFlag, view["flags"]), suggestions=rows,
        ingest=IngestCounts(documents=report.documents_read, added=report.articles_added,
                            existing=report.articles_existing, skipped=len(report.problems)),
    )


def _records(kind: type[RecordT], rows: list[dict[str, Any]]) -> list[RecordT]:
    """Typed records from the evidence view's rows, keeping the fields the result defines."""
    return [kind.model_validate({k: v for k, v in row.items() if k in kind.model_fields}) for row in rows]


def simulation_section(sim: Any, date: dt.date) -> Simulation:
    """The Monte Carlo summaries per model and issue, with the settings that produced them."""
    summaries: dict[str, dict[str, SimulatedForecast]] = {}
    for s in sim.summaries():
        summaries.setdefault(s.model, {})[s.issue] = SimulatedForecast(
            point=s.point, mean=s.mean, bands=dict(zip(s.band_labels, s.band_probs)),
            **{f"q{round(100 * q):02d}": v for q, v in s.quantiles.items()},
        )
    return Simulation(date=date, draws=sim.draws, seed=sim.seed, models=[m.name for m in sim.models],
                      noise=sim.noise.to_dict(), summaries=summaries)


def dynamics_stage(scenario: Scenario, snap: Snapshot) -> tuple[dict[str, BdmPath], list[Exchange]]:
    """Expected-utility round paths per issue, and the exchanges the exchange model predicts."""
    from accord.models.bdm import run_bdm
    from accord.models.exchange import describe_exchanges, exchange_input, run_exchange

    paths = {}
    for issue in snap.issues:
        bdm = run_bdm(issue)
        paths[issue.id] = BdmPath(
            median=bdm.forecast_path, mean=bdm.means.tolist(),
            positions={a: bdm.positions[:, k].tolist() for k, a in enumerate(issue.actors)},
            stop_reason=bdm.stop_reason, offers=[BdmOffer(**o.to_dict()) for o in bdm.offers[:40]],
            forecast=bdm.forecast, averaged=bdm.averaged, explanation=bdm.explanation,
        )
    linked = [i for i in snap.issues if i.n >= 2]
    exchanges: list[Exchange] = []
    if len(linked) >= 2:
        names = {a.id: a.name for a in scenario.actors}
        titles = {i.id: i.title for i in scenario.issues}
        ex = run_exchange(exchange_input(linked), rounds=1, p=0.0, rng=0, keep_candidates=False)
        for e, text in zip(ex.exchanges(), describe_exchanges(ex, names, titles)):
            exchanges.append(Exchange(text=text, gain=float(e.gain), supplier=ex.actors[e.j],
                                      issue_supplied=ex.issues[e.p], partner=ex.actors[e.i],
                                      issue_demanded=ex.issues[e.q]))
        exchanges.sort(key=lambda r: -(r.gain or 0.0))
    return paths, exchanges


def _package(rec: dict[str, Any] | None, issues: list[PackageIssue]) -> Package | None:
    if not rec or not rec.get("options"):
        return None
    return Package(label=rec.get("label"), options=[rec["options"][i.id] for i in issues],
                   utilities=rec.get("utilities", {}))


def _frontier_sample(frontier: list[dict[str, Any]], issues: list[PackageIssue]) -> list[Package]:
    """An evenly spaced sample of at most FRONTIER_SAMPLE Pareto-optimal packages, for the chart."""
    step = max(1, -(-len(frontier) // FRONTIER_SAMPLE))
    return [p for rec in frontier[::step] if (p := _package(rec, issues))]


def _ratification(stages: dict[str, list[dict[str, Any]]], issues: list[PackageIssue]) -> list[RatificationVote]:
    """Every ratification stage of every side: its best packages and the named packages' chances."""
    votes = []
    for info in (info for side_stages in stages.values() for info in side_stages):
        for rec in info.get("top", []):
            votes.append(RatificationVote(ratifier=info["stage"], label=rec.get("label"),
                                          options=[rec["options"][i.id] for i in issues],
                                          probability=rec["probability"]))
        for name, p in info.get("named", {}).items():
            votes.append(RatificationVote(ratifier=info["stage"], label=name, probability=p, named=True))
    return votes


def _packages_view(analysis: dict[str, Any], scenario: Scenario) -> Packages:
    titles = {i.id: i.title for i in scenario.issues}
    issues = [PackageIssue(id=k, title=titles.get(k, k), options=list(v), letter=issue_letter(n))
              for n, (k, v) in enumerate(analysis["issues"].items())]
    solutions = analysis.get("solutions", {})
    stages = analysis.get("stages", {})
    ratified = analysis.get("ratification") or {}
    on_zopa2 = ratified.get("solutions_on_zopa2", {})
    return Packages(
        parties=analysis["parties"], issues=issues, n_packages=analysis["n_packages"],
        n_acceptable=analysis.get("acceptable_count"), acceptable_to_each=analysis.get("acceptable_to_each") or {},
        acceptable_to_all=analysis.get("any_acceptable_to_all"),
        n_frontier=analysis.get("frontier_count"), frontier=_frontier_sample(analysis.get("frontier", []), issues),
        reservation=analysis.get("reservation") or {},
        nash=_package(solutions.get("nash"), issues), kalai_smorodinsky=_package(solutions.get("kalai_smorodinsky"), issues),
        named={k: p for k, v in analysis.get("named_packages", {}).items() if (p := _package(v, issues))},
        ratification=_ratification(stages, issues),
        passing_count={info["stage"]: info["passing_count"] for side_stages in stages.values() for info in side_stages},
        warnings=analysis.get("warnings", []),
        stages=[RatificationStage(side=side, name=info["stage"], type=info.get("type", ""),
                                  passing_count=info["passing_count"], n_packages=info["n_packages"],
                                  probabilities={**info.get("named", {}), **info.get("points", {})})
                for side, side_stages in stages.items() for info in side_stages],
        # after ratification (absent without ratification stages): the ZOPA and the bargaining solutions on it
        win_set_sizes=ratified.get("win_set_sizes", {}), zopa2_count=ratified.get("zopa2_count"),
        ratified={k: p for k, v in on_zopa2.items() if (p := _package(v, issues))},
        ratified_missing={k: str(v.get("reason") or "no package") for k, v in on_zopa2.items() if not v.get("options")},
    )


def _truce_view(truce: dict[str, Any]) -> Truce:
    return Truce(states=[TruceState(id=s["state"], label=s.get("description") or s["label"]) for s in truce["states"]],
                 stability=truce["stability"], equilibria=truce["equilibria"])


def packages_stage(case: Case, scenario: Scenario, problems: list[Problem]) -> tuple[Packages | None, Truce | None]:
    """Package deals with ratification, and the truce game, from the case's optional files.

    Either file may be missing; a broken one is recorded as a problem and the other is still analysed.
    """
    from accord.cases.analysis import analyse_case_files

    res = analyse_case_files(case.folder)
    problems.extend(Problem(file=p["file"], error=p["message"], stage="packages") for p in res["problems"])
    packages = _packages_view(res["packages"], scenario) if res["packages"] else None
    truce = _truce_view(res["truce"]) if res["truce"] else None
    return packages, truce


def backtest_stage(case: Case, scenario: Scenario, as_of: dt.date) -> Backtest | None:
    """Whether each model predicted the direction of the recorded position shifts (None: none recorded)."""
    from accord.analysis.backtest import direction_check, load_outcomes

    outcomes = load_outcomes(case.folder / "outcomes.yaml")
    simulated = names(tag="simulate")
    headline = "bdm"
    rows, summary = direction_check(scenario, outcomes, as_of.isoformat(), simulated)
    if not rows:
        return None
    direction = [
        DirectionCheck(actor=d["actor"], issue=d["issue"], predicted=d.get(headline), actual=d["actual"],
                       match=d.get(headline) == d["actual"], models={m: d[m] for m in simulated if m in d})
        for d in rows
    ]
    window = outcomes.get("window") or {}
    shift = (_date(window["from"]), _date(window["to"])) if "from" in window and "to" in window else None
    return Backtest(as_of=as_of, scored_at=outcomes.get("as_of"), shift_window=shift, headline_model=headline,
                    direction=direction,
                    direction_summary={k: DirectionScore.model_validate(v) for k, v in summary.items()})


def _versus(paired: Any) -> dict[str, Any]:
    """The paired Brier difference to accord as TrackRecordScore fields (none for accord itself)."""
    if paired is None:
        return {}
    return {"shared": paired.n, "minus_accord": paired.diff, "minus_accord_low": paired.low,
            "minus_accord_high": paired.high}


def track_record_stage(case: Case, draws: int, seed: int, markets: Path | None) -> TrackRecord | None:
    """The rolling backtest of a case with events.yaml and outcomes.yaml (None without them)."""
    from dataclasses import asdict

    from accord.analysis.rolling import has_backtest, rolling_backtest

    if not has_backtest(case.folder):
        return None
    bt = rolling_backtest(case, draws=draws, seed=seed, markets=markets)
    return TrackRecord(
        origins=bt.origins, draws=bt.draws, rules=list(bt.rules), notes=bt.notes,
        events=[TrackRecordEvent(id=e.id, question=e.question, deadline=e.deadline, kind=e.kind,
                                 not_modelled=bt.not_modelled.get(e.id, "")) for e in bt.events],
        cells=[TrackRecordCell(origin=c.origin, event=c.event_id, outcome=c.outcome, forecasts=c.forecasts,
                               mc_error=c.mc_error, reason=c.reason) for c in bt.cells],
        scores=[TrackRecordScore(events=s.clusters, **{k: v for k, v in asdict(s).items() if k != "clusters"},
                                 **_versus(bt.versus_model.get(s.scorer))) for s in bt.scores],
        reliability=[ReliabilityRow(scorer=name, **asdict(b)) for name, bins in bt.reliability.items() for b in bins],
    )


def agreements_stage(case: Case, events_file: Path, origin: dt.date, draws: int, seed: int) -> list[Agreement]:
    """The probability of every event of the case's events file by its deadline (docs/methods/agreement.md)."""
    from accord.analysis.agreement import forecast_events
    from accord.analysis.events import load_events
    from accord.report.summary import agreement_figure, agreement_sentence

    out = []
    events = load_events(events_file)
    headline = {e.id for e in events if e.headline}
    for f in forecast_events(case, events, origin, draws=draws, seed=seed):
        record = Agreement(event=f.event_id, question=f.question, kind=f.kind, headline=f.event_id in headline,
                           origin=f.origin, deadline=f.deadline,
                           probability=f.probability, mc_error=f.mc_error, p_terms=f.p_terms,
                           p_by_deadline=f.p_by_deadline, modelled=f.modelled, reason=f.reason, draws=f.draws,
                           by_family=f.by_family)
        if f.probability is not None and f.mc_error is not None:
            record.figure = agreement_figure(f.probability, f.mc_error, f.draws)
        record.text = agreement_sentence(record)
        out.append(record)
    return out


# -- levers, explanations, blocs ------------------------------------------------------------

#: What ``accord run`` leaves out of the levers of the dynamic models to stay fast (``accord levers`` does more).
RUN_EFFORTS: dict[str, Any] = {"bdm": {"scan": 16, "rounds": 2, "pairs": (), "top_actors": 2}}
LINKED_NOT_RUN = ("links issues, so each evaluation reruns every issue: not computed by accord run; "
                  "see `accord levers CASE --model {model}`")


def _band_label(scenario: Scenario, issue: str, value: float | None) -> str:
    """The nearest anchor's label; a value within 1e-6 of a band edge counts as on it (the lower anchor)."""
    return "" if value is None else scenario.issue(issue).scale.band(round(value, 6))


def lever_text(lever: Lever, names: dict[str, str]) -> str:
    """A lever in words: who moves which input from where to where, and where the forecast lands."""
    from accord.report.context import fmt_input as _fmt_input

    moves, what = lever.moves, lever.moves[0].input
    who = " and ".join(names.get(m.actor, m.actor) for m in moves)
    if lever.size is None:
        return f"No move of the {what} of {who} {'together ' if len(moves) > 1 else ''}brings the forecast into " \
               f"“{lever.target_label}”."
    if len(moves) == 1:
        m = moves[0]
        labels = (f" ({m.before_label})", f" ({m.after_label})") if what == "position" else ("", "")
        head = (f"{who} moves its {what} from {_fmt_input(what, m.before)}{labels[0]} to "
                f"{_fmt_input(what, m.after)}{labels[1]}")
    else:
        steps = "; ".join(f"{names.get(m.actor, m.actor)} {_fmt_input(what, m.before)} → {_fmt_input(what, m.after)}"
                          for m in moves)
        head = f"{who} move their {what}s together by {_fmt_input(what, lever.size)} each ({steps})"
    return f"{head}: the forecast reaches {_fmt_input('position', lever.forecast_after)} (“{lever.target_label}”)."


def _typed_levers(found: Any, scenario: Scenario, names: dict[str, str]) -> IssueLevers:
    """One issue's levers (analysis form) as the typed result, with labels and sentences."""
    iid = found.issue
    out = []
    for lv in (x for x in found.levers if x.size is not None):  # the CLI lists the unreachable ones too
        lo, hi = lv.target
        moves = [LeverMove(actor=m.actor, input=m.input, before=m.before, after=m.after,
                           before_label=_band_label(scenario, iid, m.before) if m.input == "position" else "",
                           after_label=_band_label(scenario, iid, m.after) if m.input == "position" else "")
                 for m in lv.moves]
        lever = Lever(target_lo=lo, target_hi=hi, target_label=_band_label(scenario, iid, (lo + hi) / 2) or
                      f"{lo:g}–{hi:g}", moves=moves, size=lv.size, forecast_after=lv.forecast_after)
        lever.text = lever_text(lever, names)
        out.append(lever)
    return IssueLevers(
        issue=iid, model=found.model, forecast=found.forecast, forecast_label=_band_label(scenario, iid, found.forecast),
        sensitivities=[LeverSensitivity(**s.to_dict()) for s in found.sensitivities],
        pivotal=[PivotalActor(actor=a, swing=v) for a, v in found.pivotal], levers=out, note=found.note)


def levers_section(scenario: Scenario, snap: Snapshot, models: Sequence[str], *, issues: Sequence[str] | None = None,
                   efforts: dict[str, Any] | None = None, skip_linked: bool = False,
                   targets: dict[str, list[tuple[float, float]]] | None = None) -> Levers:
    """Levers of the models (reference points left out) on the snapshot's issues, as the typed result.

    ``efforts`` gives the solver's effort per model (:class:`accord.analysis.levers.Effort` fields); with
    ``skip_linked`` the models that link issues are listed as not computed instead of run.
    """
    from accord.analysis.levers import Effort, levers
    from accord.analysis.uncertainty import scenario_bands
    from accord.models.registry import get

    edges, _ = scenario_bands(scenario)
    steps = {i.id: i.scale.step() for i in scenario.issues}
    names_ = {a.id: a.name for a in scenario.actors}
    kept = [m for m in models if get(m).kind != "reference"]
    skipped = {m: LINKED_NOT_RUN.format(model=m) for m in kept if skip_linked and get(m).multi_issue}
    run_now = [m for m in kept if m not in skipped]
    chosen = {m: Effort(**v) for m, v in (efforts or {}).items() if m in run_now}
    found = levers(snap.issues, run_now, bands=edges, steps=steps, efforts=chosen, only=issues, targets=targets)
    return Levers(date=snap.date, models=run_now, not_computed=skipped,
                  issues=[_typed_levers(f, scenario, names_) for f in found])


def explanations_section(scenario: Scenario, date_from: dt.date, date_to: dt.date, models: Sequence[str], *,
                         issues: Sequence[str] | None = None, max_exact: int = 12, permutations: int = 2000,
                         seed: int = 0) -> Explanations:
    """Why each model's forecasts moved between the dates (reference points left out), as the typed result."""
    from accord.analysis.explain import explain
    from accord.models.registry import get

    kept = [m for m in models if get(m).kind != "reference"]
    found = explain(scenario, date_from, date_to, kept, issues=issues, max_exact=max_exact,
                    permutations=permutations, seed=seed)
    return Explanations(date_from=date_from, date_to=date_to, models=kept, issues=[
        IssueExplanation(issue=e.issue, model=e.model, before=e.before, after=e.after, change=e.change,
                         method=e.method, permutations=e.permutations, note=e.note,
                         contributions=[Contribution(**c.to_dict()) for c in e.contributions])
        for e in found])


def blocs_section(scenario: Scenario, snap: Snapshot, models: Sequence[str]) -> Blocs:
    """Blocs of actors at the snapshot's date and the coalition each one-issue model's forecast rests on."""
    from accord.analysis.blocs import blocs, coalitions
    from accord.analysis.uncertainty import scenario_bands
    from accord.models.registry import get

    edges, _ = scenario_bands(scenario)
    found = blocs(snap.issues, [a.id for a in scenario.actors])
    kept = [m for m in models if get(m).kind != "reference"]
    return Blocs(date=snap.date, actors=found.actors, distance=found.distance.tolist(), linkage=found.tree.tolist(),
                 threshold=found.threshold, blocs=found.blocs, coalitions=[
                     Coalition(issue=c.issue, model=c.model, forecast=c.forecast, band_lo=c.band[0], band_hi=c.band[1],
                               band_label=_band_label(scenario, c.issue, c.forecast), sets=c.sets, moved_to=c.moved_to)
                     for c in coalitions(snap.issues, kept, edges)])


def levers_stage(result: RunResult, scenario: Scenario, snapshots: dict[dt.date, Snapshot], when: dt.date) -> None:
    """Levers and blocs at the run's date, and why the forecasts moved to each comparison date."""
    now = snapshots[when]
    result.levers = levers_section(scenario, now, result.models, efforts=RUN_EFFORTS, skip_linked=True)
    result.explanations = [explanations_section(scenario, when, d, result.models) for d in snapshots if d != when]
    result.blocs = blocs_section(scenario, now, result.models)


# -- the run ---------------------------------------------------------------------------


def run(
    case: str | Path | None = None,
    *,
    as_of: str | dt.date | None = None,
    compare: Sequence[str | dt.date] | None = None,
    out: str | Path = "accord-out",
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    formats: Sequence[str] = ("html", "json"),
    markets: str | Path | None = None,
    models: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RunOutput:
    """Run the main job on a case (default: the bundled case) and write its report.

    ``formats`` picks the report files (html, md; json is ``result.json``, always written).
    """
    from accord.report.summary import executive_summary
    from accord.report.writer import check_formats, write_report, write_result_json

    report_formats = check_formats(formats)
    the_case = load_case(case, lenient=True)
    folder = the_case.folder
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stages = Stages(progress or (lambda stage, detail: None), folder)
    stages.problems += [Problem(file=str(exc.file), error=str(exc), stage="case") for exc in the_case.problems]
    t0 = time.perf_counter()

    with stages.stage("scenario", f"loading {folder / 'scenario.yaml'}"):
        scenario = load_scenario(the_case.scenario_path)
        check_principals(the_case, scenario)
        when = _date(as_of) if as_of is not None else the_case.config.as_of
        if when is None and the_case.problems:  # no date without the case's settings
            raise the_case.problems[0]
        compare = the_case.config.compare if compare is None else compare
        dates = [when] + [d for d in dict.fromkeys(_date(c) for c in compare) if d != when]
        snapshots = {d: Snapshot.of(scenario, d) for d in dates}
        now = snapshots[when]
        result = RunResult(
            case=CaseInfo(id=scenario.id, title=scenario.title, folder=str(folder), as_of=when, compare=dates[1:],
                          horizon=the_case.config.horizon,
                          generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                          version=accord.__version__),
            scenario=scenario_section(scenario, now),
            models=list(models) if models else names(tag="run"),
        )

    articles = folder / "articles"
    if articles.is_dir():
        n_files = sum(1 for p in articles.rglob("*") if p.is_file())
        with stages.stage("evidence", f"reading {n_files} files in {articles.name}/"):
            db = out_dir / "evidence.duckdb"
            result.evidence = stages.attempt("evidence", articles,
                                             lambda: evidence_stage(scenario, now, articles, db, stages.problems))

    with stages.stage("forecasts", f"{len(result.models)} models × {len(dates)} dates"):
        result.forecasts = [DatedForecasts(date=d, values=forecast_table(s.issues, result.models),
                                           missing=missing_positions(s, scenario))
                            for d, s in snapshots.items()]

    with stages.stage("uncertainty", f"{draws} Monte Carlo draws"):
        from accord.analysis.uncertainty import scenario_bands, simulate

        edges, labels = scenario_bands(scenario)
        sim = simulate(now.issues, models=names(tag="simulate"), draws=draws, seed=seed, bands=edges,
                       band_labels=labels, keep_inputs=True,
                       progress=lambda k, n: stages.say("uncertainty", f"{k}/{n} draws"))
        result.simulation = simulation_section(sim, when)

    with stages.stage("dynamics", "expected-utility rounds and exchanges"):
        result.bdm_paths, result.exchanges = dynamics_stage(scenario, now)

    with stages.stage("levers", "levers, why the forecasts moved, blocs"):
        levers_stage(result, scenario, snapshots, when)

    with stages.stage("packages", "package deals, ratification and truce game"):
        got = stages.attempt("packages", folder, lambda: packages_stage(the_case, scenario, stages.problems))
        if got:
            result.packages, result.truce = got

    events_file = the_case.file("events.yaml")
    with stages.stage("agreements", "probabilities of the events by their deadlines" if events_file else "no events.yaml"):
        if events_file is not None:
            result.agreements = stages.attempt(
                "agreements", events_file, lambda: agreements_stage(the_case, events_file, when, draws, seed)) or []

    if (folder / "outcomes.yaml").is_file():
        with stages.stage("backtest", "scoring against the recorded outcomes"):
            market_file = Path(markets) if markets else None
            known = len(stages.problems)
            result.backtest = stages.attempt("backtest", folder / "outcomes.yaml",
                                             lambda: backtest_stage(the_case, scenario, when))
            broken = {p.file for p in stages.problems}
            if len(stages.problems) == known and str(folder / "events.yaml") not in broken:  # one problem per broken file
                result.track_record = stages.attempt("backtest", folder / "events.yaml",
                                                     lambda: track_record_stage(the_case, draws, seed, market_file))

    result.problems = stages.problems
    result.case.principals, result.case.principals_from = principal_parties(the_case, scenario, result.packages)
    result.executive = executive_summary(result)
    with stages.stage("report", f"writing {', '.join(['json', *report_formats])} to {out_dir}"):
        files = write_report(result, out_dir, formats=report_formats) if report_formats else {}
    result.timings = {**stages.timings, "total": time.perf_counter() - t0}
    files["json"] = write_result_json(result, out_dir)
    return RunOutput(result=result, out_dir=out_dir, files=files)


__all__ = ["run", "RunOutput", "STAGES"]
