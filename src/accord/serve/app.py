"""The workbench web app: pages with stable URLs, a small JSON API for edits, variants and jobs.

Pages (GET, the query string fixes what is shown: ``as_of``, ``variant``, ``models``):
``/forecasts``, ``/evidence``, ``/packages``, ``/levers``, ``/variants``. State changes are
POSTs under ``/api/`` guarded by :class:`accord.serve.safety.Guard`. See docs/workbench.md.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup

from accord.errors import AccordError, InputError
from accord.models.registry import names
from accord.report.export import report_tables
from accord.report.labels import fmt_pct
from accord.serve import views
from accord.serve.exports import download, forecasts_table
from accord.serve.jobs import Job, Jobs, full_run_work
from accord.serve.safety import BodyTooLarge, Guard, new_token
from accord.serve.variants import VariantStore, check_name, save_yaml
from accord.serve.workbench import Workbench, fast_models, forecast_rows, input_grid, parse_edit

VIEWS = ("forecasts", "evidence", "packages", "levers", "variants")
DEFAULT_DRAWS = 500


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The workbench's templates, HTML-escaped everywhere."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("accord.serve", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v, d=1: "–" if v is None else f"{float(v):.{d}f}"
    env.filters["pct"] = fmt_pct
    env.filters["signed"] = lambda v: "" if v is None or abs(v) < 0.05 else f"{v:+.1f}"
    return env


@lru_cache(maxsize=4)
def static_text(name: str) -> str:
    """A bundled static file (``workbench.js``, ``workbench.css``) or plotly.js from the plotly wheel."""
    if name == "plotly.js":
        from plotly.offline import get_plotlyjs

        return get_plotlyjs()
    return resources.files("accord.serve").joinpath("static", name).read_text(encoding="utf-8")


STATIC = {"workbench.js": "text/javascript", "workbench.css": "text/css", "plotly.js": "text/javascript"}


class Server:
    """What the app holds: the workbench, the variant store, the job runner and the last full run."""

    def __init__(self, bench: Workbench, token: str) -> None:
        self.bench = bench
        self.token = token
        self.store = VariantStore(bench.out)
        self.jobs = Jobs()
        self.last_run: Any = None
        self.run_of: tuple[str, str] | None = None  # (variant or "", as_of) of the last full run

    @property
    def case_name(self) -> str:
        """The case's name (bundled name or folder name)."""
        return self.bench.case.name

    def scenario_for(self, variant: str | None) -> tuple[Any, dict]:
        """The scenario shown: a saved variant's, or the working edited one; with its edits."""
        if variant:
            v = self.store.get(self.case_name, check_name(variant))
            return v.scenario(), {(e["actor"], e["issue"]): e for e in v.edits}
        with self.bench.lock:
            return self.bench.scenario(), dict(self.bench.edits)


def _date_arg(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value[:30]!r}", field="as_of") from None


def _models_arg(value: str | None) -> list[str]:
    if not value:
        return fast_models()
    chosen = [m for m in value.split(",") if m]
    unknown = [m for m in chosen if m not in fast_models()]
    if unknown:
        raise InputError(f"unknown or slow model {unknown[0][:40]!r}; fast models: {', '.join(fast_models())}",
                         field="models")
    return chosen


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("the request body is not JSON", field="body") from None


def create_app(bench: Workbench, token: str | None = None) -> Any:
    """The ASGI app of the workbench (FastAPI wrapped in the safety guard)."""
    server = Server(bench, token or new_token())
    app = FastAPI(title="accord workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.server = server

    @app.exception_handler(AccordError)
    async def _input_error(request: Request, exc: AccordError) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=413)

    @app.get("/")
    def home() -> Response:
        return RedirectResponse("/forecasts", status_code=303)

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            return PlainTextResponse("not found", status_code=404)
        return Response(static_text(name), media_type=STATIC[name], headers={"cache-control": "max-age=3600"})

    @app.get("/{view}", response_class=HTMLResponse)
    def page(view: str, as_of: str | None = None, variant: str | None = None, models: str | None = None,
             baseline: str | None = None) -> Response:
        if view not in VIEWS:
            return PlainTextResponse("not found", status_code=404)
        try:
            ctx = views.context(server, view, _date_arg(as_of, bench.as_of), variant or None, _models_arg(models),
                                baseline or None)
        except InputError as exc:
            return HTMLResponse(templates().get_template("error.html.j2").render(message=str(exc)), status_code=400)
        ctx.update(view=view, views=VIEWS, csrf=server.token, case=server.case_name)
        ctx["page_data"] = Markup(json.dumps(ctx.pop("data")).replace("<", "\\u003c").replace(">", "\\u003e")
                                  .replace("&", "\\u0026"))
        return HTMLResponse(templates().get_template("workbench.html.j2").render(**ctx))

    _api(app, server)
    _exports(app, server)
    return Guard(app, server.token)


def _api(app: FastAPI, server: Server) -> None:
    """The JSON API: forecasts, edits, the as-of date, variants and background jobs."""
    bench = server.bench

    @app.get("/api/forecasts")
    def api_forecasts(as_of: str | None = None, variant: str | None = None, models: str | None = None) -> Response:
        scenario, _ = server.scenario_for(variant)
        when = _date_arg(as_of, bench.as_of)
        chosen = _models_arg(models)
        return JSONResponse({"as_of": when.isoformat(), "rows": forecast_rows(scenario, bench.original, when, chosen)})

    @app.post("/api/edit")
    async def api_edit(request: Request) -> Response:
        t0 = time.perf_counter()
        edit = parse_edit(await _json_body(request))
        scenario = bench.edit(edit)
        models = _models_arg(request.query_params.get("models"))
        rows = forecast_rows(scenario, bench.original, bench.as_of, models)
        grid = input_grid(scenario, bench.as_of, bench.edits)
        return JSONResponse({"rows": rows, "grid": grid, "ms": round(1000 * (time.perf_counter() - t0), 1)})

    @app.post("/api/reset")
    def api_reset() -> Response:
        bench.reset()
        return JSONResponse({"ok": True})

    @app.post("/api/as-of")
    async def api_as_of(request: Request) -> Response:
        body = await _json_body(request)
        bench.set_as_of(_date_arg(body.get("as_of") if isinstance(body, dict) else None, bench.as_of))
        return JSONResponse({"as_of": bench.as_of.isoformat()})

    @app.post("/api/variants")
    async def api_save(request: Request) -> Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise InputError("send {\"name\": ..., \"yaml\": true|false}", field="body")
        name = check_name(body.get("name"))
        with bench.lock:
            edited = bench.scenario()
            edits = [{"actor": e.actor, "issue": e.issue, **e.values()} for e in bench.edits.values()]
            when = bench.as_of
        variant = server.store.save(name, server.case_name, when, edits, bench.original, edited)
        out = {"name": variant.name, "changes": variant.diff, "url": f"/forecasts?variant={variant.name}"}
        if body.get("yaml"):
            out["file"] = str(save_yaml(edited, bench.out, name).relative_to(bench.out.resolve()))
        return JSONResponse(out)

    @app.post("/api/variants/{name}/load")
    def api_load(name: str) -> Response:
        variant = server.store.get(server.case_name, check_name(name))
        bench.reset()
        bench.set_as_of(variant.as_of)
        for e in variant.edits:
            bench.edit(parse_edit(e))
        return JSONResponse({"loaded": variant.name, "as_of": variant.as_of.isoformat()})

    @app.post("/api/jobs")
    async def api_job(request: Request) -> Response:
        body = await _json_body(request)
        draws = body.get("draws", DEFAULT_DRAWS) if isinstance(body, dict) else DEFAULT_DRAWS
        if not isinstance(draws, int) or not 1 <= draws <= 20000:
            raise InputError("draws must be a whole number from 1 to 20000", field="draws")
        job = start_full_run(server, draws)
        return JSONResponse(job.view())

    @app.post("/api/jobs/{job_id}/cancel")
    def api_cancel(job_id: int) -> Response:
        return JSONResponse(server.jobs.cancel(job_id).view())

    @app.get("/api/jobs/latest")
    def api_latest() -> Response:
        job = server.jobs.latest()
        return JSONResponse(job.view() if job else {})



def _exports(app: FastAPI, server: Server) -> None:
    """Downloads of the current view: the fast forecasts as CSV or xlsx; the last full run's self-contained HTML
    report and all its report's tables (``report.xlsx``, ``report.zip``: one CSV per table)."""
    bench = server.bench

    @app.get("/export/forecasts.{fmt}")
    def export_forecasts(fmt: str, as_of: str | None = None, variant: str | None = None,
                         models: str | None = None) -> Response:
        if fmt not in ("csv", "xlsx"):
            return PlainTextResponse("not found", status_code=404)
        scenario, _ = server.scenario_for(variant)
        chosen = _models_arg(models)
        rows = forecast_rows(scenario, bench.original, _date_arg(as_of, bench.as_of), chosen)
        return download([forecasts_table(rows, chosen)], fmt, "forecasts")

    @app.get("/export/report.{fmt}")
    def export_run_tables(fmt: str) -> Response:
        if fmt not in ("xlsx", "zip"):
            return export_report() if fmt == "html" else PlainTextResponse("not found", status_code=404)
        if server.last_run is None:
            return PlainTextResponse("no full run yet: start one with 'Run all models'", status_code=404)
        return download(report_tables(server.last_run.result), "xlsx" if fmt == "xlsx" else "csv", "report")

    def export_report() -> Response:
        run = server.last_run
        if run is None or "html" not in run.files:
            return PlainTextResponse("no full run yet: start one with 'Run all models'", status_code=404)
        return FileResponse(Path(run.files["html"]), media_type="text/html", filename="report.html")


def start_full_run(server: Server, draws: int) -> Job:
    """Start the full run of the working scenario (BDM, exchange, Monte Carlo, packages) in the background."""
    from accord.scenario.io import dumps_scenario

    bench = server.bench
    with bench.lock:
        text = dumps_scenario(bench.scenario(), "yaml")
        when = bench.as_of
    job_out = bench.out / "runs" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    work = full_run_work(bench.case.folder, text, when.isoformat(), job_out, draws)

    def keep(job: Job) -> None:
        server.last_run, server.run_of = job.output, ("", when.isoformat())

    return server.jobs.start(f"full run as of {when}", work, keep)


def run_models() -> list[str]:
    """Models the full run adds to the fast ones (shown while a run is pending)."""
    return [m for m in names(tag="run") if m not in fast_models()]
