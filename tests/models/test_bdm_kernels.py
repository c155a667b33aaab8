"""The compiled BDM kernels: accuracy of their exp/log, and results independent of batching and threads."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from accord.models import bdm_kernels as kernels
from accord.models.bdm import simulate_batch


def test_vlog_matches_numpy_to_a_few_ulp() -> None:
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.uniform(0, 1, 100_000), 10.0 ** rng.uniform(-300, 300, 10_000), [0.5, 2.0, 1e-300, 0.7071067811865476]])
    out = np.empty_like(y)
    kernels.vlog(y, out)
    want = np.log(y)
    scale = np.maximum(np.abs(want), 1e-300)
    assert np.max(np.abs(out - want) / scale) < 1e-15
    edge = np.array([1.0, 0.0, 1e-320])
    kernels.vlog(edge, out[:3])
    assert out[0] == 0.0
    assert out[1] == -np.inf and out[2] == -np.inf  # 0 and subnormals


def test_vexp_matches_numpy_to_a_few_ulp() -> None:
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-50, 0, 100_000), rng.uniform(-700, 700, 10_000)])
    out = np.empty_like(x)
    kernels.vexp(x, out)
    want = np.exp(x)
    assert np.max(np.abs(out - want) / want) < 1e-15
    edge = np.array([0.0, -np.inf, -708.5, -707.5])
    kernels.vexp(edge, out[:4])
    assert out[0] == 1.0 and out[1] == 0.0 and out[2] == 0.0
    assert out[3] == pytest.approx(np.exp(-707.5), rel=1e-14)


def _rows(bsz: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.clip(rng.integers(0, 5, (bsz, n)) * 25 + rng.normal(0, 10, (bsz, n)) * (rng.uniform(size=(bsz, n)) < 0.6), 0, 100)
    return x, rng.uniform(0.05, 1, (bsz, n)), rng.uniform(0.1, 1, (bsz, n))


@pytest.mark.parametrize("variant", ["scholz", "masad"])
def test_each_row_gives_the_same_bits_alone_or_in_any_batch(variant: str) -> None:
    """Rows fill the vector lanes of a block; a row's path must not depend on its neighbours."""
    x, s, c = _rows(kernels.LANES + 7, 9, 3)
    kw = {"variant": variant, "rounds": 4, "stop": "fixed", "Q": 1.0 if variant == "scholz" else 0.8, "bounds": (0.0, 100.0) if variant == "masad" else None}
    batch = simulate_batch(x, s, c, record=True, **kw)
    flipped = simulate_batch(x[::-1], s[::-1], c[::-1], record=True, **kw)
    np.testing.assert_array_equal(batch.positions, flipped.positions[::-1])
    for row in (0, 5, kernels.LANES, kernels.LANES + 6):
        alone = simulate_batch(x[row], s[row], c[row], record=True, **kw)
        np.testing.assert_array_equal(batch.positions[row], alone.positions[0])
        np.testing.assert_array_equal(batch.medians[row], alone.medians[0])
        np.testing.assert_array_equal(batch.eu_receiver[row], alone.eu_receiver[0])


def test_results_do_not_depend_on_threads_or_work_split() -> None:
    x, s, c = _rows(3 * kernels.LANES + 1, 12, 4)
    w = c * s
    scale = x.max(axis=1) - x.min(axis=1)
    outputs = []
    threads = numba.get_num_threads()
    try:
        for n_threads, chunks in ((1, 1), (threads, 2), (threads, 4)):
            numba.set_num_threads(n_threads)
            out = [np.empty_like(x), np.empty_like(x), np.empty(x.shape, np.int64), np.empty(x.shape, np.int64),
                   np.empty_like(x), np.empty_like(x), np.empty(len(x)), np.empty(len(x))]
            kernels.play_round(0, x, s, w, w, scale, 1.0, 1.0, chunks, *out)
            outputs.append(out)
    finally:
        numba.set_num_threads(threads)
    for other in outputs[1:]:
        for a, b in zip(outputs[0], other):
            np.testing.assert_array_equal(a, b)
