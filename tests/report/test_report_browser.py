"""The HTML report in headless Chromium: every chart draws, and screenshots show a painted page."""

from __future__ import annotations

import json
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from accord.errors import InputError
from accord.report import render_html
from accord.report.screenshot import _starting_at, dump_dom, find_chromium, main, screenshot

FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"

needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium binary found (apt-get install chromium, or set ACCORD_CHROMIUM)",
)


class ChartCounter(HTMLParser):
    """Per chart container (div.chart): how many plotly ``main-svg`` and trace groups it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, int]] = {}
        self._stack: list[str | None] = []  # chart id owning each open div, or None

    def _current(self) -> str | None:
        for owner in reversed(self._stack):
            if owner:
                return owner
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div":
            chart = a.get("data-chart") if "chart" in classes else None
            if chart:
                self.charts[chart] = {"main-svg": 0, "traces": 0, "marks": 0}
            self._stack.append(chart)
        owner = self._current()
        if owner is None:
            return
        if tag == "svg" and "main-svg" in classes:
            self.charts[owner]["main-svg"] += 1
        if tag == "g" and ("trace" in classes or "hm" in classes):  # heatmaps draw into g.hm
            self.charts[owner]["traces"] += 1
        if tag in ("path", "image", "rect"):
            self.charts[owner]["marks"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._stack:
            self._stack.pop()


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values in the decoded image rows."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return render_html(result, tmp_path_factory.mktemp("browser") / "report.html")


@pytest.mark.browser
@needs_chromium
def test_every_chart_renders_in_chromium(report: Path) -> None:
    counter = ChartCounter()
    counter.feed(dump_dom(report))
    expected = {"chart-positions", "chart-forecasts", "chart-bdm", "chart-pareto", "chart-ratification",
                "chart-timeline", "chart-reliability"}
    assert set(counter.charts) == expected
    for chart, counts in counter.charts.items():
        assert counts["main-svg"] >= 1, chart
        assert counts["traces"] >= 1, chart
        assert counts["marks"] >= 5, chart


@pytest.mark.browser
@needs_chromium
def test_screenshot_of_the_first_screen_is_painted(report: Path, tmp_path: Path) -> None:
    png = screenshot(report, tmp_path / "top.png", width=1280, height=2400)
    width, height, colours = png_size_and_colours(png)
    assert (width, height) == (1280, 2400)
    assert colours > 50  # a blank page decodes to a handful of byte values


@pytest.mark.browser
@needs_chromium
def test_screenshot_from_an_anchor_via_the_command_line(report: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "evidence.png"
    assert main([str(report), str(out), "--anchor", "evidence", "--width", "1280", "--height", "900"]) == 0
    width, height, colours = png_size_and_colours(out)
    assert (width, height) == (1280, 900)
    assert colours > 50
    assert capsys.readouterr().out.strip() == str(out.resolve())


def test_anchor_copy_hides_what_comes_before_the_section() -> None:
    doc = "<html><head><title>t</title></head><body><main><section id=\"evidence\"></section></main></body></html>"
    shown = _starting_at(doc, "evidence")
    assert shown.index("section#evidence") < shown.index("</head>")
    with pytest.raises(InputError):
        _starting_at(doc, "nowhere")
    with pytest.raises(InputError):
        _starting_at(doc, "x){}body{display:none")


def test_screenshot_command_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent.html"), str(tmp_path / "x.png")]) == 2
    assert "report file not found" in capsys.readouterr().err
