"""The typed result of one run: everything ``accord run`` computes, as one tree of pydantic models.

The pipeline builds a :class:`RunResult`; the HTML and Markdown reports, ``result.json`` and the
``accord run`` terminal output all read it and nothing else. ``result.json`` is
``RunResult.model_dump_json()``, and its JSON Schema (``RunResult.model_json_schema()``) is
published as ``docs/result-schema.json``. Positions are on each issue's 0–100 scale, probabilities
on 0–1; a number that could not be computed is ``null``, never NaN. See ``docs/report.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from accord.errors import InputError


def _finite_or_none(value: Any) -> Any:
    """numpy scalars become Python numbers; NaN and infinities become None (shown as '–')."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: Any number that may be missing (JSON null).
Number = Annotated[Optional[float], BeforeValidator(_finite_or_none)]
#: A point on an issue's 0–100 scale.
ScalePoint = Annotated[float, BeforeValidator(_finite_or_none), Field(ge=0.0, le=100.0)]
#: A probability on 0–1, or null where it was not computed.
Probability = Annotated[Optional[Annotated[float, Field(ge=0.0, le=1.0)]], BeforeValidator(_finite_or_none)]
Id = Annotated[str, Field(min_length=1)]


class _Record(BaseModel):
    """Base of every part: unknown fields are an error, so the schema cannot drift silently; the
    published schema marks every field required, since a serialised result always holds all of them."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


# --- the case and its scenario ---------------------------------------------------------------


class CaseInfo(_Record):
    """Which case was run, for which dates, when and by which accord version."""

    id: Id
    title: str
    folder: Optional[str] = None
    as_of: dt.date
    compare: list[dt.date] = []
    generated_at: Optional[str] = None
    version: Optional[str] = None
    example: bool = Field(default=False, description="true for hand-made data (a test fixture), not a real run")
    note: str = ""
    horizon: Optional[dt.date] = Field(default=None, description="the date by which the case asks whether a deal is reached")
    principals: list[str] = Field(default=[], description="the parties whose positions the summary checks first")
    principals_from: str = Field(default="", description="where the principals come from: case.yaml, the package "
                                 "file's parties, or all actors")


class Anchor(_Record):
    """A labelled point of an issue's scale."""

    value: ScalePoint
    label: str


class Actor(_Record):
    """A party to the negotiation."""

    id: Id
    name: str
    kind: str = ""
    capability: Number = None


class Issue(_Record):
    """An issue with its labelled scale and status quo."""

    id: Id
    title: str
    description: str = ""
    status_quo: Optional[ScalePoint] = None
    anchors: list[Anchor] = []


class Source(_Record):
    """Where a position comes from."""

    url: Optional[str] = None
    id: Optional[str] = None
    title: Optional[str] = None
    outlet: Optional[str] = None
    date: Optional[dt.date] = None
    quote: Optional[str] = None


class PositionRecord(_Record):
    """One dated position of an actor on an issue, with its sources."""

    actor: Id
    issue: Id
    position: ScalePoint
    salience: Number = None
    date: Optional[dt.date] = None
    origin: Literal["hand", "evidence"] = "hand"
    uncertainty: Number = None
    note: str = ""
    sources: list[Source] = []


class ScenarioSnapshot(_Record):
    """Actors, issues, the positions in force at the run's date and the full position history."""

    actors: list[Actor] = Field(min_length=1)
    issues: list[Issue] = Field(min_length=1)
    positions: list[PositionRecord] = []
    history: list[PositionRecord] = []

    @model_validator(mode="after")
    def _references(self) -> ScenarioSnapshot:
        _unique(self.actors, "actors")
        _unique(self.issues, "issues")
        actors = {a.id for a in self.actors}
        issues = {i.id for i in self.issues}
        for name in ("positions", "history"):
            for k, p in enumerate(getattr(self, name)):
                if p.actor not in actors:
                    raise BadReference(f"{name}.{k}.actor", f"unknown actor id {p.actor!r}")
                if p.issue not in issues:
                    raise BadReference(f"{name}.{k}.issue", f"unknown issue id {p.issue!r}")
        return self


class BadReference(ValueError):
    """An id that names nothing, or a repeated id; ``field`` is the path inside the part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _unique(items: list[Any], name: str) -> None:
    seen: set[str] = set()
    for k, item in enumerate(items):
        if item.id in seen:
            raise BadReference(f"{name}.{k}.id", f"duplicate id {item.id!r}")
        seen.add(item.id)


# --- forecasts ---------------------------------------------------------------------------------


class DatedForecasts(_Record):
    """Every model's point forecast per issue at one date: ``values[model][issue]``."""

    date: dt.date
    values: dict[str, dict[str, Number]]
    missing: dict[str, list[str]] = Field(default={}, description="per issue, the actors without a position at this "
                                          "date, whom every model leaves out of that issue")


class SimulatedForecast(_Record):
    """The Monte Carlo distribution of one model's forecast on one issue.

    ``point`` is the model's forecast on the unperturbed inputs; ``q50`` is the median over the
    draws, which generally differs from it. ``bands`` gives the share of draws per anchor band.
    """

    point: Number = None
    mean: Number = None
    q05: Number = None
    q25: Number = None
    q50: Number = None
    q75: Number = None
    q95: Number = None
    bands: dict[str, Probability] = {}


class Simulation(_Record):
    """Monte Carlo intervals at the run's date: ``summaries[model][issue]``."""

    date: Optional[dt.date] = None
    draws: int = Field(ge=1)
    seed: Optional[int] = None
    models: list[str] = []
    noise: dict[str, Number] = {}
    summaries: dict[str, dict[str, SimulatedForecast]] = {}


class BdmOffer(_Record):
    """One accepted offer of an expected-utility round."""

    round: int
    receiver: str
    kind: str
    partner: str
    old_x: Number
    new_x: Number
    eu_receiver: Number
    eu_partner: Number


class BdmPath(_Record):
    """The expected-utility (BDM) rounds on one issue, as the model's default stop rule plays them.

    ``median`` is the forecast path: the weighted median round by round, ending at ``forecast``
    (where the rule averages the last ``averaged`` rounds of a cycle or an oscillation, the path's
    last point is that mean). ``explanation`` says in words why the rounds stopped.
    """

    median: list[Number]
    mean: list[Number] = []
    positions: dict[str, list[Number]] = {}
    stop_reason: Optional[str] = None
    offers: list[BdmOffer] = []
    forecast: Number = None
    averaged: int = 1
    explanation: str = ""


class Exchange(_Record):
    """One predicted cross-issue trade of the exchange model."""

    text: str
    gain: Number = None
    supplier: str
    issue_supplied: str
    partner: str
    issue_demanded: str


# --- packages, ratification, truce -------------------------------------------------------------


class PackageIssue(_Record):
    """An issue of the package space and its options; ``letter`` is its code in package labels
    (``A2`` = option 2 of issue A)."""

    id: Id
    title: str
    options: list[str]
    letter: str = ""


class Package(_Record):
    """One package: its code label, the option chosen per issue (in the issues' order) and utilities."""

    label: Optional[str] = None
    options: list[str]
    utilities: dict[str, Number] = {}


class RatificationVote(_Record):
    """The probability that a package (or a named package) passes one ratification stage."""

    ratifier: str
    label: Optional[str] = None
    options: list[str] = []
    probability: Probability = None
    named: bool = False


class RatificationStage(_Record):
    """One ratification stage of one side (any type: threshold, logistic, voting body, referendum): how many
    packages pass it with probability ≥ 0.5, and the chance of each named package and bargaining solution."""

    side: str
    name: str
    type: str
    passing_count: int
    n_packages: int
    probabilities: dict[str, Probability] = {}


class Packages(_Record):
    """Package deals: counts, the Pareto frontier, bargaining solutions and ratification.

    ``n_frontier`` is the number of Pareto-optimal packages found by the package analysis;
    ``frontier`` holds an evenly spaced sample of at most a few hundred of them for the chart.
    """

    parties: list[str]
    issues: list[PackageIssue]
    n_packages: Optional[int] = None
    n_acceptable: Optional[int] = None
    acceptable_to_each: dict[str, int] = Field(default={}, description="per party, the packages at or above its "
                                               "reservation value")
    acceptable_to_all: Optional[bool] = None
    n_frontier: Optional[int] = None
    frontier: list[Package] = []
    reservation: dict[str, Number] = {}
    nash: Optional[Package] = None
    kalai_smorodinsky: Optional[Package] = None
    named: dict[str, Package] = {}
    ratification: list[RatificationVote] = []
    passing_count: dict[str, int] = {}
    warnings: list[str] = []
    stages: list[RatificationStage] = []
    win_set_sizes: dict[str, int] = Field(default={}, description="per side: packages it ratifies")
    zopa2_count: Optional[int] = Field(default=None, description="packages acceptable to all and ratified by every side")
    ratified: dict[str, Package] = Field(default={}, description="bargaining solutions on the ZOPA after ratification")
    ratified_missing: dict[str, str] = Field(default={}, description="solution -> why it has no ratified package")


class TruceState(_Record):
    """A state of the truce game."""

    id: int
    label: str


class Truce(_Record):
    """The truce game: its states, the states stable under each concept, and the equilibria."""

    states: list[TruceState]
    stability: dict[str, list[int]] = {}
    equilibria: list[int] = []


# --- backtest, evidence, problems --------------------------------------------------------------


class DirectionCheck(_Record):
    """Whether the predicted direction of an actor's move matched the actual one."""

    actor: str
    issue: str
    predicted: Optional[int] = None
    actual: Optional[int] = None
    match: bool = False
    models: dict[str, Optional[int]] = {}


class DirectionScore(_Record):
    """How many directions one model got right."""

    n: int
    matches: int
    share: Number = None


class Backtest(_Record):
    """The direction check: whether each model predicted the direction of the recorded position shifts."""

    as_of: Optional[dt.date] = None
    scored_at: Optional[dt.date] = None
    shift_window: Optional[tuple[dt.date, dt.date]] = Field(default=None, description="first and last date of the "
                                                            "position shifts the direction check scores")
    headline_model: Optional[str] = None
    direction: list[DirectionCheck] = []
    direction_summary: dict[str, DirectionScore] = {}


class TrackRecordEvent(_Record):
    """A question of the rolling backtest (events.yaml) and, where accord never forecast it, why."""

    id: Id
    question: str
    deadline: dt.date
    kind: str
    not_modelled: str = Field(default="", description="why accord forecast this event at no origin; empty if it did")


class TrackRecordCell(_Record):
    """One event at one origin: every forecaster's probability, accord's Monte Carlo error, what happened."""

    origin: dt.date
    event: Id
    outcome: int = Field(ge=0, le=1)
    forecasts: dict[str, Probability] = {}
    mc_error: Number = Field(default=None, description="Monte Carlo standard error of accord's probability")
    reason: str = Field(default="", description="why accord has no forecast in this cell")


class TrackRecordScore(_Record):
    """A forecaster's Brier and log scores (lower is better) on its n cells, with 95% intervals over events."""

    scorer: str
    n: int
    events: int
    brier: Number = None
    brier_low: Number = None
    brier_high: Number = None
    log: Number = None
    log_low: Number = None
    log_high: Number = None
    shared: int = Field(default=0, description="cells this forecaster and accord both forecast")
    minus_accord: Number = Field(default=None, description="this forecaster's Brier minus accord's on the shared "
                                 "cells (positive: accord did better)")
    minus_accord_low: Number = None
    minus_accord_high: Number = None


class ReliabilityRow(_Record):
    """A reliability bin of one forecaster: its forecasts in [low, high), their mean and the observed frequency."""

    scorer: str
    low: float
    high: float
    n: int
    mean_forecast: Probability = None
    observed: Probability = None


class TrackRecord(_Record):
    """The rolling backtest: the case's events forecast at several origins and scored beside baselines."""

    origins: list[dt.date] = []
    draws: int = 0
    events: list[TrackRecordEvent] = []
    cells: list[TrackRecordCell] = []
    scores: list[TrackRecordScore] = []
    reliability: list[ReliabilityRow] = []
    rules: list[str] = []
    notes: list[str] = []


class Article(_Record):
    """An article the evidence pipeline read."""

    id: str
    title: Optional[str] = None
    url: Optional[str] = None
    outlet: Optional[str] = None
    date: Optional[dt.date] = None
    file: Optional[str] = None
    flags: list[str] = []


class Quote(_Record):
    """Quoted words and their speaker."""

    text: str
    speaker: Optional[str] = None


class Statement(_Record):
    """A statement of an actor on an issue found in an article."""

    id: str
    article_id: Optional[str] = None
    actor: Optional[str] = None
    issue: Optional[str] = None
    event_type: str = ""
    date: Optional[dt.date] = None
    sentence: str = ""
    quote: Optional[Quote] = None
    url: Optional[str] = None
    hedged: bool = False
    position: Number = None


class Claim(_Record):
    """A number found in an article."""

    id: str
    article_id: Optional[str] = None
    text: str = ""
    quantity_type: str = ""
    value: Annotated[Optional[float | list[Number]], BeforeValidator(_finite_or_none)] = None
    unit: Optional[str] = None
    referent: Optional[str] = None
    hedged: bool = False
    url: Optional[str] = None


class QualityFlag(_Record):
    """A data-quality problem found in an article."""

    article_id: Optional[str] = None
    kind: str
    detail: Optional[str] = None


class Suggestion(_Record):
    """A position suggested by the evidence, beside the hand-coded one."""

    actor: str
    issue: str
    suggested: Number = None
    hand: Number = None
    confidence: Probability = None
    agrees: Optional[bool] = None
    supporting: list[str] = []
    contradicting: list[str] = []
    n_statements: int = 0


class IngestCounts(_Record):
    """What the evidence ingest read."""

    documents: int = 0
    added: int = 0
    existing: int = 0
    skipped: int = 0


class Evidence(_Record):
    """What the evidence pipeline read and suggested."""

    articles: list[Article] = []
    statements: list[Statement] = []
    claims: list[Claim] = []
    flags: list[QualityFlag] = []
    suggestions: list[Suggestion] = []
    ingest: Optional[IngestCounts] = None


class Problem(_Record):
    """An input that could not be used: the file, the reason and the stage that met it."""

    file: str
    error: str
    stage: str


class SummaryNote(_Record):
    """A summary line supplied with the result in place of the computed one."""

    issue: str
    text: str


# --- the executive summary ----------------------------------------------------------------------


class Term(_Record):
    """The headline model's point forecast on one issue, conditional on an agreement being reached."""

    issue: Id
    title: str = ""
    model: str
    value: Number = None
    label: str = ""
    share: Probability = Field(default=None, description="share of the model's simulations in the label's band: "
                               "conditional on a deal under that model, not the odds of the outcome")
    missing_principals: list[str] = []
    text: str = ""
    warning: str = ""


class Blocker(_Record):
    """A party or an issue that stands in the way of an agreement, with the number that shows it."""

    kind: Literal["party", "issue"]
    id: Id
    value: Number = None
    text: str


class Move(_Record):
    """One actor's change of position on an issue between two dates."""

    actor: Id
    before: Number = None
    after: Number = None


class Change(_Record):
    """How the headline forecast of one issue moved between the run's date and a comparison date."""

    issue: Id
    model: str
    before: Number = None
    after: Number = None
    moves: list[Move] = []
    text: str


class ExecutiveSummary(_Record):
    """The first screen: the horizon, whether a deal is likely, its likely terms, what blocks it, what changed.

    ``probability`` and ``mc_error`` are those of the headline event (``headline_event``, the
    Agreement marked ``headline`` in the case's events.yaml), copied from that Agreement; both stay
    null when the case names no headline event or the models cannot speak to it, and ``in_short``
    then says why. ``evidence`` lists the findings behind it. Every sentence is composed here, so the
    HTML and Markdown reports and the terminal show the same words and numbers.
    """

    horizon: Optional[dt.date] = None
    probability: Probability = Field(default=None, description="the headline event's probability by its deadline")
    mc_error: Number = Field(default=None, description="its Monte Carlo standard error")
    headline_event: Optional[Id] = Field(default=None, description="the id of the headline Agreement")
    outlook: str
    in_short: str = Field(default="", description="the answer in one line: the headline event's probability with its "
                                                  "error, deadline and conditions, then the findings behind it")
    evidence: list[str] = []
    headline_model: Optional[str] = None
    conditioning: str = ""
    terms: list[Term] = []
    blockers: list[Blocker] = []
    changed_from: Optional[dt.date] = None
    changed_to: Optional[dt.date] = None
    changes: list[Change] = []


class Agreement(_Record):
    """The probability of one event of the case's ``events.yaml`` by its deadline (docs/methods/agreement.md).

    ``probability = p_terms × p_by_deadline``, kept inside [1/(2n), 1 − 1/(2n)] for n draws, never 0 or 1;
    ``mc_error`` is its Monte Carlo (binomial) standard error. An event the models cannot speak to has
    ``modelled`` false, null figures and the reason; ``text`` is the sentence every renderer shows.
    """

    event: Id
    question: str
    kind: str
    headline: bool = Field(default=False, description="the case's headline question (events.yaml: headline)")
    origin: dt.date
    deadline: dt.date
    probability: Probability = None
    mc_error: Number = None
    p_terms: Probability = Field(default=None, description="share of draws whose terms are acceptable, ratified "
                                                           "or stable, as the event's kind asks")
    p_by_deadline: Probability = Field(default=None, description="P(reached by the deadline | acceptable terms) "
                                                                 "from the case's hazard")
    modelled: bool = True
    reason: str = Field(default="", description="what the probability is conditional on, or why it is not modelled")
    draws: int = 0
    by_family: dict[str, Probability] = Field(default={}, description="the same probability from each model family "
                                              "alone (empty where the families share one computation)")
    figure: str = Field(default="", description="the probability and its Monte Carlo error as shown, e.g. "
                                                "'0.62 ± 0.02' (empty when not modelled)")
    text: str = ""


# --- levers, explanations, blocs ------------------------------------------------------------


class LeverSensitivity(_Record):
    """How one input of one actor moves a forecast: the derivative per unit of the input (exact or a finite
    difference, ``method``) and the swing, the larger change of the forecast when the input moves one ``step``."""

    actor: Id
    input: Literal["position", "salience", "capability"]
    value: Number = None
    derivative: Number = None
    swing: Number = None
    step: Number = None
    method: str = ""


class PivotalActor(_Record):
    """An actor and its largest swing over its inputs."""

    actor: Id
    swing: Number = None


class LeverMove(_Record):
    """One actor's input before and after a lever is pulled (positions on 0–100, saliences on 0–1)."""

    actor: Id
    input: Literal["position", "salience"]
    before: Number = None
    after: Number = None
    before_label: str = ""
    after_label: str = ""


class Lever(_Record):
    """The smallest change found of one actor's input (or two actors' together) that brings the forecast into a
    target band; ``size`` is null when no change of that input reaches the band."""

    target_lo: Number = None
    target_hi: Number = None
    target_label: str = ""
    moves: list[LeverMove] = []
    size: Number = None
    forecast_after: Number = None
    text: str = ""


class IssueLevers(_Record):
    """Sensitivities, pivotal actors and levers of one model on one issue."""

    issue: Id
    model: str
    forecast: Number = None
    forecast_label: str = ""
    sensitivities: list[LeverSensitivity] = []
    pivotal: list[PivotalActor] = []
    levers: list[Lever] = []
    note: str = Field(default="", description="what the solver left out for this model, to keep the run fast")


class Levers(_Record):
    """Levers of every model on every issue at the run's date (``docs/methods/levers.md``)."""

    date: Optional[dt.date] = None
    models: list[str] = []
    issues: list[IssueLevers] = []
    not_computed: dict[str, str] = Field(default={}, description="model -> why its levers were not computed here")


class Contribution(_Record):
    """One changed input (``participation``: an actor entering or leaving; ``all inputs``: one actor's changes on
    every issue, for a model that links issues) and its Shapley share of the forecast's change."""

    actor: Id
    input: str
    before: Number = None
    after: Number = None
    value: Number = None
    stderr: Number = Field(default=None, description="standard error where the share was sampled, else null")
    sources: list[Source] = []


class IssueExplanation(_Record):
    """One model's forecast of one issue at two dates and its change split into contributions."""

    issue: Id
    model: str
    before: Number = None
    after: Number = None
    change: Number = None
    method: Literal["exact", "sampled", "none"] = "exact"
    permutations: Optional[int] = None
    note: str = ""
    contributions: list[Contribution] = []


class Explanations(_Record):
    """Why the forecasts moved from ``date_from`` to ``date_to`` (``docs/methods/levers.md``)."""

    date_from: dt.date
    date_to: dt.date
    models: list[str] = []
    issues: list[IssueExplanation] = []


class Coalition(_Record):
    """The smallest sets of actors whose removal moves one model's forecast of one issue out of its band."""

    issue: Id
    model: str
    forecast: Number = None
    band_lo: Number = None
    band_hi: Number = None
    band_label: str = ""
    sets: list[list[str]] = []
    moved_to: list[Number] = []


class Blocs(_Record):
    """Actors clustered by salience-weighted closeness of their positions (average linkage), and coalitions."""

    date: Optional[dt.date] = None
    actors: list[Id] = []
    distance: list[list[Number]] = []
    linkage: list[list[Number]] = Field(default=[], description="scipy linkage matrix: merged a, merged b, "
                                        "distance, size")
    threshold: Number = None
    blocs: list[list[str]] = []
    coalitions: list[Coalition] = []


# --- the whole run -----------------------------------------------------------------------------


class RunResult(_Record):
    """Everything one run produced. Only ``case`` and ``scenario`` are required; a part that was
    not computed is absent (null or empty) and the report says so."""

    case: CaseInfo
    scenario: ScenarioSnapshot
    models: list[str] = []
    forecasts: list[DatedForecasts] = []
    simulation: Optional[Simulation] = None
    bdm_paths: dict[str, BdmPath] = {}
    exchanges: list[Exchange] = []
    packages: Optional[Packages] = None
    truce: Optional[Truce] = None
    backtest: Optional[Backtest] = None
    track_record: Optional[TrackRecord] = None
    evidence: Optional[Evidence] = None
    summary: list[SummaryNote] = []
    executive: Optional[ExecutiveSummary] = None
    problems: list[Problem] = []
    agreements: list[Agreement] = Field(default=[], description="probabilities of the case's events by their "
                                                               "deadlines (events.yaml), modelled or not")
    timings: dict[str, float] = {}
    levers: Optional[Levers] = None
    explanations: list[Explanations] = []
    blocs: Optional[Blocs] = None

    def forecasts_at(self, date: dt.date | str | None = None) -> dict[str, dict[str, Optional[float]]]:
        """``{model: {issue: value}}`` at ``date`` (default: the run's date); empty if not computed."""
        when = self.case.as_of if date is None else (date if isinstance(date, dt.date) else dt.date.fromisoformat(date))
        for table in self.forecasts:
            if table.date == when:
                return table.values
        return {}

    def intervals(self) -> dict[str, dict[str, SimulatedForecast]]:
        """``{model: {issue: Monte Carlo summary}}`` (empty without a simulation)."""
        return self.simulation.summaries if self.simulation else {}


def load_result(data: RunResult | Mapping[str, Any], *, file: str | None = None) -> RunResult:
    """A RunResult from itself or from its JSON form; InputError naming the first bad field."""
    if isinstance(data, RunResult):
        return data
    if not isinstance(data, Mapping):
        raise InputError("the run result must be a mapping", file=file, field="result")
    try:
        return RunResult.model_validate(dict(data))
    except ValidationError as exc:
        raise _input_error(exc, file) from None


def _input_error(exc: ValidationError, file: str | None) -> InputError:
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, BadReference):
        return InputError(cause.message, file=file, field=f"{where}.{cause.field}" if where else cause.field)
    return InputError(err["msg"], file=file, field=where or "result")


def result_schema() -> dict[str, Any]:
    """The JSON Schema of ``result.json`` (published as ``docs/result-schema.json``)."""
    return RunResult.model_json_schema(mode="serialization")


__all__ = ["RunResult", "load_result", "result_schema"]
