"""Saved variants of a case: named edited scenarios in a DuckDB file, and scenario files written as YAML.

A variant row keeps the edited scenario (as YAML text), the edits that made it and their
differences to the case's scenario, so it can be reloaded, shared or diffed later. Both
the database and the YAML files live in the workbench's output folder, never elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.io import atomic_write_text, load_yaml_with_lines
from accord.scenario.io import dumps_scenario, scenario_differences
from accord.scenario.model import Scenario
from accord.scenario.yaml_io import scenario_from_data

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
DB_FILE = "workbench.duckdb"


def check_name(name: Any) -> str:
    """A variant or file name: letters, digits, ``-`` and ``_``, 1 to 64 characters (so never a path)."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise InputError("use 1-64 letters, digits, '-' or '_', starting with a letter or digit", field="name")
    return name


def inside(folder: Path, path: Path) -> Path:
    """``path`` resolved, or :class:`InputError` when it lies outside ``folder``."""
    resolved = path.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise InputError("refused: the path lies outside the output folder", field="name")
    return resolved


def save_yaml(scenario: Scenario, out: Path, name: str) -> Path:
    """Write the scenario atomically as ``<out>/scenarios/<name>.yaml`` and return the path."""
    folder = out / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(inside(out, folder / f"{check_name(name)}.yaml"), dumps_scenario(scenario, "yaml"))


@dataclass(frozen=True)
class Variant:
    """A saved variant: its name, case, as-of date, edits, differences and the scenario text."""

    name: str
    case: str
    as_of: dt.date
    saved_at: str
    edits: list[dict[str, Any]]
    diff: list[str]
    yaml: str

    def scenario(self) -> Scenario:
        """The variant's edited scenario."""
        where = f"variant {self.name}"
        data, lines = load_yaml_with_lines(self.yaml, where)
        return scenario_from_data(data, lines, where)


class VariantStore:
    """The ``variants`` table of the workbench's DuckDB file (one connection, used under a lock)."""

    def __init__(self, out: Path) -> None:
        import duckdb

        self.path = inside(out, out / DB_FILE)
        self._lock = threading.Lock()
        self._db = duckdb.connect(str(self.path))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS variants (name VARCHAR, case_name VARCHAR, as_of DATE, saved_at VARCHAR, "
            "edits VARCHAR, diff VARCHAR, scenario VARCHAR, PRIMARY KEY (case_name, name))"
        )

    def save(self, name: str, case: str, as_of: dt.date, edits: list[dict[str, Any]], original: Scenario,
             edited: Scenario) -> Variant:
        """Store (or replace) a variant in one transaction."""
        variant = Variant(check_name(name), case, as_of, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                          edits, scenario_differences(original, edited), dumps_scenario(edited, "yaml"))
        with self._lock:
            self._db.execute("BEGIN TRANSACTION")
            try:
                self._db.execute("DELETE FROM variants WHERE case_name = ? AND name = ?", [case, variant.name])
                self._db.execute("INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [variant.name, case, as_of, variant.saved_at, json.dumps(edits),
                                  json.dumps(variant.diff), variant.yaml])
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise
        return variant

    def names(self, case: str) -> list[dict[str, Any]]:
        """Saved variants of a case, newest first: name, as-of date, time saved and number of differences."""
        with self._lock:
            rows = self._db.execute("SELECT name, as_of, saved_at, diff FROM variants WHERE case_name = ? "
                                    "ORDER BY saved_at DESC, name", [case]).fetchall()
        return [{"name": n, "as_of": a.isoformat(), "saved_at": s, "changes": len(json.loads(d))} for n, a, s, d in rows]

    def get(self, case: str, name: str) -> Variant:
        """One variant, or :class:`InputError` when there is none of that name."""
        with self._lock:
            row = self._db.execute("SELECT name, case_name, as_of, saved_at, edits, diff, scenario FROM variants "
                                   "WHERE case_name = ? AND name = ?", [case, check_name(name)]).fetchone()
        if row is None:
            raise InputError(f"no saved variant {name!r} of case {case!r}", field="variant")
        n, c, a, s, e, d, y = row
        return Variant(n, c, a, s, json.loads(e), json.loads(d), y)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
