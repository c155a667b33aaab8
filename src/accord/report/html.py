"""The self-contained HTML report: one file with its styles, data and plotly.js inlined."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from accord.report.charts import CHART_LABELS, PALETTE, build_charts
from accord.report.context import build_context
from accord.report.templating import environment
from accord.result import RunResult, load_result


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def report_css() -> str:
    """The report's style sheet (also used by the comparison page)."""
    return resources.files("accord.report").joinpath("assets/report.css").read_text(encoding="utf-8")


def render_html_string(result: RunResult | Mapping[str, Any]) -> str:
    """The report as one HTML document (plotly.js embedded once, no external files)."""
    typed = load_result(result)
    ctx = build_context(typed)
    charts = build_charts(typed)
    return environment(html=True).get_template("report.html.j2").render(
        **ctx,
        charts=charts,
        chart_labels=CHART_LABELS,
        css=Markup(report_css()),
        plotly_js=Markup(_plotly_js()) if charts else None,
        actor_colors=[PALETTE[k % len(PALETTE)] for k in range(len(ctx["actors"]))],
    )


def render_html(result: RunResult | Mapping[str, Any], path: str | Path) -> Path:
    """Write the self-contained HTML report of a run result to ``path`` (atomically) and return the path."""
    from accord.report.writer import write_text

    return write_text(Path(path), render_html_string(result))
