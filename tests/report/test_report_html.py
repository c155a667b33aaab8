"""The HTML, Markdown and JSON reports rendered from the example run result (no browser needed)."""

from __future__ import annotations

import copy
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from accord.errors import InputError
from accord.report import render_html, render_markdown, write_report
from accord.report.context import SECTIONS
from accord.report.markdown import md_text
from accord.result import load_result

FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"
INJECTION = '<script>alert("owned")</script>'
CHART_IDS = ("chart-positions", "chart-forecasts", "chart-bdm", "chart-pareto", "chart-ratification", "chart-timeline",
             "chart-reliability")


class Page(HTMLParser):
    """Collects what the tests look at: ids, links, script and stylesheet tags, chart containers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.srcs: list[str] = []
        self.charts: list[str] = []
        self.sections: list[str] = []
        self.script_bodies: list[str] = []
        self._in_script = False
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href") is not None:
            self.hrefs.append(a["href"])
        if tag == "script":
            self.scripts.append(a)
            self._in_script, self._buf = True, []
        if tag == "link":
            self.links.append(a)
        if a.get("src"):
            self.srcs.append(a["src"])
        if tag == "div" and "chart" in (a.get("class") or "").split():
            self.charts.append(a.get("data-chart") or "")
        if tag == "section":
            self.sections.append(a.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self.script_bodies.append("".join(self._buf))
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._buf.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def result() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(result: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Page]:
    path = render_html(result, tmp_path_factory.mktemp("report") / "report.html")
    text = path.read_text(encoding="utf-8")
    return text, parse(text)


#: The parts of a run result besides ``case`` and the scenario's actors and issues.
OPTIONAL_PARTS = ("scenario.positions", "scenario.history", "forecasts", "simulation", "bdm_paths", "exchanges",
                  "packages", "truce", "evidence", "backtest", "summary")


def minimal(result: dict) -> dict:
    return {"case": copy.deepcopy(result["case"]),
            "scenario": {k: copy.deepcopy(result["scenario"][k]) for k in ("actors", "issues")}}


def light(result: dict) -> dict:
    """A deep copy without the two small-multiple charts, which take most of the rendering time."""
    r = copy.deepcopy(result)
    r.pop("bdm_paths")
    r["scenario"].pop("history")
    return r


def points(result: dict, model: str) -> dict:
    """The model's point forecasts at the run's date, from the result's JSON form."""
    return next(t for t in result["forecasts"] if t["date"] == result["case"]["as_of"])["values"][model]


def test_every_section_present_in_order_and_in_contents(rendered: tuple[str, Page]) -> None:
    _, page = rendered
    assert page.sections == [sid for sid, _ in SECTIONS]
    for sid, _ in SECTIONS:
        assert f"#{sid}" in page.hrefs


def test_every_chart_has_a_container_and_a_drawing_script(rendered: tuple[str, Page]) -> None:
    text, page = rendered
    assert sorted(page.charts) == sorted(CHART_IDS)
    for chart_id in CHART_IDS:
        assert chart_id in page.ids
        assert re.search(rf'Plotly\.newPlot\(\s*"{chart_id}"', text), chart_id


def test_no_external_scripts_styles_or_media(rendered: tuple[str, Page]) -> None:
    text, page = rendered
    assert all(not s.get("src") for s in page.scripts)
    styles = re.findall(r"<style>(.*?)</style>", text, re.S)
    assert styles and not any(re.search(r"@import|url\(", css) for css in styles)
    assert page.links == []
    assert all(not re.match(r"^(https?:)?//", s) for s in page.srcs)


def test_plotly_js_embedded_exactly_once(rendered: tuple[str, Page]) -> None:
    _, page = rendered
    big = [b for b in page.script_bodies if len(b) > 1_000_000]
    assert len(big) == 1
    # one library script plus one small drawing script per chart
    assert len(page.script_bodies) == 1 + len(CHART_IDS)


def test_every_source_address_is_linked(result: dict, rendered: tuple[str, Page]) -> None:
    _, page = rendered
    hrefs = set(page.hrefs)
    urls = {s["url"] for p in result["scenario"]["positions"] for s in p["sources"]}
    urls |= {s["url"] for h in result["scenario"]["history"] for s in h["sources"]}
    urls |= {a["url"] for a in result["evidence"]["articles"]}
    urls |= {s["url"] for s in result["evidence"]["statements"]}
    urls |= {c["url"] for c in result["evidence"]["claims"]}
    missing = sorted(u for u in urls if u not in hrefs)
    assert missing == []


def test_every_position_row_carries_an_external_source_link(result: dict, rendered: tuple[str, Page]) -> None:
    text, _ = rendered
    latest: dict[tuple[str, str], dict] = {}
    for p in result["scenario"]["positions"]:
        key = (p["actor"], p["issue"])
        if key not in latest or p["date"] >= latest[key]["date"]:
            latest[key] = p
    for (actor, issue), p in latest.items():
        row = re.search(rf'<tr id="pos-{actor}-{issue}"[^>]*>(.*?)</tr>', text, re.S)
        assert row, (actor, issue)
        for s in p["sources"]:
            assert f'href="{s["url"]}"' in row.group(1)


def test_every_internal_link_has_a_target(rendered: tuple[str, Page]) -> None:
    _, page = rendered
    targets = {h[1:] for h in page.hrefs if h.startswith("#")}
    assert targets, "the report should link within itself"
    assert sorted(t for t in targets if t not in page.ids) == []


def test_evidence_numbers_link_to_statements_and_sources(result: dict, rendered: tuple[str, Page]) -> None:
    text, page = rendered
    for s in result["evidence"]["statements"]:
        assert f"st-{s['id']}" in page.ids
    for sug in result["evidence"]["suggestions"]:
        for sid in sug["supporting"]:
            assert f"#st-{sid}" in page.hrefs
    for c in result["evidence"]["claims"]:
        row = re.search(rf'<tr id="cl-{c["id"]}">(.*?)</tr>', text, re.S)
        assert row and f'href="{c["url"]}"' in row.group(1) and f'href="#art-{c["article_id"]}"' in row.group(1)


def test_disagreements_between_evidence_and_hand_coding_are_listed(result: dict, rendered: tuple[str, Page]) -> None:
    text, _ = rendered
    section = re.search(r'<section id="origin">(.*?)</section>', text, re.S).group(1)
    n_disagree = sum(1 for s in result["evidence"]["suggestions"] if not s["agrees"])
    assert n_disagree > 0
    assert section.count('class="disagree"') == n_disagree
    n_evidence = sum(1 for p in result["scenario"]["positions"] if p["origin"] == "evidence")
    assert f"<b>{n_evidence}</b> were taken from evidence suggestions" in section


def test_example_fixture_is_labelled_as_example_data(result: dict, rendered: tuple[str, Page], tmp_path: Path) -> None:
    text, _ = rendered
    assert "Example data." in text
    real = light(result)
    real["case"]["example"] = False
    assert "Example data." not in render_html(real, tmp_path / "r.html").read_text(encoding="utf-8")


def test_data_text_is_escaped(result: dict, tmp_path: Path) -> None:
    bad = copy.deepcopy(result)
    bad["scenario"]["positions"][0]["sources"][0]["quote"] = INJECTION
    bad["evidence"]["statements"][0]["sentence"] = INJECTION
    bad["evidence"]["statements"][0]["quote"]["text"] = INJECTION
    bad["scenario"]["actors"][0]["name"] = INJECTION
    bad["scenario"]["issues"][0]["title"] = INJECTION
    bad["case"]["title"] = INJECTION
    text = render_html(bad, tmp_path / "bad.html").read_text(encoding="utf-8")
    assert INJECTION not in text
    assert "&lt;script&gt;alert(" in text
    page = parse(text)
    assert len(page.script_bodies) == 1 + len(CHART_IDS)
    drawing = [b for b in page.script_bodies if len(b) < 1_000_000]
    assert any("alert(" in b for b in drawing)  # the injected name reaches the chart data ...
    assert all("<script" not in b.lower() and "</" not in b for b in drawing)  # ... only as inert JSON text


def test_non_http_addresses_are_not_linked(result: dict, tmp_path: Path) -> None:
    bad = light(result)
    p = bad["scenario"]["positions"][0]
    p["sources"] = [{"id": "X1", "url": "javascript:alert(1)", "outlet": "Nowhere"}]
    text = render_html(bad, tmp_path / "js.html").read_text(encoding="utf-8")
    assert "javascript:alert" not in " ".join(parse(text).hrefs)
    quality = re.search(r'<section id="quality">(.*?)</section>', text, re.S).group(1)
    assert "no_source" in quality and f'href="#pos-{p["actor"]}-{p["issue"]}"' in quality


def test_missing_sections_say_not_computed(result: dict, tmp_path: Path) -> None:
    text = render_html(minimal(result), tmp_path / "min.html").read_text(encoding="utf-8")
    page = parse(text)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert page.charts == [] and page.script_bodies == []
    for sid, _ in SECTIONS:
        body = re.search(rf'<section id="{sid}">(.*?)</section>', text, re.S).group(1)
        if sid == "quality":
            assert "No data-quality problems were flagged." in body
        else:
            assert "Not computed in this run." in body, sid


def test_partial_result_keeps_what_is_there(result: dict, tmp_path: Path) -> None:
    part = minimal(result)
    part["forecasts"] = result["forecasts"]
    part["models"] = result["models"]
    text = render_html(part, tmp_path / "part.html").read_text(encoding="utf-8")
    page = parse(text)
    assert page.charts == ["chart-forecasts"]
    summary = re.search(r'<section id="summary">(.*?)</section>', text, re.S).group(1)
    assert "Not computed in this run." not in summary
    forecasts = re.search(r'<section id="forecasts">(.*?)</section>', text, re.S).group(1)
    assert "Not computed in this run." not in forecasts


@pytest.mark.parametrize("key", OPTIONAL_PARTS)
def test_each_section_renders_on_its_own(result: dict, key: str, tmp_path: Path) -> None:
    part = minimal(result)
    if key.startswith("scenario."):
        name = key.split(".")[1]
        part["scenario"][name] = copy.deepcopy(result["scenario"][name])
    else:
        part[key] = copy.deepcopy(result.get(key)) or [{"issue": "nato", "text": "Given summary."}]
    text = render_html(part, tmp_path / f"{key}.html").read_text(encoding="utf-8")
    page = parse(text)
    assert page.sections == [sid for sid, _ in SECTIONS]
    not_computed = [sid for sid, _ in SECTIONS
                    if "Not computed in this run." in re.search(rf'<section id="{sid}">(.*?)</section>', text, re.S).group(1)]
    assert len(not_computed) < len(SECTIONS) - 1, f"{key} shows nowhere"


def test_summary_names_the_band_of_the_headline_point_forecast(result: dict, rendered: tuple[str, Page]) -> None:
    text, _ = rendered
    section = re.search(r'<section id="summary">(.*?)</section>', text, re.S).group(1)
    for issue in result["scenario"]["issues"]:
        point = points(result, "compromise")[issue["id"]]
        sim = result["simulation"]["summaries"]["compromise"][issue["id"]]
        nearest = min(issue["anchors"], key=lambda a: abs(a["value"] - point))["label"]
        row = re.search(rf'<th scope="row">{re.escape(issue["title"])}</th>(.*?)</tr>', section, re.S)
        assert row, issue["id"]
        assert f'<span class="chip">{nearest}</span>' in row.group(1)
        assert f"{100 * sim['bands'][nearest]:.0f}% of simulations" in row.group(1)
        assert f"The compromise model forecasts {point:.0f} of 100." in row.group(1)
        assert f"The median of its Monte Carlo simulations is {sim['q50']:.0f}" in row.group(1)


def test_given_summary_text_is_used(result: dict, tmp_path: Path) -> None:
    r = light(result)
    r["summary"] = [{"issue": "nato", "text": "Ukraine drops the bid in exchange for guarantees."}]
    text = render_html(r, tmp_path / "s.html").read_text(encoding="utf-8")
    assert "Ukraine drops the bid in exchange for guarantees." in text


def test_numpy_values_and_nan_are_accepted(result: dict, tmp_path: Path) -> None:
    r = light(result)
    values = r["forecasts"][0]["values"]
    values["compromise"] = {k: np.float64(v) for k, v in values["compromise"].items()}
    values["mean"]["nato"] = float("nan")
    r["packages"]["frontier"][0]["utilities"]["ukraine"] = np.float32(0.5)
    paths = write_report(r, tmp_path / "out", formats=("html", "json", "md"))
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert points(data, "mean")["nato"] is None
    assert data["packages"]["frontier"][0]["utilities"]["ukraine"] == 0.5
    assert "NaN" not in paths["json"].read_text(encoding="utf-8")
    assert "NaN" not in re.sub(r"<script.*?</script>", "", paths["html"].read_text(encoding="utf-8"), flags=re.S)
    assert math.isclose(points(data, "compromise")["nato"], points(result, "compromise")["nato"])


def test_missing_numbers_inside_sections_render_as_dashes(result: dict, tmp_path: Path) -> None:
    r = light(result)
    iv = r["simulation"]["summaries"]["compromise"]["nato"]
    iv["q25"] = iv["q75"] = float("nan")
    r["scenario"]["positions"][0]["salience"] = None
    r["packages"]["frontier"][0]["utilities"]["europe"] = float("nan")
    r["packages"]["ratification"][0]["probability"] = None
    r["exchanges"][0]["gain"] = None
    r["track_record"]["scores"][0]["brier"] = float("nan")
    r["track_record"]["cells"][0]["forecasts"]["accord"] = float("nan")
    text = render_html(r, tmp_path / "gaps.html").read_text(encoding="utf-8")
    assert "NaN" not in re.sub(r"<script.*?</script>", "", text, flags=re.S)
    assert not re.search(r"\bnan\b", render_markdown(r), re.IGNORECASE)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["scenario"].pop("actors"), "scenario.actors"),
        (lambda r: r.update(case="ukraine"), "case"),
        (lambda r: r["scenario"]["positions"][3].update(actor="china"), "scenario.positions.3.actor"),
        (lambda r: r["scenario"]["history"][1].update(issue="tariffs"), "scenario.history.1.issue"),
        (lambda r: r["scenario"]["positions"][0].update(position=140.0), "scenario.positions.0.position"),
        (lambda r: r["scenario"]["issues"][2].update(status_quo=-1), "scenario.issues.2.status_quo"),
        (lambda r: r.update(forecasts={"a": 1}), "forecasts"),
        (lambda r: r["scenario"]["actors"].append(dict(r["scenario"]["actors"][0])), "scenario.actors.4.id"),
        (lambda r: r["forecasts"][0]["values"]["bdm"].update(nato="high"), "forecasts.0.values.bdm.nato"),
        (lambda r: r["simulation"]["summaries"]["mean"]["nato"]["bands"].update(x=1.5),
         "simulation.summaries.mean.nato.bands.x"),
        (lambda r: r["packages"].update(frontier_count=3), "packages.frontier_count"),
    ],
)
def test_bad_results_raise_input_error_naming_the_field(result: dict, change, field: str) -> None:
    bad = copy.deepcopy(result)
    change(bad)
    with pytest.raises(InputError) as err:
        load_result(bad)
    assert err.value.field == field


def test_markdown_has_every_section_and_links(result: dict) -> None:
    md = render_markdown(result)
    for _, title in SECTIONS:
        assert f"\n## {title}\n" in md
    assert "**Example data.**" in md
    for p in result["scenario"]["positions"]:
        for s in p["sources"]:
            assert f"]({s['url']})" in md


def test_markdown_cells_cannot_break_tables(result: dict) -> None:
    r = copy.deepcopy(result)
    r["scenario"]["issues"][0]["title"] = "Donbas | withdrawal\nnext"
    md = render_markdown(r)
    assert "Donbas \\| withdrawal next" in md
    assert "Not computed in this run." in render_markdown(minimal(result))


def test_markdown_text_neutralises_html_but_keeps_comparisons() -> None:
    assert md_text("P < 0.001 and P > 0.999, 3<4") == "P < 0.001 and P > 0.999, 3<4"
    assert md_text("<script>alert(1)</script><!-- x --><https://e.x>") == \
        "&lt;script>alert(1)&lt;/script>&lt;!-- x -->&lt;https://e.x>"
    assert md_text("> quoted\n  > again [link](u)") == "&gt; quoted\n&gt; again \\[link\\](u)"


def test_write_report_formats(result: dict, tmp_path: Path) -> None:
    paths = write_report(light(result), tmp_path / "out", formats=("html", "md", "json"))
    assert {k: p.name for k, p in paths.items()} == {"html": "report.html", "md": "report.md", "json": "result.json"}
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == load_result(light(result)).model_dump(mode="json")
    assert paths["md"].read_text(encoding="utf-8").startswith(f"# {result['case']['title']}\n")
    assert write_report(result, tmp_path / "only", formats=("md",)).keys() == {"md"}
    with pytest.raises(InputError) as err:
        write_report(result, tmp_path / "x", formats=("pdf",))
    assert err.value.field == "format"
