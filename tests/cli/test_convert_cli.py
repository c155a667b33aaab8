"""``accord convert``: every format reads back, forecasts do not move, nothing is dropped unannounced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import accord

UKRAINE = str(Path(accord.__file__).parent / "cases" / "ukraine" / "scenario.yaml")


def _nash(cli, path: str) -> dict[str, float]:
    code, out, err = cli("forecast", path, "--model", "nash", "--model", "status-quo", "--format", "json")
    assert code == 0, err
    return {(r["issue"], m): r[m] for r in json.loads(out) for m in ("nash", "status-quo")}


@pytest.mark.parametrize(("name", "note"), [("again.csv", False), ("again.decide", True), ("again.json", False)])
def test_convert_reads_back_with_the_same_forecasts(cli, tmp_path: Path, name: str, note: bool) -> None:
    target = str(tmp_path / name)
    code, out, err = cli("convert", UKRAINE, target)
    assert (code, out) == (0, f"wrote {target}\n")
    assert "warning" not in err
    assert ("other Decide tools read only the latest position" in err) is note
    code, out, _ = cli("validate", target)
    assert code == 0 and "4 actors, 17 issues, 138 positions dated 2025-03-11 to 2026-06-04" in out
    # before the fix, Nash moved by up to 9.7 points (status quo dropped) and .decide did not read back
    assert _nash(cli, target) == _nash(cli, UKRAINE)


def test_convert_format_must_suit_the_extension(cli, tmp_path: Path) -> None:
    code, out, err = cli("convert", UKRAINE, str(tmp_path / "out.yaml"), "--to", "csv")
    assert code == 2 and out == ""
    assert err.strip() == f"error: {tmp_path / 'out.yaml'}: a csv file is read back only with extension .csv"
    code, _, _ = cli("convert", UKRAINE, str(tmp_path / "out.csv"), "--to", "decide")
    assert code == 0
    assert (tmp_path / "out.csv").read_text().startswith("'#/'\t'accord:scenario'")
