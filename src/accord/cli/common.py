"""Pieces every CLI command shares: the console, output formats and command groups."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console()
err_console = Console(stderr=True)

backtest_app = typer.Typer(help="Score forecasts against what happened.", no_args_is_help=True)


class OutputFormat(StrEnum):
    """How a command prints tabular results."""

    table = "table"
    csv = "csv"
    json = "json"


def emit(rows: Sequence[dict[str, Any]], fmt: OutputFormat, title: str | None = None) -> None:
    """Print rows (dicts with the same keys) as a rich table, CSV or JSON."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(list(rows), indent=2, default=str))
        return
    columns = list(rows[0].keys()) if rows else []
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(terminal_safe(buf.getvalue()), nl=False)
        return
    print_table(rows, title)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` without control characters (escape sequences, C1 codes, bidirectional
    overrides) that would act on the terminal; line breaks and tabs are kept."""
    return _CONTROL.sub("", text)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.2f}"
    return terminal_safe(str(value))


#: Narrowest width a wrapping text column is squeezed to (longer words fold).
TEXT_MIN_WIDTH = 8
#: Narrowest width a leading (row-naming) text column is squeezed to, and widest it is kept whole.
KEY_MIN_WIDTH = 12
KEY_MAX_WIDTH = 24
#: Characters a column takes besides its text (padding and divider of the box).
COLUMN_OVERHEAD = 3


def print_table(rows: Sequence[dict[str, Any]], title: str | None = None, out: Console | None = None) -> None:
    """Rows as rich tables that fit the terminal width: numbers are never cut, text wraps.

    The leading text columns (e.g. issue, model) name a row; when the number columns do not
    fit beside each other, the columns are split over several tables, each repeating them.
    """
    out = out or console
    columns = [str(c) for c in (rows[0] if rows else {})]
    numeric = [_numeric(rows, c) for c in columns]
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widest = [max((len(row[i]) for row in cells), default=0) for i in range(len(columns))]
    headers = [_header(c, max(widest[i], 6)) for i, c in enumerate(columns)]
    keys = next((i for i, is_number in enumerate(numeric) if is_number), len(columns))
    natural = [max(_longest_line(headers[i]), widest[i]) for i in range(len(columns))]
    floor = [natural[i] if numeric[i] else max(_longest_line(headers[i]), min(widest[i], KEY_MIN_WIDTH if i < keys else TEXT_MIN_WIDTH)) for i in range(len(columns))]
    if sum(floor) + COLUMN_OVERHEAD * len(columns) <= out.width:  # one table; text wraps
        groups = [list(range(len(columns)))]
    else:  # the numbers do not fit beside each other: split the columns, keys whole in each table
        whole = [min(natural[i], KEY_MAX_WIDTH) for i in range(keys)]
        half = out.width // 2 - COLUMN_OVERHEAD * keys  # keys wrap rather than crowd out the numbers
        floor[:keys] = _fit(whole, floor[:keys], half)
        groups = _column_groups(floor, keys, out.width)
    for k, group in enumerate(groups):
        widths = _fit([natural[i] for i in group], [floor[i] for i in group], out.width - COLUMN_OVERHEAD * len(group))
        part = f" ({k + 1}/{len(groups)})" if len(groups) > 1 else ""
        table = Table(
            title=None if title is None else Text(title + part), title_justify="left",
            box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
        )
        for i, width in zip(group, widths, strict=True):
            table.add_column(Text(headers[i]), justify="right" if numeric[i] else "left", width=width, overflow="fold")
        for row in cells:
            table.add_row(*(Text(row[i]) for i in group))
        out.print(table)


def _numeric(rows: Sequence[dict[str, Any]], column: str) -> bool:
    return bool(rows) and all(isinstance(r.get(column), (int, float)) or r.get(column) is None for r in rows)


def _header(name: str, width: int) -> str:
    """A column name, broken after ``-`` or ``_`` onto lines when longer than its cells."""
    if len(name) <= width:
        return name
    return "\n".join(part for part in re.split(r"(?<=[-_])", name) if part)


def _longest_line(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _fit(natural: list[int], floor: list[int], budget: int) -> list[int]:
    """Column widths within ``budget``: the widest column above its floor gives way first."""
    widths = list(natural)
    while sum(widths) > budget:
        room = [(w - f, w, k) for k, (w, f) in enumerate(zip(widths, floor, strict=True)) if w > f]
        if not room:
            break
        _, _, k = max(room, key=lambda t: (t[1], t[0]))
        widths[k] -= 1
    return widths


def _column_groups(need: list[int], keys: int, width: int) -> list[list[int]]:
    """Column indices per table: the key columns, then as many others as fit in ``width``."""
    groups: list[list[int]] = []
    start = sum(need[:keys]) + COLUMN_OVERHEAD * keys
    current, used = list(range(keys)), start
    for i in range(keys, len(need)):
        if len(current) > keys and used + need[i] + COLUMN_OVERHEAD > width:
            groups.append(current)
            current, used = list(range(keys)), start
        current.append(i)
        used += need[i] + COLUMN_OVERHEAD
    groups.append(current)
    return groups
