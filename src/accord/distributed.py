"""Running accord's chunked work on Dask: a local cluster of worker processes or an existing one.

``dask_map`` is what :class:`accord.execution.Execution` calls when work leaves this process.
Results come back in item order, and since every chunk carries its own seed they are the
same, bit for bit, as an in-process run. Nothing here is imported unless Dask is asked for.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from accord.errors import AccordError, InputError

T = TypeVar("T")
R = TypeVar("R")

TIMEOUT_ENV = "ACCORD_DASK_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
DEFAULT_WINDOW_PER_WORKER = 4
# Allocator settings Dask puts in its workers' environment that slow numpy down (see local_cluster).
MALLOC_SETTINGS = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")
# Dashboard-only monitors that compete with the chunks for the GIL of single-threaded workers
# (the GIL probe wakes every millisecond, the profiler every 10 ms).
QUIET_WORKERS = {
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.profile.enabled": False,
}


class ClusterError(AccordError):
    """The Dask scheduler could not be reached or the cluster could not be started."""


def _timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"not a number of seconds: {raw!r}", field=TIMEOUT_ENV) from None
    if value <= 0:
        raise InputError(f"must be positive, got {raw!r}", field=TIMEOUT_ENV)
    return value


def _probe(address: str, timeout: float) -> None:
    """Fail fast, without a half-built client, when a TCP scheduler address does not answer."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme not in ("tcp", "tls"):
        return
    host, port = parse_host_port(location)
    with socket.create_connection((host, port), timeout=timeout):
        pass


def _check_workers(workers: int | None) -> None:
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise InputError(f"number of workers must be a positive integer, got {workers!r}", field="--workers")


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: connected to ``scheduler`` if given, else to a local cluster of ``workers`` processes.

    A local cluster is started here (loopback only, no dashboard, quiet logs) and closed on exit;
    an existing cluster is left running.
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise ClusterError(f"Dask is not installed ({exc}); install dask[distributed]") from None

    if scheduler:
        timeout = _timeout()
        try:
            _probe(scheduler, timeout)
            client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler!r} ({reason})") from None
        try:
            yield client
        finally:
            client.close()
        return

    with local_cluster(workers or 1) as cluster:
        client = Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded processes on loopback, closed on exit.

    No dashboard, quiet logs, no GIL probe or statistical profiler in the workers (they only
    feed the dashboard and slow the chunks down). Workers keep glibc's adaptive allocator: Dask would set
    ``MALLOC_TRIM_THRESHOLD_`` in them, which fixes the mmap threshold and makes the
    numpy-heavy chunks (BDM, baselines) about twice as slow.
    """
    import dask

    from distributed import LocalCluster

    _check_workers(workers)
    try:
        environ = {
            k: v for k, v in (dask.config.get("distributed.nanny.pre-spawn-environ", None) or {}).items()
            if k not in MALLOC_SETTINGS
        }
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ, **QUIET_WORKERS}):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # no dashboard; the scheduler's small HTTP endpoint on a free loopback port
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
    except Exception as exc:  # noqa: BLE001 - any start-up failure is reported as one line
        raise ClusterError(f"cannot start a local Dask cluster of {workers} workers: {exc}") from None
    try:
        yield cluster
    finally:
        cluster.close()


def _keys(fn: Callable[..., Any], count: int) -> list[str]:
    """Unique task keys derived from the function name, a random token and the item index."""
    import uuid

    name = getattr(fn, "__name__", "task").strip("_") or "task"
    token = uuid.uuid4().hex[:12]
    return [f"accord-{name}-{token}-{i}" for i in range(count)]


def on_one_core(fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)`` with accord's compiled kernels on one thread: on a cluster the tasks are the parallelism."""
    import numba

    numba.set_num_threads(1)
    return fn(*args)


def client_map(client: Any, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """Run ``fn`` on every item with ``client``; results in item order."""
    items = list(items)
    if not items:
        return []
    futures = client.map(functools.partial(on_one_core, fn), items, key=_keys(fn, len(items)), pure=False)
    try:
        return client.gather(futures)
    finally:
        for fut in futures:
            fut.release()


def dask_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[R]:
    """Apply ``fn`` to every item on Dask and return the results in item order.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) the work goes to that
    running cluster; otherwise a local cluster of ``workers`` single-threaded processes is
    started for this call and closed afterwards. ``fn`` and the items must be picklable
    (module-level functions). Raises :class:`ClusterError` when the scheduler cannot be reached.
    """
    items = list(items)
    if not scheduler:
        _check_workers(workers)
    if not items:
        return []
    with dask_client(workers=workers, scheduler=scheduler) as client:
        return client_map(client, fn, items)


def bounded_map(
    client: Any,
    fn: Callable[[T], R],
    items: Iterable[T],
    window: int | None = None,
    extra: Sequence[Any] = (),
) -> Iterator[R]:
    """Apply ``fn`` to a stream of items with at most ``window`` tasks in flight; results in item order.

    Items are drawn from the iterable only as results are taken, so neither the items nor
    their results are ever all held in memory. ``window`` defaults to four tasks per worker.
    ``extra`` are further arguments passed to every call (e.g. a scattered future), as
    ``fn(item, *extra)``.
    """
    if window is None:
        n_workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
        window = DEFAULT_WINDOW_PER_WORKER * n_workers
    if window < 1:
        raise InputError(f"window must be at least 1, got {window}", field="window")
    name = getattr(fn, "__name__", "task").strip("_") or "task"
    import uuid

    token = uuid.uuid4().hex[:12]
    pending: deque[Any] = deque()
    it = iter(items)
    index = 0
    exhausted = False

    def submit_next() -> None:
        nonlocal index, exhausted
        try:
            item = next(it)
        except StopIteration:
            exhausted = True
            return
        pending.append(client.submit(on_one_core, fn, item, *extra, key=f"accord-{name}-{token}-{index}", pure=False))
        index += 1

    try:
        while not exhausted and len(pending) < window:
            submit_next()
        while pending:
            head = pending.popleft()
            try:
                result = head.result()
            finally:
                head.release()
            if not exhausted:
                submit_next()
            yield result
    finally:
        for fut in pending:
            fut.cancel()
            fut.release()


def worker_pids(client: Any) -> dict[str, int]:
    """Process id of every worker, by worker address (for diagnostics and tests)."""
    return dict(client.run(os.getpid))
