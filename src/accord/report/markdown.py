"""The report as Markdown: the same sections as the HTML page, as text and tables, without charts.

The layout is the template ``templates/report.md.j2``; this module gives it the view model and the
filters that keep data text from breaking Markdown (``cell``, ``text``, ``link``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2

from accord.report.context import build_context
from accord.report.templating import environment
from accord.result import RunResult, load_result


def cell(value: Any) -> str:
    """Table-cell text: Markdown neutralised, pipes and newlines escaped so a cell cannot break the table."""
    text = md_text(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ").strip()


def md_text(value: Any) -> str:
    """Running text with Markdown's HTML, autolink, quote and link openers neutralised.

    A ``<`` opens HTML or an autolink only before a letter, ``/``, ``!`` or ``?``, and a ``>`` quotes
    only at the start of a line, so a comparison such as ``P < 0.001`` reads as written.
    """
    text = "" if value is None else str(value)
    text = _TAG_OPENER.sub("&lt;", text)
    text = _QUOTE_OPENER.sub(lambda m: m.group(1) + "&gt;", text)
    return text.replace("[", "\\[").replace("]", "\\]")


_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_QUOTE_OPENER = re.compile(r"(^|\n)[ \t]*>")


def link(label: Any, url: str | None) -> str:
    """A Markdown link, or the bare label without an address."""
    shown = cell(label)
    return f"[{shown}]({url.replace('(', '%28').replace(')', '%29')})" if url else shown


def source_list(sources: list[dict[str, Any]]) -> str:
    """Sources as links with their dates and quotes, for one table cell."""
    parts = []
    for s in sources:
        bit = link(s["outlet"], s["href"])
        if s.get("date"):
            bit += f" ({cell(s['date'])})"
        if s.get("quote"):
            bit += f": “{cell(s['quote'])}”"
        parts.append(bit)
    return "; ".join(parts) if parts else "**no source**"


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = environment(html=False).overlay()
    env.filters.update({"cell": cell, "text": md_text, "link": link, "sources": source_list})
    return env.get_template("report.md.j2")


def render_markdown(result: RunResult | Mapping[str, Any]) -> str:
    """The report of a run result as a Markdown document."""
    text = _template().render(**build_context(load_result(result)))
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines()) + "\n"
