"""Reader of the DEU III data set (Decision-making in the European Union) in its TSV form.

Each row is one issue of a legislative proposal with the positions (0–100) and saliences
(0–100, divided by 100 here) of the Commission, the Parliament and the member states,
the reference point ``rp`` and the outcome ``out``. The second line of the file holds each
actor's capability under its position column. Issues of one proposal share a group.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from accord.errors import InputError
from accord.io import read_text
from accord.models.issue import IssueData

ACTOR_CODES = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)
KEY_COLUMNS = ("prnr", "isnr", "rp", "out")


def _num(value: str, file: str, line: int, field: str) -> float | None:
    value = value.strip()
    if value == "":
        return None
    try:
        out = float(value)
    except ValueError:
        raise InputError(f"not a number: {value!r}", file=file, line=line, field=field) from None
    if not math.isfinite(out):
        raise InputError(f"not a finite number: {value!r}", file=file, line=line, field=field)
    return out


def read_deu(path: str | Path, *, with_outcome_only: bool = False) -> list[IssueData]:
    """All issues of a DEU TSV file as :class:`IssueData` (``group`` = proposal code).

    Actors with a blank position do not take part; a blank salience counts as 0.
    With ``with_outcome_only`` the issues without an outcome are left out.
    """
    file = str(path)
    text = read_text(path)
    first = text.splitlines()[0]
    if "\t" not in first:
        raise InputError("wrong delimiter: expected tab-separated columns", file=file, line=1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"')
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"cannot split the row ({exc})", file=file, line=reader.line_num) from None
    header = [h.strip() for h in rows[0]]
    needed = list(KEY_COLUMNS) + [f"p{a}" for a in ACTOR_CODES] + [f"s{a}" for a in ACTOR_CODES]
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}", file=file, line=1)
    col = {h: k for k, h in enumerate(header)}
    if len(rows) < 2:
        raise InputError("no capability row (line 2) and no issues", file=file, line=1)

    def cell(row: list[str], name: str) -> str:
        k = col[name]
        return row[k] if k < len(row) else ""

    cap_row = rows[1]
    caps = np.array([_num(cell(cap_row, f"p{a}"), file, 2, f"p{a}") or 0.0 for a in ACTOR_CODES])
    if not (caps > 0).any():
        raise InputError("line 2 must hold each actor's capability under its position column", file=file, line=2)

    issues = []
    for line, row in enumerate(rows[2:], start=3):
        if not any(v.strip() for v in row):
            continue
        if len(row) != len(header):
            raise InputError(f"has {len(row)} fields, the header has {len(header)}", file=file, line=line)
        names, xs, ss, cs = [], [], [], []
        for k, a in enumerate(ACTOR_CODES):
            x = _num(cell(row, f"p{a}"), file, line, f"p{a}")
            if x is None:
                continue
            s = _num(cell(row, f"s{a}"), file, line, f"s{a}")
            if not 0 <= x <= 100:
                raise InputError(f"position {x:g} outside 0–100", file=file, line=line, field=f"p{a}")
            if s is not None and not 0 <= s <= 100:
                raise InputError(f"salience {s:g} outside 0–100", file=file, line=line, field=f"s{a}")
            names.append(a)
            xs.append(x)
            ss.append(0.0 if s is None else s / 100.0)
            cs.append(caps[k])
        outcome = _num(cell(row, "out"), file, line, "out")
        if with_outcome_only and outcome is None:
            continue
        if not names:
            continue
        issues.append(
            IssueData(
                id=cell(row, "isnr").strip() or f"line{line}",
                actors=tuple(names),
                x=np.array(xs),
                s=np.array(ss),
                c=np.array(cs),
                reference=_num(cell(row, "rp"), file, line, "rp"),
                outcome=outcome,
                title=cell(row, "prname").strip() if "prname" in col else "",
                group=cell(row, "prnr").strip() or None,
                meta={"line": line},
            )
        )
    if not issues:
        raise InputError("no issues found", file=file)
    return issues
