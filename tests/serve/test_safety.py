"""Safety of the workbench: hostile text renders inertly, state changes need POST + CSRF token,
large bodies are refused with a clear message, and a crashing job leaves the server and variants intact."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from serve_support import TOKEN

from accord.errors import InputError
from accord.serve.app import create_app
from accord.serve.jobs import Jobs
from accord.serve.safety import MAX_BODY, safe_url
from accord.serve.workbench import Workbench

HEADERS = {"x-csrf-token": TOKEN}
SCRIPT = "<script>alert('x')</script>"
JS_URL = "javascript:alert(document.cookie)"
BREAKOUT = '"><img src=x onerror=alert(1)>'


def hostile_case(folder: Path) -> Path:
    """A case whose names, notes, quotes and sources try to inject markup and script."""
    folder.mkdir()
    scenario = {
        "id": "hostile", "title": f"Talks {SCRIPT}",
        "actors": [{"id": "a", "name": f"Alpha {SCRIPT}"}, {"id": "b", "name": f"Beta {BREAKOUT}"}],
        "issues": [{"id": "i1", "title": "Issue </script><script>alert(2)</script>",
                    "scale": {"anchors": [{"value": 0, "label": f"none {BREAKOUT}"}, {"value": 100, "label": "all"}]}}],
        "positions": [
            {"actor": "a", "issue": "i1", "position": 20, "salience": 0.5, "date": "2025-01-01", "note": SCRIPT,
             "sources": [{"url": JS_URL, "title": f"click {SCRIPT}", "quote": BREAKOUT}]},
            {"actor": "b", "issue": "i1", "position": 80, "salience": 0.7, "date": "2025-01-01",
             "sources": [{"url": " JaVaScRiPt:alert(3)", "outlet": BREAKOUT},
                         {"url": "https://example.org/a?b=1&c=2", "title": "fine"}]},
        ],
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return folder


def test_a_hostile_scenario_renders_inertly(tmp_path: Path) -> None:
    client = TestClient(create_app(Workbench.open(hostile_case(tmp_path / "case"), tmp_path / "out"), token=TOKEN))
    client.post("/api/variants", json={"name": "v1"}, headers=HEADERS)
    pages = {view: client.get(f"/{view}").text for view in ("forecasts", "evidence", "packages", "levers", "variants")}
    pages["variant"] = client.get("/variants?variant=v1").text
    client.post("/api/edit", json={"actor": "a", "issue": "i1", "salience": 0.9}, headers=HEADERS)
    pages["levers-edited"] = client.get("/levers").text  # its waterfall names the hostile actor
    for view, html in pages.items():
        assert "<script>alert" not in html, view
        assert "</script><script>" not in html, view
        assert "<img src=x" not in html, view
        assert 'href="javascript:' not in html.lower() and "href=' javascript" not in html.lower(), view
        charts = html.count('class="plotly-graph-div"')  # each chart's drawing script
        assert charts == {"levers": 1, "levers-edited": 2}.get(view, 0), view
        assert html.count("<script") == html.count("</script>") == 3 + charts, view  # plotly.js, ours, the page data
    assert "Talks &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages["forecasts"]
    assert "Beta &#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages["forecasts"]
    evidence = pages["evidence"]
    assert '<span class="unlinked" title="not an http(s) address">javascript:alert(document.cookie)</span>' in evidence
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">fine</a>' in evidence
    assert "<blockquote>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</blockquote>" in evidence
    data = pages["forecasts"].split('<script type="application/json" id="page-data">')[1].split("</script>")[0]
    assert "<" not in data and ">" not in data


@pytest.mark.parametrize(("url", "kept"), [
    ("https://a.org/x", True), ("http://a.org", True), ("javascript:alert(1)", False), (" JAVASCRIPT:x", False),
    ("data:text/html,<b>", False), ("vbscript:x", False), ("//evil.org/x", False), ("/local", False), (None, False),
    ("http://[::1", False),
])
def test_only_http_addresses_become_links(url, kept: bool) -> None:
    assert (safe_url(url) is not None) is kept


@pytest.fixture()
def client(bench: Workbench) -> TestClient:
    return TestClient(create_app(bench, token=TOKEN))


def test_state_changes_need_the_csrf_token(client: TestClient, bench: Workbench) -> None:
    body = {"actor": "russia", "issue": "donbas_withdrawal", "salience": 0.2}
    for headers in ({}, {"x-csrf-token": "wrong"}):
        got = client.post("/api/edit", json=body, headers=headers)
        assert got.status_code == 403
        assert got.json() == {"error": "refused: missing or wrong CSRF token; reload the page"}
    other_site = client.post("/api/edit", json=body, headers={**HEADERS, "origin": "http://evil.example"})
    assert other_site.json() == {"error": "refused: the request comes from another site"}
    assert client.put("/api/edit", json=body, headers=HEADERS).status_code == 405
    assert client.get("/api/edit").status_code in (404, 405)
    assert bench.edits == {}
    assert client.post("/api/edit", json=body, headers={**HEADERS, "origin": "http://testserver"}).status_code == 200


def test_large_bodies_are_refused_with_a_clear_message(client: TestClient, bench: Workbench) -> None:
    big = b"x" * (MAX_BODY + 1)
    got = client.post("/api/edit", content=big, headers={**HEADERS, "content-type": "application/json"})
    assert got.status_code == 413
    assert got.json() == {"error": f"request body too large: {MAX_BODY + 1} bytes; the limit is {MAX_BODY} bytes"}

    def chunks():
        for _ in range(MAX_BODY // 1000 + 2):
            yield b"x" * 1000

    streamed = client.post("/api/edit", content=chunks(), headers=HEADERS)
    assert streamed.status_code == 413
    assert streamed.json() == {"error": f"request body too large; the limit is {MAX_BODY} bytes"}
    assert client.post("/api/edit", content=b"{not json", headers=HEADERS).json() == {
        "error": "body: the request body is not JSON"}


def test_a_crashing_job_shows_its_error_and_keeps_server_and_variants(client: TestClient, bench: Workbench) -> None:
    client.post("/api/edit", json={"actor": "russia", "issue": "donbas_withdrawal", "salience": 0.2}, headers=HEADERS)
    client.post("/api/variants", json={"name": "kept"}, headers=HEADERS)
    server = client.app.app.state.server

    def crash(say):
        say("forecasts", "about to fail")
        raise ZeroDivisionError("division by zero in a model")

    job = server.jobs.start("crash test", crash)
    server.jobs.wait(job.id, 10)
    latest = client.get("/api/jobs/latest").json()
    assert latest["status"] == "failed"
    assert latest["error"] == "ZeroDivisionError: division by zero in a model"
    assert client.get("/forecasts").status_code == 200
    assert "crash test: failed – ZeroDivisionError: division by zero in a model" in client.get("/forecasts").text
    assert [v["name"] for v in server.store.names("ukraine")] == ["kept"]
    assert server.store.get("ukraine", "kept").edits == [{"actor": "russia", "issue": "donbas_withdrawal", "salience": 0.2}]


def test_jobs_report_progress_can_be_cancelled_and_run_one_at_a_time() -> None:
    jobs = Jobs()
    started = threading.Event()

    go_on = threading.Event()

    def slow(say):
        say("uncertainty", "500/1000 draws")
        started.set()
        go_on.wait(5)
        for k in range(501, 1000):
            say("uncertainty", f"{k}/1000 draws")
            time.sleep(0.01)
        return "finished"

    job = jobs.start("slow", slow)
    assert started.wait(5)
    with pytest.raises(InputError, match="a background job is already running"):
        jobs.start("second", slow)
    assert jobs.get(job.id).view()["stage"] == "uncertainty"
    assert jobs.get(job.id).done == 0.35  # (3 stages before it + half of its draws) / 10 stages
    jobs.cancel(job.id)
    go_on.set()
    assert jobs.wait(job.id, 5).status == "cancelled"
    assert job.output is None
    done = jobs.start("quick", lambda say: 42)
    assert jobs.wait(done.id, 5).status == "done" and done.output == 42


def test_a_real_full_run_is_cancelled_at_once_and_its_process_ends(bench: Workbench, tmp_path: Path) -> None:
    from accord.scenario.io import dumps_scenario
    from accord.serve.jobs import full_run_work

    jobs = Jobs()
    work = full_run_work(bench.case.folder, dumps_scenario(bench.original, "yaml"), bench.as_of.isoformat(),
                         tmp_path / "run", draws=50)
    job = jobs.start("full run", work)
    end = time.time() + 60
    while job.stage in ("", "scenario") and time.time() < end:  # wait until the child reports a later stage
        time.sleep(0.05)
    assert job.stage in ("evidence", "forecasts")
    cancelled_at = time.time()
    jobs.cancel(job.id)
    assert jobs.wait(job.id, 10).status == "cancelled"
    assert time.time() - cancelled_at < 5
    assert not [p for p in __import__("multiprocessing").active_children() if p.name == "accord-full-run"]


def test_a_full_run_that_fails_in_its_process_shows_one_line(tmp_path: Path) -> None:
    from accord.serve.jobs import full_run_work

    jobs = Jobs()
    case = hostile_case(tmp_path / "case")
    job = jobs.start("full run", full_run_work(case, "id: broken\nactors: []\n", "2025-01-01", tmp_path / "run", draws=10))
    assert jobs.wait(job.id, 60).status == "failed"
    assert job.error == (f"{tmp_path.name}/run/case/scenario.yaml:2: actors: List should have at least 1 item after "
                         "validation, not 0 (and 1 more problems)")
