"""GMCR benchmark: Nash, GMR, SMR and SEQ on option models of growing size, any split of the options.

Run: python benchmarks/bench_gmcr.py [--max-options 20] [--dms 5] [--no-exclusions]
     python benchmarks/bench_gmcr.py --options 20 --dms 5 --no-exclusions   (20 options, 5 DMs × 4)
     python benchmarks/bench_gmcr.py --options 20 --dms 2 --no-exclusions   (20 options, 2 DMs × 10)
     python benchmarks/bench_gmcr.py --split 12,8 --first backward          (12 and 8 options)
Options go round-robin to the DMs (or in blocks, as --split says). Preferences are random option
prioritisations (fixed seed); every option is reversible except each DM's first option,
which is --first (forward by default); one mutual-exclusion pattern per DM with at least
three options (unless --no-exclusions). Each concept is timed on its own; the peak RSS is
the process's high-water mark after that concept (so it includes the model and all before).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from accord.gmcr.model import build_option_model
from accord.gmcr.stability import CONCEPTS, analyse_stability


def make_model(owner: list[int], seed: int = 0, exclusions: bool = True, first: str = "forward"):
    """Option b belongs to DM owner[b]; each DM's first option is ``first``, the others reversible."""
    rng = np.random.default_rng(seed)
    n_options = len(owner)
    dms = [f"D{i}" for i in range(max(owner) + 1)]
    options = [(f"o{b}", dms[owner[b]], first if owner.index(owner[b]) == b else "both") for b in range(n_options)]
    prefs = {}
    for dm in dms:
        stmts = []
        for _ in range(8):
            a, c = rng.choice(n_options, 2, replace=False)
            lit = lambda x: ("-" if rng.random() < 0.5 else "") + f"o{x}"  # noqa: E731
            form = rng.integers(3)
            stmts.append(lit(a) if form == 0 else f"{lit(a)} & {lit(c)}" if form == 1 else f"{lit(a)} IF {lit(c)}")
        prefs[dm] = {"prioritisation": stmts}
    infeasible = []
    for i in range(len(dms) if exclusions else 0):
        own = [b for b in range(n_options) if owner[b] == i]
        if len(own) >= 3:
            infeasible.append({f"o{own[1]}": True, f"o{own[2]}": True})
    return build_option_model(dms, options, prefs, infeasible)


def round_robin(n_options: int, n_dms: int) -> list[int]:
    return [b % n_dms for b in range(n_options)]


def blocks(split: list[int]) -> list[int]:
    return [i for i, k in enumerate(split) for _ in range(k)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-options", type=int, default=15)
    ap.add_argument("--options", type=int, default=None, help="run this one size only")
    ap.add_argument("--dms", type=int, default=4)
    ap.add_argument("--split", default=None, help="options per DM, e.g. 12,8 (one size only)")
    ap.add_argument("--first", choices=("forward", "backward", "both"), default="forward",
                    help="reversibility of each DM's first option")
    ap.add_argument("--no-exclusions", action="store_true", help="all 2^m states feasible (largest models)")
    args = ap.parse_args()
    if args.split:
        owners = [blocks([int(k) for k in args.split.split(",")])]
    else:
        sizes = [args.options] if args.options else [o for o in (6, 10, 12, 15, 18, 20) if o <= args.max_options]
        owners = [round_robin(m, args.dms) for m in sizes]
    print(f"{'options':>7} {'split':>12} {'states':>9} {'moves':>13} {'build s':>8} "
          + " ".join(f"{c + ' s':>7} {c + ' MB':>7} {c + ' eq':>7}" for c in CONCEPTS) + f" {'total s':>8}")
    for owner in owners:
        split = [owner.count(i) for i in range(max(owner) + 1)]
        t0 = time.perf_counter()
        model = make_model(owner, exclusions=not args.no_exclusions, first=args.first)
        build = time.perf_counter() - t0
        cells = []
        total = 0.0
        for c in CONCEPTS:
            t1 = time.perf_counter()
            res = analyse_stability(model, (c,))
            took = time.perf_counter() - t1
            total += took
            cells.append(f"{took:>7.2f} {peak_rss_mb():>7.0f} {len(res.equilibria(c)):>7}")
        moves = sum(mv.n_edges for mv in model.moves)
        print(f"{sum(split):>7} {'/'.join(map(str, split)):>12} {model.n_states:>9} {moves:>13,} {build:>8.2f} "
              + " ".join(cells) + f" {total:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
