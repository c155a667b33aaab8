"""The DuckDB evidence store: schema, writes with offset checks, and reads (docs/evidence-schema.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import duckdb
import numpy as np

from accord.errors import InputError, ModelError
from accord.evidence.records import EXTRACTOR_VERSION, DocumentRecords, now_iso

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, extractor_version VARCHAR,
    pipeline VARCHAR, scenario_id VARCHAR, inputs VARCHAR, articles_added INTEGER,
    articles_existing INTEGER, problems VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, run_id VARCHAR, url VARCHAR, outlet VARCHAR, source_domain VARCHAR,
    published_at DATE, retrieved_at TIMESTAMP, title VARCHAR, text VARCHAR, language VARCHAR,
    wire_source VARCHAR, source_path VARCHAR, format VARCHAR, quality VARCHAR, quality_score DOUBLE,
    minhash BLOB, extractor_version VARCHAR);
CREATE TABLE IF NOT EXISTS paragraphs (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER,
    key_hash VARCHAR, chars INTEGER, boilerplate VARCHAR, duplicate_of INTEGER,
    near_duplicate_of INTEGER, corpus_duplicate_of VARCHAR, bands VARCHAR, extractor_version VARCHAR);
CREATE TABLE IF NOT EXISTS mentions (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, start_char INTEGER, end_char INTEGER, surface VARCHAR,
    ner_label VARCHAR, actor_id VARCHAR, link_method VARCHAR, confidence DOUBLE, extractor_version VARCHAR);
CREATE TABLE IF NOT EXISTS quotes (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, kind VARCHAR, cue_start INTEGER, cue_end INTEGER,
    cue_text VARCHAR, source VARCHAR, content VARCHAR, content_start INTEGER, content_end INTEGER,
    content_text VARCHAR, speaker VARCHAR, source_actor_id VARCHAR, link_method VARCHAR,
    link_confidence DOUBLE, attribution_kind VARCHAR, confidence DOUBLE, rule VARCHAR, paragraph INTEGER,
    extractor_version VARCHAR);
CREATE TABLE IF NOT EXISTS statements (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, quote_id VARCHAR, sentence_start INTEGER,
    sentence_end INTEGER, sentence_text VARCHAR, paragraph INTEGER, actor_id VARCHAR,
    target_actor_ids VARCHAR, event_type VARCHAR, plover_category VARCHAR, predicate VARCHAR,
    issue_ids VARCHAR, stance VARCHAR, future BOOLEAN, conditional BOOLEAN, negated BOOLEAN,
    hedged BOOLEAN, confidence DOUBLE, extractor_version VARCHAR);
CREATE TABLE IF NOT EXISTS statement_issues (
    statement_id VARCHAR, article_id VARCHAR, issue_id VARCHAR, polarity INTEGER, position DOUBLE,
    PRIMARY KEY (statement_id, issue_id));
CREATE TABLE IF NOT EXISTS claims (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, start_char INTEGER, end_char INTEGER, text VARCHAR,
    quantity_type VARCHAR, value DOUBLE, "values" VARCHAR, low DOUBLE, high DOUBLE, unit VARCHAR,
    approx VARCHAR, referent VARCHAR, iso_date VARCHAR, issue_ids VARCHAR, attributed_to VARCHAR,
    hedged BOOLEAN, unattributed BOOLEAN, sentence_start INTEGER, sentence_end INTEGER, paragraph INTEGER,
    conflicts_with VARCHAR, extractor_version VARCHAR);
CREATE TABLE IF NOT EXISTS flags (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, kind VARCHAR, start_char INTEGER, end_char INTEGER,
    paragraph INTEGER, detail VARCHAR, hedge_cues VARCHAR, weasel_patterns VARCHAR,
    attribution_kind VARCHAR, unattributed BOOLEAN, score DOUBLE, extractor_version VARCHAR);
"""
TABLES = ("articles", "paragraphs", "mentions", "quotes", "statements", "statement_issues", "claims", "flags", "runs")


def connect(db: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, for writing, create) the evidence database."""
    path = Path(db)
    if read_only and not path.exists():
        raise InputError("no such evidence database", file=str(path))
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(f"cannot open database: {exc}", file=str(path)) from None
    if not read_only:
        con.execute(SCHEMA)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    else:
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "articles" not in have:
            raise InputError("not an accord evidence database (no articles table)", file=str(path))
    return con


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def _check(text: str, start: int, end: int, expect: str, what: str) -> None:
    if text[start:end] != expect:
        raise ModelError(f"offset check failed for {what} [{start}, {end})")


def rows_for(rec: DocumentRecords, run_id: str, minhash: np.ndarray | None,
             corpus_dups: dict[int, str] | None = None) -> dict[str, list[tuple]]:
    """Table rows of one document, with every span checked against the article text."""
    a = rec.article
    text = a["text"]
    v = a.get("extractor_version", EXTRACTOR_VERSION)
    corpus_dups = corpus_dups or {}
    out: dict[str, list[tuple]] = {t: [] for t in TABLES}
    out["articles"].append((
        a["id"], run_id, a["url"], a["outlet"], a["source_domain"], a["published_at"], a["retrieved_at"] or now_iso(),
        a["title"], text, a["language"], a["wire_source"], a["source_path"], a["format"], _j(a["quality"]),
        a["quality"]["score"], minhash.tobytes() if minhash is not None else None, v))
    for p in rec.paragraphs:
        out["paragraphs"].append((p["id"], a["id"], p["index"], p["start"], p["end"], p["key_hash"], p["chars"],
                                  p["boilerplate"], p["duplicate_of"], p["near_duplicate_of"],
                                  corpus_dups.get(p["index"]), _j(p["bands"]) if p.get("bands") else None, v))
    for m in rec.mentions:
        _check(text, m["start"], m["end"], m["surface"], "mention")
        out["mentions"].append((m["id"], a["id"], m["start"], m["end"], m["surface"], m["ner_label"],
                                m["actor_id"], m["link_method"], m["confidence"], v))
    for q in rec.quotes:
        for sp in [q["cue"], *q["source"], *q["content"]]:
            _check(text, sp["start"], sp["end"], sp["text"], "quote")
        out["quotes"].append((
            q["id"], a["id"], q["kind"], q["cue"]["start"], q["cue"]["end"], q["cue"]["text"], _j(q["source"]),
            _j(q["content"]), q["content"][0]["start"], q["content"][-1]["end"],
            " … ".join(c["text"] for c in q["content"]), q["speaker"], q["source_actor_id"], q["link_method"],
            q["link_confidence"], q["attribution_kind"], q["confidence"], q["rule"], q["paragraph"], v))
    for s in rec.statements:
        sp = s["sentence"]
        _check(text, sp["start"], sp["end"], sp["text"], "statement")
        out["statements"].append((
            s["id"], a["id"], s["quote_id"], sp["start"], sp["end"], sp["text"], s["paragraph"], s["actor_id"],
            _j(s["target_actor_ids"]), s["event_type"], s["plover_category"], s["predicate"], _j(s["issue_ids"]),
            _j(s["stance"]), s["modality"]["future"], s["modality"]["conditional"], s["modality"]["negated"],
            s["modality"]["hedged"], s["confidence"], v))
        for iid, st in s["stance"].items():
            out["statement_issues"].append((s["id"], a["id"], iid, st["polarity"], st["position"]))
    for c in rec.claims:
        sp = c["span"]
        _check(text, sp["start"], sp["end"], sp["text"], "claim")
        val = c["value"]
        out["claims"].append((
            c["id"], a["id"], sp["start"], sp["end"], sp["text"], c["quantity_type"],
            None if isinstance(val, list) else val, _j(val) if isinstance(val, list) else None, c["low"], c["high"],
            c["unit"], c["approx"], c["referent"], c["iso_date"], _j(c["issue_ids"]), c["attributed_to"],
            c["hedged"], c["unattributed"], c["sentence"]["start"] if c["sentence"] else None,
            c["sentence"]["end"] if c["sentence"] else None, c["paragraph"], _j(c["conflicts_with"]), v))
    for f in rec.flags:
        out["flags"].append((
            f["id"], a["id"], f["kind"], f["start"], f["end"], f["paragraph"], f["detail"], _j(f["hedge_cues"]),
            _j(f["weasel_patterns"]), f["attribution_kind"], f["unattributed"], f["score"], v))
    return out


_COLUMNS: dict[str, list[str]] = {}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    if table not in _COLUMNS:
        _COLUMNS[table] = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()]
    return _COLUMNS[table]


def write_rows(con: duckdb.DuckDBPyConnection, rows: dict[str, list[tuple]]) -> None:
    """Insert rows table by table (inside the caller's transaction); existing ids are kept."""
    import pandas as pd

    for table, items in rows.items():
        if not items:
            continue
        cols = _columns(con, table)
        frame = pd.DataFrame.from_records(items, columns=[f"c{i}" for i in range(len(cols))])
        name = f"_accord_rows_{table}"
        con.register(name, frame)
        try:
            select = ", ".join(f'CAST(c{i} AS {_type(con, table, c)}) AS "{c}"' for i, c in enumerate(cols))
            con.execute(f"INSERT OR IGNORE INTO {table} SELECT {select} FROM {name}")
        finally:
            con.unregister(name)


_TYPES: dict[tuple[str, str], str] = {}


def _type(con: duckdb.DuckDBPyConnection, table: str, col: str) -> str:
    key = (table, col)
    if key not in _TYPES:
        for name, dtype in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall():
            _TYPES[(table, name)] = dtype
    return _TYPES[key]


def merge_rows(parts: Iterable[dict[str, list[tuple]]]) -> dict[str, list[tuple]]:
    """Concatenate the rows of several documents per table."""
    out: dict[str, list[tuple]] = {t: [] for t in TABLES}
    for p in parts:
        for t, items in p.items():
            out[t].extend(items)
    return out


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every evidence table."""
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def query_statements(con: duckdb.DuckDBPyConnection, actor: str | None = None, issue: str | None = None,
                     event_type: str | None = None) -> list[dict[str, Any]]:
    """Statements with their article and quote, filtered by actor, issue and type."""
    sql = """
        SELECT s.id, s.article_id, a.published_at, a.outlet, a.url, a.title, s.actor_id, s.event_type,
               s.issue_ids, s.stance, s.sentence_start, s.sentence_end, s.sentence_text, s.confidence,
               s.hedged, s.negated, s.quote_id, q.speaker, q.kind AS quote_kind, a.quality_score
        FROM statements s JOIN articles a ON a.id = s.article_id
        LEFT JOIN quotes q ON q.id = s.quote_id
        WHERE 1=1"""
    params: list[Any] = []
    if actor:
        sql += " AND s.actor_id = ?"
        params.append(actor)
    if issue:
        sql += " AND s.id IN (SELECT statement_id FROM statement_issues WHERE issue_id = ?)"
        params.append(issue)
    if event_type:
        sql += " AND s.event_type = ?"
        params.append(event_type.upper())
    sql += " ORDER BY a.published_at NULLS LAST, s.article_id, s.sentence_start"
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
