"""Fixtures of the workbench tests: a workbench on the bundled case and a live server on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_support import TOKEN, LiveServer

from accord.serve.app import create_app
from accord.serve.workbench import Workbench


@pytest.fixture()
def bench(tmp_path: Path) -> Workbench:
    return Workbench.open("ukraine", tmp_path / "out")


@pytest.fixture()
def live(bench: Workbench) -> Iterator[LiveServer]:
    with LiveServer(create_app(bench, token=TOKEN)) as server:
        yield server
