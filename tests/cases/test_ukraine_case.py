"""The bundled Ukraine case: scenario, articles, outcomes and their consistency with the fact base."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import accord.cases.ukraine as ukraine_pkg
from accord.scenario.model import Scenario

CASE = Path(ukraine_pkg.__file__).resolve().parent
ARTICLES = CASE / "articles"
FACTS_REL = "research/ukraine-facts.md"

ACTOR_IDS = {"ukraine", "russia", "united_states", "europe"}
ISSUE_IDS = [
    "donbas_withdrawal", "recognition", "southern_line", "buffer_zone", "nato", "army_cap",
    "foreign_troops", "security_guarantees", "frozen_assets", "sanctions_relief", "elections",
    "amnesty", "language_church", "zaporizhzhia_npp", "truce_sequencing", "prisoner_exchange",
    "referendum",
]
FIRST_DAY = dt.date(2025, 3, 1)
SOURCES_END = dt.date(2026, 6, 15)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load((CASE / "scenario.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scen(raw: dict) -> Scenario:
    return Scenario.model_validate(raw)


@pytest.fixture(scope="module")
def outcomes() -> dict:
    return yaml.safe_load((CASE / "outcomes.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def facts(shared: Path) -> str:
    path = shared / FACTS_REL
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def facts_urls(facts: str) -> dict[str, str]:
    """Source id -> address, read from section 7 of the facts file."""
    sec = facts[facts.index("## 7. Sources"):]
    out: dict[str, str] = {}
    for line in sec.splitlines():
        m = re.match(r"- ([SRPFO]\d+b?) (.*)$", line)
        if not m:
            continue
        sid, rest = m.groups()
        if rest.startswith("GitHub"):
            repo, path = re.findall(r"`([^`]+)`", rest)[:2]
            out[sid] = f"https://github.com/{repo}/blob/HEAD/{path}"
        else:
            out[sid] = re.search(r"https?://[^\s)]+", rest).group(0)
    return out


def value(snap: Scenario, actor: str, issue: str) -> float | None:
    for p in snap.positions:
        if p.actor == actor and p.issue == issue:
            return p.position
    return None


# --------------------------------------------------------------------------- scenario
def test_scenario_validates_with_ids(scen: Scenario) -> None:
    assert scen.id == "ukraine-2025"
    assert {a.id for a in scen.actors} == ACTOR_IDS
    assert [i.id for i in scen.issues] == ISSUE_IDS


def test_anchors_are_quarter_steps_of_raw_codes(scen: Scenario) -> None:
    for issue in scen.issues:
        anchors = issue.scale.anchors
        assert len(anchors) >= 3, issue.id
        assert anchors[0].value == 0 and anchors[-1].value == 100, issue.id
        values = [a.value for a in anchors]
        assert values == sorted(set(values)), issue.id
        for a in anchors:
            assert a.raw is not None and a.raw == int(a.raw), (issue.id, a)
            assert a.value == a.raw * 25, (issue.id, a)
            assert 0 < len(a.label) <= 120, (issue.id, a.label)


def test_issues_have_status_quo_keywords_and_text(scen: Scenario) -> None:
    for issue in scen.issues:
        assert issue.status_quo is not None and issue.status_quo % 12.5 == 0, issue.id
        assert len(issue.keywords) >= 5, issue.id
        assert len(set(k.lower() for k in issue.keywords)) == len(issue.keywords), issue.id
        assert issue.title and issue.description, issue.id
    assert "NATO" in scen.issue("nato").keywords
    assert "Article 5" in scen.issue("nato").keywords


def test_positions_are_sourced_and_on_the_grid(scen: Scenario) -> None:
    assert len(scen.positions) >= 100
    for k, p in enumerate(scen.positions):
        where = f"positions.{k} ({p.actor}, {p.issue}, {p.date})"
        assert p.sources, where
        assert all(re.match(r"https?://\S+$", s.url) for s in p.sources), where
        assert all(s.id for s in p.sources), where
        assert p.position % 12.5 == 0, where
        assert 0 < p.salience <= 1, where
        assert p.uncertainty is not None and 5 <= p.uncertainty <= 40, where
        assert FIRST_DAY <= p.date <= SOURCES_END, where
        assert p.note and "\n" not in p.note and len(p.note) <= 140, where
        for s in p.sources:
            if s.quote:
                assert len(s.quote.split()) <= 15, where
        assert p.origin == "hand"


def test_salience_is_one_value_per_actor_and_issue(scen: Scenario) -> None:
    seen: dict[tuple[str, str], float] = {}
    for p in scen.positions:
        assert seen.setdefault((p.actor, p.issue), p.salience) == p.salience, (p.actor, p.issue)


def test_capabilities_and_roles(scen: Scenario) -> None:
    caps = {a.id: a.capability for a in scen.actors}
    assert caps["united_states"] >= caps["russia"] > caps["ukraine"] >= caps["europe"] > 0
    for a in scen.actors:
        assert a.roles, a.id
        for r in a.roles:
            if r.start and r.end:
                assert r.start < r.end, (a.id, r.title)
    heads = [r for r in scen.actor("united_states").roles if r.title == "President of the United States"]
    assert heads[0].holder == "Donald Trump" and heads[0].start == dt.date(2025, 1, 20)


@pytest.mark.parametrize(
    "actor,names",
    [
        ("ukraine", ["Zelensky", "Zelenskyy", "Kyiv", "the Ukrainian president", "Umerov", "Yermak"]),
        ("russia", ["Putin", "Peskov", "Ushakov", "Lavrov", "Dmitriev", "the Kremlin", "Moscow"]),
        ("united_states", ["Trump", "Witkoff", "Kushner", "Rubio", "Vance", "Washington", "the White House"]),
        ("europe", ["Macron", "Merz", "Starmer", "Kallas", "von der Leyen", "the E3", "Brussels",
                    "European leaders"]),
    ],
)
def test_aliases(scen: Scenario, actor: str, names: list[str]) -> None:
    assert set(names) <= set(scen.actor(actor).aliases)


def test_aliases_do_not_collide(scen: Scenario) -> None:
    owner: dict[str, str] = {}
    for a in scen.actors:
        for alias in a.aliases:
            assert owner.setdefault(alias.lower(), a.id) == a.id, alias


def test_snapshot_at_the_28_point_plan(scen: Scenario) -> None:
    snap = scen.as_of("2025-11-20")
    # facts §1: 28-point plan = 3 on Donbas, NATO, army cap, foreign troops, guarantees; 4 on amnesty
    assert value(snap, "united_states", "donbas_withdrawal") == 75
    assert value(snap, "united_states", "nato") == 75
    assert value(snap, "united_states", "army_cap") == 75
    assert value(snap, "united_states", "amnesty") == 100
    assert value(snap, "united_states", "frozen_assets") == 50
    assert value(snap, "ukraine", "army_cap") == 0
    assert value(snap, "ukraine", "nato") == 25
    # E3 positions start on 2025-11-23 and must not leak into the earlier snapshot
    assert value(snap, "europe", "army_cap") is None
    assert value(snap, "europe", "recognition") == 25


def test_snapshot_end_of_february_2026(scen: Scenario) -> None:
    snap = scen.as_of("2026-02-28")
    assert value(snap, "united_states", "army_cap") == 25  # 800k
    assert value(snap, "ukraine", "army_cap") == 25
    assert value(snap, "europe", "army_cap") == 25
    assert value(snap, "ukraine", "nato") == 50  # bid dropped for guarantees
    assert value(snap, "united_states", "amnesty") == 25  # dropped at Geneva
    assert value(snap, "united_states", "foreign_troops") == 25  # Paris framework
    assert value(snap, "united_states", "donbas_withdrawal") == 75  # Feb 11: probably cedes Donbas
    assert value(snap, "united_states", "zaporizhzhia_npp") == 50  # Feb 2026: US control
    assert value(snap, "europe", "elections") is None and value(snap, "europe", "language_church") is None
    # Russia's stated positions stay at its maximal demand, prisoner swaps aside
    for issue in ISSUE_IDS:
        expected = 50 if issue == "prisoner_exchange" else 100
        assert value(snap, "russia", issue) == expected, issue


def test_issue_data_has_no_nan(scen: Scenario) -> None:
    data = scen.issue_data("2026-02-28")
    assert [d.id for d in data] == ISSUE_IDS
    for d in data:
        for arr in (d.x, d.s, d.c, d.uncertainty):
            assert all(math.isfinite(float(v)) for v in arr), d.id
        assert d.reference is not None


def test_source_addresses_match_the_facts_file(scen: Scenario, facts_urls: dict[str, str]) -> None:
    for p in scen.positions:
        for s in p.sources:
            assert s.id in facts_urls, (p.actor, p.issue, s.id)
            assert s.url == facts_urls[s.id], (p.actor, p.issue, s.id)


def test_quotes_appear_in_the_facts_file(scen: Scenario, facts: str) -> None:
    text = facts.lower().replace("’", "'")
    quotes = [s.quote for p in scen.positions for s in p.sources if s.quote]
    assert len(quotes) >= 8
    for q in quotes:
        assert q.lower() in text, q


def test_positions_cite_sources_the_facts_table_uses(scen: Scenario, facts: str) -> None:
    cited = set(re.findall(r"\[([SRPF]\d+b?)\]", facts))
    for p in scen.positions:
        assert {s.id for s in p.sources} & cited, (p.actor, p.issue, p.date)


# --------------------------------------------------------------------------- articles
class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.title = ""
        self.article = []
        self._in_title = False
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")
        if tag == "title":
            self._in_title = True
        if tag == "article":
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "article":
            self._depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._depth:
            self.article.append(data)


def load_articles() -> list[dict]:
    """Every example article as {key, file, title, date, source, text}."""
    out = []
    for path in sorted(ARTICLES.iterdir()):
        if path.name == "README.md":
            continue
        if path.suffix == ".txt":
            head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
            fields = dict(line.split(": ", 1) for line in head.splitlines())
            out.append({"key": path.name, "file": path.name, "title": fields.get("Title"),
                        "date": fields.get("Date"), "source": fields.get("Source"),
                        "outlet": fields.get("Outlet"), "text": body})
        elif path.suffix == ".html":
            page = _Page()
            page.feed(path.read_text(encoding="utf-8"))
            out.append({"key": path.name, "file": path.name, "title": page.title,
                        "date": page.meta.get("date"), "source": page.meta.get("source"),
                        "outlet": page.meta.get("author", "accord example wire"),
                        "text": " ".join(page.article)})
        elif path.suffix == ".jsonl":
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                row = json.loads(line)
                assert set(row) == {"text", "url", "title", "date", "outlet"}, path.name
                out.append({"key": f"{path.name}#{n}", "file": path.name, "title": row["title"],
                            "date": row["date"], "source": row["url"], "outlet": row["outlet"],
                            "text": row["text"]})
        else:
            raise AssertionError(f"unexpected file {path.name}")
    return out


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    return load_articles()


@pytest.fixture(scope="module")
def readme_rows() -> dict[str, str]:
    rows = {}
    for line in (ARTICLES / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| file") and not line.startswith("|---"):
            rows[line.split(" | ")[0][2:]] = line
    return rows


def test_article_count_and_formats(articles: list[dict]) -> None:
    assert 15 <= len(articles) <= 30
    kinds = {Path(a["file"]).suffix for a in articles}
    assert kinds == {".txt", ".html", ".jsonl"}


def test_articles_parse_with_date_and_source(articles: list[dict]) -> None:
    for a in articles:
        assert a["title"], a["key"]
        assert a["outlet"] == "accord example wire", a["key"]
        d = dt.date.fromisoformat(a["date"])
        assert dt.date(2025, 3, 1) <= d <= SOURCES_END, a["key"]
        assert re.match(r"https?://\S+$", a["source"]), a["key"]
        words = len(a["text"].split())
        assert 150 <= words <= 400, (a["key"], words)


def test_header_dates_match_file_names_except_the_documented_one(
    articles: list[dict], readme_rows: dict[str, str]
) -> None:
    wrong = [k for k, row in readme_rows.items() if "WRONG DATE" in row]
    assert len(wrong) == 1
    for a in articles:
        if a["file"].endswith(".jsonl"):
            continue
        named = a["file"][:10]
        if a["key"] in wrong:
            assert a["date"] != named
        else:
            assert a["date"] == named, a["key"]


def test_readme_lists_every_article_and_its_source(articles: list[dict], readme_rows: dict[str, str]) -> None:
    assert set(readme_rows) == {a["key"] for a in articles}
    for a in articles:
        assert a["source"] in readme_rows[a["key"]], a["key"]


def test_article_sources_are_facts_addresses(articles: list[dict], facts_urls: dict[str, str],
                                             readme_rows: dict[str, str]) -> None:
    known = set(facts_urls.values())
    for a in articles:
        assert a["source"] in known, a["key"]
    for key, row in readme_rows.items():
        for sid, url in re.findall(r"([SRPF]\d+b?) (https?://\S+?)(?=;| \|)", row):
            assert facts_urls[sid] == url, (key, sid)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_documented_defects_are_present(articles: list[dict]) -> None:
    dup = [a["key"] for a in articles
           if len(set(_paragraphs(a["text"]))) < len(_paragraphs(a["text"]))]
    assert dup == ["2025-12-16_berlin-talks.txt"]
    boiler = [a["key"] for a in articles if "Share this article" in a["text"]]
    assert boiler == ["2025-12-24_20-point-plan.txt"]
    hedged = [a["key"] for a in articles
              if re.search(r"\b(some analysts say|reportedly|many believe|it is understood)\b", a["text"], re.I)]
    assert len(hedged) >= 3


def test_articles_carry_attributed_direct_quotes(articles: list[dict], facts: str) -> None:
    text = facts.lower()
    found = 0
    for a in articles:
        for q in re.findall(r'"([^"]{3,80})"', a["text"]):
            found += 1
            assert len(q.split()) <= 15, (a["key"], q)
            core = q.strip(" ,.").lower()
            assert core in text, (a["key"], q)  # only quotes the facts file reports
    assert found >= 15


def test_articles_do_not_copy_the_seeds(articles: list[dict], shared: Path) -> None:
    seeds = sorted((shared / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed articles")

    def shingles(t: str, n: int = 8) -> set[tuple[str, ...]]:
        w = re.findall(r"[a-z0-9']+", t.lower())
        return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}

    seed = set().union(*(shingles(p.read_text(encoding="utf-8", errors="replace")) for p in seeds))
    for a in articles:
        assert not (shingles(a["text"]) & seed), a["key"]


# --------------------------------------------------------------------------- outcomes
def test_outcomes_ground_truth(outcomes: dict) -> None:
    assert outcomes["case"] == "ukraine-2025"
    assert outcomes["as_of"] == dt.date(2026, 6, 15)
    got = {o["id"]: o["value"] for o in outcomes["outcomes"]}
    assert got["comprehensive_agreement_by_2026_06_15"] is False
    assert got["general_ceasefire_30d_by_2026_06_15"] is False
    assert got["elections_by_2026_05_15"] is False
    assert got["referendum_by_2026_05_15"] is False
    assert got["reparations_loan_by_2025_12_31"] is False
    assert got["pow_swap_by_2026_02_28"] is True and got["pow_swap_3_by_2026_05_31"] is True
    for o in outcomes["outcomes"]:
        assert o["status"] in {"observed", "no_evidence", "inferred"}, o["id"]
        assert o["date"] <= dt.date(2026, 6, 15), o["id"]
        assert o["sources"] and all(s["url"].startswith("http") for s in o["sources"]), o["id"]
    for o in outcomes["unknown"]:
        assert o["value"] is None


def test_baselines(outcomes: dict, facts_urls: dict[str, str]) -> None:
    b = {x["id"]: x for x in outcomes["baselines"]}
    q = b["metaculus_q41903"]
    assert q["probability"] == 0.22 and q["date"] == dt.date(2026, 2, 8) and q["forecasters"] == 108
    assert q["source"]["url"] == facts_urls["F1"]
    assert b["metaculus_q41138"]["probability"] == 0.40
    assert b["metaculus_q41138"]["source"]["url"] == facts_urls["F2"]
    ids = {o["id"] for o in outcomes["outcomes"]} | {o["id"] for o in outcomes["unknown"]}
    for x in outcomes["baselines"]:
        if "outcome_id" in x:
            assert x["outcome_id"] in ids


def test_outcome_sources_match_facts(outcomes: dict, facts_urls: dict[str, str]) -> None:
    for o in outcomes["outcomes"] + outcomes["unknown"]:
        for s in o["sources"]:
            assert facts_urls[s["id"]] == s["url"], (o["id"], s["id"])


def test_position_shifts_agree_with_the_scenario(outcomes: dict, scen: Scenario) -> None:
    lo, hi = outcomes["window"]["from"], outcomes["window"]["to"]
    a, b = scen.as_of(lo), scen.as_of(hi)
    listed = outcomes["position_shifts"]
    assert list(listed) == ISSUE_IDS
    for issue in ISSUE_IDS:
        expect = {}
        for actor in ACTOR_IDS:
            x0, x1 = value(a, actor, issue), value(b, actor, issue)
            if x0 is not None and x1 is not None and x0 != x1:
                expect[actor] = (x0, x1, "toward_russia" if x1 > x0 else "away_from_russia")
        got = {s["actor"]: (s["from"], s["to"], s["direction"]) for s in listed[issue]["shifted"]}
        assert got == expect, issue
        new = {s["actor"] for s in listed[issue]["new"]}
        assert new == {x for x in ACTOR_IDS if value(a, x, issue) is None and value(b, x, issue) is not None}
    # the headline moves of facts §1: the US away from Russia on the army cap, Ukraine toward it on NATO
    assert {"actor": "united_states", "from": 75, "to": 25} .items() <= next(
        s for s in listed["army_cap"]["shifted"] if s["actor"] == "united_states").items()
    assert any(s["actor"] == "ukraine" and s["direction"] == "toward_russia" for s in listed["nato"]["shifted"])


# --------------------------------------------------------------------------- events (rolling backtest)
def test_events_cover_the_timeline_with_a_third_resolved_yes(outcomes: dict) -> None:
    from accord.analysis.events import load_events

    events = load_events(CASE / "events.yaml")
    resolved = {o["id"]: o for o in outcomes["outcomes"]}
    assert len(events) >= 20 and all(e.id in resolved for e in events)
    assert all(dt.date(2025, 12, 1) <= e.deadline <= dt.date(2026, 6, 30) for e in events)
    yes = [e.id for e in events if resolved[e.id]["value"]]
    assert len(yes) * 3 >= len(events)
    for e in events:  # resolved by the deadline, with the answer "nothing changes" gives
        assert resolved[e.id]["date"] <= e.deadline and isinstance(resolved[e.id]["status_quo"], bool), e.id
    origins = outcomes["origins"]
    assert len(origins) >= 6 and min(origins) >= dt.date(2025, 11, 20) and max(origins) <= dt.date(2026, 4, 1)


def test_event_sources_match_facts(facts_urls: dict[str, str]) -> None:
    from accord.analysis.events import load_events

    for e in load_events(CASE / "events.yaml"):
        assert e.sources, e.id
        for s in e.sources:
            assert facts_urls[s["id"]] == s["url"], (e.id, s["id"])
