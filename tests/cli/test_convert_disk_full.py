"""Disk full during ``accord convert``: one clear line, exit 2, no partial target (issue 14, item 10).

Two ways to fill the disk: a real 64 kB tmpfs (needs root and mount, as on the CI
machine), and ``os.fsync`` failing with ENOSPC in a child process (runs everywhere).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accord.cases import case_dir

SCENARIO = case_dir("ukraine") / "scenario.yaml"  # 80 kB: does not fit in 64 kB


def _mount_tmpfs(folder: Path) -> bool:
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "disk"
    folder.mkdir()
    if not _mount_tmpfs(folder):
        pytest.skip("cannot mount a tmpfs here (needs root); the ENOSPC child-process test covers this")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_convert_onto_a_full_tmpfs(small_disk, cli):
    target = small_disk / "scenario.json"
    target.write_text('{"previous": true}\n', encoding="utf-8")
    code, out, err = cli("convert", str(SCENARIO), str(target))
    assert code == 2, out + err
    assert err == f"error: {target}: cannot write: No space left on device; the file is left as it was\n"
    assert target.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(p.name for p in small_disk.iterdir()) == ["scenario.json"]  # no temporary file left


CHILD = """
import errno, os, sys
def full(fd):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
os.fsync = full
sys.argv = ["accord", "convert", *sys.argv[1:]]
from accord.cli.main import main
main()
"""


def test_convert_when_the_disk_fills_in_a_child_process(tmp_path):
    target = tmp_path / "scenario.csv"
    target.write_text("previous\n", encoding="utf-8")
    child = subprocess.run([sys.executable, "-c", CHILD, str(SCENARIO), str(target)], capture_output=True, text=True,
                           timeout=300, env=os.environ.copy())
    assert child.returncode == 2
    assert child.stderr == f"error: {target}: cannot write: No space left on device; the file is left as it was\n"
    assert child.stdout == ""
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.csv"]
