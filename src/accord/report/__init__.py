"""Reports of a run: a self-contained HTML page, Markdown and JSON.

``render_html(result, path)``, ``render_markdown(result)`` and ``write_report(result, out_dir, formats)``
take an :class:`accord.result.RunResult` (or its JSON form, checked on the way in).
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_html", "render_markdown", "write_report"]


def __getattr__(name: str) -> Any:
    # Imported on first use: plotly and jinja2 load only when a report is written.
    if name == "render_html":
        from accord.report.html import render_html

        return render_html
    if name == "render_markdown":
        from accord.report.markdown import render_markdown

        return render_markdown
    if name == "write_report":
        from accord.report.writer import write_report

        return write_report
    raise AttributeError(name)
