"""Fit and evaluate the stacking ensemble of the registered models on the DEU III dev split.

Run: python benchmarks/fit_ensemble.py [../shared/data/deu/deu3-dev.tsv] [--json OUT]

Prints the cross-validated MAE of the ensemble (10 folds of whole proposals, seed 0) with its
95% proposal-bootstrap interval and paired difference to the compromise model, the weights
fitted in each fold and on the whole file, the in-sample MAE of the latter, and the
cross-validated figures under other partitions into folds (``--fold-seeds``); ``--json OUT``
writes the figures and weights. Method and shipping criterion: docs/methods/ensemble.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from accord.analysis.backtest_deu import (
    BASELINE,
    RESAMPLES,
    SEED,
    ensemble_errors,
    model_errors,
    proposal_resamples,
    score_errors,
    stack_inputs,
)
from accord.analysis.ensemble import FOLDS, fit_weights
from accord.errors import AccordError
from accord.models.registry import names
from accord.scenario.deu import read_deu

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "deu" / "deu3-dev.tsv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--json", type=Path, default=None, help="write the figures and weights here")
    parser.add_argument("--fold-seeds", type=int, default=5, help="also cross-validate with fold seeds 0 … N−1")
    args = parser.parse_args()

    start = time.perf_counter()
    issues = read_deu(args.file)
    scored = [i for i in issues if i.outcome is not None]
    errors = [model_errors(issues, m) for m in names()]
    models_done = time.perf_counter()
    ens, cv = ensemble_errors(errors, scored, FOLDS, SEED)
    parts, forecasts, outcomes = stack_inputs(errors, scored)
    full = fit_weights(forecasts, outcomes)
    stacking = time.perf_counter() - models_done
    base = next(e for e in errors if e.model == BASELINE)
    index, counts = proposal_resamples([i.group for i in scored], RESAMPLES, SEED)
    rows = [score_errors(e, base, index, counts) for e in [*errors, ens]]
    in_sample = float(np.abs(forecasts @ full - outcomes).mean())

    print(f"{args.file.name}: {len(scored)} issues with outcomes; models {models_done - start:.1f} s, "
          f"stacking ({FOLDS} folds and the full fit) {stacking:.2f} s")
    print(f"{'model':30s} {'n':>4s}  MAE [95%]               − {BASELINE} [95%]")
    for r in rows:
        print(f"{r.model:30s} {r.n:4d}  {r.mae:6.2f} [{r.mae_low:6.2f}, {r.mae_high:6.2f}]  "
              f"{r.diff:+6.2f} [{r.diff_low:+6.2f}, {r.diff_high:+6.2f}]")
    print("\nweights per fold (fitted without that fold):")
    print("fold " + " ".join(f"{p[:8]:>8s}" for p in parts))
    for k, w in enumerate(cv.weights):
        print(f"{k:4d} " + " ".join(f"{v:8.3f}" for v in w))
    print("all  " + " ".join(f"{v:8.3f}" for v in full))
    print(f"\nMAE of the full-file weights on the file they were fitted on (in-sample, optimistic): {in_sample:.2f}")
    print(f"\nother partitions into folds (bootstrap seed {SEED}):")
    for fold_seed in range(args.fold_seeds):
        r = score_errors(ensemble_errors(errors, scored, FOLDS, fold_seed)[0], base, index, counts)
        print(f"  fold seed {fold_seed}: MAE {r.mae:.2f} [{r.mae_low:.2f}, {r.mae_high:.2f}], "
              f"− {BASELINE} {r.diff:+.2f} [{r.diff_low:+.2f}, {r.diff_high:+.2f}]")
    if args.json is not None:
        out = {"file": args.file.name, "folds": FOLDS, "seed": SEED, "components": parts,
               "weights": dict(zip(parts, map(float, full))), "fold_weights": cv.weights.tolist(),
               "in_sample_mae": in_sample, "cross_validated": rows[-1].to_dict()}
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    try:
        main()
    except AccordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
