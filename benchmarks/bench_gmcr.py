"""GMCR benchmark: full Nash, GMR, SMR and SEQ on option models of growing size.

Run: python benchmarks/bench_gmcr.py [--max-options 20] [--dms 5] [--no-exclusions]
     python benchmarks/bench_gmcr.py --options 20 --dms 5 --no-exclusions   (the 20-option case alone)
Preferences are random option prioritisations (fixed seed); all options reversible
except one irreversible option per DM; one mutual-exclusion pattern per DM (unless
--no-exclusions). The 20-option case (5 DMs × 4 options, 1,048,576 states, 57,671,680
moves) is the size docs/formats.md promises within about 2 GB and a minute.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from accord.gmcr.model import build_option_model
from accord.gmcr.stability import CONCEPTS, analyse_stability


def make_model(n_options: int, n_dms: int, seed: int = 0, exclusions: bool = True):
    rng = np.random.default_rng(seed)
    dms = [f"D{i}" for i in range(n_dms)]
    options = []
    for b in range(n_options):
        dm = dms[b % n_dms]
        rev = "forward" if b < n_dms else "both"
        options.append((f"o{b}", dm, rev))
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
    for i in range(n_dms if exclusions else 0):
        own = [b for b in range(n_options) if b % n_dms == i]
        if len(own) >= 3:
            infeasible.append({f"o{own[1]}": True, f"o{own[2]}": True})
    return build_option_model(dms, options, prefs, infeasible)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-options", type=int, default=15)
    ap.add_argument("--options", type=int, default=None, help="run this one size only")
    ap.add_argument("--dms", type=int, default=4)
    ap.add_argument("--no-exclusions", action="store_true", help="all 2^m states feasible (largest models)")
    args = ap.parse_args()
    print(f"{'options':>7} {'DMs':>4} {'states':>9} {'moves':>11} {'build s':>8} {'stability s':>11} "
          f"{'peak RSS MB':>11} " + " ".join(f"{c:>6}" for c in CONCEPTS))
    sizes = [args.options] if args.options else [o for o in (6, 10, 12, 15, 18, 20) if o <= args.max_options]
    for m in sizes:
        t0 = time.perf_counter()
        model = make_model(m, args.dms, exclusions=not args.no_exclusions)
        t1 = time.perf_counter()
        res = analyse_stability(model)
        t2 = time.perf_counter()
        edges = sum(mv.n_edges for mv in model.moves)
        counts = " ".join(f"{len(res.equilibria(c)):>6}" for c in CONCEPTS)
        print(f"{m:>7} {args.dms:>4} {model.n_states:>9} {edges:>11} {t1 - t0:>8.2f} {t2 - t1:>11.2f} {peak_rss_mb():>11.0f} {counts}")


if __name__ == "__main__":
    main()
