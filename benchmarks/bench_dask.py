"""Benchmark: accord on a local Dask cluster against the same work in one process.

Measures, in one run on this machine:

1. Monte Carlo of the synthetic 200 actors × 100 issues scenario, baselines and BDM
   separately: time in-process and on a 2-worker local cluster, speed-up, identical
   intervals asserted (every draw compared bit for bit). The draw counts are small
   (BDM with 200 actors costs seconds per draw); the time for 100,000 draws is
   extrapolated linearly and marked as such.
2. Ingest of a synthetic corpus: articles per second in-process (the sequential
   ``ingest_paths``) and on clusters of 1 and 2 workers (``ingest_parallel``), peak
   resident memory of every worker, row counts equal to the in-process run. The
   throughput for 50,000 articles is extrapolated.

Run: ``python benchmarks/bench_dask.py`` (options: ``--help``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402  (benchmarks/ is not a package)
from accord.analysis.uncertainty import default_models, simulate  # noqa: E402
from accord.distributed import dask_client  # noqa: E402
from accord.execution import Execution  # noqa: E402

CASE = HERE.parent / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml"


def peak_rss_mb() -> float:
    """Peak resident memory of the calling process, in MiB (runs on workers too).

    Read from ``VmHWM`` (reset when a process starts a new program), not ``ru_maxrss``,
    which a spawned worker inherits from the parent that forked it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time used so far by the calling process (runs on workers too)."""
    return time.process_time()


def workers_cpu(client) -> float:
    """CPU seconds used so far by all workers together."""
    return sum(client.run(cpu_seconds).values())


def warm_nlp() -> str:
    """Load the spaCy pipeline in the calling process (so timings exclude loading)."""
    from accord.evidence.nlp import get_nlp

    return get_nlp().meta.get("name", "?")


@contextlib.contextmanager
def cluster_client(workers: int):
    """The local cluster ``Execution(workers=N)`` starts, kept open for several runs: (client, address, start s)."""
    t0 = time.perf_counter()
    with dask_client(workers=workers) as client:
        yield client, client.scheduler.address, time.perf_counter() - t0


def _values_equal(a, b) -> bool:
    return a.values.keys() == b.values.keys() and all(
        a.values[m].tobytes() == b.values[m].tobytes() for m in a.values
    ) and a.to_rows() == b.to_rows()


def bench_monte_carlo(issues, label: str, models, draws: int, chunk: int, client, address: str, startup: float,
                      full_draws: int) -> dict[str, Any]:
    """One model family: in-process vs cluster, identical values asserted."""
    c0, t0 = time.process_time(), time.perf_counter()
    local = simulate(issues, models=models, draws=draws, seed=42, chunk=chunk)
    t_local, c_local = time.perf_counter() - t0, time.process_time() - c0
    w0, c0, t0 = workers_cpu(client), time.process_time(), time.perf_counter()
    remote = simulate(issues, models=models, draws=draws, seed=42, chunk=chunk, execution=Execution(scheduler=address))
    t_remote = time.perf_counter() - t0
    c_remote = workers_cpu(client) - w0 + time.process_time() - c0
    same = _values_equal(local, remote)
    assert same, f"{label}: cluster results differ from in-process"
    per_draw_local, per_draw_remote = t_local / draws, t_remote / draws
    return {
        "workload": f"MC {label}", "size": f"{draws} draws / chunk {chunk}",
        "in-process s": t_local, "cluster s": t_remote, "speed-up": t_local / t_remote,
        "CPU s in-process / cluster": f"{c_local:.1f} / {c_remote:.1f}",
        "cores used": c_remote / t_remote,
        "speed-up incl. start": t_local / (t_remote + startup),
        "100k draws in-process (extrap.) h": per_draw_local * full_draws / 3600,
        "100k draws cluster (extrap.) h": per_draw_remote * full_draws / 3600,
        "identical": same,
    }


def db_counts(db: Path) -> dict[str, int]:
    from accord.evidence import store

    con = store.connect(db, read_only=True)
    try:
        return {t: n for t, n in store.counts(con).items() if t != "runs"}
    finally:
        con.close()


def bench_ingest(corpus: Path, n: int, worker_counts: list[int], tmp: Path, full: int) -> list[dict[str, Any]]:
    """Articles per second in-process and on clusters of each size; equal row counts asserted."""
    from accord.evidence.ingest import ingest_paths
    from accord.evidence.parallel_ingest import ingest_parallel
    from accord.scenario.io import load_scenario

    scenario = load_scenario(CASE)
    warm_nlp()
    rows = []
    ref_db = tmp / "in-process.duckdb"
    c0, t0 = time.process_time(), time.perf_counter()
    ref = ingest_paths([corpus], ref_db, scenario)
    t_ref, c_ref = time.perf_counter() - t0, time.process_time() - c0
    ref_counts = db_counts(ref_db)
    assert ref.articles_added == n, (ref.articles_added, n)
    rows.append({
        "workload": "ingest in-process", "articles": n, "seconds": t_ref, "articles/s": n / t_ref,
        "speed-up": 1.0, "cores used": c_ref / t_ref, f"{full // 1000}k articles (extrap.) min": full / (n / t_ref) / 60,
        "peak RSS MiB": f"{peak_rss_mb():.0f} (this process)", "rows": sum(ref_counts.values()), "equal": True,
    })
    for workers in worker_counts:
        with cluster_client(workers) as (client, address, startup):
            client.run(warm_nlp)
            db = tmp / f"cluster-{workers}.duckdb"
            w0, c0, t0 = workers_cpu(client), time.process_time(), time.perf_counter()
            rep = ingest_parallel([corpus], db, scenario, Execution(scheduler=address))
            t = time.perf_counter() - t0
            cpu = workers_cpu(client) - w0 + time.process_time() - c0
            peaks = client.run(peak_rss_mb)
        counts = db_counts(db)
        equal = counts == ref_counts and rep.articles_added == ref.articles_added
        assert equal, f"{workers} workers: row counts {counts} differ from in-process {ref_counts}"
        rows.append({
            "workload": f"ingest {workers} worker{'s' if workers > 1 else ''}", "articles": n, "seconds": t,
            "articles/s": n / t, "speed-up": t_ref / t, "cores used": cpu / t, f"{full // 1000}k articles (extrap.) min": full / (n / t) / 60,
            "peak RSS MiB": " / ".join(f"{v:.0f}" for v in sorted(peaks.values())) + " (per worker)",
            "rows": sum(counts.values()), "equal": equal, "cluster start s": startup,
        })
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """Rows as an aligned text table (numbers rounded)."""
    if not rows:
        return
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
        return "" if v is None else str(v)

    cells = [[fmt(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))
    print()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2, help="cluster size for the Monte Carlo (default 2)")
    ap.add_argument("--actors", type=int, default=200)
    ap.add_argument("--issues", type=int, default=100)
    ap.add_argument("--baseline-draws", type=int, default=2000, help="draws for the baselines (default 2000)")
    ap.add_argument("--bdm-draws", type=int, default=8, help="draws for BDM (default 8; seconds per draw)")
    ap.add_argument("--full-draws", type=int, default=100_000, help="draw count to extrapolate to")
    ap.add_argument("--articles", type=int, default=500, help="articles to ingest (default 500)")
    ap.add_argument("--full-articles", type=int, default=50_000, help="corpus size to extrapolate to")
    ap.add_argument("--corpus", type=Path, help="reuse or create the synthetic corpus in this folder")
    ap.add_argument("--skip-mc", action="store_true")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    all_rows: dict[str, list[dict[str, Any]]] = {}
    if not args.skip_mc:
        t0 = time.perf_counter()
        scen = synthetic.synthetic_scenario(args.actors, args.issues)
        issues = scen.issue_data()
        print(f"synthetic scenario {args.actors} × {args.issues}: {len(scen.positions)} positions "
              f"({time.perf_counter() - t0:.1f} s to build)\n")
        baselines = [m for m in default_models() if m != "bdm"]
        with cluster_client(args.workers) as (client, addr, startup):
            mc = [
                bench_monte_carlo(issues, f"{len(baselines)} baselines", baselines, args.baseline_draws,
                                  max(1, args.baseline_draws // (4 * args.workers)), client, addr, startup,
                                  args.full_draws),
                bench_monte_carlo(issues, "BDM", ["bdm"], args.bdm_draws, max(1, args.bdm_draws // (4 * args.workers)),
                                  client, addr, startup, args.full_draws),
            ]
        print(f"Monte Carlo, {args.workers}-worker local cluster (started in {startup:.1f} s):")
        print_table(mc)
        all_rows["monte_carlo"] = mc
    if not args.skip_ingest:
        with tempfile.TemporaryDirectory(prefix="accord-bench-") as tmpdir:
            tmp = Path(tmpdir)
            corpus = args.corpus or tmp / "corpus"
            t0 = time.perf_counter()
            synthetic.write_corpus(corpus, args.articles)
            print(f"synthetic corpus: {args.articles} articles ({time.perf_counter() - t0:.1f} s to write)\n")
            ing = bench_ingest(corpus, args.articles, sorted({1, args.workers}), tmp, args.full_articles)
        print("Ingest (timings exclude loading spaCy; extrapolations are linear):")
        print_table(ing)
        all_rows["ingest"] = ing
    print("cores used = CPU seconds of every process involved / wall seconds; with 2 workers on 2 cores it")
    print("stays below 2 when other work shares the cores (see the load average).")
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(all_rows, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
