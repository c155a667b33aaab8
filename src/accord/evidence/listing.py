"""What ``accord evidence`` lists: statements, quotes, numeric claims and quality flags, with sources.

Each ``list_*`` function reads one kind of record with its article (date, outlet, address) and
returns display-ready rows; ``full`` keeps whole sentences (for CSV and JSON) instead of
clipping them for a terminal table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from accord.errors import InputError
from accord.evidence.statements import TYPES

CLIP = 60
# a record's date: the later of the header date and the date its text gives (docs/methods/evidence.md)
_DATE = "greatest(a.published_at, a.text_date)"


def _clip(text: str | None, full: bool) -> str | None:
    if text is None or full:
        return text
    t = " ".join(text.split())
    return t if len(t) <= CLIP else t[: CLIP - 1] + "…"


def _query(con: Any, sql: str, filters: list[tuple[str, Any]], order: str) -> list[dict[str, Any]]:
    """Rows of ``sql`` (ending in a WHERE clause) with each ``(condition, value)`` whose value is
    given, ordered by ``order``."""
    params = [value for _, value in filters if value]
    sql += "".join(f" AND {cond}" for cond, value in filters if value) + f" ORDER BY {order}"
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _date(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def list_statements(con: Any, actor: str | None = None, issue: str | None = None, type_: str | None = None,
                    full: bool = False) -> list[dict[str, Any]]:
    """Statements with their article and quote, filtered by actor, issue and statement type."""
    if type_ and type_.upper() not in TYPES:
        raise InputError(f"unknown statement type {type_!r} (one of {', '.join(TYPES)})", field="--type")
    sql = f"""
        SELECT s.id, s.article_id, {_DATE} AS date, a.outlet, a.url, s.actor_id, s.event_type, s.issue_ids,
               s.sentence_start, s.sentence_end, s.sentence_text, s.confidence, q.speaker
        FROM statements s JOIN articles a ON a.id = s.article_id
        LEFT JOIN quotes q ON q.id = s.quote_id
        WHERE 1=1"""
    filters = [("s.actor_id = ?", actor),
               ("s.id IN (SELECT statement_id FROM statement_issues WHERE issue_id = ?)", issue),
               ("s.event_type = ?", type_ and type_.upper())]
    order = f"{_DATE} NULLS LAST, s.article_id, s.sentence_start, s.id"
    return [{
        "date": _date(r["date"]), "actor": r["actor_id"], "type": r["event_type"],
        "issues": ",".join(json.loads(r["issue_ids"])), "speaker": r["speaker"],
        "sentence": _clip(r["sentence_text"], full), "outlet": r["outlet"], "url": r["url"],
        "article": r["article_id"], "offsets": f"{r['sentence_start']}-{r['sentence_end']}",
        "confidence": round(r["confidence"], 3),
    } for r in _query(con, sql, filters, order)]


def list_quotes(con: Any, actor: str | None = None, issue: str | None = None, type_: str | None = None,
                full: bool = False) -> list[dict[str, Any]]:
    """Quotes with speaker, linked actor and attribution, filtered by actor and quote kind."""
    _no_filter(issue, "--issue", "quotes")
    sql = f"""
        SELECT q.article_id, {_DATE} AS date, a.outlet, a.url, q.kind, q.speaker, q.source_actor_id,
               q.attribution_kind, q.content_text, q.content_start, q.content_end, q.confidence
        FROM quotes q JOIN articles a ON a.id = q.article_id WHERE 1=1"""
    filters = [("q.source_actor_id = ?", actor), ("q.kind = ?", type_ and type_.lower())]
    order = f"{_DATE} NULLS LAST, q.article_id, q.content_start, q.id"
    return [{
        "date": _date(r["date"]), "speaker": r["speaker"], "actor": r["source_actor_id"], "kind": r["kind"],
        "attribution": r["attribution_kind"], "quote": _clip(r["content_text"], full), "outlet": r["outlet"],
        "url": r["url"], "article": r["article_id"], "offsets": f"{r['content_start']}-{r['content_end']}",
        "confidence": r["confidence"],
    } for r in _query(con, sql, filters, order)]


def _conflicts(row: dict[str, Any]) -> int:
    """How many earlier claims a stored claim conflicts with (rows stored before the count was
    kept list all of them)."""
    return row["conflicts"] if row["conflicts"] is not None else len(json.loads(row["conflicts_with"] or "[]"))


def list_claims(con: Any, actor: str | None = None, issue: str | None = None, type_: str | None = None,
                full: bool = False) -> list[dict[str, Any]]:
    """Numeric claims with value, unit and referent, filtered by issue and quantity type."""
    _no_filter(actor, "--actor", "claims")
    sql = f"""
        SELECT c.article_id, {_DATE} AS date, a.url, c.text, c.quantity_type, c.value, c."values", c.low,
               c.high, c.unit, c.approx, c.referent, c.iso_date, c.hedged, c.unattributed, c.conflicts_with, c.conflicts,
               c.start_char, c.end_char
        FROM claims c JOIN articles a ON a.id = c.article_id WHERE 1=1"""
    filters = [("list_contains(CAST(json_extract(c.issue_ids, '$') AS VARCHAR[]), ?)", issue),
               ("c.quantity_type = ?", type_ and type_.lower())]
    order = f"{_DATE} NULLS LAST, c.article_id, c.start_char, c.id"
    return [{
        "date": _date(r["date"]), "text": r["text"], "type": r["quantity_type"],
        "value": r["iso_date"] or (r["value"] if r["value"] is not None else r["values"]),
        "low": r["low"], "high": r["high"], "unit": r["unit"], "approx": r["approx"], "referent": r["referent"],
        "hedged": bool(r["hedged"]), "unattributed": bool(r["unattributed"]),
        "conflicts": _conflicts(r), "url": r["url"], "article": r["article_id"],
        "offsets": f"{r['start_char']}-{r['end_char']}",
    } for r in _query(con, sql, filters, order)]


def list_flags(con: Any, actor: str | None = None, issue: str | None = None, type_: str | None = None,
               full: bool = False) -> list[dict[str, Any]]:
    """Quality flags with the flagged text, filtered by flag kind."""
    _no_filter(actor, "--actor", "flags")
    _no_filter(issue, "--issue", "flags")
    sql = """
        SELECT f.article_id, a.published_at, a.title, a.source_path, a.text, f.kind, f.detail, f.start_char,
               f.end_char
        FROM flags f JOIN articles a ON a.id = f.article_id WHERE 1=1"""
    filters = [("f.kind = ?", type_ and type_.lower())]
    order = "a.published_at NULLS LAST, f.article_id, f.start_char NULLS FIRST, f.kind, f.id"
    return [{
        "date": _date(r["published_at"]), "kind": r["kind"], "detail": _clip(r["detail"], full),
        "text": _clip(_flagged_text(r), full), "title": _clip(r["title"], full), "file": r["source_path"],
        "article": r["article_id"],
        "offsets": None if r["start_char"] is None else f"{r['start_char']}-{r['end_char']}",
    } for r in _query(con, sql, filters, order)]


def _flagged_text(r: dict[str, Any]) -> str | None:
    s, e = r["start_char"], r["end_char"]
    return r["text"][s:e] if s is not None and e is not None and e > s else None


def _no_filter(value: str | None, option: str, kind: str) -> None:
    if value:
        raise InputError(f"{option} does not apply to {kind}", field=option)


TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "statements": ("date", "actor", "type", "issues", "sentence"),
    "quotes": ("date", "speaker", "actor", "quote"),
    "claims": ("date", "text", "type", "value", "unit", "referent"),
    "flags": ("date", "kind", "text", "detail"),
}
"""The columns a terminal table shows (CSV and JSON carry every column, sentences unclipped)."""

LISTERS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "statements": list_statements, "quotes": list_quotes, "claims": list_claims, "flags": list_flags,
}
