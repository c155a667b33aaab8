"""Rolling-backtest benchmark: the full backtest of the bundled Ukraine case, which must take under 60 s.

Run: python benchmarks/bench_backtest.py [DRAWS]
7 origins × the open events of 29 (145 cells), 1,000 Monte Carlo draws per event (default), the
Polymarket prices from ../shared/data/markets/ when that folder is there. Prints the wall time, the
time per origin and every scorer's scores, and exits 1 when the run takes 60 s or more.

Measured after the scenario, package and truce files were parsed once per backtest instead of once
per origin and event (61.9 s before, under heavier load): 18.2 s at load average 7-8 and 10.4 s at
load average 3.1-3.3 (per origin 2.6, 1.8, 1.3, 1.4, 1.0, 1.2, 1.1 s), on 2 cores shared with other jobs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from accord.analysis.agreement import forecast_events
from accord.analysis.rolling import rolling_backtest
from accord.cases import load_case

BUDGET_SECONDS = 60.0
MARKETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "markets" / "polymarket-russia-ukraine-ceasefire.csv"


def main(argv: list[str]) -> int:
    draws = int(argv[0]) if argv else 1000
    case = load_case("ukraine")
    per_origin: list[float] = []

    def timed(*args, **kwargs):
        t = time.perf_counter()
        out = forecast_events(*args, **kwargs)
        per_origin.append(time.perf_counter() - t)
        return out

    t0 = time.perf_counter()
    bt = rolling_backtest(case, draws=draws, seed=0, markets=MARKETS if MARKETS.is_file() else None, forecaster=timed)
    wall = time.perf_counter() - t0
    print(f"rolling backtest, ukraine: {len(bt.origins)} origins, {len(bt.cells)} cells, {draws} draws")
    print(f"  wall {wall:.1f} s (budget {BUDGET_SECONDS:.0f} s); per origin " + ", ".join(f"{s:.1f}" for s in per_origin))
    for s in bt.scores:
        print(f"  {s.scorer:26s} n={s.n:4d}  Brier {s.brier:.3f} [{s.brier_low:.3f}, {s.brier_high:.3f}]  "
              f"log {s.log:.3f}")
    return 0 if wall < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
