"""A self-contained HTML page of titled tables (the report's styles inlined, every text escaped).

Used for pages that are not the run report, such as the comparison of two runs (``accord compare``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

import accord
from accord.report.html import report_css
from accord.report.templating import environment, fmt_num


def shown(value: Any) -> str:
    """A cell as the page shows it: floats with two decimals, a dash when absent, anything else as text."""
    if isinstance(value, float):
        return fmt_num(value)
    return "–" if value is None else str(value)


def render_tables_page(title: str, intro: str, tables: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
                       empty: str = "Nothing to show.") -> str:
    """The page: a heading, an introduction and each (title, rows) as a table (``empty`` where it has no rows)."""
    views = [{"title": t, "columns": list(rows[0]) if rows else [], "rows": [[shown(v) for v in r.values()] for r in rows]}
             for t, rows in tables]
    return environment(html=True).get_template("tables.html.j2").render(
        title=title, intro=intro, tables=views, empty=empty, css=Markup(report_css()), version=accord.__version__)
