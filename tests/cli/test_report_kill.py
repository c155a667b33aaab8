"""kill -9 of ``accord run`` while it writes the report leaves the previous report whole (issue 14, item 5).

The killed run is a child ``python -c`` process whose ``os.fsync`` kills the process with
SIGKILL when it is about to flush the temporary copy of the chosen file: the new text is
written, the rename has not happened. The previous run's files must be byte for byte
what they were.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from accord.cases import case_dir

CHILD = """
import os, signal, sys
victim = "." + sys.argv[1] + "."
real_fsync = os.fsync
def fsync(fd):
    if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(victim):
        os.kill(os.getpid(), signal.SIGKILL)
    return real_fsync(fd)
os.fsync = fsync
sys.argv = ["accord", *sys.argv[2:]]
from accord.cli.main import main
main()
"""


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kill") / "colombia"
    shutil.copytree(case_dir("colombia"), folder, ignore=shutil.ignore_patterns("articles", "__pycache__"))
    return folder


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name the file being flushed")
@pytest.mark.parametrize("victim", ["report.html", "report.md", "result.json"])
def test_kill_9_while_writing_leaves_the_previous_report_intact(case, tmp_path, cli, victim):
    out = tmp_path / "out"
    args = ["run", str(case), "--draws", "20", "--out", str(out), "--format", "html", "--format", "md", "--format", "json"]
    code, _, err = cli(*args)
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".html", ".md", ".json")}
    assert set(before) == {"report.html", "report.md", "result.json"}
    assert all(len(b) > 1000 for b in before.values())

    child = subprocess.run([sys.executable, "-c", CHILD, victim, *args, "--seed", "7"], capture_output=True,
                           timeout=600, env=os.environ.copy())
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".html", ".md", ".json")}
    assert after[victim] == before[victim]
    assert set(after) == set(before) and all(len(b) > 1000 for b in after.values())
    assert not [p for p in out.iterdir() if p.is_symlink()]
