"""The model registry: one entry per forecasting model, read by every part of accord.

An entry (:class:`ModelSpec`) says what a model is called (name, display label, short
name), what kind it is, which parameters it takes (with types and defaults), where its
single-issue form and, if it has one, its batched form live, whether it links issues,
and how the run and the report use it (tags). Forecasts, the Monte Carlo, the
sensitivity analysis, the DEU backtest, the CLI and the report legends all read it, so
adding a model is one :func:`register` call. How each model works: ``docs/methods/``.

Forms of a model:

single
    ``fn(issues: Sequence[IssueData], **params) -> dict[issue_id, IssueForecast]``; an
    issue the model cannot speak to is left out of the result.
batched
    ``fn(issues, drawn, **params) -> list[np.ndarray]`` where ``drawn[k]`` holds the
    ``(x, s, c)`` arrays, shape ``(rows, n)``, of issue ``k``; returns one forecast per row
    and issue. A model without one is run row by row through its single form.

A form is a function or a ``"module:attribute"`` string, imported on first use so that
heavy models cost nothing until asked for.
"""

from __future__ import annotations

import importlib
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from accord.errors import ModelError
from accord.models.issue import IssueData
from accord.models.result import IssueForecast, ModelForecast

ModelFn = Callable[..., dict[str, IssueForecast]]
BatchFn = Callable[..., list[np.ndarray]]
Drawn = tuple[np.ndarray, np.ndarray, np.ndarray]

#: Kinds of model: closed-form statistics of the positions, bargaining solutions,
#: round-by-round dynamic models, and reference points that are not models of behaviour.
KINDS = ("baseline", "bargaining", "dynamic", "reference")
#: ``run``: computed by ``accord run``; ``simulate``: Monte Carlo'd by ``accord run``;
#: ``plot``: drawn as a model in charts; ``reference``: drawn as a reference line.
TAGS = ("run", "simulate", "plot", "reference")


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _is_whole(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_numbers(v: Any) -> bool:
    if _is_number(v):
        return True
    try:
        return all(_is_number(u) for u in np.asarray(v, dtype=object).ravel())
    except TypeError:
        return False


def _is_stop_rule(v: Any) -> bool:
    return isinstance(v, str) or hasattr(v, "rule")


#: Parameter types: a name a reader understands, and the check of a value.
PARAM_TYPES: dict[str, Callable[[Any], bool]] = {
    "number": _is_number,
    "whole number": _is_whole,
    "text": lambda v: isinstance(v, str),
    "true/false": lambda v: isinstance(v, (bool, np.bool_)),
    "number or one number per actor": _is_numbers,
    "stop rule (name or StopRule)": _is_stop_rule,
}


@dataclass(frozen=True)
class Param:
    """One model parameter: its name, type (a key of :data:`PARAM_TYPES`), default and meaning.

    A default of ``None`` means "not set": the model uses its own rule (e.g. the stop
    rule's own tolerance).
    """

    name: str
    type: str
    default: Any
    help: str = ""

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ModelError(f"parameter {self.name}: unknown type {self.type!r}; use one of {', '.join(PARAM_TYPES)}")

    def check(self, model: str, value: Any) -> None:
        """Raise :class:`ModelError` when ``value`` is not of this parameter's type."""
        if value is None and self.default is None:
            return
        if not PARAM_TYPES[self.type](value):
            raise ModelError(
                f"model {model!r}: parameter {self.name!r} must be a {self.type}, got {type(value).__name__} {value!r}"
            )


def every_issue(issue: IssueData) -> bool:
    """Coverage of a model that forecasts every issue."""
    return True


def has_reference(issue: IssueData) -> bool:
    """Coverage of a model that needs the issue's reference point (status quo)."""
    return issue.reference is not None


def _load(target: Callable[..., Any] | str) -> Callable[..., Any]:
    if callable(target):
        return target
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class ModelSpec:
    """A registered model (see the module docstring for the two forms).

    ``preset`` holds parameter values fixed by this entry (a variant such as
    ``compromise-salience`` is the compromise model with ``weights`` preset); a caller may
    still override them. ``covers(issue)`` says whether the model forecasts an issue at all.
    ``method`` names the file of ``docs/methods/`` that describes the model.
    """

    name: str
    label: str
    short: str
    kind: str
    summary: str
    single: ModelFn | str
    batched: BatchFn | str | None = None
    params: tuple[Param, ...] = ()
    preset: Mapping[str, Any] = field(default_factory=dict)
    multi_issue: bool = False
    tags: frozenset[str] = frozenset()
    covers: Callable[[IssueData], bool] = every_issue
    method: str = ""

    def variant(self, name: str, label: str, short: str, summary: str, *,
                tags: frozenset[str] | None = None, **preset: Any) -> ModelSpec:
        """A copy of this entry under another name with some parameters preset."""
        return replace(self, name=name, label=label, short=short, summary=summary,
                       preset={**self.preset, **preset}, tags=self.tags if tags is None else tags)

    def param(self, name: str) -> Param:
        """The declared parameter ``name``, or a :class:`ModelError` listing the valid ones."""
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params) or "none"
        raise ModelError(f"model {self.name!r}: unknown parameter {name!r}; valid parameters: {valid}")

    def defaults(self) -> dict[str, Any]:
        """Every parameter's value when the caller gives none (presets applied)."""
        return {p.name: self.preset.get(p.name, p.default) for p in self.params}

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The presets overlaid with ``params``, after checking each name and type."""
        merged = {**self.preset, **params}
        for name, value in merged.items():
            self.param(name).check(self.name, value)
        return merged

    def load(self) -> ModelFn:
        """The single-issue form."""
        return _load(self.single)

    def load_batched(self) -> BatchFn | None:
        """The batched form, or None where the model has none."""
        return None if self.batched is None else _load(self.batched)

    def forecast_rows(self, issues: Sequence[IssueData], drawn: Sequence[Drawn], params: Mapping[str, Any]) -> list[np.ndarray]:
        """Forecasts for rows of perturbed inputs of the issues: ``out[k][row]``.

        Uses the batched form where there is one; otherwise runs the single form once per
        row (over all the issues together when the model links issues, else issue by issue).
        """
        checked = self.resolve(params)
        batched = self.load_batched()
        if batched is not None:
            return list(batched(issues, drawn, **checked))
        return self._rows_by_single_form(issues, drawn, checked)

    def _rows_by_single_form(self, issues: Sequence[IssueData], drawn: Sequence[Drawn], params: dict[str, Any]) -> list[np.ndarray]:
        fn = self.load()
        groups = [list(range(len(issues)))] if self.multi_issue else [[k] for k in range(len(issues))]
        out = [np.empty(len(d[0])) for d in drawn]
        for members in groups:
            for row in range(len(drawn[members[0]][0])):  # only for models without a batched form
                one = [issues[k].with_values(x=drawn[k][0][row], s=drawn[k][1][row], c=drawn[k][2][row]) for k in members]
                result = fn(one, **params)
                for k in members:
                    out[k][row] = result[issues[k].id].value
        return out


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model to the registry (its name must be new); returns the spec."""
    if spec.name in _REGISTRY:
        raise ModelError(f"model {spec.name!r} is already registered")
    if spec.kind not in KINDS:
        raise ModelError(f"model {spec.name!r}: kind must be one of {', '.join(KINDS)}, got {spec.kind!r}")
    unknown = sorted(set(spec.tags) - set(TAGS))
    if unknown:
        raise ModelError(f"model {spec.name!r}: unknown tag(s) {', '.join(unknown)}; use {', '.join(TAGS)}")
    for name in spec.preset:
        spec.param(name)
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a model (for tests that register a model of their own)."""
    get(name)
    del _REGISTRY[name]


def get(name: str) -> ModelSpec:
    """The entry of a model, or a :class:`ModelError` listing the registered names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; choose from {', '.join(_REGISTRY)}") from None


def names(tag: str | None = None, kind: str | None = None) -> list[str]:
    """Registered model names in registration order, optionally those with a tag and/or of a kind."""
    if tag is not None and tag not in TAGS:
        raise ModelError(f"unknown tag {tag!r}; use {', '.join(TAGS)}")
    if kind is not None and kind not in KINDS:
        raise ModelError(f"unknown kind {kind!r}; use {', '.join(KINDS)}")
    return [n for n, s in _REGISTRY.items() if (tag is None or tag in s.tags) and (kind is None or s.kind == kind)]


def closed_form_names() -> list[str]:
    """The models ``accord run`` computes that are not round-by-round dynamic models.

    The default of ``accord forecast``; with the one-issue dynamic ones (BDM) also the
    default of ``accord simulate``.
    """
    return [n for n in names(tag="run") if _REGISTRY[n].kind != "dynamic"]


def label(name: str) -> str:
    """A reader's name for a model (an unregistered key is made readable)."""
    spec = _REGISTRY.get(name)
    return spec.label if spec else name.replace("-", " ").replace("_", " ").capitalize()


def short(name: str) -> str:
    """A model's short name for table columns (an unregistered key stands for itself)."""
    spec = _REGISTRY.get(name)
    return spec.short if spec else name


def forecast(issues: Sequence[IssueData], model: str, **params: Any) -> ModelForecast:
    """Run one named model over the issues and collect its forecasts.

    An unknown parameter or a value of the wrong type is a :class:`ModelError` naming
    the model and the parameter.
    """
    spec = get(model)
    merged = spec.resolve(params)
    try:
        fn = spec.load()
    except (ImportError, AttributeError) as exc:
        raise ModelError(f"model {model!r} is not available in this installation ({exc})") from None
    forecasts = fn(issues, **merged)
    renamed = {
        k: IssueForecast(v.issue, model, v.value, v.params, v.flags, v.details) for k, v in forecasts.items()
    }
    return ModelForecast(model=model, params=merged, forecasts=renamed)


# -- the models of accord ------------------------------------------------------------

_B = "accord.models.baselines"
_WEIGHTS = Param("weights", "text", "salience_x_capability",
                 "weighting of positions: salience_x_capability, salience or unweighted")
_RUN_PLOT = frozenset({"run", "plot"})

_COMPROMISE = ModelSpec(
    "compromise", "Compromise", "CM", "baseline",
    "Achen's compromise model: mean weighted by salience × capability",
    f"{_B}:compromise_model", f"{_B}:compromise_batch", (_WEIGHTS,),
    tags=_RUN_PLOT | {"simulate"}, method="baselines",
)
_MEDIAN = ModelSpec(
    "weighted-median", "Weighted median", "wmed", "baseline",
    "Lower weighted median, weights salience × capability",
    f"{_B}:median_model", f"{_B}:median_batch",
    (_WEIGHTS, Param("tau", "number", 0.5, "quantile level in (0, 1]")),
    tags=_RUN_PLOT | {"simulate"}, method="baselines",
)
_REFERENCE_TAGS = frozenset({"run", "reference"})

register(_COMPROMISE)
register(_COMPROMISE.variant("compromise-salience", "Compromise (salience)", "CMs",
                             "Compromise model weighted by salience only", tags=_RUN_PLOT, weights="salience"))
register(_COMPROMISE.variant("mean", "Mean", "mean", "Unweighted mean of positions", weights="unweighted"))
register(_MEDIAN)
register(_MEDIAN.variant("weighted-median-salience", "Weighted median (salience)", "wmeds",
                         "Lower weighted median, weights salience", tags=_RUN_PLOT, weights="salience"))
register(_MEDIAN.variant("median", "Median", "med", "Lower unweighted median", tags=_RUN_PLOT, weights="unweighted"))
register(ModelSpec(
    "nash", "Nash bargaining", "NBS", "bargaining",
    "Nash bargaining solution with a costly reference point (quadratic loss)",
    "accord.models.nash:nash_model", "accord.models.nash:nash_batch",
    (Param("kappa", "number or one number per actor", 1.0, "cost of disagreement κ (one value or one per actor)"),
     Param("loss", "text", "quadratic", "quadratic or linear loss"),
     Param("use_reference", "true/false", True, "disagreement at the issue's status quo (else none)")),
    preset={"kappa": 1.0}, tags=_RUN_PLOT | {"simulate"}, method="nash",
))
register(ModelSpec(
    "status-quo", "Status quo", "SQ", "reference", "The reference point (status quo), where the issue has one",
    f"{_B}:status_quo_model", f"{_B}:status_quo_batch", tags=_REFERENCE_TAGS, covers=has_reference, method="baselines",
))
register(ModelSpec(
    "midpoint", "Midpoint", "mid", "reference", "The middle of the scale (predict 50)",
    f"{_B}:midpoint_model", f"{_B}:midpoint_batch", tags=_REFERENCE_TAGS, method="baselines",
))
register(ModelSpec(
    "bdm", "Expected utility (BDM)", "BDM", "dynamic",
    "Bueno de Mesquita's expected-utility model (Scholz et al. 2011)",
    "accord.models.bdm:bdm_model", "accord.models.bdm:bdm_batch",
    (Param("variant", "text", "scholz", "scholz or masad"),
     Param("rounds", "whole number", None, "rounds played (the rule's own: 10 published, at most 100 bdm_discount)"),
     Param("Q", "number", 1.0, "probability that a third actor enters (masad)"),
     Param("T", "number", 1.0, "probability of a challenge under the status quo (masad)"),
     Param("stop", "stop rule (name or StopRule)", "published", "published, fixed, converged, cycle or bdm_discount (tuned)"),
     Param("delta", "number", None, "discount of the bdm_discount rule (its default 0.9)"),
     Param("eps", "number", None, "tolerance of the stop rule (its own default)"),
     Param("K", "whole number", None, "rounds looked back by the cycle rule (its default 10)")),
    preset={"variant": "scholz"}, tags=_RUN_PLOT | {"simulate"}, method="bdm",
))
register(ModelSpec(
    "exchange", "Exchange", "exch", "dynamic", "Stokman's equal-gain exchange model over linked issues",
    "accord.models.exchange.model:exchange_model", None,
    (Param("rounds", "whole number", 10, "rounds of exchange"),
     Param("p", "number", 0.0, "randomisation of exchange rates in [0, 1]"),
     Param("repetitions", "whole number", 1, "randomised runs (forecast = their median when p > 0)"),
     Param("seed", "whole number", 0, "random seed"),
     Param("max_listed", "whole number", 100, "realised exchanges listed per issue"),
     Param("variant", "text", "published", "published, or decide (rounds executed as decide-exchange-model)")),
    multi_issue=True, tags=_RUN_PLOT, method="exchange",
))
