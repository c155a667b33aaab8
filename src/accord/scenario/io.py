"""Loading and saving scenarios in every supported format, chosen by file name and content.

| format | extensions | read | write |
|---|---|---|---|
| scenario YAML (human-edited) | .yaml .yml | yes | yes |
| scenario JSON | .json | yes | yes |
| long CSV (one row per dated position) | .csv | yes | yes |
| Decide ``#A/#P/#M/#D`` rows | .decide; .txt .csv (first row starts with ``#``) | yes | yes |
| DEU III TSV (issues only, with outcomes) | .tsv | issues | no |
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from accord.errors import InputError
from accord.io import atomic_write_text, read_json, read_text
from accord.models.issue import IssueData
from accord.scenario.model import Scenario
from accord.scenario.yaml_io import (
    dump_scenario_yaml,
    read_scenario_yaml,
    scenario_from_data,
)

FORMATS = ("yaml", "json", "csv", "decide")
#: Extensions a file of each format is read back from (the first is the one it is written to by default).
EXTENSIONS = {"yaml": (".yaml", ".yml"), "json": (".json",), "csv": (".csv",), "decide": (".decide", ".txt", ".csv")}


def _is_decide(path: Path) -> bool:
    for line in read_text(path).splitlines():
        if line.strip():
            return line.lstrip().startswith(("'#", "#"))
    return False


def detect_format(path: str | Path) -> str:
    """The format of a file: yaml, json, csv, decide or deu."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext in (".yaml", ".yml"):
        return "yaml"
    if ext == ".json":
        return "json"
    if ext == ".tsv":
        return "deu"
    if ext == ".decide":
        return "decide"
    if ext in (".csv", ".txt"):
        return "decide" if _is_decide(p) else ("csv" if ext == ".csv" else "unknown")
    return "unknown"


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario from YAML, JSON, long CSV or Decide format."""
    p = Path(path)
    fmt = detect_format(p)
    if fmt == "yaml":
        return read_scenario_yaml(p)
    if fmt == "json":
        return scenario_from_data(read_json(p), None, str(p))
    if fmt == "csv":
        from accord.scenario.csv_io import read_scenario_csv

        return read_scenario_csv(p)
    if fmt == "decide":
        from accord.scenario.decide import read_decide
        from accord.scenario.decide_convert import decide_to_scenario

        return decide_to_scenario(read_decide(p))
    if fmt == "deu":
        raise InputError("a DEU table holds issues, not a scenario; use `accord backtest deu` or load_issues", file=str(p))
    raise InputError(
        "unknown format; use .yaml/.yml, .json, .csv (long table or Decide rows), .decide or .txt (Decide rows)", file=str(p)
    )


def load_issues(path: str | Path, as_of: dt.date | str | None = None) -> list[IssueData]:
    """Issue arrays from any readable file (a scenario at ``as_of``, or a DEU table)."""
    if detect_format(path) == "deu":
        from accord.scenario.deu import read_deu

        return read_deu(path)
    return load_scenario(path).issue_data(as_of)


def dumps_scenario(scenario: Scenario, fmt: str) -> str:
    """The scenario as text in one of :data:`FORMATS`."""
    if fmt == "yaml":
        return dump_scenario_yaml(scenario)
    if fmt == "json":
        return scenario.model_dump_json(indent=2, exclude_none=True, by_alias=True) + "\n"
    if fmt == "csv":
        from accord.scenario.csv_io import scenario_to_csv

        return scenario_to_csv(scenario)
    if fmt == "decide":
        from accord.scenario.decide_convert import scenario_to_decide_text

        return scenario_to_decide_text(scenario)
    raise InputError(f"unknown output format {fmt!r}; choose from {', '.join(FORMATS)}")


def save_scenario(scenario: Scenario, path: str | Path, fmt: str | None = None) -> Path:
    """Write the scenario atomically; the format follows the extension unless given.

    A given format must suit the extension (see :data:`EXTENSIONS`), so that the file
    reads back as what it is.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if fmt is None:
        fmt = next((f for f, exts in EXTENSIONS.items() if ext in exts), None)
        if ext == ".txt":
            fmt = "decide"
        if fmt is None:
            raise InputError("cannot tell the output format from the extension; pass a format", file=str(p))
    elif fmt in EXTENSIONS and ext not in EXTENSIONS[fmt]:
        raise InputError(f"a {fmt} file is read back only with extension {' or '.join(EXTENSIONS[fmt])}", file=str(p))
    return atomic_write_text(p, dumps_scenario(scenario, fmt))


def scenario_differences(before: Scenario, after: Scenario) -> list[str]:
    """What differs between two scenarios: scenario fields, or actors/issues/positions by id."""
    out = [name for name in ("id", "title", "description") if getattr(before, name) != getattr(after, name)]
    for part, key in (("actors", lambda m: m.id), ("issues", lambda m: m.id), ("positions", lambda m: (m.actor, m.issue, m.date))):
        old = {key(m): m for m in getattr(before, part)}
        new = {key(m): m for m in getattr(after, part)}
        changed = [k for k in old if new.get(k) != old[k]] + [k for k in new if k not in old]
        out += [f"{part[:-1]} {_shown(k)}" for k in changed]
    return out


def _shown(key: object) -> str:
    if isinstance(key, tuple):
        return " on ".join(str(k) for k in key[:2]) + f" dated {key[2]}"
    return repr(key)
