"""Downloads of the workbench's tables through the report's export (``accord.report.export``): the fast
view's forecasts as one table, or every table of the last full run's report; CSV or an Excel workbook."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from accord.report.export import ReportTable, write_csv, write_xlsx

MEDIA = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "zip": "application/zip"}


def forecasts_table(rows: Sequence[dict[str, Any]], models: Sequence[str]) -> ReportTable:
    """The fast view's forecasts (:func:`accord.serve.workbench.forecast_rows`): an issue per row, a model per
    column, unrounded on 0–100, an empty cell where a model has no forecast."""
    return ReportTable("forecasts", "Forecasts of the fast models", ("issue", *models),
                       tuple((r["issue"], *(c["value"] for c in r["cells"])) for r in rows))


def download(tables: Sequence[ReportTable], fmt: str, stem: str) -> Response:
    """The tables as an attachment: one workbook (``xlsx``), one CSV file, or a zip of one CSV per table."""
    with tempfile.TemporaryDirectory() as folder:
        if fmt == "xlsx":
            body, kind, name = write_xlsx(tables, folder).read_bytes(), "xlsx", f"{stem}.xlsx"
        elif len(tables) == 1:
            body, kind, name = write_csv(tables, folder)[0].read_bytes(), "csv", f"{stem}.csv"
        else:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in write_csv(tables, folder):
                    archive.write(path, path.name)
            body, kind, name = buf.getvalue(), "zip", f"{stem}-csv.zip"
    return Response(body, media_type=MEDIA[kind], headers={"content-disposition": f'attachment; filename="{name}"'})
