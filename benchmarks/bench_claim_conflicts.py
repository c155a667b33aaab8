"""Time of the numeric-conflict check (accord.evidence.corpus_index.ClaimValues) over many claims
under one key, for the patterns that made it quadratic: equal values, zeros, and values exactly
5 % apart (each an edge of the other's band). One command:

    python benchmarks/bench_claim_conflicts.py [--n 20000]
"""

from __future__ import annotations

import argparse
import time

from accord.evidence.corpus_index import ClaimValues

PATTERNS = {
    "equal values (5.0)": lambda k: 5.0,
    "zeros": lambda k: 0.0,
    "exactly 5 % apart (19 and 20)": lambda k: (19.0, 20.0)[k % 2],
    "exactly 5 % apart (95 and 100)": lambda k: (95.0, 100.0)[k % 2],
    "more than 5 % apart (20 and 22)": lambda k: (20.0, 22.0)[k % 2],
    "all different (k)": lambda k: float(k),
}


def run(n: int) -> None:
    for name, value in PATTERNS.items():
        index = ClaimValues()
        t0 = time.perf_counter()
        for k in range(n):
            index.conflicts(("count", "x"), f"c{k:06d}", value(k))
            index.add(("count", "x"), f"c{k:06d}", value(k))
        print(f"{name:34s} {n:,} claims  {time.perf_counter() - t0:7.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="claims under the one key")
    run(ap.parse_args().n)


if __name__ == "__main__":
    main()
