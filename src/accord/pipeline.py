"""The main job: from a case folder to evidence, forecasts, analyses and a report.

``run()`` is what ``accord run`` calls. Stages: scenario → evidence (ingest the case's
articles, suggest positions, compare with the hand-coded ones) → forecasts of every model
→ Monte Carlo intervals → expected-utility paths and predicted exchanges → packages,
ratification and the truce game → backtest → report. Each stage reports progress through an
optional callback. A broken input file (bad YAML, an unreadable article) is recorded as a
problem naming the file, and the run goes on with the rest; only a broken scenario stops it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import accord
from accord.cases import case_dir
from accord.errors import AccordError
from accord.models.registry import BASELINES, forecast
from accord.scenario.io import load_scenario
from accord.scenario.model import Scenario
from accord.scenario.yaml_io import atomic_write_text

DEFAULT_AS_OF = "2025-11-20"
DEFAULT_COMPARE = ("2026-02-28",)
DEFAULT_DRAWS = 1000
RUN_MODELS = tuple(BASELINES) + ("bdm", "exchange")
SIMULATED_MODELS = ("compromise", "mean", "weighted-median", "nash", "bdm")
STAGES = ("scenario", "evidence", "forecasts", "uncertainty", "dynamics", "packages", "backtest", "report")

Progress = Callable[[str, str], None]


@dataclass
class RunResult:
    """Everything one run produced: the JSON-ready result, the files written and any problems."""

    data: dict[str, Any]
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def problems(self) -> list[dict[str, str]]:
        """Inputs that could not be used, each with the file and the reason."""
        return self.data.get("problems", [])


def _date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _jsonable(value: Any) -> Any:
    """Plain JSON types (numpy scalars and arrays, dates) all the way down."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def forecast_table(scenario: Scenario, as_of: str | dt.date, models: Sequence[str]) -> dict[str, dict[str, float]]:
    """``{model: {issue: value}}`` for the scenario at a date."""
    issues = scenario.issue_data(as_of)
    return {m: {k: f.value for k, f in forecast(issues, m).forecasts.items()} for m in models}


def _position_record(p: Any) -> dict[str, Any]:
    return {
        "actor": p.actor,
        "issue": p.issue,
        "position": p.position,
        "salience": p.salience,
        "date": p.date.isoformat(),
        "origin": p.origin,
        "uncertainty": p.uncertainty,
        "note": p.note,
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in p.sources],
    }


def scenario_section(scenario: Scenario, as_of: str | dt.date) -> dict[str, Any]:
    """Actors, issues, current positions and the full position history, JSON-ready."""
    snap = scenario.as_of(as_of)
    return {
        "actors": [{"id": a.id, "name": a.name, "kind": a.kind, "capability": a.capability} for a in scenario.actors],
        "issues": [
            {
                "id": i.id,
                "title": i.title,
                "description": i.description,
                "status_quo": i.status_quo,
                "anchors": [{"value": a.value, "label": a.label} for a in i.scale.anchors],
            }
            for i in scenario.issues
        ],
        "positions": [_position_record(p) for p in snap.positions],
        "history": [_position_record(p) for p in sorted(scenario.positions, key=lambda p: (p.date, p.actor, p.issue))],
    }


# -- stages -------------------------------------------------------------------------


def evidence_stage(scenario: Scenario, articles: Path, db: Path, as_of: dt.date, problems: list[dict[str, str]]) -> dict[str, Any]:
    """Ingest the case's articles, then compare evidence-suggested positions with the scenario's."""
    from accord.evidence.ingest import ingest_paths
    from accord.evidence.report_view import evidence_view
    from accord.evidence.suggest import suggest_positions

    report = ingest_paths([articles], db, scenario=scenario)
    for prob in report.problems:
        problems.append({"file": str(getattr(prob, "file", prob)), "error": str(prob), "stage": "evidence"})
    suggestions = suggest_positions(db, scenario, as_of=as_of)
    hand = {(p.actor, p.issue): p for p in scenario.as_of(as_of).positions}
    view = evidence_view(db)
    rows = []
    for s in suggestions:
        h = hand.get((s.actor, s.issue))
        step = scenario.issue(s.issue).scale.step()
        rows.append({
            "actor": s.actor,
            "issue": s.issue,
            "suggested": round(s.position, 2),
            "hand": None if h is None else h.position,
            "confidence": round(s.confidence, 3),
            "agrees": None if h is None else bool(abs(s.position - h.position) <= step / 2),
            "supporting": [i.statement_id for i in s.supporting],
            "contradicting": [i.statement_id for i in s.contradicting],
            "n_statements": s.n_statements,
        })
    view["suggestions"] = rows
    view["ingest"] = {"documents": report.documents_read, "added": report.articles_added,
                      "existing": report.articles_existing, "skipped": len(report.problems)}
    return view


def interval_section(sim: Any) -> dict[str, dict[str, Any]]:
    """``{model: {issue: {q05 … q95, mean, bands}}}`` from a simulation."""
    out: dict[str, dict[str, Any]] = {}
    for summary in sim.summaries():
        out.setdefault(summary.model, {})[summary.issue] = {
            **{f"q{round(100 * q):02d}": v for q, v in summary.quantiles.items()},
            "mean": summary.mean,
            "point": summary.point,
            "bands": dict(zip(summary.band_labels, summary.band_probs)),
        }
    return out


def dynamics_stage(scenario: Scenario, as_of: dt.date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Expected-utility round paths per issue, and the exchanges the exchange model predicts."""
    from accord.models.bdm import run_bdm
    from accord.models.exchange import describe_exchanges, exchange_input, run_exchange

    issues = scenario.issue_data(as_of)
    paths = {}
    for issue in issues:
        run = run_bdm(issue)
        paths[issue.id] = {
            "median": run.medians.tolist(),
            "mean": run.means.tolist(),
            "positions": {a: run.positions[:, k].tolist() for k, a in enumerate(issue.actors)},
            "stop_reason": run.stop_reason,
            "offers": [o.to_dict() for o in run.offers[:40]],
        }
    linked = [i for i in issues if i.n >= 2]
    exchanges: list[dict[str, Any]] = []
    if len(linked) >= 2:
        names = {a.id: a.name for a in scenario.actors}
        titles = {i.id: i.title for i in scenario.issues}
        run = run_exchange(exchange_input(linked), rounds=1, p=0.0, rng=0, keep_candidates=False)
        texts = describe_exchanges(run, names, titles)
        for e, text in zip(run.exchanges(), texts):
            exchanges.append({
                "text": text,
                "gain": float(e.gain),
                "supplier": run.actors[e.j],
                "issue_supplied": run.issues[e.p],
                "partner": run.actors[e.i],
                "issue_demanded": run.issues[e.q],
            })
        exchanges.sort(key=lambda r: -r["gain"])
    return paths, exchanges


def packages_stage(folder: Path, scenario: Scenario) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Package deals with ratification, and the truce game, in the report's shape."""
    from accord.packages.case import analyse_case

    res = analyse_case(folder / "packages.yaml", folder / "truce.yaml")
    analysis = res["packages"]
    titles = {i.id: i.title for i in scenario.issues}
    issues = [{"id": k, "title": titles.get(k, k), "options": list(v)} for k, v in analysis["issues"].items()]

    def pack(rec: dict[str, Any] | None) -> dict[str, Any] | None:
        if not rec:
            return None
        return {"package": [rec["options"][i["id"]] for i in issues], "label": rec.get("label"),
                "utilities": rec.get("utilities", {})}

    referendum = []
    for side, info in res.get("referendum", {}).items():
        for rec in info.get("top", []):
            referendum.append({"package": [rec["options"][i["id"]] for i in issues], "label": rec.get("label"),
                               "probability": rec["probability"], "ratifier": info.get("stage", side)})
        for name, p in info.get("named", {}).items():
            referendum.append({"package": [name], "label": name, "probability": p, "ratifier": info.get("stage", side), "named": True})
    frontier = [pack(r) for r in analysis.get("frontier", [])[:400]] if analysis.get("frontier") else []
    packages = {
        "acceptable_to_all": res["any_acceptable_to_all"],
        "n_packages": analysis["n_packages"],
        "n_acceptable": res["acceptable_count"],
        "parties": analysis["parties"],
        "issues": issues,
        "reservation": analysis.get("reservation"),
        "frontier": [f for f in frontier if f],
        "nash": pack(res["nash"]),
        "kalai_smorodinsky": pack(res["kalai_smorodinsky"]),
        "named": {k: pack(v) for k, v in analysis.get("named_packages", {}).items()},
        "referendum": referendum,
        "passing": [r for r in referendum if r["probability"] >= 0.5 and not r.get("named")],
        "passing_count": {side: info["passing_count"] for side, info in res.get("referendum", {}).items()},
        "warnings": res.get("warnings", []),
    }
    truce_states: dict[int, str] = {}
    stability = {}
    for concept, states in res["truce"].items():
        stability[concept] = [s["state"] for s in states]
        truce_states.update({s["state"]: s["label"] for s in states})
    equilibria = sorted(set.intersection(*(set(v) for v in stability.values()))) if stability else []
    truce = {"states": [{"id": k, "label": v} for k, v in sorted(truce_states.items())],
             "stability": stability, "equilibria": equilibria}
    return packages, truce


def backtest_stage(scenario: Scenario, folder: Path, as_of: str, sim: Any, markets: Path | None) -> dict[str, Any]:
    """Event probabilities scored against the case's outcomes, in the report's shape."""
    from accord.analysis.backtest_ukraine import backtest_ukraine, load_outcomes

    bt = backtest_ukraine(scenario, load_outcomes(folder / "outcomes.yaml"), as_of=as_of, simulation=sim, markets=markets)
    headline = "bdm"
    rows = []
    for r in bt.rows:
        base = {k: v for k, v in r.items() if k not in ("event", "question", "rule", "outcome") and k not in SIMULATED_MODELS}
        models = {k: r[k] for k in SIMULATED_MODELS if k in r}
        rows.append({"event": r["question"], "accord_probability": r.get(headline), "models": models,
                     "baseline": base, "outcome": r["outcome"], "rule": r["rule"]})
    direction = []
    for d in bt.direction:
        direction.append({"actor": d["actor"], "issue": d["issue"], "predicted": d.get(headline), "actual": d["actual"],
                          "match": d.get(headline) == d["actual"], "models": {m: d[m] for m in SIMULATED_MODELS if m in d}})
    return {"rows": rows, "brier": {k: v["brier"] for k, v in bt.brier.items()}, "brier_detail": bt.brier,
            "direction": direction, "direction_summary": bt.direction_summary, "notes": bt.notes,
            "as_of": bt.as_of, "scored_at": bt.scored_at, "headline_model": headline}


# -- the run ---------------------------------------------------------------------------


def run(
    case: str | Path | None = None,
    *,
    as_of: str | dt.date = DEFAULT_AS_OF,
    compare: Sequence[str | dt.date] = DEFAULT_COMPARE,
    out: str | Path = "accord-out",
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    formats: Sequence[str] = ("html", "json"),
    markets: str | Path | None = None,
    models: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the main job on a case (default: the bundled Ukraine case) and write its report."""
    say: Progress = progress or (lambda stage, detail: None)
    folder = case_dir(case)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    problems: list[dict[str, str]] = []
    t0 = time.perf_counter()
    clock = [t0]

    def done(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = now - clock[0]
        clock[0] = now

    def attempt(stage: str, file: Path | None, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except AccordError as exc:
            problems.append({"file": str(getattr(exc, "file", None) or file or folder), "error": str(exc), "stage": stage})
            return None

    say("scenario", f"loading {folder / 'scenario.yaml'}")
    scenario = load_scenario(folder / "scenario.yaml")
    when = _date(as_of)
    dates = [when] + [_date(d) for d in compare if _date(d) != when]
    names = list(models) if models else list(RUN_MODELS)
    data: dict[str, Any] = {
        "case": {
            "id": scenario.id,
            "title": scenario.title,
            "folder": str(folder),
            "as_of": when.isoformat(),
            "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "accord_version": accord.__version__,
        },
        **scenario_section(scenario, when),
        "models": names,
        "problems": problems,
    }
    done("scenario")

    articles = folder / "articles"
    if articles.is_dir():
        say("evidence", f"reading {sum(1 for p in articles.rglob('*') if p.is_file())} files in {articles.name}/")
        db = out_dir / "evidence.duckdb"
        data["evidence"] = attempt("evidence", articles, lambda: evidence_stage(scenario, articles, db, when, problems))
    done("evidence")

    say("forecasts", f"{len(names)} models × {len(dates)} dates")
    by_date = {d.isoformat(): forecast_table(scenario, d, names) for d in dates}
    data["forecasts"] = by_date[when.isoformat()]
    data["forecasts_by_date"] = by_date
    done("forecasts")

    say("uncertainty", f"{draws} Monte Carlo draws")
    from accord.analysis.uncertainty import scenario_bands, simulate

    edges, labels = scenario_bands(scenario)
    sim = simulate(scenario.issue_data(when), models=list(SIMULATED_MODELS), draws=draws, seed=seed,
                   bands=edges, band_labels=labels, keep_inputs=True,
                   progress=lambda k, n: say("uncertainty", f"{k}/{n} draws"))
    data["intervals"] = interval_section(sim)
    data["simulation"] = {"draws": draws, "seed": seed, "models": list(SIMULATED_MODELS), "noise": sim.noise.to_dict()}
    done("uncertainty")

    say("dynamics", "expected-utility rounds and exchanges")
    data["bdm_paths"], data["exchanges"] = dynamics_stage(scenario, when)
    done("dynamics")

    if (folder / "packages.yaml").is_file():
        say("packages", "package deals, referendum and truce game")
        got = attempt("packages", folder / "packages.yaml", lambda: packages_stage(folder, scenario))
        if got:
            data["packages"], data["truce"] = got
    done("packages")

    if (folder / "outcomes.yaml").is_file():
        say("backtest", "scoring against the recorded outcomes")
        data["backtest"] = attempt("backtest", folder / "outcomes.yaml",
                                   lambda: backtest_stage(scenario, folder, when.isoformat(), sim, Path(markets) if markets else None))
    done("backtest")

    say("report", f"writing {', '.join(formats)} to {out_dir}")
    data = _jsonable(data)
    from accord.report.writer import write_report

    files = dict(write_report(data, out_dir, formats=tuple(f for f in formats if f != "json")))
    files["json"] = atomic_write_text(out_dir / "result.json", json.dumps(data, indent=2) + "\n")
    done("report")
    timings["total"] = time.perf_counter() - t0
    return RunResult(data=data, out_dir=out_dir, files=files, timings=timings)


__all__ = ["run", "RunResult", "STAGES"]
