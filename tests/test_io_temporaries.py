"""What a killed atomic write leaves (a hidden temporary file) goes at the next write of that file (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

from accord import io
from accord.io import atomic_write_text


def _age(path: Path, seconds_before_start: float) -> None:
    when = io._STARTED - seconds_before_start
    os.utime(path, (when, when), follow_symlinks=False)


def test_the_next_write_removes_stale_temporaries_of_that_file_only(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    stale = tmp_path / ".report.html.0123456789ab.tmp"
    fresh = tmp_path / ".report.html.ba9876543210.tmp"  # a write in progress in another process
    other = tmp_path / ".report.md.0123456789ab.tmp"  # another file's
    odd = tmp_path / ".report.html.0123.tmp"  # not the pattern (too few hex digits)
    for p in (stale, fresh, other, odd):
        p.write_text("partial", encoding="utf-8")
    for p in (stale, other, odd):
        _age(p, 60)
    outside = tmp_path / "keep.txt"
    outside.write_text("keep", encoding="utf-8")
    link = tmp_path / ".report.html.aaaaaaaaaaaa.tmp"
    link.symlink_to(outside)
    _age(link, 60)

    atomic_write_text(target, "new")

    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, fresh.name, other.name, odd.name, outside.name])
    assert outside.read_text(encoding="utf-8") == "keep"  # the symlink went, not what it pointed to
