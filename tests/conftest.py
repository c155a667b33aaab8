"""Shared test set-up: hypothesis profiles and where the shared evaluation data lives.

Property tests run under one of two hypothesis profiles:

- ``ci`` (the default, also when ``CI=true``): derandomised, so every run draws the same
  examples; a fixed number of them, no deadline (timings on a loaded machine are no
  failures) and no example database (nothing from an earlier run changes this one).
- ``fuzz``: a longer randomised search with many more examples, for hunting new failures
  before a release:  ``python -m pytest tests --hypothesis-profile=fuzz``.
  A failure prints the example and a ``@reproduce_failure`` blob to replay it.

A test's own ``@settings(max_examples=...)`` overrides the profile's count; tests that
should grow under ``fuzz`` leave it out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    max_examples=2000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")  # the pytest plugin's --hypothesis-profile option overrides this

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
