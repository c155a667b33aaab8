"""The report's tables as data: CSV files (one per table) or an Excel workbook (one sheet per table).

``report_tables`` lists every table of the report, built from the same view model the HTML and
Markdown reports render (``accord.report.context.build_context``), so the numbers are the report's,
unrounded. Positions are on 0–100, probabilities on 0–1, a missing number is an empty cell.
See docs/report.md (Export).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.io import atomic_write_text
from accord.report.context import build_context, solution_name
from accord.result import RunResult, load_result

EXPORT_FORMATS = ("csv", "xlsx")
WORKBOOK_NAME = "report.xlsx"
#: A text cell starting with one of these would be read as a formula by a spreadsheet; CSV writes it after an
#: apostrophe (the workbook stores it as text, unchanged).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: a file-safe name (also the sheet name), its title, columns and rows."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _cell(value: Any) -> Any:
    """A cell value: numbers and booleans as they are, dates as ISO text, lists joined by '; '."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(str(_cell(v)) for v in value)
    return value


def _table(name: str, title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> ReportTable:
    cols = tuple(columns if columns is not None else (rows[0] if rows else ()))
    return ReportTable(name, title, cols, tuple(tuple(_cell(r.get(c)) for c in cols) for r in rows))


def _sources(items: Iterable[Mapping[str, Any]]) -> list[str]:
    return [" ".join(str(x) for x in (s.get("outlet"), s.get("url") or "", f"({s['date']})" if s.get("date") else "")
                     if x) for s in items]


def _forecast_tables(ctx: Mapping[str, Any]) -> list[ReportTable]:
    ft = ctx["forecast_table"]
    if ft is None:
        return []
    out = []
    for table in ft["tables"]:
        rows = [{"issue": r["issue"], "title": r["title"], "model": c["model"], "forecast": c["value"],
                 "label": c["label"], "sim_q05": c["q05"], "sim_median": c["q50"], "sim_q95": c["q95"],
                 "status_quo": r["status_quo"]} for r in table["rows"] for c in r["cells"]]
        out.append(_table(f"forecasts_{table['date'].isoformat()}", f"Forecasts by model as of {table['date']}", rows))
    return out


def _package_tables(ctx: Mapping[str, Any]) -> list[ReportTable]:
    pk = ctx["packages"]
    out = []
    if pk is not None:
        counts = [{"quantity": k, "value": pk[k]} for k in ("n_packages", "n_acceptable", "n_frontier", "acceptable_to_all")]
        out.append(_table("packages", "Package deals: counts", counts))
        rows = [{"solution": solution_name(key), "issue": o["issue"], "option": o["option"]}
                for key, view in (("nash", pk["nash"]), ("kalai_smorodinsky", pk["ks"])) if view
                for o in view["options"]]
        out.append(_table("bargaining", "Bargaining packages", rows, ("solution", "issue", "option")))
    rat = ctx["ratification"]
    if rat is not None:
        out.append(_table("ratification", "Ratification of packages", rat["rows"],
                          ("code", "label", "text", "ratifier", "probability", "passes")))
        stages = [{"side": s["side"], "stage": s["name"], "type": s["type"], "passing_count": s["passing_count"],
                   "n_packages": s["n_packages"], **dict(zip(rat["candidates"], s["probabilities"]))}
                  for s in rat["stages"]]
        out.append(_table("ratification_stages", "Ratification stages", stages,
                          ("side", "stage", "type", "passing_count", "n_packages", *rat["candidates"])))
    return out


def _truce_table(ctx: Mapping[str, Any]) -> list[ReportTable]:
    tr = ctx["truce"]
    if tr is None:
        return []
    rows = [{"state": r["id"], "label": r["label"], **dict(zip(tr["concepts"], r["stable"])),
             "equilibrium": r["equilibrium"]} for r in tr["rows"]]
    return [_table("truce", "Truce game: stable states", rows, ("state", "label", *tr["concepts"], "equilibrium"))]


def _evidence_tables(ctx: Mapping[str, Any]) -> list[ReportTable]:
    ev = ctx["evidence"]
    if ev is None:
        return []
    return [
        _table("statements", "Evidence: statements", ev["statements"],
               ("id", "date", "actor", "issue", "event_type", "sentence", "quote", "speaker", "article_id", "outlet",
                "href")),
        _table("claims", "Evidence: numeric claims", ev["claims"],
               ("id", "text", "quantity_type", "value", "unit", "referent", "hedged", "article_id", "outlet", "href")),
        _table("articles", "Evidence: articles", ev["articles"], ("id", "title", "date", "outlet", "url", "flags")),
        _table("suggestions", "Evidence-suggested positions", ev["suggestions"],
               ("actor", "issue", "suggested", "hand", "confidence", "agrees")),
    ]


def _scalars(record: Any) -> dict[str, Any]:
    """A typed record's fields that fit one cell (nested records and mappings are left out)."""
    return {k: v for k, v in record.model_dump().items() if not isinstance(v, Mapping)}


def _agreement_table(result: RunResult) -> list[ReportTable]:
    """One row per event; each model family's probability alone in a ``p_<family>`` column (spaces as ``_``;
    empty where not given)."""
    if not result.agreements:
        return []
    def column(family: str) -> str:
        return "p_" + family.replace(" ", "_")

    families = sorted({f for a in result.agreements for f in a.by_family})
    rows = [{**_scalars(a), **{column(f): p for f, p in a.by_family.items()}} for a in result.agreements]
    columns = (*_scalars(result.agreements[0]), *map(column, families))
    return [_table("agreements", "Probabilities of agreement by deadline", rows, columns)]


def _track_record_tables(result: RunResult) -> list[ReportTable]:
    tr = result.track_record
    if tr is None or not tr.cells:
        return []
    scorers = list(dict.fromkeys(k for c in tr.cells for k in c.forecasts))
    cells = [{"origin": c.origin, "event": c.event, "outcome": c.outcome, **c.forecasts, "mc_error": c.mc_error,
              "reason": c.reason} for c in tr.cells]
    return [
        _table("track_record", "Track record: scores per forecaster", [_scalars(x) for x in tr.scores]),
        _table("track_cells", "Track record: origins × events", cells,
               ("origin", "event", "outcome", *scorers, "mc_error", "reason")),
        _table("reliability", "Track record: reliability", [_scalars(r) for r in tr.reliability]),
    ]


def _direction_table(ctx: Mapping[str, Any]) -> list[ReportTable]:
    bt = ctx["backtest"]
    if bt is None:
        return []
    return [_table("direction", "Track record: directions of moves", bt["direction"],
                   ("actor", "issue", "predicted", "actual", "match"))]


def report_tables(result: RunResult | Mapping[str, Any]) -> list[ReportTable]:
    """Every table of the report of ``result``, in the report's order (absent parts give no table)."""
    run = load_result(result)
    ctx = build_context(run)
    ex = ctx["executive"]
    tables = _agreement_table(run) + [_table("terms", "Likely terms if an agreement is reached",
                     [t.model_dump() for t in ex.terms], ("issue", "title", "model", "value", "label", "share", "text")),
              _table("changes", "What changed", [c.model_dump() for c in ex.changes],
                     ("issue", "model", "before", "after", "text"))]
    if ctx["sources"] is not None:
        rows = [{**r, "sources": _sources(r["sources"]), "statements": [s["id"] for s in r["statements"]]}
                for r in ctx["sources"]]
        tables.append(_table("positions", "Positions and sources", rows, ("issue", "actor", "position", "label",
                             "salience", "date", "origin", "note", "sources", "statements")))
    tables += _forecast_tables(ctx)
    if ctx["bdm"] is not None:
        tables.append(_table("bdm", "Expected-utility rounds", ctx["bdm"]["rows"],
                             ("issue", "rounds", "start", "end", "forecast", "stop_reason", "why")))
    if ctx["exchanges"] is not None:
        tables.append(_table("exchanges", "Predicted exchanges", ctx["exchanges"],
                             ("supplier", "issue_supplied", "partner", "issue_demanded", "gain", "text")))
    tables += _package_tables(ctx) + _truce_table(ctx)
    if ctx["shifts"] is not None:
        rows = [{**r, "sources": _sources(r["sources"])} for r in ctx["shifts"]]
        tables.append(_table("shifts", "Position shifts", rows,
                             ("date", "actor", "issue", "from", "to", "from_label", "to_label", "sources")))
    tables += _evidence_tables(ctx)
    tables.append(_table("quality", "Data quality", ctx["flags"], ("kind", "where", "detail")))
    return tables + _track_record_tables(run) + _direction_table(ctx)


def _csv_text(table: ReportTable) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in row])
    return buf.getvalue()


def write_csv(tables: Sequence[ReportTable], out_dir: str | Path) -> list[Path]:
    """One ``<name>.csv`` per table in ``out_dir`` (UTF-8, header row), each written atomically."""
    return [atomic_write_text(Path(out_dir) / f"{t.name}.csv", _csv_text(t)) for t in tables]


def write_xlsx(tables: Sequence[ReportTable], out_dir: str | Path) -> Path:
    """``report.xlsx`` in ``out_dir``: one sheet per table, named as the table, header row frozen."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for t in tables:
        sheet = book.create_sheet(t.name)
        sheet.append(list(t.columns))
        for row in t.rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
    target = Path(out_dir) / WORKBOOK_NAME
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        book.save(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}; the file is left as it was", file=str(target)) from None
    return target


def export_tables(result: RunResult | Mapping[str, Any], fmt: str, out_dir: str | Path) -> list[Path]:
    """Write the report's tables of ``result`` as ``fmt`` (csv or xlsx) into ``out_dir``; the files written."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use csv or xlsx", field="--format")
    tables = report_tables(result)
    return write_csv(tables, out_dir) if fmt == "csv" else [write_xlsx(tables, out_dir)]
