"""Benchmark of the BDM model: vectorised vs plain-loop reference, and a Monte Carlo run.

Usage: ``python benchmarks/bench_bdm.py [--draws 10000] [--workers N] [--ref-rounds-200 1] [--skip-ref-200]``

Table 1: seconds per BDM round (scholz) at n = 10, 20, 50, 200 actors for the vectorised
model and the plain-loop reference from ``tests/models/bdm_reference.py`` on the same
inputs, and their ratio measured in this run. The reference runs fewer rounds at large n
(shown in the ``ref rounds`` column); with ``--skip-ref-200`` its time at n = 200 is
extrapolated from n = 50 by the O(n³) cost and marked "estimated".

Table 2: ``--draws`` Monte Carlo draws of a synthetic 20-actor × 17-issue scenario,
BDM only, with its default (published) rule of 10 rounds, through :func:`accord.analysis.uncertainty.simulate`; wall
time and peak resident memory of the process (getrusage). The kernels use all cores
(numba threads; ``NUMBA_NUM_THREADS=1`` for one) and are compiled before timing.
Targets: vectorised ≥ 100× the loop at n = 50; 10,000 draws < 10 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "models"))

from bdm_reference import run_reference  # noqa: E402

from accord.analysis.uncertainty import simulate  # noqa: E402
from accord.execution import IN_PROCESS, Execution  # noqa: E402
from accord.models.bdm import simulate_batch  # noqa: E402
from accord.models.issue import IssueData  # noqa: E402

SIZES = (10, 20, 50, 200)
VEC_ROUNDS = 10
REF_ROUNDS = {10: 5, 20: 3, 50: 1, 200: 1}


def _issue_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 9, n) * 12.5 + rng.uniform(0, 1, n) * (rng.uniform(size=n) < 0.5)
    return x, rng.uniform(0.05, 1, n), rng.uniform(0.05, 1, n)


def time_vectorised(n: int, rounds: int = VEC_ROUNDS) -> float:
    """Seconds per round of the vectorised model on one issue of n actors."""
    x, s, c = _issue_arrays(n, n)
    simulate_batch(x, s, c, rounds=1)  # warm-up
    t0 = time.perf_counter()
    simulate_batch(x, s, c, rounds=rounds, stop="fixed")
    return (time.perf_counter() - t0) / rounds


def time_reference(n: int, rounds: int) -> float:
    """Seconds per round of the plain-loop reference on the same issue."""
    x, s, c = _issue_arrays(n, n)
    t0 = time.perf_counter()
    run_reference(list(x), list(s), list(c), "scholz", rounds)
    return (time.perf_counter() - t0) / rounds


def synthetic_scenario(actors: int = 20, issues: int = 17, seed: int = 0) -> list[IssueData]:
    """Issues on a 0–4 anchor scale (×25) with one anchor step of position uncertainty."""
    rng = np.random.default_rng(seed)
    names = tuple(f"actor{i}" for i in range(actors))
    return [
        IssueData(
            id=f"issue{k}", actors=names, x=rng.integers(0, 5, actors) * 25.0, s=rng.uniform(0.1, 1, actors),
            c=rng.uniform(0.1, 1, actors), uncertainty=np.full(actors, 25.0),
        )
        for k in range(issues)
    ]


def time_monte_carlo(draws: int, execution: Execution) -> tuple[float, float]:
    """Wall seconds and peak RSS MB of the Monte Carlo run (after a small warm-up run)."""
    issues = synthetic_scenario()
    params = {"bdm": {"stop": "published", "rounds": 10}}
    simulate(issues, ["bdm"], draws=10, seed=1, params=params)  # compile or load the kernels
    t0 = time.perf_counter()
    simulate(issues, ["bdm"], draws=draws, seed=0, execution=execution, params=params)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return wall, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=None, help="run Monte Carlo chunks on a local Dask cluster")
    ap.add_argument("--ref-rounds-200", type=int, default=REF_ROUNDS[200])
    ap.add_argument("--skip-ref-200", action="store_true", help="extrapolate the reference at n=200 from n=50")
    args = ap.parse_args()

    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print()
    print(f"{'n':>5} {'vectorised s/round':>19} {'reference s/round':>18} {'ref rounds':>10} {'ratio':>9}")
    ref_times: dict[int, float] = {}
    for n in SIZES:
        vec = time_vectorised(n)
        note = ""
        if n == 200 and args.skip_ref_200:
            ref = ref_times[50] * (200 / 50) ** 3
            rounds_txt = "estimated"
            note = "  (reference extrapolated from n=50 by n³)"
        else:
            rounds = args.ref_rounds_200 if n == 200 else REF_ROUNDS[n]
            ref = time_reference(n, rounds)
            rounds_txt = str(rounds)
        ref_times[n] = ref
        print(f"{n:>5} {vec:>19.5f} {ref:>18.4f} {rounds_txt:>10} {ref / vec:>8.0f}×{note}")
    print()
    execution = Execution(workers=args.workers) if args.workers else IN_PROCESS
    wall, rss = time_monte_carlo(args.draws, execution)
    where = f"{args.workers} Dask workers" if args.workers else f"in process, {numba.get_num_threads()} threads"
    print(f"{'Monte Carlo':<14} {'draws':>7} {'actors×issues':>14} {'rounds':>7} {'wall s':>9} {'peak RSS MB':>12}")
    print(f"{'bdm scholz':<14} {args.draws:>7} {'20×17':>14} {10:>7} {wall:>9.2f} {rss:>12.1f}  ({where})")
    print()
    print(f"targets: ratio at n=50 >= 100× -> {'met' if ref_times[50] / time_vectorised(50) >= 100 else 'NOT met'}; "
          f"{args.draws} draws < 10 s -> {'met' if wall < 10 else 'NOT met'} (the target is for 10,000 draws); "
          f"memory < 2 GB -> {'met' if rss < 2048 else 'NOT met'}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
