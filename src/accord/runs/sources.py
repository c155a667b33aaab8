"""Where a command finds a run result: a ``result.json`` file, or a saved run's id in an evidence database."""

from __future__ import annotations

from pathlib import Path

from accord.errors import InputError
from accord.io import read_json
from accord.result import RunResult, load_result
from accord.runs.store import load_run


def result_from(source: str | Path, db: str | Path) -> tuple[RunResult, str]:
    """The run result ``source`` names, and a short label of it: an existing file is read as ``result.json``,
    anything else is looked up as a saved run id in ``db``."""
    path = Path(source)
    if path.is_file():
        return load_result(read_json(path), file=str(path)), path.name
    if path.suffix.lower() == ".json":
        raise InputError("no such file", file=str(path))
    saved = load_run(db, str(source))
    if saved.result is None:
        raise InputError(f"saved run {saved.id} has no result", file=str(db), field="ID")
    return saved.result, f"run {saved.id}"
