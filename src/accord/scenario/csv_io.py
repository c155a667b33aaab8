"""The long CSV table: one row per dated position, for spreadsheets and interchange."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from accord.errors import InputError
from accord.scenario.model import Actor, Issue, Position, Scenario, Source
from accord.scenario.text import read_text

REQUIRED = ("actor", "issue", "position", "salience", "date")
OPTIONAL = ("capability", "uncertainty", "source", "quote", "actor_name", "issue_title", "note")
COLUMNS = REQUIRED + OPTIONAL


def _number(value: str, field: str, file: str, line: int, required: bool = True) -> float | None:
    value = value.strip()
    if not value:
        if required:
            raise InputError("missing value", file=file, line=line, field=field)
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(f"not a number: {value!r}", file=file, line=line, field=field) from None


def read_scenario_csv(path: str | Path, scenario_id: str | None = None) -> Scenario:
    """Build a scenario from the long CSV table; actors and issues come from the rows."""
    file = str(path)
    text = read_text(path)
    first = text.splitlines()[0]
    if "," not in first:
        for delim, name in (("\t", "tab"), (";", "semicolon"), ("|", "pipe")):
            if delim in first:
                raise InputError(f"wrong delimiter: the header uses {name}s, expected commas", file=file, line=1)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; header is {','.join(header)}", file=file, line=1)
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)}; allowed: {','.join(COLUMNS)}", file=file, line=1)

    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, str] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputError("more fields than the header has", file=file, line=line)
        if any(v is None for v in row.values()):
            raise InputError("fewer fields than the header has", file=file, line=line)
        actor = row["actor"].strip()
        issue = row["issue"].strip()
        if not actor:
            raise InputError("missing value", file=file, line=line, field="actor")
        if not issue:
            raise InputError("missing value", file=file, line=line, field="issue")
        cap = _number(row.get("capability", ""), "capability", file, line, required=False)
        info = actors.setdefault(actor, {"name": (row.get("actor_name") or "").strip() or actor, "caps": []})
        info["caps"].append(cap)
        issues.setdefault(issue, (row.get("issue_title") or "").strip() or issue)
        pos = {
            "actor": actor,
            "issue": issue,
            "position": _number(row["position"], "position", file, line),
            "salience": _number(row["salience"], "salience", file, line),
            "date": row["date"].strip(),
            "capability": cap,
            "uncertainty": _number(row.get("uncertainty", ""), "uncertainty", file, line, required=False),
            "note": (row.get("note") or "").strip(),
        }
        src = (row.get("source") or "").strip()
        if src:
            pos["sources"] = [{"url": src, "quote": (row.get("quote") or "").strip() or None}]
        rows.append((line, pos))
    if not rows:
        raise InputError("no data rows after the header", file=file, line=1)

    actor_models = []
    for aid, info in actors.items():
        caps = [c for c in info["caps"] if c is not None]
        shared = caps[0] if caps and all(c == caps[0] for c in caps) and len(caps) == len(info["caps"]) else None
        actor_models.append(Actor(id=aid, name=info["name"], capability=shared if shared is not None else 1.0))
        info["shared"] = shared is not None
    positions = []
    for line, pos in rows:
        if actors[pos["actor"]]["shared"]:
            pos["capability"] = None
        try:
            positions.append(Position.model_validate({k: v for k, v in pos.items() if v is not None}))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"]) or None
            raise InputError(f"{err['msg']} (got {err.get('input')!r})", file=file, line=line, field=field) from None
    try:
        return Scenario(
            id=scenario_id or Path(path).stem,
            actors=actor_models,
            issues=[Issue(id=i, title=t) for i, t in issues.items()],
            positions=positions,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        ctx = (err.get("ctx") or {}).get("error")
        msg = getattr(ctx, "message", err["msg"])
        line = None
        loc = getattr(ctx, "loc", "")
        if loc.startswith("positions."):
            line = rows[int(loc.split(".")[1])][0]
        raise InputError(msg, file=file, line=line) from None


def scenario_to_csv(scenario: Scenario) -> str:
    """The scenario's positions as the long CSV table (first source per position)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    actors = {a.id: a for a in scenario.actors}
    titles = {i.id: i.title for i in scenario.issues}
    for p in scenario.positions:
        src: Source | None = p.sources[0] if p.sources else None
        writer.writerow(
            {
                "actor": p.actor,
                "issue": p.issue,
                "position": repr(p.position),
                "salience": repr(p.salience),
                "date": p.date.isoformat(),
                "capability": repr(p.capability if p.capability is not None else actors[p.actor].capability),
                "uncertainty": "" if p.uncertainty is None else repr(p.uncertainty),
                "source": src.url if src else "",
                "quote": (src.quote or "") if src else "",
                "actor_name": actors[p.actor].name,
                "issue_title": titles[p.issue],
                "note": p.note,
            }
        )
    return buf.getvalue()
