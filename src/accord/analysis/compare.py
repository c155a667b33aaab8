"""Two runs side by side: the inputs that differ, the forecasts, probabilities and packages.

``compare_results(a, b)`` works on two :class:`accord.result.RunResult` s: two scenario files, one
scenario at two dates (``accord.runs.sources.scenario_result`` builds the forecast-only result of a
scenario at a date), two ``result.json`` files or two saved runs. The input differences come from the
results' scenario snapshots (positions in force at each run's date, with their sources, and the
actors' capabilities). ``Comparison.tables()`` lists its parts as rows for the terminal, CSV and the
HTML page. See docs/report.md (Comparing runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from accord.result import PositionRecord, RunResult

#: Two numbers closer than this are the same input.
SAME = 1e-12


@dataclass(frozen=True)
class InputChange:
    """One input that differs: an actor's position or salience on an issue, an actor's capability, or an
    actor or issue present on one side only (``before``/``after`` None where absent)."""

    kind: str
    actor: str | None
    issue: str | None
    before: Any
    after: Any
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValueRow:
    """One compared figure: what it is, its value on each side and the change where both are numbers."""

    what: str
    item: str
    before: Any
    after: Any

    @property
    def change(self) -> float | None:
        if isinstance(self.before, (int, float)) and isinstance(self.after, (int, float)) \
                and not isinstance(self.before, bool) and not isinstance(self.after, bool):
            return self.after - self.before
        return None


@dataclass
class Comparison:
    """The comparison of run ``a`` (before) with run ``b`` (after)."""

    a: str
    b: str
    date_a: dt.date
    date_b: dt.date
    inputs: list[InputChange] = field(default_factory=list)
    forecasts: list[ValueRow] = field(default_factory=list)
    probabilities: list[ValueRow] = field(default_factory=list)
    packages: list[ValueRow] = field(default_factory=list)
    #: Input files (by content hash) and run parameters that differ, where known (saved runs).
    files: list[ValueRow] = field(default_factory=list)

    def tables(self, addresses: bool = False) -> list[tuple[str, list[dict[str, Any]]]]:
        """(title, rows) of each part, as the terminal, CSV and HTML show them; sources with their web
        addresses when ``addresses`` is true, else by outlet and date."""
        inputs = [{"kind": c.kind, "actor": c.actor or "", "issue": c.issue or "", "before": c.before,
                   "after": c.after, "sources": "; ".join(s if addresses else s.rsplit(" ", 1)[0] if " http" in s
                                                           else s for s in c.sources)} for c in self.inputs]
        parts = [("Inputs that differ", inputs),
                 ("Point forecasts, 0–100", _rows(self.forecasts, "model", "issue")),
                 ("Probabilities, 0–1", _rows(self.probabilities, "kind", "item")),
                 ("Packages", _rows(self.packages, "kind", "item"))]
        if self.files:
            parts.insert(0, ("Input files and parameters", _rows(self.files, "kind", "item")))
        return parts

    def title(self) -> str:
        """The page's heading: which run beside which, with their dates."""
        def named(label: str, date: dt.date) -> str:
            return label if label == date.isoformat() else f"{label} ({date})"

        return f"{named(self.a, self.date_a)} beside {named(self.b, self.date_b)}"

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data (changes included)."""
        return {"a": self.a, "b": self.b, "date_a": self.date_a.isoformat(), "date_b": self.date_b.isoformat(),
                "inputs": [{**asdict(c), "sources": list(c.sources)} for c in self.inputs],
                **{name: [{**asdict(r), "change": r.change} for r in getattr(self, name)]
                   for name in ("files", "forecasts", "probabilities", "packages")}}


def _rows(rows: Iterable[ValueRow], what: str, item: str) -> list[dict[str, Any]]:
    return [{what: r.what, item: r.item, "before": r.before, "after": r.after, "change": r.change} for r in rows]


def _differs(x: Any, y: Any) -> bool:
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return abs(x - y) > SAME
    return x != y


def source_text(p: PositionRecord) -> tuple[str, ...]:
    """A position's sources as short lines: outlet or title, date and address."""
    return tuple(" ".join(str(x) for x in (s.outlet or s.title or s.id, s.date, s.url) if x) for s in p.sources)


def input_changes(a: RunResult, b: RunResult) -> list[InputChange]:
    """Actors and issues on one side only, capabilities, and positions and saliences in force that differ."""
    out: list[InputChange] = []
    actors_a = {x.id: x for x in a.scenario.actors}
    actors_b = {x.id: x for x in b.scenario.actors}
    for aid in dict.fromkeys([*actors_a, *actors_b]):
        x, y = actors_a.get(aid), actors_b.get(aid)
        if x is None or y is None:
            out.append(InputChange("actor", aid, None, x.name if x else None, y.name if y else None))
        elif _differs(x.capability, y.capability):
            out.append(InputChange("capability", aid, None, x.capability, y.capability))
    issues_a = {i.id: i for i in a.scenario.issues}
    issues_b = {i.id: i for i in b.scenario.issues}
    for iid in dict.fromkeys([*issues_a, *issues_b]):
        if iid not in issues_a or iid not in issues_b:
            out.append(InputChange("issue", None, iid, issues_a[iid].title if iid in issues_a else None,
                                   issues_b[iid].title if iid in issues_b else None))
    pos_a = {(p.actor, p.issue): p for p in a.scenario.positions}
    pos_b = {(p.actor, p.issue): p for p in b.scenario.positions}
    for key in dict.fromkeys([*pos_a, *pos_b]):
        x, y = pos_a.get(key), pos_b.get(key)
        cited = source_text(y) if y is not None else source_text(x) if x is not None else ()
        for kind in ("position", "salience"):
            before = getattr(x, kind) if x is not None else None
            after = getattr(y, kind) if y is not None else None
            if _differs(before, after):
                out.append(InputChange(kind, key[0], key[1], before, after, cited))
    return out


def forecast_rows(a: RunResult, b: RunResult) -> list[ValueRow]:
    """Every model's point forecast on every issue at each run's date (a row also where one side lacks it)."""
    fa, fb = a.forecasts_at(), b.forecasts_at()
    issues = list(dict.fromkeys([*(i.id for i in a.scenario.issues), *(i.id for i in b.scenario.issues)]))
    return [ValueRow(m, iid, fa.get(m, {}).get(iid), fb.get(m, {}).get(iid))
            for m in dict.fromkeys([*fa, *fb]) for iid in issues]


def _probabilities(r: RunResult) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    if r.executive is not None and r.executive.probability is not None:
        out[("agreement", "executive summary")] = r.executive.probability
    for a in r.agreements:
        out[("event", f"{a.event} by {a.deadline}")] = a.probability
    for st in r.packages.stages if r.packages else []:
        for cand, p in st.probabilities.items():
            out[("ratification", f"{st.side} {st.name}: {cand}")] = p
    return out


def _package_figures(r: RunResult) -> dict[tuple[str, str], Any]:
    pk = r.packages
    if pk is None:
        return {}
    out: dict[tuple[str, str], Any] = {("count", k): getattr(pk, k)
                                       for k in ("n_packages", "n_acceptable", "n_frontier", "zopa2_count")}
    solutions = {"nash": pk.nash, "kalai_smorodinsky": pk.kalai_smorodinsky,
                 **{f"{k} (ratified)": p for k, p in pk.ratified.items()}}
    for name, p in solutions.items():
        if p is not None:
            out[("solution", name)] = " · ".join(p.options)
    return out


def _paired(x: dict[tuple[str, str], Any], y: dict[tuple[str, str], Any]) -> list[ValueRow]:
    return [ValueRow(k[0], k[1], x.get(k), y.get(k)) for k in dict.fromkeys([*x, *y])]


def compare_results(a: RunResult, b: RunResult, label_a: str = "A", label_b: str = "B") -> Comparison:
    """Run ``a`` (before) beside run ``b`` (after)."""
    return Comparison(a=label_a, b=label_b, date_a=a.case.as_of, date_b=b.case.as_of, inputs=input_changes(a, b),
                      forecasts=forecast_rows(a, b), probabilities=_paired(_probabilities(a), _probabilities(b)),
                      packages=_paired(_package_figures(a), _package_figures(b)))
