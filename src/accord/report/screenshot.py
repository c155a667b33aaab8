"""Headless Chromium for reports: screenshots and the rendered DOM.

Usage: ``python -m accord.report.screenshot REPORT.html OUT.png [--anchor evidence] [--width 1280] [--height 2400]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from accord.errors import AccordError, InputError

#: Binary names tried in order; ``ACCORD_CHROMIUM`` (a path) takes precedence.
CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                                   "chrome", "headless_shell")

#: Flags for a quiet, offline, sandbox-free headless run.
BASE_FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--disable-dev-shm-usage",
)


_ANCHOR = re.compile(r"^[A-Za-z0-9_-]+$")


def find_chromium() -> str | None:
    """Path of a Chromium-family binary, or None when none is installed."""
    env = os.environ.get("ACCORD_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _file_url(report: Path, anchor: str | None) -> str:
    url = report.resolve().as_uri()
    return f"{url}#{anchor}" if anchor else url


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    binary = find_chromium()
    if binary is None:
        raise AccordError("no Chromium binary found (install the 'chromium' package or set ACCORD_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="accord-chromium-") as profile:
        cmd = [binary, *BASE_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AccordError(f"Chromium did not finish within {timeout:.0f} s") from exc


def _check_report(report: str | Path) -> Path:
    path = Path(report)
    if not path.is_file():
        raise InputError("report file not found", file=str(path))
    return path


def dump_dom(report: str | Path, *, budget_ms: int = 10000, timeout: float = 120.0) -> str:
    """The report's DOM after its scripts ran (virtual time ``budget_ms``), as HTML text."""
    path = _check_report(report)
    proc = _run([f"--virtual-time-budget={budget_ms}", "--dump-dom", _file_url(path, None)], timeout)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise AccordError(f"Chromium could not render {path}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return proc.stdout


def _starting_at(document: str, anchor: str) -> str:
    """The report with everything above the section holding ``anchor`` hidden (the contents bar stays)."""
    if not _ANCHOR.match(anchor):
        raise InputError("an anchor is a section id made of letters, digits, '-' and '_'", field="anchor")
    if f'id="{anchor}"' not in document:
        raise InputError(f"the report has no element with id {anchor!r}", field="anchor")
    style = (
        f"<style>main > .masthead, main > .executive, main > section:has(~ section#{anchor}), "
        f"main > section:has(~ section #{anchor}) {{ display: none !important; }}</style>"
    )
    head_end = document.find("</head>")
    if head_end < 0:
        return style + document
    return document[:head_end] + style + document[head_end:]


def screenshot(report: str | Path, out: str | Path, *, anchor: str | None = None, width: int = 1280,
               height: int = 2400, budget_ms: int = 10000, timeout: float = 120.0) -> Path:
    """Save a PNG of the report as seen in a ``width`` × ``height`` window, starting at section ``anchor``."""
    path = _check_report(report)
    target = Path(out).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    with tempfile.TemporaryDirectory(prefix="accord-report-") as tmp:
        page = path
        if anchor:
            # Headless Chromium does not paint a page scrolled to a #fragment reliably, so the
            # sections above the anchor are hidden in a temporary copy instead.
            page = Path(tmp) / path.name
            page.write_text(_starting_at(path.read_text(encoding="utf-8"), anchor), encoding="utf-8")
        proc = _run([f"--virtual-time-budget={budget_ms}", f"--window-size={width},{height}",
                     f"--screenshot={target}", _file_url(page, None)], timeout)
    if not target.is_file() or target.stat().st_size == 0:
        raise AccordError(f"Chromium wrote no screenshot: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: take a screenshot of a report."""
    parser = argparse.ArgumentParser(prog="python -m accord.report.screenshot",
                                     description="Screenshot an accord HTML report with headless Chromium.")
    parser.add_argument("report", help="the report's HTML file")
    parser.add_argument("out", help="the PNG to write")
    parser.add_argument("--anchor", default=None, help="section id to scroll to, e.g. evidence")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)
    try:
        png = screenshot(args.report, args.out, anchor=args.anchor, width=args.width, height=args.height)
    except AccordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
