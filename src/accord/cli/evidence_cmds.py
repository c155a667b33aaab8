"""CLI commands of the news evidence pipeline: ingest, evidence, suggest, eval quotes/events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from accord.cli.common import OutputFormat, emit
from accord.errors import InputError

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"

eval_app = typer.Typer(help="Evaluate the evidence extractors on gold data.", no_args_is_help=True)


def _scenario(path: Optional[Path]):
    if path is None:
        return None
    from accord.scenario.io import load_scenario

    return load_scenario(path)


def ingest(
    paths: List[Path] = typer.Argument(..., help="Files, folders or URL lists (.urls) to ingest."),
    db: Path = typer.Option(..., "--db", help="DuckDB evidence database (created if missing)."),
    scenario: Optional[Path] = typer.Option(None, "--scenario", help="Scenario whose actors and issues to link."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the summary only."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Extract on a local Dask cluster with N workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler."),
) -> None:
    """Read news articles, extract quotes, statements and claims, and store them in DuckDB."""
    from accord.evidence.ingest import ingest_paths
    from accord.execution import Execution

    sc = _scenario(scenario)
    execution = Execution.from_options(workers, scheduler)

    def progress(source: str, n: int) -> None:
        if not quiet:
            typer.echo(f"{n:>5}  {source}", err=True)

    if execution.distributed:
        from accord.evidence.parallel_ingest import ingest_parallel

        report = ingest_parallel(paths, db, sc, execution, progress=progress)
    else:
        report = ingest_paths(paths, db, sc, progress=progress)
    for msg in report.messages():
        typer.echo(f"skipped: {msg}", err=True)
    added = ", ".join(f"{k} {v}" for k, v in report.rows_added.items() if k != "runs")
    typer.echo(
        f"ingested {report.articles_added} new article(s), {report.articles_existing} already present, "
        f"{len(report.problems)} input(s) skipped in {report.seconds:.1f} s; rows added: {added}"
    )


def evidence(
    db: Path = typer.Option(..., "--db", help="DuckDB evidence database."),
    actor: Optional[str] = typer.Option(None, "--actor", help="Only statements by this actor id."),
    issue: Optional[str] = typer.Option(None, "--issue", help="Only statements on this issue id."),
    type_: Optional[str] = typer.Option(None, "--type", help="Only this statement type (e.g. REJECT)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    limit: int = typer.Option(200, "--limit", help="At most this many rows."),
) -> None:
    """List stored statements with their sources."""
    from accord.evidence import store
    from accord.evidence.statements import TYPES

    if type_ and type_.upper() not in TYPES:
        raise InputError(f"unknown statement type {type_!r} (one of {', '.join(TYPES)})", field="--type")
    con = store.connect(db, read_only=True)
    try:
        rows = store.query_statements(con, actor, issue, type_)
    finally:
        con.close()
    out = []
    for r in rows[:limit]:
        out.append({
            "date": str(r["published_at"]) if r["published_at"] else None,
            "actor": r["actor_id"], "type": r["event_type"], "issues": ",".join(json.loads(r["issue_ids"])),
            "speaker": r["speaker"], "sentence": r["sentence_text"] if fmt is not OutputFormat.table
            else _clip(r["sentence_text"], 90),
            "outlet": r["outlet"], "url": r["url"], "article": r["article_id"],
            "offsets": f"{r['sentence_start']}-{r['sentence_end']}", "confidence": round(r["confidence"], 3),
        })
    emit(out, fmt, title=f"statements ({len(rows)})")


def _clip(text: str, n: int) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def suggest(
    db: Path = typer.Option(..., "--db", help="DuckDB evidence database."),
    scenario: Path = typer.Option(..., "--scenario", help="Scenario to suggest positions for."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use evidence published up to this date."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the YAML patch here (default: print)."),
) -> None:
    """Suggest actor positions from the stored evidence, as a reviewable scenario patch."""
    from accord.evidence.suggest import patch_yaml, suggest_positions

    sc = _scenario(scenario)
    suggestions = suggest_positions(db, sc, as_of=as_of)
    text = patch_yaml(suggestions)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(suggestions)} suggested position(s) to {out}")


@eval_app.command("quotes")
def eval_quotes(
    split: str = typer.Option("dev", "--split", help="PolNeAR split: dev or train."),
    data: Path = typer.Option(SHARED_DATA / "polnear", "--data", help="PolNeAR folder."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N articles."),
    citron_compat: bool = typer.Option(False, "--citron-compat", help="Touching spans overlap (Citron)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """Quote attribution on PolNeAR: exact and overlap P/R/F1 for accord and textacy."""
    from accord.evidence.evaluate import evaluate_quotes

    if split not in ("dev", "train"):
        raise InputError(f"unknown split {split!r} (dev or train)", field="--split")
    res = evaluate_quotes(data / split, limit=limit, citron_compat=citron_compat)
    emit(res.rows(), fmt, title=f"PolNeAR {split}: {res.documents} documents, {res.gold_quotes} gold quotes")


@eval_app.command("events")
def eval_events(
    data: Path = typer.Option(SHARED_DATA / "plover" / "plover-gsr-dev.json", "--data", help="PLOVER GSR JSON."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """Statement typing on the PLOVER GSR: accuracy, macro-F1 and the confusion table."""
    from accord.evidence.evaluate import evaluate_events

    res = evaluate_events(data)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"n": res.n, "accuracy": res.accuracy, "macro_f1": res.macro_f1,
                               "per_type": res.rows(), "confusion": res.confusion_rows()}, indent=2))
        return
    emit([{"records": res.n, "accuracy": round(res.accuracy, 4), "macro_f1": round(res.macro_f1, 4)}], fmt,
         title="PLOVER GSR statement typing")
    emit(res.rows(), fmt, title="per type")
    emit(res.confusion_rows(), fmt, title="confusion (rows gold, columns predicted)")


def register(app: typer.Typer) -> None:
    """Add ingest, evidence, suggest and the eval group to the accord CLI."""
    app.command("ingest")(ingest)
    app.command("evidence")(evidence)
    app.command("suggest")(suggest)
    app.add_typer(eval_app, name="eval")


__all__ = ["register"]
