"""Shared test fixtures: where the shared evaluation data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ``../shared/data`` folder; tests that need it skip only where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent (it is present in CI)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``../shared`` folder (seeds, specs, research)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared folder {SHARED} is absent (it is present in CI)")
    return SHARED
