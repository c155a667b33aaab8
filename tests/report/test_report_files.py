"""Report files are written atomically, with ordinary permissions, and never through a planted symlink."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from accord.report import write_report

FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"


@pytest.fixture()
def result() -> dict:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data.pop("bdm_paths")  # the small multiples are slow to draw and irrelevant here
    return data


@pytest.fixture()
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_report_files_get_ordinary_permissions(result: dict, tmp_path: Path, umask_022: None) -> None:
    paths = write_report(result, tmp_path / "out", formats=("html", "md", "json"))
    assert {k: stat.S_IMODE(p.stat().st_mode) for k, p in paths.items()} == {"html": 0o644, "md": 0o644, "json": 0o644}


def test_a_symlink_at_the_target_is_replaced_not_followed(result: dict, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").symlink_to(victim)
    (out / "result.json").symlink_to(victim)
    paths = write_report(result, out, formats=("md", "json"))
    assert victim.read_text(encoding="utf-8") == "keep me"
    for path in paths.values():
        assert not path.is_symlink() and path.stat().st_size > 1000
    assert sorted(p.name for p in out.iterdir()) == ["report.md", "result.json"]  # no temporary file left over


def test_a_failed_write_leaves_the_previous_report(result: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_report(result, out, formats=("md",))
    before = (out / "report.md").read_text(encoding="utf-8")
    result["scenario"]["positions"][0]["actor"] = "nobody"
    with pytest.raises(Exception, match="unknown actor id 'nobody'"):
        write_report(result, out, formats=("md",))
    assert (out / "report.md").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in out.iterdir()) == ["report.md"]
