"""Benchmark of the equal-gain exchange model.

Run from the repository: ``python benchmarks/bench_exchange.py [--shared ../shared/data] [--reference VENV]``

Measures, in one run:
- COP21 (15 actors × 13 issues), 10 rounds (target < 1 s);
- a synthetic 50 actors × 30 issues scenario, 10 rounds;
- the array computation of all candidates against a plain loop over candidates (ratio);
- optionally, with ``--reference VENV``, the reference implementation (``decide-cli`` in a
  separate virtual environment, never a dependency of accord) on COP21, for a time ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from accord.models.exchange import (
    ExchangeInput,
    equal_gain_loop,
    exchange_input,
    initial_candidates,
    run_exchange,
)
from accord.scenario.decide import issue_data_from_decide, read_decide

ROOT = Path(__file__).resolve().parents[1]
#: The shared data folder beside the repository (``../shared/data``).
SHARED_DATA = ROOT.parent / "shared" / "data"


def best_of(fn, repeat: int = 3) -> float:
    """Fastest wall time of ``repeat`` calls, in seconds."""
    return timed(fn, repeat)[0]


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """Fastest wall time and fastest CPU time of ``repeat`` calls, in seconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def synthetic(n: int = 50, m: int = 30, seed: int = 1) -> ExchangeInput:
    """Random actors × issues: positions on a 0–100 grid of 5, saliences 0.1–1, capabilities 0.1–1."""
    rng = np.random.default_rng(seed)
    actors = tuple(f"a{k}" for k in range(n))
    issues = tuple(f"i{d}" for d in range(m))
    return ExchangeInput(
        actors=actors,
        issues=issues,
        x=rng.integers(0, 21, size=(n, m)) * 5.0,
        s=rng.uniform(0.1, 1.0, size=(n, m)),
        c=np.repeat(rng.uniform(0.1, 1.0, size=(n, 1)), m, axis=1),
        present=np.ones((n, m), dtype=bool),
        titles=issues,
    )


def reference_time(venv: Path, data: Path) -> str:
    """Run the reference CLI on a file for 10 rounds; its wall time or why it failed."""
    cli = venv / "bin" / "decide-cli"
    if not cli.exists():
        return f"not installed ({cli} missing)"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(cli), "--model", "equal", "--iterations", "10", "--repetitions", "1",
               "--input_file", str(data), "--output_dir", tmp, "--database", str(Path(tmp) / "run.db")]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed (exit {proc.returncode}: {last})"
    return f"{elapsed:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED_DATA, help="shared data folder (default ../shared/data)")
    parser.add_argument("--reference", type=Path, default=None, help="virtual environment holding decide-cli")
    args = parser.parse_args()

    rows: list[tuple[str, str]] = []
    cop21_path = args.shared / "exchange" / "cop21.csv"
    cop21 = exchange_input(issue_data_from_decide(read_decide(cop21_path)))
    t_cop, c_cop = timed(lambda: run_exchange(cop21, rounds=10, rng=0, keep_candidates=False))
    run = run_exchange(cop21, rounds=10, rng=0, keep_candidates=False)
    rows.append(("COP21 15×13, 10 rounds", f"{t_cop:.3f} s wall, {c_cop:.3f} s CPU ({len(run.exchanges())} exchanges; target < 1 s)"))

    syn = synthetic()
    box: list = []
    t_syn, c_syn = timed(lambda: box.append(run_exchange(syn, rounds=10, rng=0, keep_candidates=False)), repeat=1)
    rows.append(("synthetic 50×30, 10 rounds", f"{t_syn:.3f} s wall, {c_syn:.3f} s CPU ({len(box[0].exchanges())} exchanges)"))

    n_cand = len(initial_candidates(syn))
    t_vec = best_of(lambda: initial_candidates(syn))
    t_loop = best_of(lambda: equal_gain_loop(syn), repeat=1)
    rows.append((f"candidates 50×30 ({n_cand}), arrays", f"{t_vec * 1000:.1f} ms"))
    rows.append((f"candidates 50×30 ({n_cand}), plain loop", f"{t_loop * 1000:.1f} ms"))
    rows.append(("loop / arrays", f"{t_loop / t_vec:.1f}×"))

    ref = reference_time(args.reference, cop21_path) if args.reference else "not run (no --reference)"
    rows.append(("reference decide-cli, COP21 10 rounds", ref))
    if ref.endswith(" s") and not ref.startswith("failed"):
        rows.append(("reference / accord (COP21)", f"{float(ref.split()[0]) / t_cop:.1f}×"))

    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print("-" * (width + 2 + max(len(v) for _, v in rows)))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
