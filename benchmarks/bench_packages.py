"""Package-space benchmark: exact 2-party frontiers on huge spaces; ε-pruning gap for 4 parties.

Run: python benchmarks/bench_packages.py
Utilities: random option values in [0,1] and random saliences per party (fixed seeds),
normalised as in docs/methods/packages.md §2.
"""

from __future__ import annotations

import time

import numpy as np

from accord.packages.pareto import coverage_gap, frontier_additive, pareto_mask
from accord.packages.space import PackageModel
from accord.packages.utilities import additive_tables


def random_model(sizes: list[int], n_parties: int, seed: int) -> PackageModel:
    rng = np.random.default_rng(seed)
    values = [rng.random((n_parties, m)) for m in sizes]
    sal = rng.random((n_parties, len(sizes)))
    tables = additive_tables(values, sal)
    return PackageModel(tuple(f"p{i}" for i in range(n_parties)), tuple(f"i{k}" for k in range(len(sizes))),
                        tuple(tuple(f"o{j}" for j in range(m)) for m in sizes), tables, np.zeros(n_parties))


def opposed_model(sizes: list[int], seed: int) -> PackageModel:
    """Two strictly opposed parties: v_b = 1 − v_a on every issue (every package is Pareto-relevant)."""
    rng = np.random.default_rng(seed)
    values = []
    for m in sizes:
        va = rng.random(m)
        values.append(np.stack([va, 1 - va]))
    tables = additive_tables(values, rng.random((2, len(sizes))))
    return PackageModel(("a", "b"), tuple(f"i{k}" for k in range(len(sizes))),
                        tuple(tuple(f"o{j}" for j in range(m)) for m in sizes), tables, np.zeros(2))


def two_party() -> None:
    print("Two parties, 28 issues with 2-5 options, exact additive frontier (docs/methods/packages.md §4)")
    print(f"{'utilities':>9} {'seed':>4} {'packages':>12} {'frontier':>9} {'max front':>9} {'seconds':>8}")
    for kind, seed in [("random", 0), ("random", 1), ("random", 2), ("opposed", 0), ("opposed", 1), ("opposed", 2)]:
        rng = np.random.default_rng(100 + seed)
        sizes = rng.integers(2, 6, size=28).tolist()
        model = random_model(sizes, 2, seed) if kind == "random" else opposed_model(sizes, seed)
        t = time.perf_counter()
        front = frontier_additive(model)
        dt = time.perf_counter() - t
        print(f"{kind:>9} {seed:>4} {float(model.n_packages):>12.3g} {len(front):>9} {max(front.front_sizes):>9} {dt:>8.2f}")


def four_party_gap() -> None:
    print("\nFour parties, ~10^6 packages: exact frontier (additive merge; checked against the enumeration sweep on the 12-issue space) vs ε-pruning")
    print(f"{'space':>22} {'packages':>9} {'exact PF':>8} {'exact s':>7} {'eps':>6} {'returned':>8} {'eps s':>6} {'gap':>9} {'gap/eps':>7}")
    spaces = [("20 binary issues", [2] * 20, 1), ("12 issues, 2-5 options", [4, 3, 5, 2, 3, 4, 2, 3, 5, 2, 2, 3], 2), ("10 issues x 4 options", [4] * 10, 3)]
    for label, sizes, seed in spaces:
        model = random_model(sizes, 4, seed)
        t = time.perf_counter()
        exact = frontier_additive(model)
        te = time.perf_counter() - t
        if seed == 2:
            t = time.perf_counter()
            U = model.utility_matrix()
            assert int(pareto_mask(U).sum()) == len(exact), "additive merge disagrees with enumeration"
            print(f"  (enumeration sweep over {model.n_packages} packages agrees: {time.perf_counter() - t:.1f} s)")
        for eps in (1e-3, 1e-2, 5e-2):
            t = time.perf_counter()
            approx = frontier_additive(model, epsilon=eps)
            ta = time.perf_counter() - t
            gap = coverage_gap(exact.utilities, approx.utilities)
            print(f"{label:>22} {model.n_packages:>9} {len(exact):>8} {te:>7.2f} {eps:>6.0e} {len(approx):>8} {ta:>6.2f} {gap:>9.2e} {gap / eps:>7.3f}")


def four_party_large() -> None:
    print("\nFour parties, 20-28 issues with 2-5 options (exact frontier out of reach): ε-pruned frontier")
    print(f"{'issues':>6} {'packages':>10} {'eps':>6} {'returned':>8} {'max front':>9} {'seconds':>8}")
    rng = np.random.default_rng(7)
    sizes = rng.integers(2, 6, size=28).tolist()
    for K, eps in ((20, 5e-2), (20, 1e-1), (24, 1e-1), (28, 1e-1), (28, 2e-1)):
        model = random_model(sizes[:K], 4, 7)
        t = time.perf_counter()
        approx = frontier_additive(model, epsilon=eps)
        print(f"{K:>6} {float(model.n_packages):>10.3g} {eps:>6.0e} {len(approx):>8} {max(approx.front_sizes):>9} {time.perf_counter() - t:>8.2f}")


if __name__ == "__main__":
    two_party()
    four_party_gap()
    four_party_large()
