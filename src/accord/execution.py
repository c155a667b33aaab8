"""Where chunked work runs: in this process by default, or on a Dask cluster.

Work is split into chunks whose seeds derive from the run's seed, so the result does
not depend on where or in how many processes the chunks run. Models know nothing of this.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

SCHEDULER_ENV = "ACCORD_DASK_SCHEDULER"


@dataclass(frozen=True)
class Execution:
    """Where to run chunks: ``workers=None`` and no scheduler means in-process."""

    workers: int | None = None
    scheduler: str | None = None

    @classmethod
    def from_options(cls, workers: int | None = None, scheduler: str | None = None) -> Execution:
        """Build from CLI options, reading ``ACCORD_DASK_SCHEDULER`` when no address is given."""
        return cls(workers=workers, scheduler=scheduler or os.environ.get(SCHEDULER_ENV) or None)

    @property
    def distributed(self) -> bool:
        """True when chunks go to Dask."""
        return bool(self.scheduler) or (self.workers is not None and self.workers > 0)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        """Apply ``fn`` to every item, yielding results in item order."""
        if not self.distributed:
            for item in items:
                yield fn(item)
            return
        from accord.distributed import dask_map  # imported only when asked for

        yield from dask_map(fn, items, workers=self.workers, scheduler=self.scheduler)


IN_PROCESS = Execution()


def chunk_seeds(seed: int | None, n_chunks: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences, one per chunk, derived from the run's seed."""
    return np.random.SeedSequence(seed).spawn(n_chunks)


def chunk_sizes(total: int, chunk: int) -> list[int]:
    """Split ``total`` items into chunks of at most ``chunk`` (the last may be smaller)."""
    if total <= 0:
        return []
    full, rest = divmod(total, chunk)
    return [chunk] * full + ([rest] if rest else [])


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items, streaming."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
