"""Fixtures of the fuzz suite; what it checks and how to run it: fuzz_budget.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from fuzz_budget import Budget


@pytest.fixture(scope="module")
def budget(request) -> Iterator[Budget]:
    """One Budget per test module, printed at its end."""
    b = Budget(request.module.__name__.rsplit(".", 1)[-1])
    yield b
    print("\n" + b.summary(), file=sys.__stdout__, flush=True)
