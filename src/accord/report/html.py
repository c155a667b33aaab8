"""The self-contained HTML report: one file with its styles, data and plotly.js inlined."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from accord.errors import InputError
from accord.report.charts import CHART_LABELS, PALETTE, build_charts
from accord.report.context import build_context
from accord.report.labels import fmt_pct, fmt_pos
from accord.report.schema import validate_result


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("accord.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pos"] = fmt_pos
    env.filters["pct"] = fmt_pct
    return env


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _css() -> str:
    return resources.files("accord.report").joinpath("assets/report.css").read_text(encoding="utf-8")


def render_html_string(result: dict[str, Any]) -> str:
    """The report as one HTML document (plotly.js embedded once, no external files)."""
    plain = validate_result(result)
    ctx = build_context(plain)
    charts = build_charts(plain)
    template = _environment().get_template("report.html.j2")
    return template.render(
        **ctx,
        charts=charts,
        chart_labels=CHART_LABELS,
        css=Markup(_css()),
        plotly_js=Markup(_plotly_js()) if charts else None,
        actor_colors=[PALETTE[k % len(PALETTE)] for k in range(len(ctx["actors"]))],
    )


def render_html(result: dict[str, Any], path: str | Path) -> Path:
    """Write the self-contained HTML report of a run result to ``path`` and return the path."""
    out = Path(path)
    document = render_html_string(result)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", file=str(out)) from exc
    return out
