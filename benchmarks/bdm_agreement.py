"""Agreement of the compiled BDM kernel with the plain-loop reference (``tests/models/bdm_reference.py``).

Counts the issues on which the two differ: in the forecast (the weighted median after the
last round) and anywhere on the path (positions or medians of any round), beyond
``1e-9 Δ``. Two sets of issues: every issue of a DEU III file (default
``../shared/data/deu/deu3-dev.tsv``) and random issues built to provoke exact ties (positions
on a coarse grid, mirror-symmetric layouts, equal saliences and capabilities).

    python benchmarks/bdm_agreement.py [--deu FILE] [--random N] [--rounds R] [--variant scholz|masad]

The reference is slow (pure Python, O(n³) per round): the DEU part takes a few minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "models"))

from bdm_reference import run_reference  # noqa: E402

from accord.models.bdm import simulate_batch, with_missing_salience_as_zero  # noqa: E402
from accord.scenario.deu import read_deu  # noqa: E402

TOL = 1e-9


def differences(x, s, c, variant: str, rounds: int, bounds: tuple[float, float]) -> tuple[bool, bool]:
    """(forecast differs, path differs) for one issue."""
    x, s, c = (np.asarray(v, dtype=float) for v in (x, s, c))
    kw_bounds = bounds if variant == "masad" else None
    ref = run_reference(list(x), list(s), list(c), variant, rounds, bounds=kw_bounds)
    res = simulate_batch(x, s, c, variant=variant, rounds=rounds, stop="fixed", bounds=kw_bounds, record=True)
    span = (bounds[1] - bounds[0]) if variant == "masad" else (np.ptp(x) or 1.0)
    tol = TOL * max(span, 1e-300)
    ref_pos = np.array(ref.positions)
    done = len(ref_pos) - 1
    got_pos = res.positions[0, : done + 1]
    got_med = res.medians[0, : done + 1]
    path = ref_pos.shape != got_pos.shape or bool(np.abs(got_pos - ref_pos).max() > tol) or bool(np.abs(got_med - ref.medians).max() > tol)
    final = abs(float(res.medians[0, -1]) - ref.medians[-1]) > tol
    return final, path


def random_issue(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small issue with exact ties: grid positions, often mirrored, often equal weights."""
    n = int(rng.integers(2, 9))
    style = rng.integers(4)
    if style == 0:  # mirror-symmetric positions and saliences
        half = rng.integers(0, 9, (n + 1) // 2) * 12.5
        x = np.concatenate([half, 100 - half[: n // 2]])
        sh = rng.choice([0.25, 0.5, 1.0], (n + 1) // 2)
        s = np.concatenate([sh, sh[: n // 2]])
    else:
        x = rng.integers(0, 9, n) * 12.5 if style < 3 else np.round(rng.uniform(0, 100, n), 1)
        s = np.ones(n) if style == 1 else rng.choice([0.25, 0.5, 1.0], n)
    c = np.ones(n) if rng.uniform() < 0.7 else rng.choice([1.0, 2.0], n)
    return x, s, c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deu", default=str(ROOT.parent / "shared" / "data" / "deu" / "deu3-dev.tsv"))
    ap.add_argument("--random", type=int, default=10_000, help="random tie-heavy issues")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--variant", action="append", choices=["scholz", "masad"], help="repeatable; default both")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    variants = args.variant or ["scholz", "masad"]
    issues = [with_missing_salience_as_zero(i) for i in read_deu(args.deu)] if args.deu else []
    rng = np.random.default_rng(args.seed)
    drawn = [random_issue(rng) for _ in range(args.random)]
    for variant in variants:
        t0 = time.perf_counter()
        deu = [differences(i.x, i.s, i.c, variant, args.rounds, (i.lo, i.hi)) for i in issues if i.n >= 1]
        t1 = time.perf_counter()
        rnd = [differences(x, s, c, variant, args.rounds, (0.0, 100.0)) for x, s, c in drawn]
        t2 = time.perf_counter()
        for name, rows, secs in (("DEU issues", deu, t1 - t0), ("random tie-heavy issues", rnd, t2 - t1)):
            if rows:
                print(f"{variant:7s} {name:24s} n={len(rows):6d}  forecasts differing: {sum(f for f, _ in rows):4d}"
                      f"  paths differing: {sum(p for _, p in rows):4d}  ({secs:.0f} s)")


if __name__ == "__main__":
    main()
