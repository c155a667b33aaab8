"""accord export: every report table as CSV and as an Excel workbook, read back equal to the run result."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accord.cases import load_case
from accord.errors import InputError
from accord.report.export import export_tables, report_tables
from accord.result import Agreement
from accord.runs import save_run
from accord.runs.sources import scenario_result
from accord.scenario.io import load_scenario

TABLES = ["terms", "changes", "positions", "forecasts_2026-06-15", "bdm", "exchanges", "packages", "bargaining",
          "ratification", "ratification_stages", "truce", "shifts", "statements", "claims", "articles", "suggestions",
          "quality", "track_record", "track_cells", "reliability", "direction"]


def _forecast_cells(result):
    """(issue, model) -> (forecast, sim 5%, sim median, sim 95%) from the run result itself."""
    sims = result.intervals()
    out = {}
    for model, values in result.forecasts_at().items():
        for issue, value in values.items():
            s = sims.get(model, {}).get(issue)
            out[(issue, model)] = (value, *((s.q05, s.q50, s.q95) if s else (None, None, None)))
    return out


def _number(text: str):
    return None if text == "" else float(text)


def test_the_report_tables_of_the_fixture(result) -> None:
    tables = report_tables(result)
    assert [t.name for t in tables] == TABLES
    assert len({t.name[:31] for t in tables}) == len(tables)  # sheet names are unique within Excel's 31 characters
    assert all(t.name.replace("_", "").replace("-", "").isalnum() for t in tables)


def test_csv_read_back_equals_the_run_result(result, tmp_path: Path) -> None:
    files = export_tables(result, "csv", tmp_path)
    assert [f.name for f in files] == [f"{t}.csv" for t in TABLES]
    assert not list(tmp_path.glob(".*"))  # no temporary file left
    with (tmp_path / "forecasts_2026-06-15.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expect = _forecast_cells(result)
    got = {(r["issue"], r["model"]): tuple(_number(r[k]) for k in ("forecast", "sim_q05", "sim_median", "sim_q95"))
           for r in rows}
    assert got == {k: v for k, v in expect.items() if k[1] in {m for _, m in got}}
    assert len(got) == 90
    with (tmp_path / "track_record.csv").open(encoding="utf-8", newline="") as fh:
        assert {r["scorer"]: float(r["brier"]) for r in csv.DictReader(fh)} == {
            s.scorer: s.brier for s in result.track_record.scores}


def test_agreements_are_the_first_table(result, tmp_path: Path) -> None:
    deal = Agreement(event="deal", question="A deal by June", kind="package", origin=dt.date(2025, 11, 20),
                     deadline=dt.date(2026, 6, 15), probability=0.125, mc_error=0.0104, reason="given terms")
    [first, *_] = report_tables(result.model_copy(update={"agreements": [deal]}))
    assert first.name == "agreements"
    row = dict(zip(first.columns, first.rows[0]))
    assert (row["event"], row["deadline"], row["probability"], row["mc_error"]) == ("deal", "2026-06-15", 0.125, 0.0104)
    # each family's probability alone gets its own column; an event without it leaves the cell empty
    split = deal.model_copy(update={"by_family": {"nash": 0.2, "bdm": 0.05}})
    [first, *_] = report_tables(result.model_copy(update={"agreements": [deal, split]}))
    assert first.columns[-2:] == ("p_bdm", "p_nash") and "by_family" not in first.columns
    rows = [dict(zip(first.columns, r)) for r in first.rows]
    assert [(r["p_bdm"], r["p_nash"]) for r in rows] == [(None, None), (0.05, 0.2)]


def test_xlsx_read_back_equals_the_run_result(result, tmp_path: Path) -> None:
    [book_path] = export_tables(result, "xlsx", tmp_path)
    book = load_workbook(book_path, read_only=True)
    assert book.sheetnames == TABLES
    rows = list(book["forecasts_2026-06-15"].iter_rows(values_only=True))
    head = rows[0]
    got = {(r[head.index("issue")], r[head.index("model")]):
           tuple(r[head.index(k)] for k in ("forecast", "sim_q05", "sim_median", "sim_q95")) for r in rows[1:]}
    expect = _forecast_cells(result)
    assert got == {k: expect[k] for k in got} and len(got) == 90
    ratification = list(book["ratification"].iter_rows(values_only=True))
    assert [r[4] for r in ratification[1:]] == [v.probability for v in result.packages.ratification]


def test_text_that_looks_like_a_formula_stays_text(result, tmp_path: Path) -> None:
    result = result.model_copy(deep=True)
    result.exchanges[0].text = "=HYPERLINK(\"http://x\")"
    export_tables(result, "csv", tmp_path)
    [book_path] = export_tables(result, "xlsx", tmp_path)
    assert "'=HYPERLINK" in (tmp_path / "exchanges.csv").read_text(encoding="utf-8")
    sheet = load_workbook(book_path)["exchanges"]
    cell = next(c for c in sheet["F"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


@pytest.mark.parametrize(("case", "date"), [("ukraine", "2026-02-28"), ("colombia", "2016-11-24")])
def test_bundled_cases_export_their_forecasts(case: str, date: str, tmp_path: Path) -> None:
    scenario = load_scenario(load_case(case).scenario_path)
    result = scenario_result(scenario, dt.date.fromisoformat(date), ["compromise", "weighted-median"])
    [book_path] = export_tables(result, "xlsx", tmp_path)
    sheet = load_workbook(book_path, read_only=True)[f"forecasts_{date}"]
    rows = list(sheet.iter_rows(values_only=True))
    got = {(r[0], r[2]): r[3] for r in rows[1:]}
    expect = {(i, m): v for m, values in result.forecasts_at().items() for i, v in values.items()}
    # openpyxl writes 16 significant digits (Excel itself keeps 15): equal to that precision
    assert got == pytest.approx(expect, rel=1e-15, abs=0)
    export_tables(result, "csv", tmp_path)
    with (tmp_path / f"forecasts_{date}.csv").open(encoding="utf-8", newline="") as fh:
        exact = {(r["issue"], r["model"]): _number(r["forecast"]) for r in csv.DictReader(fh)}
    assert exact == expect  # CSV keeps every digit
    positions = list(load_workbook(book_path, read_only=True)["positions"].iter_rows(values_only=True))
    assert len(positions) - 1 == len(result.scenario.positions)


def test_unknown_format_and_cli_export_of_a_saved_run(cli, result, case_folder: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--format: unknown export format 'pdf'"):
        export_tables(result, "pdf", tmp_path)
    db = tmp_path / "evidence.duckdb"
    saved = save_run(db, result, case_folder)
    code, out, _ = cli("export", saved.id, "--db", str(db), "-f", "xlsx", "-o", str(tmp_path / "x"))
    assert code == 0 and f"run {saved.id}: 1 file written" in out
    assert load_workbook(tmp_path / "x" / "report.xlsx", read_only=True).sheetnames == TABLES
