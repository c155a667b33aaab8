"""``accord runs list|show``: saved runs on the terminal and as JSON; bad ids and stores are one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from accord.runs import save_run


def test_list_and_show_print_the_saved_run(cli, tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    saved = save_run(db, result, case_folder)
    save_run(db, result, case_folder)
    code, out, _ = cli("runs", "list", "--db", str(db), "-f", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row | {"first_run": None} == {"id": saved.id, "case": "ukraine", "as_of": "2026-06-15", "compare": "",
                                         "models": 6, "draws": 1000, "seed": 0, "first_run": None, "times_run": 2}
    code, out, _ = cli("runs", "show", saved.id[:6], "--db", str(db), "-f", "json")
    record = json.loads(out)
    assert code == 0 and record["inputs"] == saved.inputs and record["params"] == saved.params
    assert record["result"]["forecasts"][0]["values"]["bdm"] == result.forecasts_at()["bdm"]
    code, out, _ = cli("runs", "show", saved.id, "--db", str(db))
    assert code == 0 and f"Run {saved.id}" in out and "scenario.yaml" in out


def test_bad_id_and_bad_store_are_one_line_exit_2(cli, tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    save_run(db, result, case_folder)
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database\n", encoding="utf-8")
    for args, text in ((("runs", "show", "0000", "--db", str(db)), "no saved run '0000'"),
                       (("runs", "show", "xyz", "--db", str(db)), "not a run id: 'xyz'"),
                       (("runs", "list", "--db", str(bad)), "cannot open database"),
                       (("runs", "list", "--db", str(tmp_path / "none.duckdb")), "no such evidence database")):
        code, out, err = cli(*args)
        assert (code, out) == (2, ""), args
        assert err.count("\n") == 1 and text in err and "Traceback" not in err
    assert bad.read_text(encoding="utf-8") == "not a database\n"


def test_diff_shows_changed_files_parameters_and_forecasts(cli, tmp_path: Path, result, case_folder: Path) -> None:
    db = tmp_path / "evidence.duckdb"
    first = save_run(db, result, case_folder)
    (case_folder / "scenario.yaml").write_text("id: y\n", encoding="utf-8")
    moved = result.model_copy(deep=True)
    moved.forecasts[0].values["bdm"]["nato"] = 12.5
    moved.simulation.draws = 200
    second = save_run(db, moved, case_folder)
    code, out, _ = cli("runs", "diff", first.id, second.id, "--db", str(db), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert [(r["what"], r["item"]) for r in data["files"]] == [("input file", "scenario.yaml"), ("parameter", "draws")]
    assert data["files"][1]["before"] == "1000" and data["files"][1]["after"] == "200"
    nato = next(r for r in data["forecasts"] if (r["what"], r["item"]) == ("bdm", "nato"))
    assert (nato["before"], nato["after"]) == (result.forecasts_at()["bdm"]["nato"], 12.5)
    assert nato["change"] == 12.5 - result.forecasts_at()["bdm"]["nato"]
    assert data["inputs"] == []
    code, out, _ = cli("runs", "diff", first.id, second.id, "--db", str(db))
    assert code == 0 and "Input files and parameters" in out and "scenario.yaml" in out
    code, _, err = cli("runs", "diff", first.id, "ffff", "--db", str(db))
    assert code == 2 and "no saved run 'ffff'" in err
