"""Background jobs of the workbench: the full run (BDM, exchange model, Monte Carlo, packages) off the request path.

One job runs at a time in a worker thread. It reports its stage and a fraction done, can
be cancelled (checked at every progress report), and a failure is kept as one line of
error on the job: the server and the saved variants are untouched.
"""

from __future__ import annotations

import itertools
import multiprocessing
import queue
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
    """The work of a full run of the edited scenario, in a child process (so cancel stops it at once and
    a crash cannot take the server down): a copy of the case folder with the edited scenario, run by
    :func:`accord.pipeline.run` into ``out/report``; the result is read back from its ``result.json``."""
    def work(say: Callable[[str, str], None]) -> RunOutput:
        context = multiprocessing.get_context("spawn")
        messages = context.Queue()
        child = context.Process(target=_child_run, args=(case_folder, scenario_text, as_of, out, draws, seed, messages),
                                name="accord-full-run", daemon=True)
        child.start()
        last = ("scenario", "starting")

        def shown(text: str) -> str:  # the browser sees paths inside the output folder only
            return text.replace(str(out), f"{out.parent.name}/{out.name}")

        try:
            while True:
                try:
                    message = messages.get(timeout=0.2)
                except queue.Empty:
                    if not child.is_alive():
                        raise RuntimeError(f"the run stopped without a result (exit code {child.exitcode})") from None
                    say(*last)  # checks for a cancel
                    continue
                if message[0] == "progress":
                    last = (message[1], shown(message[2]))
                    say(*last)
                elif message[0] == "error":
                    raise InputError(shown(message[1])) if message[2] else RuntimeError(shown(message[1]))
                else:
                    return _read_output(Path(message[1]), {k: Path(v) for k, v in message[2].items()})
        finally:
            if child.is_alive():
                child.terminate()
            child.join(timeout=10)

    return work


def _read_output(result_json: Path, files: dict[str, Path]) -> RunOutput:
    from accord.io import read_json
    from accord.result import load_result

    return RunOutput(result=load_result(read_json(result_json), file=str(result_json)), out_dir=result_json.parent,
                     files=files)


def _child_run(case_folder: Path, scenario_text: str, as_of: str, out: Path, draws: int, seed: int,
               messages: Any) -> None:
    """The full run inside the child process; every outcome is one message on ``messages``."""
    from accord.pipeline import run

    try:
        folder = out / "case"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(case_folder, folder, ignore=shutil.ignore_patterns("__pycache__", "*.duckdb"))
        (folder / "scenario.yaml").write_text(scenario_text, encoding="utf-8")
        got = run(folder, as_of=as_of, out=out / "report", draws=draws, seed=seed,
                  progress=lambda stage, detail: messages.put(("progress", stage, detail)))
        messages.put(("done", str(got.files["json"]), {k: str(v) for k, v in got.files.items()}))
    except AccordError as exc:
        messages.put(("error", str(exc), True))
    except Exception as exc:  # reported to the parent as the job's error line
        messages.put(("error", " ".join(f"{type(exc).__name__}: {exc}".split())[:300], False))
