"""Every internal link of a rendered report (``href="#..."``) has its target, for both bundled cases."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from accord.cases import load_case
from accord.pipeline import run
from accord.report.html import render_html_string
from accord.result import load_result

FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"


class Targets(HTMLParser):
    """The ids of a page and its links to fragments of itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.fragments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        href = a.get("href") or ""
        if href.startswith("#"):
            self.fragments.append(href[1:])


def dangling(page: str) -> list[str]:
    targets = Targets()
    targets.feed(page)
    targets.close()
    assert targets.fragments, "the report links nothing internally"
    return sorted({f for f in targets.fragments if f not in targets.ids})


@pytest.fixture(scope="module", params=["ukraine", "colombia"])
def bundled_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp(f"links-{request.param}")
    done = run(load_case(request.param).folder, out=out, draws=20, formats=("html",))
    return done.files["html"].read_text(encoding="utf-8")


def test_every_internal_link_of_a_bundled_report_has_its_target(bundled_report: str) -> None:
    assert dangling(bundled_report) == []


def test_a_suggestion_for_a_party_without_a_position_links_no_position() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    first = data["scenario"]["positions"][0]
    data["scenario"]["positions"] = [p for p in data["scenario"]["positions"]
                                     if (p["actor"], p["issue"]) != (first["actor"], first["issue"])]
    data["scenario"]["history"] = [p for p in data["scenario"]["history"]
                                   if (p["actor"], p["issue"]) != (first["actor"], first["issue"])]
    data["evidence"]["suggestions"].append({
        "actor": first["actor"], "issue": first["issue"], "suggested": 40.0, "hand": None, "confidence": 0.5,
        "agrees": False, "supporting": ["no-such-statement"], "contradicting": [], "n_statements": 1,
    })
    page = render_html_string(load_result(data))
    assert dangling(page) == []
    assert "no-such-statement" in page  # named, but not linked


def test_example_articles_are_announced_as_example_evidence() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    articles = data["evidence"]["articles"]
    assert len(articles) >= 2
    for a in articles:
        a["outlet"] = "Real Daily"
    assert "Example evidence" not in render_html_string(load_result(data))
    articles[0]["outlet"] = "accord example wire"
    page = render_html_string(load_result(data))
    assert f"<b>Example evidence.</b>\n    1 of the {len(articles)} articles" in page
    assert page.count('<span class="tag">example</span>') == 1
    for a in articles:
        a["outlet"] = "accord example wire"
    assert f"All {len(articles)} articles" in render_html_string(load_result(data))


def test_the_bundled_articles_readme_points_to_the_facts_by_a_relative_path() -> None:
    text = (load_case("ukraine").folder / "articles" / "README.md").read_text(encoding="utf-8")
    assert "`../shared/research/ukraine-facts.md`" in text
    assert not re.search(r"(?<![\w.])/(work|tmp|root|home)/", text)
