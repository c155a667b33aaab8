"""Saved runs: every ``accord run`` recorded in the case's DuckDB store, to list, show and compare later.

``save_run`` records one run (inputs' content hash, parameters, the typed result);
``list_runs`` and ``load_run`` read them back. See docs/formats.md (the ``saved_runs`` table).
"""

from accord.runs.store import SavedRun, list_runs, load_run, save_run

__all__ = ["SavedRun", "list_runs", "load_run", "save_run"]
