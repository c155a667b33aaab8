"""Benchmark of the report renderers.

Run: ``python benchmarks/bench_report.py``

Measures, in one run, on the example run result (tests/report/fixtures/run_result.json) and on a synthetic
run four times its size (16 actors × 60 issues, 400 frontier packages, 600 statements):
- the first HTML render in the process (plotly loads its validators) and the warm render after it;
- the parts of a warm render: checking the result, the view model, the charts;
- the Markdown render;
- the HTML file size and the share of it that is plotly.js.
"""

from __future__ import annotations

import copy
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from accord.report.charts import build_charts
from accord.report.context import build_context
from accord.report.html import _plotly_js, render_html, render_html_string
from accord.report.markdown import render_markdown
from accord.report.schema import validate_result

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "report" / "fixtures" / "run_result.json"


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def synthetic(base: dict[str, Any], n_actors: int = 16, n_issues: int = 60, seed: int = 1) -> dict[str, Any]:
    """A larger run result with the fixture's shape and random values."""
    rng = random.Random(seed)
    r = copy.deepcopy(base)
    r["case"]["title"] = "Synthetic benchmark case"
    r["actors"] = [{"id": f"a{k}", "name": f"Actor {k}", "kind": "state", "capability": rng.random()}
                   for k in range(n_actors)]
    anchors = base["issues"][0]["anchors"]
    r["issues"] = [{"id": f"i{k}", "title": f"Issue {k}", "description": "", "status_quo": 25.0 * rng.randint(0, 4),
                    "anchors": anchors} for k in range(n_issues)]
    src = base["positions"][0]["sources"]
    r["positions"] = [{"actor": a["id"], "issue": i["id"], "position": 25.0 * rng.randint(0, 4),
                       "salience": rng.random(), "date": "2026-01-01", "origin": rng.choice(["hand", "evidence"]),
                       "sources": src, "note": ""} for a in r["actors"] for i in r["issues"]]
    r["history"] = [dict(p, date="2025-06-01", position=25.0 * rng.randint(0, 4)) for p in r["positions"]] + \
        copy.deepcopy(r["positions"])
    models = list(base["forecasts"])
    r["forecasts"] = {m: {i["id"]: 100 * rng.random() for i in r["issues"]} for m in models}
    iv = next(iter(next(iter(base["intervals"].values())).values()))
    r["intervals"] = {m: {i["id"]: iv for i in r["issues"]} for m in models}
    path = next(iter(base["bdm_paths"].values()))
    r["bdm_paths"] = {i["id"]: {"median": path["median"], "mean": path["mean"],
                                "positions": {a["id"]: path["median"] for a in r["actors"]}} for i in r["issues"]}
    parties = [a["id"] for a in r["actors"][:4]]
    pk = r["packages"]
    pk["parties"] = parties
    pk["frontier"] = [{"package": ["x"] * 4, "utilities": {p: rng.random() for p in parties}} for _ in range(400)]
    pk["nash"] = dict(pk["frontier"][0])
    pk["kalai_smorodinsky"] = dict(pk["frontier"][1])
    st = base["evidence"]["statements"][0]
    r["evidence"]["statements"] = [dict(st, id=f"s{k}", actor=r["actors"][k % n_actors]["id"],
                                        issue=r["issues"][k % n_issues]["id"]) for k in range(600)]
    r["evidence"]["suggestions"] = []
    r.pop("summary", None)
    return r


def main() -> None:
    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    big = synthetic(base)
    rows = []
    t = time.perf_counter()
    render_html_string(base)
    cold = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        for name, result in (("example (4 × 15)", base), ("synthetic (16 × 60)", big)):
            plain = validate_result(result)
            html_path = render_html(result, Path(tmp) / "r.html")
            size = html_path.stat().st_size
            rows.append({
                "case": name,
                "html warm s": timed(lambda: render_html_string(result)),
                "check s": timed(lambda: validate_result(result)),
                "view model s": timed(lambda: build_context(plain)),
                "charts s": timed(lambda: build_charts(plain)),
                "markdown s": timed(lambda: render_markdown(result)),
                "html MB": size / 1e6,
                "plotly.js share": len(_plotly_js().encode()) / size,
            })
    print(f"first HTML render in a fresh process (example): {cold:.2f} s")
    cols = list(rows[0])
    print(" | ".join(f"{c:>20}" for c in cols))
    for r in rows:
        print(" | ".join(f"{v:>20.3f}" if isinstance(v, float) else f"{v:>20}" for v in r.values()))


if __name__ == "__main__":
    main()
