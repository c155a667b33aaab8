"""The evidence database as the report shows it: articles, statements, claims and flags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from accord.evidence import store

MAX_STATEMENTS = 400
MAX_CLAIMS = 300


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _date(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def evidence_view(db: str | Path) -> dict[str, Any]:
    """JSON-ready evidence for the report: every statement with an actor and an issue, every
    numeric claim, and every data-quality flag, each linked to its article and source address.

    An article's ``date`` is its header date and ``text_date`` the date its dateline gives; a
    statement's ``date`` is the later of the two (the date from which it can be known).
    """
    con = store.connect(db, read_only=True)
    try:
        articles = _rows(con, """
            SELECT a.id, a.title, a.published_at, a.text_date, a.url, a.outlet, a.source_path,
                   coalesce(list(DISTINCT f.kind ORDER BY f.kind) FILTER (WHERE f.kind IS NOT NULL), []) AS flags
            FROM articles a LEFT JOIN flags f ON f.article_id = a.id
            GROUP BY ALL ORDER BY a.published_at NULLS LAST, a.id""")
        statements = _rows(con, f"""
            SELECT s.id, s.article_id, s.actor_id AS actor, si.issue_id AS issue, s.event_type,
                   greatest(a.published_at, a.text_date) AS date, s.sentence_text AS sentence, q.content_text AS quote_text,
                   q.speaker, a.url, s.hedged, si.position
            FROM statements s
            JOIN statement_issues si ON si.statement_id = s.id
            JOIN articles a ON a.id = s.article_id
            LEFT JOIN quotes q ON q.id = s.quote_id
            WHERE s.actor_id IS NOT NULL
            ORDER BY a.published_at NULLS LAST, s.article_id, s.sentence_start, s.id, si.issue_id
            LIMIT {MAX_STATEMENTS}""")
        claims = _rows(con, f"""
            SELECT c.id, c.article_id, c.text, c.quantity_type, c.value, c.unit, c.referent,
                   c.hedged OR c.unattributed AS hedged, a.url
            FROM claims c JOIN articles a ON a.id = c.article_id
            ORDER BY a.published_at NULLS LAST, c.article_id, c.start_char, c.id
            LIMIT {MAX_CLAIMS}""")
        flags = _rows(con, """
            SELECT article_id, kind, detail FROM flags
            WHERE kind NOT IN ('hedged', 'unattributed') OR detail IS NOT NULL
            ORDER BY article_id, start_char NULLS FIRST, kind, id""")
    finally:
        con.close()
    for a in articles:
        a["date"] = _date(a.pop("published_at"))
        a["text_date"] = _date(a["text_date"])
        a["file"] = Path(a.pop("source_path") or "").name or None
    for s in statements:
        s["date"] = _date(s["date"])
        s["quote"] = {"text": s.pop("quote_text"), "speaker": s.pop("speaker")} if s.get("quote_text") else None
    for f in flags:
        if isinstance(f.get("detail"), str) and f["detail"].startswith("{"):
            try:
                detail = json.loads(f["detail"])
                f["detail"] = "; ".join(f"{k}: {v}" for k, v in detail.items())
            except json.JSONDecodeError:
                pass
    return {"articles": articles, "statements": statements, "claims": claims, "flags": flags}
