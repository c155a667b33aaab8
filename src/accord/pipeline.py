"""The main job: from a case folder to forecasts, analyses and a report.

``run()`` is what ``accord run`` calls. Each stage reports progress through an optional
callback; a stage whose input file is broken records a problem naming the file and the
run goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import accord
from accord.cases import case_dir
from accord.errors import AccordError
from accord.models.registry import BASELINES, forecast
from accord.scenario.io import load_scenario
from accord.scenario.model import Scenario
from accord.scenario.yaml_io import atomic_write_text

DEFAULT_AS_OF = "2025-11-20"
DEFAULT_COMPARE = ("2026-02-28",)

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


def forecast_table(scenario: Scenario, as_of: str | dt.date, models: Sequence[str]) -> dict[str, dict[str, float]]:
    """``{model: {issue: value}}`` for the scenario at a date."""
    issues = scenario.issue_data(as_of)
    return {m: {k: f.value for k, f in forecast(issues, m).forecasts.items()} for m in models}


def scenario_section(scenario: Scenario, as_of: str | dt.date) -> dict[str, Any]:
    """Actors, issues, current positions and the full position history, JSON-ready."""
    snap = scenario.as_of(as_of)

    def pos(p: Any) -> dict[str, Any]:
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
        "positions": [pos(p) for p in snap.positions],
        "history": [pos(p) for p in sorted(scenario.positions, key=lambda p: (p.date, p.actor, p.issue))],
    }


def run(
    case: str | Path | None = None,
    *,
    as_of: str | dt.date = DEFAULT_AS_OF,
    compare: Sequence[str | dt.date] = DEFAULT_COMPARE,
    out: str | Path = "accord-out",
    models: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the main job on a case (default: the bundled Ukraine case) and write its outputs."""
    say: Progress = progress or (lambda stage, detail: None)
    folder = case_dir(case)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    problems: list[dict[str, str]] = []
    t0 = time.perf_counter()

    say("scenario", f"loading {folder / 'scenario.yaml'}")
    scenario = load_scenario(folder / "scenario.yaml")
    when = _date(as_of)
    dates = [when] + [_date(d) for d in compare if _date(d) != when]
    names = list(models) if models else list(BASELINES)
    timings["scenario"] = time.perf_counter() - t0

    say("forecasts", f"{len(names)} models × {len(dates)} dates")
    t = time.perf_counter()
    by_date = {d.isoformat(): forecast_table(scenario, d, names) for d in dates}
    timings["forecasts"] = time.perf_counter() - t

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
        "forecasts": by_date[when.isoformat()],
        "forecasts_by_date": by_date,
        "problems": problems,
    }
    say("write", f"results to {out_dir}")
    files = {"json": atomic_write_text(out_dir / "result.json", json.dumps(data, indent=2, default=str) + "\n")}
    timings["total"] = time.perf_counter() - t0
    return RunResult(data=data, out_dir=out_dir, files=files, timings=timings)


__all__ = ["run", "RunResult", "AccordError"]
