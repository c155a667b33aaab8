"""SIGINT and SIGTERM during ``accord run``'s evidence ingest: rolled back, said in one line, exit 128 + N (issue 14, item 9)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from accord.cases import case_dir
from cli_runner import stop_with


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_the_ingest_of_a_run_rolls_it_back_and_exits_128_plus_its_number(tmp_path, signum, status):
    case = tmp_path / "colombia"
    shutil.copytree(case_dir("colombia"), case, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    db = out / "evidence.duckdb"
    env = dict(os.environ, ACCORD_INGEST_DELAY="3")  # seconds after each article: 8 articles take 24 s
    proc = subprocess.Popen(
        [sys.executable, "-c", "from accord.cli.main import main; main()", "run", str(case), "--out", str(out),
         "--draws", "20", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not db.exists() and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(4)  # well inside the ingest: at least one article written, most still to come
    err = stop_with(proc, signum)
    assert db.exists(), "the run never started its ingest"
    assert proc.returncode == status
    name = signal.Signals(signum).name
    assert err.strip().splitlines()[-1] == (
        f"interrupted by {name}: the run stopped; an evidence ingest in progress was rolled back and the reports "
        "in the output folder are the previous ones or complete new ones")
    assert "Traceback" not in err
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    finally:
        con.close()
    assert not (out / "result.json").exists()
