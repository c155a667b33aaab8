"""Running ``accord`` in-process: arguments in, exit status and captured output out."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cli_runner import run_accord

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch, capsys) -> Run:
    """``cli(*args)`` runs ``accord args...`` and returns (exit status, stdout, stderr)."""
    return lambda *args: run_accord(list(args), monkeypatch, capsys)
