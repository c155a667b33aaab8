"""Background jobs of the workbench: the full run (BDM, exchange model, Monte Carlo, packages) off the request path.

One job runs at a time in a worker thread. It reports its stage and a fraction done, can
be cancelled (checked at every progress report), and a failure is kept as one line of
error on the job: the server and the saved variants are untouched.
"""

from __future__ import annotations

import itertools
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import AccordError, InputError
from accord.pipeline import STAGES, RunOutput

#: What a job does: given a progress function ``say(stage, detail)``, return its output.
COUNT = re.compile(r"(\d+)/(\d+)\b")
Work = Callable[[Callable[[str, str], None]], Any]


class Cancelled(BaseException):
    """Raised inside a job's work when the analyst cancels it (a BaseException, so no stage swallows it)."""


@dataclass
class Job:
    """One background job and what the browser shows of it."""

    id: int
    title: str
    status: str = "queued"  # queued, running, done, failed, cancelled
    stage: str = ""
    detail: str = ""
    done: float = 0.0
    error: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None
    output: Any = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def view(self) -> dict[str, Any]:
        """The job as JSON for the progress bar."""
        return {"id": self.id, "title": self.title, "status": self.status, "stage": self.stage,
                "detail": self.detail, "done": round(self.done, 3), "error": self.error,
                "seconds": round((self.finished or time.time()) - self.started, 1)}


def fraction_done(stage: str, detail: str) -> float:
    """How far a full run is: its stage's place among :data:`accord.pipeline.STAGES`, plus the
    stage's own ``k/n`` count where its detail starts with one (Monte Carlo draws)."""
    if stage not in STAGES:
        return 0.0
    within = 0.0
    count = COUNT.match(detail)
    if count and int(count.group(2)) > 0:
        within = min(1.0, int(count.group(1)) / int(count.group(2)))
    return (STAGES.index(stage) + within) / len(STAGES)


class Jobs:
    """The job runner: at most one job running; the latest jobs kept for display."""

    def __init__(self, keep: int = 20) -> None:
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.keep = keep

    def start(self, title: str, work: Work, on_done: Callable[[Job], None] | None = None) -> Job:
        """Start ``work`` in a thread; :class:`InputError` while another job is running."""
        with self._lock:
            if any(j.status in ("queued", "running") for j in self._jobs.values()):
                raise InputError("a background job is already running; wait for it or cancel it", field="job")
            job = Job(next(self._ids), title)
            self._jobs[job.id] = job
            for old in sorted(self._jobs)[:-self.keep]:
                del self._jobs[old]
        threading.Thread(target=self._run, args=(job, work, on_done), name=f"accord-job-{job.id}", daemon=True).start()
        return job

    def _run(self, job: Job, work: Work, on_done: Callable[[Job], None] | None) -> None:
        def say(stage: str, detail: str) -> None:
            if job.cancel_event.is_set():
                raise Cancelled
            job.stage, job.detail = stage, detail
            job.done = max(job.done, fraction_done(stage, detail))

        job.status = "running"
        try:
            job.output = work(say)
            job.status, job.done = "done", 1.0
            if on_done is not None:
                on_done(job)
        except Cancelled:
            job.status = "cancelled"
        except AccordError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a crash of the work: shown on the job, the server stays up
            job.status, job.error = "failed", " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        finally:
            job.finished = time.time()

    def cancel(self, job_id: int) -> Job:
        """Ask a job to stop at its next progress report."""
        job = self.get(job_id)
        job.cancel_event.set()
        return job

    def get(self, job_id: int) -> Job:
        """A job by id, or :class:`InputError`."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise InputError(f"no job {job_id}", field="job")
        return job

    def latest(self) -> Job | None:
        """The most recent job, if any."""
        with self._lock:
            return self._jobs[max(self._jobs)] if self._jobs else None

    def wait(self, job_id: int, timeout: float) -> Job:
        """Block until a job ends or ``timeout`` seconds pass (for tests and scripts)."""
        end = time.time() + timeout
        job = self.get(job_id)
        while job.finished is None and time.time() < end:
            time.sleep(0.05)
        return job


def full_run_work(case_folder: Path, scenario_text: str, as_of: str, out: Path, draws: int,
                  seed: int = 0) -> Work:
    """The work of a full run of the edited scenario: a copy of the case folder with the edited
    scenario, run by :func:`accord.pipeline.run` into ``out`` (report, result.json)."""
    def work(say: Callable[[str, str], None]) -> RunOutput:
        from accord.pipeline import run

        folder = out / "case"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(case_folder, folder, ignore=shutil.ignore_patterns("__pycache__", "*.duckdb"))
        (folder / "scenario.yaml").write_text(scenario_text, encoding="utf-8")
        def shown(stage: str, detail: str) -> None:  # the browser sees paths inside the output folder only
            say(stage, detail.replace(str(out), f"{out.parent.name}/{out.name}"))

        return run(folder, as_of=as_of, out=out / "report", draws=draws, seed=seed, progress=shown)

    return work

