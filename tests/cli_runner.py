"""Running ``accord`` in process: arguments in, exit status and captured output out (shared by
the CLI tests and the fuzz suite)."""

from __future__ import annotations

import subprocess
import sys

from accord.cli.main import main


def exit_status(args: list[str], monkeypatch) -> int:
    """Run ``accord args...`` through ``main()`` and return its exit status: an exit without a
    status is 0, one with a message is 1, as for the process."""
    monkeypatch.setattr(sys, "argv", ["accord", *args])
    try:
        main()
        return 0
    except SystemExit as stop:
        return 0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1


def run_accord(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """Run ``accord args...`` through ``main()`` and return (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = exit_status(args, monkeypatch)
    out, err = capsys.readouterr()
    return code, out, err


def stop_with(proc: subprocess.Popen, signum: int, timeout: float = 60) -> str:
    """Send ``signum`` to the running ``accord`` child ``proc``, wait for it (killed if it
    outlives ``timeout``) and return what it wrote on stderr."""
    try:
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=timeout)
        return err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
