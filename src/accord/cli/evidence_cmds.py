"""CLI commands of the news evidence pipeline: ingest, evidence, suggest, eval quotes/events/statements."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn, Optional

import typer

from accord.cli.common import OutputFormat, emit, terminal_safe
from accord.errors import InputError

DATA_ENV = "ACCORD_DATA"
DEFAULT_DATA = Path("..") / "shared" / "data"

eval_app = typer.Typer(help="Evaluate the evidence extractors on gold data.", no_args_is_help=True)


def _scenario(path: Optional[Path]):
    if path is None:
        return None
    from accord.scenario.io import load_scenario

    return load_scenario(path)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived during an ingest (a BaseException, so that nothing swallows it)."""

    def __init__(self, signum: int | None = None) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def signals_interrupt() -> Iterator[Interrupted]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (once: a second signal
    is ignored while the run rolls back); the previous handlers come back afterwards. The
    yielded object's ``signum`` tells which signal came, also when a library turned the
    exception into another one on its way out. Outside the main thread, which never receives
    signals, the block runs unchanged."""
    received = Interrupted()
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    caught = (signal.SIGINT, signal.SIGTERM)

    def handler(signum, frame) -> None:
        for s in caught:
            signal.signal(s, signal.SIG_IGN)
        received.signum = signum
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in caught}
    try:
        yield received
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def exit_interrupted(signum: int, what_happened: str) -> NoReturn:
    """Say which signal stopped the command and what that left, and exit with 128 + its number."""
    typer.echo(f"interrupted by {signal.Signals(signum).name}: {what_happened}", err=True)
    raise typer.Exit(128 + signum) from None


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files, folders or URL lists (.urls) to ingest."),
    db: Path = typer.Option(..., "--db", help="DuckDB evidence database (created if missing)."),
    scenario: Optional[Path] = typer.Option(None, "--scenario", help="Scenario whose actors and issues to link."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the summary only."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Extract on a local Dask cluster with N workers."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler."),
    segment: Optional[int] = typer.Option(
        None, "--segment", min=0,
        help="Run an input of more than N documents in a fresh process per N documents, so that one "
             "process's memory growth does not build up (default: all in this process; not with "
             "--workers or --scheduler; see docs/methods/evidence.md)."),
    parse_process: Optional[bool] = typer.Option(
        None, "--parse-process/--no-parse-process",
        help="Parse in a second process, ahead of the extraction and the writes: faster on two cores, "
             "about 170 MB more memory (default: for an input of more than 256 documents; not with "
             "--workers or --scheduler)."),
) -> None:
    """Read news articles, extract quotes, statements and claims, and store them in DuckDB."""
    from accord.evidence.ingest import ingest_paths
    from accord.execution import Execution

    sc = _scenario(scenario)
    execution = Execution.from_options(workers, scheduler)
    if execution.distributed and segment is not None:
        raise InputError("segments are for an ingest in this process; a Dask ingest parses on its workers",
                         field="--segment")
    if execution.distributed and parse_process is not None:
        raise InputError("a parse process is for an ingest in this process; a Dask ingest parses on its workers",
                         field="--parse-process")

    def progress(source: str, n: int) -> None:
        if not quiet:
            typer.echo(terminal_safe(f"{n:>5}  {source}"), err=True)

    with signals_interrupt() as received:
        try:
            if execution.distributed:
                from accord.evidence.parallel_ingest import ingest_parallel

                report = ingest_parallel(paths, db, sc, execution, progress=progress)
            else:
                report = ingest_paths(paths, db, sc, progress=progress, segment=segment or 0,
                                      parse_process=parse_process)
        except BaseException:
            if received.signum is None:
                raise
    if received.signum is not None:
        kept = "the batches committed before it are kept" if execution.distributed else "the database is as before"
        exit_interrupted(received.signum, f"the ingest was rolled back ({kept})")
    for msg in report.messages():
        typer.echo(terminal_safe(f"skipped: {msg}"), err=True)
    added = ", ".join(f"{k} {v}" for k, v in report.rows_added.items() if k != "runs")
    relinked = f" ({len(report.relinked)} re-linked to the scenario)" if report.relinked else ""
    typer.echo(
        f"ingested {report.articles_added} new article(s){relinked}, {report.articles_existing} already present, "
        f"{len(report.problems)} input(s) skipped in {report.seconds:.1f} s; rows added: {added}"
    )


def evidence(
    db: Path = typer.Option(..., "--db", help="DuckDB evidence database."),
    kind: str = typer.Option("statements", "--kind", "-k", help="What to list: statements, quotes, claims or flags."),
    actor: Optional[str] = typer.Option(None, "--actor", help="Only this actor id (statements, quotes)."),
    issue: Optional[str] = typer.Option(None, "--issue", help="Only this issue id (statements, claims)."),
    type_: Optional[str] = typer.Option(
        None, "--type",
        help="Only this type: statement type (REJECT), quote kind (direct), quantity type (troops) or flag kind."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    limit: int = typer.Option(200, "--limit", help="At most this many rows."),
) -> None:
    """List stored statements, quotes, numeric claims or quality flags with their sources."""
    from accord.evidence import store
    from accord.evidence.listing import LISTERS, TABLE_COLUMNS

    if kind not in LISTERS:
        raise InputError(f"unknown kind {kind!r} (one of {', '.join(LISTERS)})", field="--kind")
    if limit < 0:
        raise InputError(f"must be 0 or more, got {limit}", field="--limit")
    con = store.connect(db, read_only=True)
    try:
        rows = LISTERS[kind](con, actor, issue, type_, full=fmt is not OutputFormat.table)
    finally:
        con.close()
    shown = rows[:limit]
    if fmt is OutputFormat.table:
        shown = [{c: r[c] for c in TABLE_COLUMNS[kind]} for r in shown]
    emit(shown, fmt, title=f"{kind} ({len(rows)})")


def suggest(
    db: Optional[Path] = typer.Option(None, "--db", help="DuckDB evidence database."),
    scenario: Path = typer.Option(..., "--scenario", help="Scenario to suggest positions for (or to patch)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use evidence published up to this date."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the YAML patch (or, with --apply, the scenario) here."),
    apply: Optional[Path] = typer.Option(None, "--apply", help="Apply this reviewed patch to the scenario (needs --out)."),
) -> None:
    """Suggest actor positions from the stored evidence as a reviewable patch, or apply a reviewed patch."""
    from accord.io import atomic_write_text

    if apply is not None:
        _apply_patch(apply, scenario, out, db, as_of)
        return
    if db is None:
        raise InputError("give the evidence database (or --apply PATCH to apply a patch)", field="--db")
    from accord.evidence.suggest import patch_yaml, suggest_positions

    sc = _scenario(scenario)
    suggestions = suggest_positions(db, sc, as_of=as_of)
    text = patch_yaml(suggestions)
    if out is None:
        typer.echo(text, nl=False)
        return
    atomic_write_text(out, text)
    typer.echo(f"wrote {len(suggestions)} suggested position(s) to {out}")


def _apply_patch(patch: Path, scenario: Path, out: Optional[Path], db: Optional[Path], as_of: Optional[str]) -> None:
    from accord.evidence.suggest import apply_patch, load_patch
    from accord.scenario.io import save_scenario

    if out is None:
        raise InputError("give the file to write the patched scenario to", field="--out")
    if db is not None or as_of is not None:
        raise InputError("--db and --as-of do not apply with --apply", field="--apply")
    entries = load_patch(patch)
    patched = apply_patch(_scenario(scenario), entries, source=str(patch))
    save_scenario(patched, out)
    typer.echo(f"applied {len(entries)} position(s) from {patch}; wrote {out}")


@eval_app.command("quotes")
def eval_quotes(
    split: str = typer.Option("dev", "--split", help="PolNeAR split: dev or train."),
    data: Optional[Path] = typer.Option(
        None, "--data", help=f"PolNeAR folder (default: polnear under ${DATA_ENV}, else ../shared/data)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N articles."),
    citron_compat: bool = typer.Option(False, "--citron-compat", help="Touching spans overlap (Citron)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """Quote attribution on PolNeAR: exact and overlap P/R/F1 for accord and textacy."""
    from accord.evidence.evaluate import evaluate_quotes

    if split not in ("dev", "train"):
        raise InputError(f"unknown split {split!r} (dev or train)", field="--split")
    folder = data_path(data, "polnear", what="PolNeAR folder")
    res = evaluate_quotes(folder / split, limit=limit, citron_compat=citron_compat)
    emit(res.rows(), fmt, title=f"PolNeAR {split}: {res.documents} documents, {res.gold_quotes} gold quotes")


@eval_app.command("events")
def eval_events(
    data: Optional[Path] = typer.Option(
        None, "--data",
        help=f"PLOVER GSR JSON (default: plover/plover-gsr-dev.json under ${DATA_ENV}, else ../shared/data)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    folds: Optional[int] = typer.Option(
        None, "--folds", help="Score each of K seeded folds of the records instead, with their mean and spread."),
) -> None:
    """Statement typing on the PLOVER GSR: accuracy, macro-F1 and the confusion table."""
    from accord.evidence.evaluate import evaluate_events

    if folds is not None:
        from accord.evidence.statement_eval import fold_rows, plover_folds

        path = data_path(data, "plover", "plover-gsr-dev.json", what="PLOVER GSR file")
        emit(fold_rows(plover_folds(path, folds)), fmt, title=f"PLOVER GSR statement typing, {folds} folds")
        return
    res = evaluate_events(data_path(data, "plover", "plover-gsr-dev.json", what="PLOVER GSR file"))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"n": res.n, "accuracy": res.accuracy, "macro_f1": res.macro_f1,
                               "per_type": res.rows(), "confusion": res.confusion_rows()}, indent=2))
        return
    emit([{"records": res.n, "accuracy": round(res.accuracy, 4), "macro_f1": round(res.macro_f1, 4)}], fmt,
         title="PLOVER GSR statement typing")
    emit(res.rows(), fmt, title="per type")
    emit(res.confusion_rows(), fmt, title="confusion (rows gold, columns predicted)")


@eval_app.command("statements")
def eval_statements(
    split: str = typer.Option("dev", "--split", help="Statement-set half: dev or test."),
    data: Optional[Path] = typer.Option(
        None, "--data", help="Statement-set folder (default: benchmarks/data/statements)."),
    matching: str = typer.Option(
        "one-to-one", "--matching",
        help="How gold statements meet predicted ones: one-to-one or independent (docs/methods/statement-typing.md)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """The extractors on the statement set: quotes, speakers, statements, numbers and hedges."""
    from accord.evidence.statement_eval import DEFAULT_DIR, evaluate_statement_set

    folder = data or DEFAULT_DIR
    if not folder.is_dir():
        raise InputError(f"no statement-set folder at {folder}; run from the repository root or give --data PATH",
                         field="--data")
    res = evaluate_statement_set(split, folder, matching=matching)
    emit(res.rows(), fmt, title=f"statement set {split} ({matching} matching): {res.articles} articles, "
         f"{res.sentences} sentences")


def data_path(given: Optional[Path], *parts: str, what: str) -> Path:
    """``given``, else ``parts`` under ``$ACCORD_DATA``, else under ``../shared/data`` of the
    current directory; an InputError (one line, exit 2) when that path does not exist."""
    if given is not None:
        path, how = given, "--data"
    elif os.environ.get(DATA_ENV):
        path, how = Path(os.environ[DATA_ENV]).joinpath(*parts), f"${DATA_ENV}"
    else:
        path, how = DEFAULT_DATA.joinpath(*parts), "the default"
    if not path.exists():
        raise InputError(f"no {what} at {path} (from {how}); give --data PATH or set {DATA_ENV} to the "
                         "shared data folder", field="--data")
    return path


def register(app: typer.Typer) -> None:
    """Add ingest, evidence, suggest and the eval group to the accord CLI."""
    app.command("ingest")(ingest)
    app.command("evidence")(evidence)
    app.command("suggest")(suggest)
    app.add_typer(eval_app, name="eval")


__all__ = ["register"]
