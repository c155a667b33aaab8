"""Benchmark of the report renderers.

Run: ``python benchmarks/bench_report.py``

Measures, in one run, on the example run result (tests/report/fixtures/run_result.json) and on a synthetic
run made by scaling it up (its actors copied to 16, its issues to 60, 400 frontier packages, 600 statements):
- the first HTML render in the process (plotly loads its validators) and the warm render after it;
- the parts of a warm render: loading the typed result, the view model, the charts;
- the Markdown render;
- the HTML file size and the share of it that is plotly.js.
"""

from __future__ import annotations

import copy
import json
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
from accord.result import RunResult, load_result

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "report" / "fixtures" / "run_result.json"


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _copies(items: list[Any], n: int) -> list[tuple[int, Any]]:
    """``n`` items cycling through ``items``, each with the number of its copy."""
    return [(k // len(items), items[k % len(items)]) for k in range(n)]


def scaled(base: RunResult, n_actors: int = 16, n_issues: int = 60, n_frontier: int = 400,
           n_statements: int = 600) -> RunResult:
    """The result scaled up: actors and issues copied (ids suffixed by the copy), every actor's position on every
    issue, each model's forecasts, intervals and round paths per issue, a longer frontier and more statements."""
    data = json.loads(base.model_dump_json())
    sc = data["scenario"]

    def new_id(old: str, copy_no: int) -> str:
        return old if copy_no == 0 else f"{old}_{copy_no}"

    actors = [dict(a, id=new_id(a["id"], c), name=f"{a['name']} {c + 1}") for c, a in _copies(sc["actors"], n_actors)]
    issues = _copies(sc["issues"], n_issues)
    sc["actors"] = actors
    sc["issues"] = [dict(i, id=new_id(i["id"], c)) for c, i in issues]
    template = sc["positions"]
    sc["positions"] = [dict(template[(k + j) % len(template)], actor=a["id"], issue=new_id(i["id"], c))
                       for k, a in enumerate(actors) for j, (c, i) in enumerate(issues)]
    sc["history"] = copy.deepcopy(sc["positions"])

    def per_issue(table: dict[str, Any]) -> dict[str, Any]:
        return {new_id(i["id"], c): table[i["id"]] for c, i in issues if i["id"] in table}

    for dated in data["forecasts"]:
        dated["values"] = {m: per_issue(v) for m, v in dated["values"].items()}
    if data.get("simulation"):
        data["simulation"]["summaries"] = {m: per_issue(v) for m, v in data["simulation"]["summaries"].items()}
    path = next(iter(data["bdm_paths"].values()))
    data["bdm_paths"] = {new_id(i["id"], c): dict(path, positions={a["id"]: path["median"] for a in actors})
                         for c, i in issues}
    if data.get("packages") and data["packages"]["frontier"]:
        data["packages"]["frontier"] = [p for _, p in _copies(data["packages"]["frontier"], n_frontier)]
    if data.get("evidence") and data["evidence"]["statements"]:
        data["evidence"]["statements"] = [dict(s, id=f"{s['id']}-{c}") for c, s in
                                          _copies(data["evidence"]["statements"], n_statements)]
        data["evidence"]["suggestions"] = []
    data["case"]["title"] = "Synthetic benchmark case"
    data["summary"] = []
    return load_result(data)


def measure(name: str, data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Timings and sizes of one result (``data``: its JSON form)."""
    typed = load_result(data)
    size = render_html(typed, folder / "r.html").stat().st_size
    return {
        "case": name,
        "html warm s": timed(lambda: render_html_string(data)),
        "load s": timed(lambda: load_result(data)),
        "view model s": timed(lambda: build_context(typed)),
        "charts s": timed(lambda: build_charts(typed)),
        "markdown s": timed(lambda: render_markdown(typed)),
        "html MB": size / 1e6,
        "plotly.js share": len(_plotly_js().encode()) / size,
    }


def main() -> None:
    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    big = json.loads(scaled(load_result(base)).model_dump_json())
    t = time.perf_counter()
    render_html_string(base)
    cold = time.perf_counter() - t
    n_actors, n_issues = len(base["scenario"]["actors"]), len(base["scenario"]["issues"])
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(f"example ({n_actors} × {n_issues})", base, Path(tmp)),
                measure(f"scaled ({len(big['scenario']['actors'])} × {len(big['scenario']['issues'])})", big, Path(tmp))]
    print(f"first HTML render in a fresh process (example): {cold:.2f} s")
    cols = list(rows[0])
    print(" | ".join(f"{c:>20}" for c in cols))
    for r in rows:
        print(" | ".join(f"{v:>20.3f}" if isinstance(v, float) else f"{v:>20}" for v in r.values()))


if __name__ == "__main__":
    main()
