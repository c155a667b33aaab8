"""Issue outcomes of accord's exchange model against decide-exchange-model, per file and round.

    python benchmarks/exchange_vs_decide.py --reference VENV [--rounds 3] [--shared ../shared/data]

``VENV`` is a virtual environment with ``decide-exchange-model`` installed; the reference
runs there through ``benchmarks/decide_reference_run.py`` (seed 0). For each of
``sample_data.txt``, ``cop21.csv`` and ``copenhagen.csv`` and each round, prints the number
of realised exchanges of both, how many of them agree in order (same actors and issues, gain
and voting positions within 1e-9), and the largest absolute difference of an issue outcome
(0–100 scale), for accord's published variant and its ``decide`` variant, and the time of
each run (the reference's includes reading its file; one run each, so the ratios vary with
load).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from accord.models.exchange import exchange_input, run_exchange
from accord.scenario.decide import issue_data_from_decide, read_decide

ROOT = Path(__file__).resolve().parents[1]
FILES = ("sample_data.txt", "cop21.csv", "copenhagen.csv")


def reference(venv: Path, path: Path, rounds: int) -> dict:
    """The reference's rounds, run in its own environment."""
    out = subprocess.run([str(venv / "bin" / "python"), str(ROOT / "benchmarks" / "decide_reference_run.py"), str(path), str(rounds), "0"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def agreeing(run, realised, reference: list) -> int:
    """How many realised exchanges, from the first, agree with the reference's."""
    count = 0
    for e, (i, j, p, q, gain, y_i, y_j) in zip(realised, reference):
        names = (run.actors[e.i], run.actors[e.j], run.issues[e.p], run.issues[e.q])
        if names != (i, j, p, q) or max(abs(e.gain - gain), abs(e.y_i - y_i), abs(e.y_j - y_j)) > 1e-9:
            break
        count += 1
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, required=True, help="virtual environment with decide-exchange-model")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    for name in FILES:
        path = args.shared / "exchange" / name
        ref = reference(args.reference, path, args.rounds)
        inp = exchange_input(issue_data_from_decide(read_decide(path)))
        for variant in ("published", "decide"):
            t0 = time.perf_counter()
            run = run_exchange(inp, rounds=args.rounds, p=0.0, rng=0, keep_candidates=False, variant=variant)
            secs = time.perf_counter() - t0
            for t, r in enumerate(run.rounds):
                want = ref["rounds"][t]
                diff = max(abs(float(v) - want[d]) for d, v in zip(run.issues, r.prediction))
                same = agreeing(run, r.exchanges, ref["exchanges"][t])
                print(f"{name:16s} {variant:9s} round {t + 1}: exchanges {len(r.exchanges):3d} (reference {len(ref['exchanges'][t]):3d},"
                      f" {same:3d} agree in order), max |ΔO| = {diff:.3g}")
            print(f"{name:16s} {variant:9s} time {secs:.3f} s, reference {ref['seconds']:.2f} s: {ref['seconds'] / secs:.0f}× faster")


if __name__ == "__main__":
    main()
