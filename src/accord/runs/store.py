"""The ``saved_runs`` table of the evidence database: one row per distinct run of a case.

A run is identified by what determines its result: the content hash of its input files (every file
of the case folder, and a market price file if one was given) and its parameters (models, seed,
draws, dates, accord version). The same inputs and parameters give the same run id: running again
does not add a row, it counts the repeat (``times_run``, ``last_run_at``) and keeps the result first
recorded. Writes happen in one transaction; a failure leaves the store as it was. See docs/formats.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from accord.analysis.compare import ValueRow
from accord.errors import InputError
from accord.evidence import store
from accord.result import RunResult, load_result

TABLE = "saved_runs"
#: Version of the ``saved_runs`` table's layout, kept in the ``meta`` table under ``SCHEMA_KEY``.
SCHEMA_VERSION = 1
SCHEMA_KEY = "saved_runs_schema_version"
#: Characters of the run id (hex digits of a SHA-256).
ID_LENGTH = 12

CREATE_SQL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id VARCHAR PRIMARY KEY,
    case_id VARCHAR NOT NULL,
    first_run_at VARCHAR NOT NULL,
    last_run_at VARCHAR NOT NULL,
    times_run INTEGER NOT NULL,
    inputs_hash VARCHAR NOT NULL,
    inputs VARCHAR NOT NULL,
    params VARCHAR NOT NULL,
    result VARCHAR NOT NULL
)"""
COLUMNS = ("id", "case_id", "first_run_at", "last_run_at", "times_run", "inputs_hash", "inputs", "params", "result")


@dataclass
class SavedRun:
    """One saved run: its id, when it ran, its inputs (file -> SHA-256), parameters and result."""

    id: str
    case_id: str
    first_run_at: str
    last_run_at: str
    times_run: int
    inputs_hash: str
    inputs: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    result: RunResult | None = None
    new: bool = False

    def summary(self) -> dict[str, Any]:
        """The row as ``accord runs list`` shows it."""
        return {"id": self.id, "case": self.case_id, "as_of": self.params.get("as_of"),
                "compare": ", ".join(self.params.get("compare", [])), "models": len(self.params.get("models", [])),
                "draws": self.params.get("draws"), "seed": self.params.get("seed"),
                "first_run": self.first_run_at[:16].replace("T", " "), "times_run": self.times_run}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def input_hashes(case_folder: str | Path, extra: Sequence[str | Path] = (), skip: Sequence[str | Path] = ()) -> dict[str, str]:
    """SHA-256 of every input file: the case folder's files by relative path (hidden files, Python caches and
    the folders in ``skip`` that lie inside it, such as a run's output folder, left out), then each extra file as
    ``extra:<name>``."""
    folder = Path(case_folder)
    root = folder.resolve()
    skipped = [s for s in (Path(x).resolve() for x in skip) if s != root and s.is_relative_to(root)]
    out: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or \
                any(path.resolve().is_relative_to(s) for s in skipped):
            continue
        out[rel.as_posix()] = _file_hash(path)
    for path in extra:
        out[f"extra:{Path(path).name}"] = _file_hash(Path(path))
    return out


def _file_hash(path: Path) -> str:
    """The SHA-256 of a file's content, or ``unreadable: <reason>`` (the run has reported the file already)."""
    try:
        return _sha256(path.read_bytes())
    except OSError as exc:
        return f"unreadable: {exc.strerror or type(exc).__name__}"


def run_params(result: RunResult) -> dict[str, Any]:
    """The parameters that, with the inputs, determine a run's result."""
    sim = result.simulation
    return {"models": list(result.models), "as_of": result.case.as_of.isoformat(),
            "compare": [d.isoformat() for d in result.case.compare],
            "draws": sim.draws if sim else None, "seed": sim.seed if sim else None, "version": result.case.version}


def run_id(inputs_hash: str, params: dict[str, Any]) -> str:
    """The id of a run: a hash of its inputs' hash and its parameters."""
    return _sha256(_canonical({"inputs": inputs_hash, "params": params}).encode())[:ID_LENGTH]


@contextlib.contextmanager
def _transaction(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction: committed at the end, rolled back on any error, always closed."""
    con = store.connect(db)
    try:
        with store.rolled_back_on_error(con, f"{db}: cannot save the run", "the store is left as it was"):
            con.execute("BEGIN TRANSACTION")
            yield con
            con.execute("COMMIT")
    finally:
        with contextlib.suppress(Exception):
            con.close()


def _ensure_table(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    con.execute(CREATE_SQL)
    row = con.execute("SELECT value FROM meta WHERE key = ?", [SCHEMA_KEY]).fetchone()
    if row is not None and row[0] != str(SCHEMA_VERSION):
        raise InputError(f"saved runs written by another accord (table layout {row[0]}, this accord reads "
                         f"{SCHEMA_VERSION})", file=str(db), field=TABLE)
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [SCHEMA_KEY, str(SCHEMA_VERSION)])


def save_run(db: str | Path, result: RunResult, case_folder: str | Path,
             extra_inputs: Sequence[str | Path] = ()) -> SavedRun:
    """Record ``result`` in ``db`` (created if missing) and return the saved run (``new`` False for a repeat).

    The inputs are the files of ``case_folder`` (less the folder of ``db``) and ``extra_inputs``."""
    path = Path(db)
    inputs = input_hashes(case_folder, extra_inputs, skip=[path.parent])
    inputs_hash = _sha256(_canonical(inputs).encode())
    params = run_params(result)
    rid = run_id(inputs_hash, params)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with _transaction(path) as con:
        _ensure_table(con, path)
        seen = con.execute(f"SELECT times_run FROM {TABLE} WHERE id = ?", [rid]).fetchone()
        if seen:
            con.execute(f"UPDATE {TABLE} SET times_run = times_run + 1, last_run_at = ? WHERE id = ?", [now, rid])
        else:
            con.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                        [rid, result.case.id, now, now, inputs_hash, _canonical(inputs), _canonical(params),
                         result.model_dump_json()])
    return load_run(path, rid, with_result=False) if seen else SavedRun(
        id=rid, case_id=result.case.id, first_run_at=now, last_run_at=now, times_run=1, inputs_hash=inputs_hash,
        inputs=inputs, params=params, result=result, new=True)


def _read(db: str | Path) -> duckdb.DuckDBPyConnection:
    con = store.connect(db, read_only=True)
    have = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]).fetchone()
    if not have or not have[0]:
        con.close()
        raise InputError("no saved runs in this database (accord run saves them)", file=str(db))
    return con


def _record(row: tuple, db: str | Path, with_result: bool) -> SavedRun:
    data = dict(zip(COLUMNS, row))
    try:
        inputs, params = json.loads(data["inputs"]), json.loads(data["params"])
        payload = json.loads(data["result"]) if with_result else None
    except json.JSONDecodeError:
        raise InputError(f"saved run {data['id']} is damaged (unreadable JSON)", file=str(db), field=TABLE) from None
    result = load_result(payload, file=f"{db}:{TABLE}:{data['id']}") if with_result else None
    return SavedRun(id=data["id"], case_id=data["case_id"], first_run_at=data["first_run_at"],
                    last_run_at=data["last_run_at"], times_run=data["times_run"], inputs_hash=data["inputs_hash"],
                    inputs=inputs, params=params, result=result)


def list_runs(db: str | Path) -> list[SavedRun]:
    """Every saved run of ``db`` (without results), oldest first."""
    con = _read(db)
    try:
        cols = ", ".join(c if c != "result" else "'' AS result" for c in COLUMNS)
        rows = con.execute(f"SELECT {cols} FROM {TABLE} ORDER BY first_run_at, id").fetchall()
    finally:
        con.close()
    return [_record(r, db, with_result=False) for r in rows]


def load_run(db: str | Path, rid: str, *, with_result: bool = True) -> SavedRun:
    """The saved run whose id is ``rid`` or starts with it; InputError for no match or several."""
    text = str(rid).strip().lower()
    if not text or any(c not in "0123456789abcdef" for c in text):
        raise InputError(f"not a run id: {rid!r} (hex digits, as 'accord runs list' shows)", field="ID")
    con = _read(db)
    try:
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE starts_with(id, ?) ORDER BY id",
                           [text]).fetchall()
    finally:
        con.close()
    if not rows:
        raise InputError(f"no saved run {rid!r}", file=str(db), field="ID")
    if len(rows) > 1:
        raise InputError(f"{rid!r} matches {len(rows)} saved runs; give more digits", file=str(db), field="ID")
    return _record(rows[0], db, with_result)


def saved_differences(x: SavedRun, y: SavedRun) -> list[ValueRow]:
    """Input files (first 16 digits of their SHA-256, or absent) and parameters that differ between two saved runs."""
    rows = [ValueRow("input file", k, (x.inputs.get(k) or "absent")[:16], (y.inputs.get(k) or "absent")[:16])
            for k in sorted({*x.inputs, *y.inputs}) if x.inputs.get(k) != y.inputs.get(k)]
    return rows + [ValueRow("parameter", k, _canonical(x.params.get(k)), _canonical(y.params.get(k)))
                   for k in dict.fromkeys([*x.params, *y.params]) if x.params.get(k) != y.params.get(k)]
