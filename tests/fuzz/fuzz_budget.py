"""Helpers of the fuzz suite (tests/fuzz): the per-case budget and the example counts.

The fuzz suite: every reader and command driven with mutated files and hostile arguments.

Each case must end with exit 0 or 2 (readers: a result or an AccordError), never a
traceback. Every case is timed and its peak Python allocation measured (tracemalloc);
the bounds :data:`MAX_SECONDS` and :data:`MAX_MEGABYTES` are asserted under the
``fuzz`` profile only (timings on a loaded CI machine are no failures). Run the long
profile before a release:

    python -m pytest tests/fuzz --hypothesis-profile=fuzz -s

and read the summary line each test module prints: cases, failures, worst time and memory.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import settings

MAX_SECONDS = 60.0
MAX_MEGABYTES = 1024.0


def fuzz_profile() -> bool:
    """True under ``--hypothesis-profile=fuzz``."""
    return getattr(settings, "_current_profile", None) == "fuzz"


def examples(ci: int, fuzz: int) -> int:
    """Examples per test: few in CI (the suite stays fast), many under the fuzz profile."""
    return fuzz if fuzz_profile() else ci


@dataclass
class Budget:
    """Cases run, and the worst time and peak allocation of one case, per suite."""

    name: str
    cases: int = 0
    worst_seconds: float = 0.0
    worst_megabytes: float = 0.0
    worst_case: dict[str, str] = field(default_factory=dict)

    def measure(self, label: str, fn: Callable[[], Any]) -> Any:
        """``fn()`` timed and traced; under the fuzz profile the bounds are asserted."""
        tracemalloc.start()
        start = time.perf_counter()
        try:
            return fn()
        finally:
            seconds = time.perf_counter() - start
            megabytes = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            self.cases += 1
            if seconds > self.worst_seconds:
                self.worst_seconds, self.worst_case["time"] = seconds, label
            if megabytes > self.worst_megabytes:
                self.worst_megabytes, self.worst_case["memory"] = megabytes, label
            if fuzz_profile():
                assert seconds < MAX_SECONDS, f"{label}: {seconds:.1f} s"
                assert megabytes < MAX_MEGABYTES, f"{label}: {megabytes:.0f} MB"

    def summary(self) -> str:
        return (f"fuzz {self.name}: {self.cases} cases, worst {self.worst_seconds:.2f} s "
                f"({self.worst_case.get('time', '-')[:80]}), worst {self.worst_megabytes:.1f} MB "
                f"({self.worst_case.get('memory', '-')[:80]})")
