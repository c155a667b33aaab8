"""Write a run's report in one or more formats into a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from accord.errors import InputError
from accord.report.schema import validate_result

#: Format -> file name written into the output folder.
FILE_NAMES: dict[str, str] = {"html": "report.html", "md": "report.md", "json": "report.json"}


def result_json(result: dict[str, Any]) -> str:
    """The checked run result as JSON text (no NaN; dates and numpy values converted)."""
    return json.dumps(validate_result(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_report(result: dict[str, Any], out_dir: str | Path, formats: Iterable[str] = ("html",)) -> dict[str, Path]:
    """Write the report of ``result`` into ``out_dir`` in each of ``formats`` (html, md, json).

    Returns the written path per format.
    """
    wanted = [str(f).lower() for f in formats]
    if not wanted:
        raise InputError("give at least one report format (html, md or json)", field="format")
    for fmt in wanted:
        if fmt not in FILE_NAMES:
            raise InputError(f"unknown report format {fmt!r}; use html, md or json", field="format")
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(folder)) from exc
    written: dict[str, Path] = {}
    for fmt in dict.fromkeys(wanted):
        path = folder / FILE_NAMES[fmt]
        if fmt == "html":
            from accord.report.html import render_html

            written[fmt] = render_html(result, path)
            continue
        if fmt == "md":
            from accord.report.markdown import render_markdown

            text = render_markdown(result)
        else:
            text = result_json(result)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the report: {exc.strerror or exc}", file=str(path)) from exc
        written[fmt] = path
    return written
