"""Write a run's report files (HTML, Markdown) and its ``result.json`` into a folder, atomically."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.io import atomic_write_text
from accord.result import RunResult, load_result

#: Format -> file name written into the output folder.
FILE_NAMES: dict[str, str] = {"html": "report.html", "md": "report.md", "json": "result.json"}


def check_formats(formats: Iterable[str]) -> list[str]:
    """The report formats besides JSON, in order and without repeats; InputError for an unknown one.

    JSON is the run result itself (``result.json``), which a run always writes, so ``json`` alone
    is a valid choice that asks for no other file.
    """
    wanted = [str(f).lower() for f in formats]
    for fmt in wanted:
        if fmt not in FILE_NAMES:
            raise InputError(f"unknown report format {fmt!r}; use html, md or json", field="format")
    return [f for f in dict.fromkeys(wanted) if f != "json"]


def write_text(path: Path, text: str) -> Path:
    """Write one report file atomically (temporary file and rename in the same folder)."""
    try:
        return atomic_write_text(path, text)
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", file=str(path)) from exc


def write_result_json(result: RunResult, out_dir: str | Path) -> Path:
    """``result.json``: the run result's JSON serialisation."""
    return write_text(Path(out_dir) / FILE_NAMES["json"], result.model_dump_json(indent=2) + "\n")


def write_report(result: RunResult | Mapping[str, Any], out_dir: str | Path,
                 formats: Iterable[str] = ("html",)) -> dict[str, Path]:
    """Write the report of ``result`` into ``out_dir`` in each of ``formats`` (html, md, json).

    Returns the written path per format.
    """
    wanted = [str(f).lower() for f in formats]
    if not wanted:
        raise InputError("give at least one report format (html, md or json)", field="format")
    others = check_formats(wanted)
    typed = load_result(result)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(folder)) from exc
    written: dict[str, Path] = {}
    for fmt in others:
        if fmt == "html":
            from accord.report.html import render_html_string

            text = render_html_string(typed)
        else:
            from accord.report.markdown import render_markdown

            text = render_markdown(typed)
        written[fmt] = write_text(folder / FILE_NAMES[fmt], text)
    if "json" in wanted:
        written["json"] = write_result_json(typed, folder)
    return written
