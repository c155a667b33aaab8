"""accord.distributed on a real local Dask cluster: same results as in-process, clear errors, recovery."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import cloudpickle
import numpy as np
import pytest

import distributed
from accord.analysis.backtest_deu import backtest_deu
from accord.distributed import ClusterError, bounded_map, dask_client, dask_map, local_cluster, worker_pids
from accord.errors import AccordError, InputError
from accord.execution import IN_PROCESS, SCHEDULER_ENV, Execution, chunk_seeds

# Helpers below travel to the workers by value, as they would to a remote cluster.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def seeded_chunk(seed: np.random.SeedSequence) -> np.ndarray:
    """A chunk of draws that depends only on its seed."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(2_000) * rng.uniform(0.5, 2.0)


def slow_seeded_chunk(seed: np.random.SeedSequence) -> np.ndarray:
    """The same, slow enough that a worker can be killed while chunks are in flight."""
    time.sleep(0.25)
    return seeded_chunk(seed)


def fail_on_three(x: int) -> int:
    if x == 3:
        raise InputError("three is not allowed", file="items.txt", line=3, field="x")
    return x * 2


@pytest.fixture(scope="module")
def cluster():
    """One local cluster of two single-threaded worker processes for the whole module."""
    with local_cluster(2) as lc:
        yield lc


@pytest.fixture(scope="module")
def address(cluster) -> str:
    return cluster.scheduler_address


def test_seeded_chunks_identical_to_in_process(address: str) -> None:
    seeds = chunk_seeds(12345, 16)
    local = list(IN_PROCESS.map(seeded_chunk, seeds))
    remote = list(Execution(scheduler=address).map(seeded_chunk, seeds))
    assert len(remote) == 16
    for a, b in zip(local, remote):
        assert a.tobytes() == b.tobytes()  # bit-identical, in item order


@pytest.fixture(scope="module")
def ukraine_issues():
    from pathlib import Path

    from accord.scenario.io import load_scenario

    case = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml"
    return load_scenario(case).issue_data()


def test_monte_carlo_intervals_identical(address: str, ukraine_issues) -> None:
    from accord.analysis.uncertainty import simulate

    issues = ukraine_issues[:6]
    kw = dict(draws=120, seed=11, chunk=40)
    local = simulate(issues, **kw)
    remote = simulate(issues, execution=Execution(scheduler=address), **kw)
    assert set(remote.values) == set(local.values) and "bdm" in remote.values
    for model, values in local.values.items():
        assert values.shape == (6, 120)
        assert remote.values[model].tobytes() == values.tobytes(), model
    assert remote.to_rows() == local.to_rows()  # the intervals (p5 … p95) and band probabilities


def test_variance_ranking_identical(address: str, ukraine_issues) -> None:
    from accord.analysis.sensitivity import variance_ranking

    local = variance_ranking(ukraine_issues[:4], "compromise", draws=200, seed=5)
    remote = variance_ranking(ukraine_issues[:4], "compromise", draws=200, seed=5,
                              execution=Execution(scheduler=address))
    assert local and remote == local


def test_results_in_item_order(address: str) -> None:
    items = list(range(40, 0, -1))
    assert dask_map(abs, [-i for i in items], scheduler=address) == items


def test_empty_items_need_no_cluster() -> None:
    assert dask_map(abs, [], scheduler="tcp://127.0.0.1:1") == []


def test_from_options_reads_env(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCHEDULER_ENV, address)
    ex = Execution.from_options()
    assert ex.scheduler == address and ex.distributed
    assert list(ex.map(abs, [-1, -2, 5])) == [1, 2, 5]


def test_worker_error_is_reraised_as_accord_error(address: str) -> None:
    with pytest.raises(InputError) as err:
        dask_map(fail_on_three, [1, 2, 3, 4], scheduler=address)
    assert "items.txt:3" in str(err.value) and "three is not allowed" in str(err.value)


def test_unreachable_scheduler_is_one_clear_error() -> None:
    start = time.monotonic()
    with pytest.raises(ClusterError) as err:
        dask_map(abs, [1], scheduler="tcp://127.0.0.1:1")
    assert isinstance(err.value, AccordError) and err.value.exit_code == 2
    msg = str(err.value)
    assert "\n" not in msg and "tcp://127.0.0.1:1" in msg
    assert time.monotonic() - start < 5


def test_bad_address_is_one_clear_error() -> None:
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        dask_map(abs, [1], scheduler="no-port-here")


@pytest.mark.parametrize("workers", [0, -2])
def test_bad_worker_count(workers: int) -> None:
    with pytest.raises(InputError, match="--workers"):
        dask_map(abs, [1], workers=workers)


def test_cli_unreachable_scheduler_exits_2(shared_data, monkeypatch, capsys) -> None:
    from accord.cli.main import main

    deu = shared_data / "deu" / "deu3-dev.tsv"
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:1")
    monkeypatch.setattr(sys, "argv", ["accord", "backtest", "deu", str(deu), "-m", "mean"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach the Dask scheduler" in lines[0], err
    assert "Traceback" not in err


def test_deu_backtest_rows_identical(address: str, shared_data) -> None:
    path = shared_data / "deu" / "deu3-dev.tsv"
    models = ["compromise", "mean", "weighted-median", "median", "nash", "midpoint", "status-quo"]
    local = backtest_deu(path, models)
    remote = backtest_deu(path, models, Execution(scheduler=address))
    assert [r.model for r in remote] == models
    assert [r.to_dict() for r in remote] == [r.to_dict() for r in local]
    # anchor from models.md §1.4, so that equality is not between two wrong answers
    assert dict((r.model, r.mae) for r in remote)["compromise"] == pytest.approx(22.2472, abs=1e-4)


def test_bounded_map_streams_with_a_window(address: str) -> None:
    pulled = 0

    def items():
        nonlocal pulled
        for i in range(30):
            pulled += 1
            yield -i

    with dask_client(scheduler=address) as client:
        it = bounded_map(client, abs, items(), window=3)
        first = next(it)
        assert first == 0
        assert pulled <= 4  # the window of 3, plus the one submitted after the first result
        rest = list(it)
    assert [first] + rest == list(range(30))


def test_bounded_map_reraises_and_cancels_the_rest(address: str) -> None:
    with dask_client(scheduler=address) as client:
        got = []
        with pytest.raises(InputError, match="three is not allowed"):
            for value in bounded_map(client, fail_on_three, range(1, 50), window=4):
                got.append(value)
        assert got == [2, 4]
        time.sleep(0.2)
        assert not any(key.startswith("accord-fail_on_three") for key in client.who_has())


def test_local_cluster_started_and_closed() -> None:
    import multiprocessing

    seeds = chunk_seeds(7, 6)
    before = {p.pid for p in multiprocessing.active_children()}
    remote = dask_map(seeded_chunk, seeds, workers=2)
    local = [seeded_chunk(s) for s in seeds]
    assert len(remote) == 6
    assert all(a.tobytes() == b.tobytes() for a, b in zip(local, remote))
    # the cluster it started is closed: no worker process of it remains
    assert {p.pid for p in multiprocessing.active_children()} == before


def test_killed_worker_is_recovered(address: str) -> None:
    """SIGKILL one worker while chunks are in flight: Dask reruns its tasks, nothing lost or doubled."""
    seeds = chunk_seeds(2024, 24)
    expected = [seeded_chunk(s) for s in seeds]
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["result"] = list(Execution(scheduler=address).map(slow_seeded_chunk, seeds))
        except BaseException as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    with distributed.Client(address, set_as_default=False) as watcher:
        pids = worker_pids(watcher)
        assert len(pids) == 2
        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 30
        victim = None
        while time.monotonic() < deadline:
            busy = {w: keys for w, keys in watcher.processing().items() if keys}
            if len(busy) == 2:
                victim = sorted(busy)[0]
                break
            time.sleep(0.05)
        assert victim is not None, "tasks never reached both workers"
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(timeout=60)
        assert not runner.is_alive()
        assert "error" not in out, out.get("error")
        result = out["result"]
        assert len(result) == len(expected)
        assert all(a.tobytes() == b.tobytes() for a, b in zip(expected, result))
        # the nanny brings the worker back
        watcher.wait_for_workers(2, timeout=30)
        assert pids[victim] not in worker_pids(watcher).values()
