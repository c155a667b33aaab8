"""Saved runs: one row per distinct inputs and parameters, in one transaction, read back exactly."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from accord.errors import InputError
from accord.runs import list_runs, load_run, save_run
from accord.runs import store as runs_store


def test_a_saved_run_reads_back_with_its_inputs_params_and_result(tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    saved = save_run(db, result, case_folder)
    assert saved.new and saved.times_run == 1 and len(saved.id) == 12
    assert saved.inputs == {"articles/a.txt": hashlib.sha256(b"text\n").hexdigest(),
                            "scenario.yaml": hashlib.sha256(b"id: x\n").hexdigest()}
    assert saved.params == {"models": ["compromise", "mean", "weighted-median", "nash", "bdm", "exchange"],
                            "as_of": "2026-06-15", "compare": [], "draws": 1000, "seed": 0, "version": "0.1.0"}
    back = load_run(db, saved.id)
    assert back.result == result
    assert back.result.forecasts_at()["bdm"] == result.forecasts_at()["bdm"]
    assert [r.id for r in list_runs(db)] == [saved.id]


def test_same_inputs_and_params_give_the_same_id_and_count_the_repeat(tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    first = save_run(db, result, case_folder)
    again = save_run(db, result, case_folder)
    assert (again.id, again.new, again.times_run) == (first.id, False, 2)
    assert len(list_runs(db)) == 1


def test_a_changed_input_file_or_parameter_makes_a_new_run(tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    first = save_run(db, result, case_folder)
    (case_folder / "articles" / "a.txt").write_text("other text\n", encoding="utf-8")
    second = save_run(db, result, case_folder)
    third = save_run(db, result.model_copy(update={"models": ["mean"]}), case_folder)
    assert len({first.id, second.id, third.id}) == 3
    assert second.inputs_hash != first.inputs_hash and third.inputs_hash == second.inputs_hash
    assert [r.times_run for r in list_runs(db)] == [1, 1, 1]


def test_a_failed_write_rolls_back_and_leaves_the_store_intact(tmp_path: Path, result, case_folder: Path,
                                                               monkeypatch) -> None:
    db = tmp_path / "evidence.duckdb"
    kept = save_run(db, result, case_folder)

    def broken(con, path):
        con.execute(runs_store.CREATE_SQL)
        con.execute(f"INSERT INTO {runs_store.TABLE} SELECT 'half', * EXCLUDE (id) FROM {runs_store.TABLE}")
        raise duckdb.IOException("could not write: no space left on device")

    monkeypatch.setattr(runs_store, "_ensure_table", broken)
    (case_folder / "scenario.yaml").write_text("id: y\n", encoding="utf-8")
    with pytest.raises(runs_store.store.StoreWriteError, match="cannot save the run .*left as it was"):
        save_run(db, result, case_folder)
    assert [r.id for r in list_runs(db)] == [kept.id]


def test_bad_ids_and_missing_tables_are_one_line_input_errors(tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    with pytest.raises(InputError, match="no such evidence database"):
        list_runs(db)
    saved = save_run(db, result, case_folder)
    assert saved.id == "9787dfea56ff"  # SHA-256 of the inputs' hash and the parameters, cut to 12 digits
    assert load_run(db, "9787D").id == saved.id
    with pytest.raises(InputError, match="ID: not a run id: 'zz'"):
        load_run(db, "zz")
    with pytest.raises(InputError, match="evidence.duckdb: ID: no saved run 'abc'"):
        load_run(db, "abc")


def test_a_store_locked_by_another_process_is_one_line_and_left_intact(tmp_path: Path, result,
                                                                        case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    kept = save_run(db, result, case_folder)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        (case_folder / "scenario.yaml").write_text("id: y\n", encoding="utf-8")
        with pytest.raises(InputError, match="cannot open database") as err:
            save_run(db, result, case_folder)
        assert "\n" not in str(err.value)
    finally:
        holder.communicate(b"\n", timeout=30)
    assert [r.id for r in list_runs(db)] == [kept.id]


#: Holds a write connection (and so DuckDB's file lock) until a line arrives on stdin.
HOLD_LOCK = "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); sys.stdin.readline()"


def test_a_damaged_result_is_reported_not_raised(tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    saved = save_run(db, result, case_folder)
    con = duckdb.connect(str(db))
    con.execute(f"UPDATE {runs_store.TABLE} SET result = ? WHERE id = ?", [json.dumps({"case": {}}), saved.id])
    con.close()
    with pytest.raises(InputError, match=f"{runs_store.TABLE}:{saved.id}: case.id"):
        load_run(db, saved.id)


def test_an_output_folder_inside_the_case_is_not_an_input(tmp_path: Path, result, case_folder: Path) -> None:
    db = case_folder / "out" / "evidence.duckdb"
    db.parent.mkdir()
    first = save_run(db, result, case_folder)
    again = save_run(db, result, case_folder)
    assert sorted(first.inputs) == ["articles/a.txt", "scenario.yaml"]
    assert (again.id, again.times_run) == (first.id, 2)


def test_a_missing_extra_input_is_recorded_as_unreadable(tmp_path: Path, result, case_folder: Path) -> None:
    saved = save_run(tmp_path / "evidence.duckdb", result, case_folder, [tmp_path / "markets.csv"])
    assert saved.inputs["extra:markets.csv"] == "unreadable: No such file or directory"
