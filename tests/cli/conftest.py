"""Running ``accord`` in-process: arguments in, exit status and captured output out."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from accord.cli.main import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch, capsys) -> Run:
    """``cli(*args)`` runs ``accord args...`` and returns (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["accord", *args])
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
