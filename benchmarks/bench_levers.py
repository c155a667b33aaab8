"""Benchmark of levers and explanations on the bundled case (issue 18).

Run from the repository: ``python benchmarks/bench_levers.py``

Measures, in one run, wall and CPU time of levers (at the case's date) plus explanations (from the
case's date to its first comparison date) for every issue of the bundled case:

- the baselines and Nash (target < 5 s);
- every model ``accord run`` computes except reference points, BDM and the exchange model included, at the
  effort ``accord levers`` uses (target < 60 s).

The BDM kernels are compiled (or loaded from numba's cache) before the clock starts.
"""

from __future__ import annotations

import time

from accord.analysis.explain import explain
from accord.analysis.levers import levers
from accord.analysis.uncertainty import scenario_bands
from accord.cases import load_case
from accord.models.registry import forecast, get, names
from accord.scenario.io import load_scenario


def timed(fn) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def main() -> None:
    case = load_case(None)
    scenario = load_scenario(case.scenario_path)
    d1, d2 = case.config.as_of, case.config.compare[0]
    issues = scenario.issue_data(d1)
    edges, _ = scenario_bands(scenario)
    steps = {i.id: i.scale.step() for i in scenario.issues}
    forecast(issues, "bdm")  # numba compilation outside the clock
    every = [m for m in names(tag="run") if get(m).kind != "reference"]
    closed = [m for m in every if get(m).kind != "dynamic"]
    print(f"{case.folder.name}: {len(issues)} issues, {len(scenario.actors)} actors, levers at {d1}, "
          f"explanations {d1} to {d2}")
    print(f"{'models':<44} {'levers s':>9} {'explain s':>9} {'total s':>8} {'cpu s':>7} {'target':>7}")
    for label, models, target in (("baselines and Nash", closed, 5.0), ("all, with BDM and exchange", every, 60.0)):
        lw, lc, found = timed(lambda models=models: levers(issues, models, bands=edges, steps=steps))
        ew, ec, split = timed(lambda models=models: explain(scenario, d1, d2, models))
        total = lw + ew
        print(f"{label + f' ({len(models)} models)':<44} {lw:>9.2f} {ew:>9.2f} {total:>8.2f} {lc + ec:>7.2f} "
              f"{'< ' + format(target, 'g'):>7} {'ok' if total < target else 'SLOW'}")
        print(f"  {len(found)} issue-model levers, {len(split)} issue-model explanations")


if __name__ == "__main__":
    main()
