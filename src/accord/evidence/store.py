"""The DuckDB evidence store: tables built from the row dataclasses, writes with offset checks, reads.

The tables are those of ``accord.evidence.records.CORE_ROWS`` and of the rows each registered
extractor declares (docs/evidence-schema.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import json
import os
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np

from accord.errors import AccordError, InputError, ModelError
from accord.evidence import minhash
from accord.evidence.records import CORE_ROWS, DocumentRecords, Row, now_iso
from accord.execution import batched

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # no ingest lock (:func:`ingest_lock`)

if TYPE_CHECKING:
    from accord.evidence.extract import Extractor

SCHEMA_VERSION = 5  # 2: articles.text_date; 3: articles.scenario_key; 4: claims.conflicts; 5: claims.referent_key
# DuckDB's buffer pool for a writing connection. Its default (80 % of the RAM) lets an ingest keep
# every block it wrote in memory; with a limit, DuckDB evicts written blocks and spills to
# ``<db>.tmp`` instead (docs/evidence-schema.md). Only primary-key indexes cannot be evicted,
# hence none on the tables of article rows (:func:`keyed`). The scan of the corpus index, which
# would fill the pool with blocks of a table that grows with the corpus, runs under a lower limit
# (:func:`lookup_memory`); 16 MB is too little for an ingest's writes (docs/methods/evidence.md,
# "Memory of a long ingest").
WRITE_MEMORY_LIMIT = "32MB"
# What DuckDB's buffer pool may hold, beyond what it cannot evict, while an ingest's flush looks
# up the corpus index (:func:`lookup_memory`). The look-up's join reads the key columns of the whole
# index, and DuckDB keeps the blocks it read up to its limit: at the writing limit that cache grew
# with the table until it reached 24 MB; the join itself needs a few (docs/methods/evidence.md,
# "Memory of a long ingest").
LOOKUP_HEADROOM = 12 * 2**20


class StoreWriteError(AccordError):
    """The evidence database could not be written (disk full, read-only file system, I/O error,
    DuckDB out of its memory limit)."""

    exit_code = 1


_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}
_WRITE_FAILURES = ("no space left", "could not write", "disk quota", "file too large", "read-only file system",
                   "input/output error")


def write_failure(exc: BaseException) -> str | None:
    """The first line of ``exc``'s message when it reports that the database could not be
    written to disk, else None."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, (duckdb.IOException, duckdb.OutOfMemoryException)) or (
            isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS):
        return message
    if isinstance(exc, duckdb.Error) and any(w in message.lower() for w in _WRITE_FAILURES):
        return message
    return None


def roll_back(con: duckdb.DuckDBPyConnection, exc: BaseException, what: str, left: str) -> StoreWriteError | None:
    """Roll back the open transaction of ``con`` after ``exc``. For a failed write (disk full,
    I/O error) the one-line error to raise instead: ``"<what> (<reason>); <left>"``."""
    with contextlib.suppress(Exception):  # the transaction may already be gone
        con.execute("ROLLBACK")
    reason = write_failure(exc)
    return None if reason is None else StoreWriteError(f"{what} ({reason}); {left}")


@contextlib.contextmanager
def rolled_back_on_error(con: duckdb.DuckDBPyConnection, what: str, left: str) -> Iterator[None]:
    """Within the block, any error rolls back the open transaction of ``con`` (:func:`roll_back`)."""
    try:
        yield
    except BaseException as exc:
        failure = roll_back(con, exc, what, left)
        if failure is not None:
            raise failure from None
        raise


_SQL_TYPES = {str: "VARCHAR", int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN", dt.date: "DATE",
              dt.datetime: "TIMESTAMP", bytes: "BLOB"}


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, SQL type and whether values are stored as JSON text."""

    name: str
    sql_type: str
    json: bool


_COLUMNS: dict[type[Row], tuple[Column, ...]] = {}


def columns(row_type: type[Row]) -> tuple[Column, ...]:
    """The columns of ``row_type``'s table, in field order, typed from the field annotations
    (or a field's ``metadata["sql_type"]``)."""
    if row_type not in _COLUMNS:
        hints = typing.get_type_hints(row_type)
        out = []
        for f in dataclasses.fields(row_type):
            base = _base_type(hints[f.name])
            container = typing.get_origin(base) or base
            if "sql_type" in f.metadata:
                out.append(Column(f.name, f.metadata["sql_type"], False))
            elif container in (list, dict):
                out.append(Column(f.name, "VARCHAR", True))
            elif container in _SQL_TYPES:
                out.append(Column(f.name, _SQL_TYPES[container], False))
            else:
                raise TypeError(f"{row_type.__name__}.{f.name}: no column type for {base!r}")
        _COLUMNS[row_type] = tuple(out)
    return _COLUMNS[row_type]


def _base_type(hint: Any) -> Any:
    """``X`` of ``X | None``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def of_articles(row_type: type[Row]) -> bool:
    """True when ``row_type``'s rows belong to an article (an ``article_id`` column)."""
    return "article_id" in {c.name for c in columns(row_type)}


def keyed(row_type: type[Row]) -> bool:
    """True when ``row_type``'s table enforces its key with a ``PRIMARY KEY``. Tables of rows that
    belong to an article (:func:`of_articles`) do not: DuckDB holds a primary-key index in
    memory, about 60 entries an article. Their keys start with the article id, an ingest writes
    an article's rows once, and :func:`write_rows` drops repeated keys among them."""
    return not of_articles(row_type)


def create_table_sql(row_type: type[Row]) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for ``row_type``'s table."""
    cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in columns(row_type))
    key = f", PRIMARY KEY ({', '.join(row_type.PRIMARY_KEY)})" if keyed(row_type) else ""
    return f"CREATE TABLE IF NOT EXISTS {row_type.TABLE} ({cols}{key})"


def row_types(extractors: list[Extractor] | None = None) -> dict[str, type[Row]]:
    """Every table of the database by name: the core tables, then those the extractors declare,
    each after the last extractor that adds to it (where it is complete)."""
    from accord.evidence.extract import EXTRACTORS

    last: dict[str, tuple[int, type[Row]]] = {}
    for k, e in enumerate(EXTRACTORS if extractors is None else extractors):
        for r in e.rows:
            last[r.TABLE] = (k, r)
    out = {r.TABLE: r for r in CORE_ROWS}
    for table, (_, r) in sorted(last.items(), key=lambda kv: kv[1][0]):
        out.setdefault(table, r)
    return out


def tables(extractors: list[Extractor] | None = None) -> tuple[str, ...]:
    """The evidence tables (every table but ``meta``), ``runs`` last."""
    names = [t for t in row_types(extractors) if t not in ("meta", "runs")]
    return (*names, "runs")


SCHEMA_DOC_BEGIN = "<!-- schema: generated from accord.evidence.records; do not edit by hand -->"
SCHEMA_DOC_END = "<!-- end of generated schema -->"


def schema_markdown(extractors: list[Extractor] | None = None) -> str:
    """The column reference of docs/evidence-schema.md: every table with its columns and types."""
    from accord.evidence.extract import EXTRACTORS

    producers: dict[str, list[str]] = {}
    for e in EXTRACTORS if extractors is None else extractors:
        for r in e.rows:
            producers.setdefault(r.TABLE, []).append(e.name)
    lines = [SCHEMA_DOC_BEGIN, "",
             "| table | row dataclass | added by | columns (PK primary key, KEY unique key not declared, JSON text) |",
             "|---|---|---|---|"]
    for table, row_type in row_types(extractors).items():
        by = ", ".join(f"`{n}`" for n in producers.get(table, [])) or "the ingest itself"
        mark = " PK" if keyed(row_type) else " KEY"
        cols = ", ".join(f"{c.name} {c.sql_type}{' JSON' if c.json else ''}{mark if c.name in row_type.PRIMARY_KEY else ''}"
                         for c in columns(row_type))
        lines.append(f"| `{table}` | `{row_type.__name__}` | {by} | {cols} |")
    lines.append("")
    lines.append(SCHEMA_DOC_END)
    return "\n".join(lines)


INGEST_LOCK_SUFFIX = ".ingest.lock"


def _ingest_lock_file(db: str | Path) -> Path:
    return Path(str(db) + INGEST_LOCK_SUFFIX)


@contextlib.contextmanager
def ingest_lock(db: str | Path) -> Iterator[None]:
    """Within the block, other connections to ``db`` are refused (:func:`connect`): an ingest in
    segments (accord.evidence.segments) holds this lock for its whole run, since between two
    segments no process holds the database's own. An OS file lock (``<db>.ingest.lock``), so a
    kill releases it; none where the system has no ``fcntl`` (Windows)."""
    if fcntl is None:  # pragma: no cover - not on POSIX
        yield
        return
    path = _ingest_lock_file(db)
    try:
        f = open(path, "a+b")  # closed by the with below
    except OSError as exc:
        raise InputError(f"cannot create the ingest lock {path.name} ({exc.strerror})", file=str(db)) from None
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError("another ingest is writing this database", file=str(db)) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()


def _ingest_running(db: str | Path) -> bool:
    """True when an ingest in segments holds :func:`ingest_lock` on ``db``."""
    if fcntl is None:  # pragma: no cover - not on POSIX
        return False
    try:
        fd = os.open(_ingest_lock_file(db), os.O_RDONLY)
    except OSError:  # no such lock
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def connect(db: str | Path, read_only: bool = False, keep: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (and, for writing, create or upgrade) the evidence database. A writing connection
    removes the runs a killed ingest left (:func:`discard_runs`). ``keep``: the run of an ingest
    in segments (accord.evidence.segments) whose own process opens it, which is neither removed
    nor refused by the run's :func:`ingest_lock`."""
    path = Path(db)
    if read_only and not path.exists():
        raise InputError("no such evidence database", file=str(path))
    if keep is None and _ingest_running(path):
        raise InputError("an ingest is writing this database; try again when it ends", file=str(path))
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(f"cannot open database: {exc}", file=str(path)) from None
    have = _existing_columns(con)
    if not read_only:
        try:
            con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
            _create_or_upgrade(con, have)
            if INDEX_TABLE not in have:
                _create_index(con)
            _fill_referent_keys(con)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            discard_runs(con, [r for r in runs_to_roll_back(con) if r != keep])
        except duckdb.Error as exc:
            con.close()
            if (reason := write_failure(exc)) is None:
                raise
            raise StoreWriteError(f"cannot prepare {path} for writing ({reason}); no stored row was changed") from None
        return con
    if "articles" not in have:
        con.close()
        raise InputError("not an accord evidence database (no articles table)", file=str(path))
    if runs_to_roll_back(con):
        con.close()
        connect(path).close()  # a writing connection removes what a killed ingest left
        return connect(path, read_only=True)
    missing = [f"{t}.{c.name}" for t, rt in row_types().items() if t in have
               for c in columns(rt) if c.name not in have[t]]
    if missing:
        con.close()
        raise InputError(f"written by an older accord (no column {missing[0]}); ingest into it once "
                         "(accord ingest) to upgrade it", file=str(path))
    return con


def _existing_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    have: dict[str, set[str]] = {}
    for table, col in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        have.setdefault(table, set()).add(col)
    return have


def _create_or_upgrade(con: duckdb.DuckDBPyConnection, have: dict[str, set[str]]) -> None:
    """Create missing tables, add the columns a newer row declaration has and drop the primary
    keys that tables of article rows had before (:func:`keyed`)."""
    with_key = {t for (t,) in con.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
    for table, row_type in row_types().items():
        if table not in have:
            con.execute(create_table_sql(row_type))
            continue
        for c in columns(row_type):
            if c.name not in have[table]:
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{c.name}" {c.sql_type}')
        if table in with_key and not keyed(row_type):
            con.execute("BEGIN TRANSACTION")
            con.execute(f"CREATE TABLE _accord_copy AS SELECT * FROM {table}")
            con.execute(f"DROP TABLE {table}")
            con.execute(f"ALTER TABLE _accord_copy RENAME TO {table}")
            con.execute("COMMIT")


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def as_tuple(row: Row) -> tuple:
    """The values of ``row`` in column order, lists and dicts as JSON text, dates as ISO text."""
    out = []
    for c in columns(type(row)):
        v = getattr(row, c.name)
        if v is not None and c.json:
            v = _j(v)
        elif isinstance(v, dt.date):
            v = v.isoformat()
        out.append(v)
    return tuple(out)


def insert_sql(row_type: type[Row]) -> str:
    """A parameterised ``INSERT`` of one ``row_type`` row."""
    cols = columns(row_type)
    names = ", ".join(f'"{c.name}"' for c in cols)
    return f"INSERT INTO {row_type.TABLE} ({names}) VALUES ({', '.join('?' for _ in cols)})"


def _check(text: str, row: Row) -> None:
    for start, end, expect in row.spans():
        if text[start:end] != expect:
            raise ModelError(f"offset check failed for {row.TABLE} [{start}, {end})")


def rows_for(rec: DocumentRecords, run_id: str, minhash: np.ndarray | None,
             corpus_dups: dict[int, str] | None = None) -> dict[str, list[tuple]]:
    """Table rows of one document, with every span checked against the article text."""
    a = rec.article
    a.run_id = run_id
    a.retrieved_at = a.retrieved_at or now_iso()
    a.minhash = minhash.tobytes() if minhash is not None else None
    for p in rec.paragraphs:
        p.corpus_duplicate_of = (corpus_dups or {}).get(p.idx)
    out: dict[str, list[tuple]] = {a.TABLE: [as_tuple(a)]}
    for table, rows in rec.rows.items():
        items = out.setdefault(table, [])
        for row in rows:
            _check(a.text, row)
            items.append(as_tuple(row))
    return out


def write_rows(con: duckdb.DuckDBPyConnection, rows: dict[str, list[tuple]]) -> None:
    """Insert rows table by table (inside the caller's transaction). Of rows with the same key the
    first is kept, and a stored row of a table with a primary key is kept."""
    types_by_table = row_types()
    for table, items in rows.items():
        if not items:
            continue
        row_type = types_by_table[table]
        cols = columns(row_type)
        items = _first_per_key(items, [k for k, c in enumerate(cols) if c.name in row_type.PRIMARY_KEY])
        name = f"_accord_rows_{table}"
        select = ", ".join(f'CAST(c{i} AS {c.sql_type}) AS "{c.name}"' for i, c in enumerate(cols))
        names = ", ".join(f'"{c.name}"' for c in cols)
        verb = "INSERT OR IGNORE" if keyed(row_type) else "INSERT"
        _with_frame(con, name, [f"c{i}" for i in range(len(cols))], items,
                    f"{verb} INTO {table} ({names}) SELECT {select} FROM {name}")


def _first_per_key(items: list[tuple], at: list[int]) -> list[tuple]:
    seen: set[tuple] = set()
    out = []
    for item in items:
        key = tuple(item[k] for k in at)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def merge_rows(parts: Iterable[dict[str, list[tuple]]]) -> dict[str, list[tuple]]:
    """Concatenate the rows of several documents per table."""
    out: dict[str, list[tuple]] = {}
    for p in parts:
        for t, items in p.items():
            out.setdefault(t, []).extend(items)
    return out


def linked_scenario(con: duckdb.DuckDBPyConnection, article_id: str) -> tuple[str | None, str | None]:
    """The fingerprint of the scenario the stored article was linked with and the run that stored
    it (``(None, None)`` when it is not stored)."""
    rows = con.execute("SELECT scenario_key, run_id FROM articles WHERE id = ?", [article_id]).fetchall()
    return rows[0] if rows else (None, None)


def _delete_articles(con: duckdb.DuckDBPyConnection, where: str, params: list) -> None:
    """Remove the articles matching ``where`` (a condition on ``articles``), every row extracted
    from them and their corpus index entries (inside the caller's transaction)."""
    chosen = f"SELECT id FROM articles WHERE {where}"
    con.execute(f"DELETE FROM {INDEX_TABLE} WHERE article_id IN ({chosen})", params)
    for table, row_type in row_types().items():
        if table != "articles" and of_articles(row_type):
            con.execute(f"DELETE FROM {table} WHERE article_id IN ({chosen})", params)
    con.execute(f"DELETE FROM articles WHERE {where}", params)


def delete_article(con: duckdb.DuckDBPyConnection, article_id: str) -> None:
    """Remove an article and every row extracted from it (inside the caller's transaction)."""
    _delete_articles(con, "id = ?", [article_id])


ROLL_BACK_MARK = "roll back run "


def mark_for_roll_back(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Record (in ``meta``, inside the caller's transaction) that the run ``run_id`` must be
    rolled back unless it finishes; :func:`finish_run` removes the mark."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [ROLL_BACK_MARK + run_id, run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Remove the roll-back mark of a run that finished (inside the caller's transaction)."""
    con.execute("DELETE FROM meta WHERE key = ?", [ROLL_BACK_MARK + run_id])


def runs_to_roll_back(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of the marked runs that never finished (killed). An ingest holds the database's write
    lock (one in segments, :func:`ingest_lock` between them, which :func:`connect` checks first),
    so a connection that sees one knows that its process is gone."""
    return [r[0] for r in con.execute("SELECT value FROM meta WHERE starts_with(key, ?) ORDER BY value",
                                      [ROLL_BACK_MARK]).fetchall()]


def discard_runs(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> None:
    """Remove, in one transaction, the articles the runs ``run_ids`` added (with their rows), the
    runs themselves and their marks: the database is then as it was before those runs."""
    if not run_ids:
        return
    marks = ", ".join("?" for _ in run_ids)
    con.execute("BEGIN TRANSACTION")
    try:
        _delete_articles(con, f"run_id IN ({marks})", run_ids)
        con.execute(f"DELETE FROM runs WHERE id IN ({marks})", run_ids)
        con.execute(f"DELETE FROM meta WHERE key IN ({marks})", [ROLL_BACK_MARK + r for r in run_ids])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def commit_batch(con: duckdb.DuckDBPyConnection) -> None:
    """Commit what the ingest wrote so far and open the next transaction."""
    con.execute("COMMIT")
    con.execute("BEGIN TRANSACTION")


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every evidence table."""
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables()}


# -- the corpus index ----------------------------------------------------------------------

# What an ingest looks new articles up in (accord.evidence.corpus_index): one row per paragraph
# key hash (kind 0), per paragraph LSH band (kind 1, with the paragraph's span) and per article
# signature band (kind 2), numbered in the order they were added. No primary key: DuckDB holds
# such an index in memory, and the look-ups join a whole batch of keys at once.
INDEX_TABLE = "corpus_index"
INDEX_KINDS = (0, 1, 2)
KEYED_MIN_CHARS = 40  # shorter paragraphs ("Reuters", "Photo: ...") are not looked up by exact key
# Entries kept under a paragraph key or LSH band: its oldest holders, the only ones an ingest looks
# up (accord.evidence.corpus_index writes no more, and a filled-in index keeps no more).
INDEX_PER_KEY = 16
INDEX_COLUMNS = ("kind", "hash", "seq", "article_id", "idx", "start_char", "end_char")
INDEX_SQL = (f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} (kind UTINYINT, hash BIGINT, seq BIGINT, "
             "article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER)")
# Articles whose paragraphs and signatures the fill-in of a missing corpus index reads at once.
FILL_ARTICLES = 1_000
# Ranges of key hashes whose entries past the first ``INDEX_PER_KEY`` the fill-in removes at once.
FILL_HASH_RANGES = 16


def _with_frame(con: duckdb.DuckDBPyConnection, name: str, columns_: Iterable[str], rows: list[tuple], sql: str,
                params: list | None = None, columnar: bool = False) -> Any:
    """Run ``sql`` with ``rows`` registered as the table ``name``; its rows (``columnar``: a dict
    of numpy arrays, one per column, which makes no Python object per row but for text)."""
    import pandas as pd

    con.register(name, pd.DataFrame.from_records(rows, columns=list(columns_)))
    try:
        result = con.execute(sql, params or [])
        out = result.fetchnumpy() if columnar else result.fetchall()
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed statement aborts the transaction: so would this
            con.unregister(name)
        raise
    con.unregister(name)
    return out


def write_index(con: duckdb.DuckDBPyConnection, rows: list[tuple], first_seq: int) -> int:
    """Append corpus index entries ``(kind, hash, article_id, idx, start_char, end_char)``,
    numbered in order from ``first_seq``; the number of the next entry."""
    if rows:
        cols = ", ".join(INDEX_COLUMNS)
        types_ = ("UTINYINT", "BIGINT", "BIGINT", "VARCHAR", "INTEGER", "INTEGER", "INTEGER")
        select = ", ".join(f"CAST({c} AS {t})" for c, t in zip(INDEX_COLUMNS, types_))
        _with_frame(con, "_accord_index_rows", INDEX_COLUMNS,
                    [(*row[:2], first_seq + k, *row[2:]) for k, row in enumerate(rows)],
                    f"INSERT INTO {INDEX_TABLE} ({cols}) SELECT {select} FROM _accord_index_rows")
    return first_seq + len(rows)


INDEX_ENTRY_COLUMNS = ("kind", "hash", "seq", "article_id", "idx", "start_char", "end_char")


def index_entries(con: duckdb.DuckDBPyConnection, keys: list[tuple[int, int]], per_key: int) -> dict[str, np.ndarray]:
    """The entries under each ``(kind, hash)`` of ``keys``, as arrays (:data:`INDEX_ENTRY_COLUMNS`;
    a missing ``idx``, ``start_char`` or ``end_char`` is -1), sorted by kind, hash and age: the
    first ``per_key`` of kind 0 (an exact key; the first is its first holder) and kind 1 (a
    paragraph band), and every one of kind 2 (an article band).

    The database only joins the keys with the index; the sorting and the cut to ``per_key`` are
    done here. Sorting and numbering the rows of each key in the query (a window) needed a
    DuckDB buffer that grows with the table: 24 MB failed and 28 MB passed at 56,000 articles,
    where the join alone passes at 12 MB (docs/methods/evidence.md, "Memory of a long ingest")."""
    if not keys:
        return {c: np.array([], dtype=object if c == "article_id" else np.int64) for c in INDEX_ENTRY_COLUMNS}
    found = _with_frame(con, "_accord_index_keys", ("kind", "hash"), sorted(set(keys)), f"""
        SELECT CAST(c.kind AS BIGINT) AS kind, c.hash, c.seq, c.article_id, coalesce(c.idx, -1) AS idx,
               coalesce(c.start_char, -1) AS start_char, coalesce(c.end_char, -1) AS end_char
        FROM {INDEX_TABLE} c JOIN _accord_index_keys q ON c.kind = CAST(q.kind AS UTINYINT) AND c.hash = q.hash""",
                        columnar=True)
    found = {c: np.asarray(found[c], dtype=object if c == "article_id" else np.int64) for c in INDEX_ENTRY_COLUMNS}
    order = np.lexsort((found["seq"], found["hash"], found["kind"]))
    found = {c: a[order] for c, a in found.items()}
    lo, hi = key_spans(found)
    rank = np.arange(len(found["kind"])) - np.repeat(lo, hi - lo)
    keep = (found["kind"] == 2) | (rank < per_key)
    return {c: a[keep] for c, a in found.items()}


def key_spans(entries: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``[lo, hi)`` of each key's rows in ``entries`` (sorted by kind and hash), in order."""
    kind, h = entries["kind"], entries["hash"]
    cut = np.flatnonzero((kind[1:] != kind[:-1]) | (h[1:] != h[:-1])) + 1
    return np.concatenate(([0], cut)).astype(np.int64), np.concatenate((cut, [len(kind)])).astype(np.int64)


@contextlib.contextmanager
def lookup_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block with DuckDB's limit lowered to what it holds and cannot evict (committed rows
    not yet checkpointed, primary-key indexes, the transaction) plus :data:`LOOKUP_HEADROOM`,
    which first drops the table blocks it keeps; then give the writing connection ``con``
    (:func:`connect`) its :data:`WRITE_MEMORY_LIMIT` back: its writes and commits need it."""
    held = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                       "WHERE tag <> 'BASE_TABLE'").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{min(int(held) + LOOKUP_HEADROOM, size_bytes(WRITE_MEMORY_LIMIT)) // 1024}KiB'")
    failed = True
    try:
        yield
        failed = False
    finally:
        with contextlib.suppress(*((duckdb.Error,) if failed else ())):  # keep the look-up's own error
            con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")


_SIZE_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}


def size_bytes(size: str) -> int:
    """Bytes of a DuckDB size setting such as ``"32MB"`` (1000-based) or ``"24MiB"`` (1024-based)."""
    number = size.rstrip("BbKkMmGgIi ")
    return int(float(number) * _SIZE_UNITS[size[len(number):].strip().upper()])


# Rows of a look-up joined with the articles at a time, at the least. DuckDB builds a join's hash
# table on the side it expects to be smaller: a look-up with more rows than there are articles (a
# fresh process asks for the texts of every candidate paragraph) would have it hold every article's
# text, and a writing connection's memory limit then fails the ingest. A chunk this size, or half
# the stored articles when that is more, keeps it on the look-up.
LOOKUP_CHUNK = 1_000


def paragraph_texts(con: duckdb.DuckDBPyConnection, spans: list[tuple[str, int, int, int]]) -> list[tuple]:
    """``(article_id, idx, text)`` of the stored paragraphs ``(article_id, idx, start_char, end_char)``,
    cut from their articles' texts (offsets in code points, as in Python). The fewer the queries
    the better: each one scans the stored articles (at 50,000 articles, one query for 15,000
    paragraphs took 35 ms where 15 queries of 1,000 took 105 ms)."""
    if not spans:
        return []
    chunk = max(LOOKUP_CHUNK, con.execute("SELECT count(*) FROM articles").fetchall()[0][0] // 2)
    return [row for part in batched(spans, chunk) for row in _with_frame(
        con, "_accord_paragraphs", ("article_id", "idx", "start_char", "end_char"), part,
        "SELECT p.article_id, p.idx, substr(a.text, p.start_char + 1, p.end_char - p.start_char) "
        "FROM _accord_paragraphs p JOIN articles a ON a.id = p.article_id")]


def stored_ids(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> set[str]:
    """The ids among ``article_ids`` of stored articles."""
    return {a for part in batched([(a,) for a in article_ids], LOOKUP_CHUNK) for (a,) in _with_frame(
        con, "_accord_article_ids", ("id",), part,
        "SELECT a.id FROM articles a JOIN _accord_article_ids q ON a.id = q.id")}


def claim_conflicts(con: duckdb.DuckDBPyConnection, claims: list[tuple[str, str, str, float]], leaving: list[str],
                    relative: float, listed: int) -> tuple[dict[str, int], list[tuple[str, str, str, float]]]:
    """For the new claims ``(id, quantity_type, referent_key, value)`` (finite values), what the
    stored claims under the same keys (but those of the articles ``leaving``) hold: per claim id,
    how many stored values are more than ``relative`` apart from its value (relative to the larger
    magnitude; claims with none are left out); and ``(quantity_type, referent_key, id, value)`` of
    the ``listed`` lowest (equal values by id) and the ``listed`` highest (the same) stored values
    of each key. Non-finite stored values are left out of both."""
    stored = ("FROM claims c JOIN {q} q ON c.quantity_type = q.quantity_type AND c.referent_key = q.referent_key "
              "WHERE isfinite(c.value) AND NOT list_contains(CAST(? AS VARCHAR[]), c.article_id)")
    counts = _with_frame(con, "_accord_claim_queries", ("id", "quantity_type", "referent_key", "value"), claims,
                         "SELECT q.id, count(*) " + stored.format(q="_accord_claim_queries")
                         + " AND abs(q.value - c.value) > ? * greatest(abs(q.value), abs(c.value)) GROUP BY q.id",
                         [leaving, relative])
    keys = sorted({(qtype, key) for _, qtype, key, _ in claims})
    extremes = _with_frame(con, "_accord_claim_keys", ("quantity_type", "referent_key"), keys, f"""
        SELECT quantity_type, referent_key, id, value FROM (
            SELECT c.quantity_type, c.referent_key, c.id, c.value,
                   row_number() OVER (PARTITION BY c.quantity_type, c.referent_key ORDER BY c.value, c.id) AS low,
                   row_number() OVER (PARTITION BY c.quantity_type, c.referent_key ORDER BY c.value DESC, c.id) AS high
            {stored.format(q="_accord_claim_keys")}) WHERE low <= ? OR high <= ?""", [leaving, listed, listed])
    return {cid: int(n) for cid, n in counts}, [(qtype, key, cid, float(value)) for qtype, key, cid, value in extremes]


# Claims stored before ``claims.referent_key`` existed that a writing connection gives their key at once.
FILL_CLAIMS = 10_000


def _fill_referent_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Give the claims stored before ``claims.referent_key`` existed their key, ``FILL_CLAIMS`` at
    a time (each part committed: a fill that stops half-way goes on at the next connection)."""
    from accord.evidence.claims import referent_key

    while todo := con.execute("SELECT id, referent FROM claims WHERE referent IS NOT NULL AND referent_key IS NULL "
                              f"LIMIT {FILL_CLAIMS}").fetchall():  # any of them: no sort of the whole table
        _with_frame(con, "_accord_claim_keys", ("id", "referent_key"),
                    [(cid, referent_key(ref)) for cid, ref in todo],
                    "UPDATE claims SET referent_key = q.referent_key FROM _accord_claim_keys q WHERE claims.id = q.id")


def signatures(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> list[tuple[str, bytes]]:
    """``(id, MinHash signature bytes)`` of the stored articles ``article_ids``."""
    return [row for part in batched([(a,) for a in article_ids], LOOKUP_CHUNK) for row in _with_frame(
        con, "_accord_article_ids", ("id",), part,
        "SELECT a.id, a.minhash FROM articles a JOIN _accord_article_ids q ON a.id = q.id "
        "WHERE a.minhash IS NOT NULL")]


def _create_index(con: duckdb.DuckDBPyConnection) -> None:
    """Create the corpus index and fill it from the stored paragraphs and articles (a database
    written before the index existed), in one transaction, in the order an ingest would have
    added them: by article id. The rows are read ``FILL_ARTICLES`` articles at a time: one sorted
    read of a large database's paragraphs would need more than a writing connection's memory."""
    reader = con.cursor()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(INDEX_SQL)
        ranges = [(part[0], part[-1]) for part in batched(
            [a for (a,) in reader.execute("SELECT id FROM articles ORDER BY id").fetchall()], FILL_ARTICLES)]
        seq = 0
        for lo, hi in ranges:
            rows: list[tuple] = []
            for key_hash, chars, bands, aid, idx, start, end in reader.execute(
                    "SELECT key_hash, chars, bands, article_id, idx, start_char, end_char FROM paragraphs "
                    f"WHERE article_id BETWEEN ? AND ? AND ((key_hash IS NOT NULL AND chars >= {KEYED_MIN_CHARS}) "
                    "OR bands IS NOT NULL) ORDER BY article_id, idx", [lo, hi]).fetchall():
                if key_hash is not None and chars >= KEYED_MIN_CHARS:
                    rows.append((0, minhash.key64(key_hash), aid, idx, None, None))
                rows.extend((1, minhash.key64(b), aid, idx, start, end) for b in json.loads(bands or "[]"))
            seq = write_index(con, rows, seq)
        for lo, hi in ranges:
            rows = [(2, h, aid, None, None, None) for aid, blob in reader.execute(
                "SELECT id, minhash FROM articles WHERE id BETWEEN ? AND ? AND minhash IS NOT NULL ORDER BY id",
                [lo, hi]).fetchall() for h in minhash.article_bands(np.frombuffer(blob, dtype=np.uint32))]
            seq = write_index(con, rows, seq)
        step = 2**64 // FILL_HASH_RANGES  # the keys' hashes are spread evenly over the BIGINTs
        for lo in range(-(2**63), 2**63, step):
            con.execute(f"""DELETE FROM {INDEX_TABLE} WHERE seq IN (
                SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY kind, hash ORDER BY seq) AS k
                                 FROM {INDEX_TABLE} WHERE kind < 2 AND hash BETWEEN ? AND ?) WHERE k > ?)""",
                        [lo, min(lo + step, 2**63) - 1, INDEX_PER_KEY])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        reader.close()
