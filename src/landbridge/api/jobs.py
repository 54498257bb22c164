"""Background jobs: each runs in its own spawned process, so a long simulation never holds the GIL
the route endpoint needs, and a job over its time limit can be killed without harming the server.
Job processes run at a lower CPU priority (``JOB_NICE``), so on a busy machine the interactive
requests of the server are scheduled first and a long simulation only uses the idle time.

A job target is a ``"module:function"`` name from the server's own registry (never from a request);
the function takes ``(payload: dict, progress: Callable[[float], None])`` and returns
a JSON-able dict.
"""

from __future__ import annotations

import contextlib
import hmac
import importlib
import multiprocessing as mp
import os
import queue
import secrets
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from multiprocessing.connection import Connection
from typing import Any

from pydantic import BaseModel, Field

from landbridge.api.errors import (
    BusyError,
    ForbiddenError,
    JobNotFinishedError,
    UnknownJobError,
    without_paths,
)
from landbridge.errors import LandbridgeError

# How often the child reports progress at most, and how often the parent checks a running job
# (deadline, cancel flag, messages). Short enough for a live progress bar, long enough to be idle.
PROGRESS_INTERVAL_S = 0.2
POLL_INTERVAL_S = 0.1
PROGRESS_JUMP = 0.05
# Grace period between terminate (SIGTERM) and kill (SIGKILL) of a job process.
TERMINATE_GRACE_S = 2.0
# Niceness added to a job process (and the Monte Carlo workers it starts): 10 is what `nice`
# uses by default for batch work; the kernel then gives a nice-0 server about 10x its CPU share.
JOB_NICE = 10
CANCEL_KEY_HEADER = "X-Job-Key"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobStatus(BaseModel):
    """What a client sees of a job: state, progress in [0, 1], the error message if it failed."""

    job_id: str
    kind: str
    state: JobState
    progress: float = Field(0.0, ge=0.0, le=1.0)
    message: str = ""
    http_status: int | None = Field(None, description="Status the error maps to when state=failed.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    cancel_key: str | None = Field(
        None,
        description=f"Only in the answer to the submission: send it as {CANCEL_KEY_HEADER} to "
        "cancel the job (without a server token, only its submitter can).",
    )


@dataclass
class _Job:
    job_id: str
    kind: str
    target: str
    payload: dict[str, Any]
    state: JobState = JobState.QUEUED
    progress: float = 0.0
    message: str = ""
    http_status: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    cancel_key: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def status(self) -> JobStatus:
        return JobStatus(
            job_id=self.job_id,
            kind=self.kind,
            state=self.state,
            progress=self.progress,
            message=without_paths(self.message),
            http_status=self.http_status,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
        )


def _resolve(target: str) -> Callable[..., dict[str, Any]]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _child_main(target: str, payload: dict[str, Any], conn: Connection) -> None:
    """Entry point of a job process: run the target, send progress, then one final message."""
    with contextlib.suppress(OSError):  # lower priority is a courtesy, not a requirement
        os.nice(JOB_NICE)
    last, sent = 0.0, 0.0

    def progress(fraction: float) -> None:
        nonlocal last, sent
        now = time.monotonic()
        fraction = float(min(max(fraction, 0.0), 1.0))
        # a stage mark (a jump) always goes out; fine-grained updates at most every interval
        if now - last >= PROGRESS_INTERVAL_S or fraction - sent >= PROGRESS_JUMP:
            last, sent = now, fraction
            conn.send(("progress", fraction))

    try:
        result = _resolve(target)(payload, progress)
        conn.send(("done", result))
    except LandbridgeError as exc:
        conn.send(("error", exc.http_status, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a bug in a job must reach the client as a failed job
        traceback.print_exc()
        conn.send(("error", 500, f"Internal error in the job ({type(exc).__name__}: {exc})."))
    finally:
        conn.close()


class JobRunner:
    """Queue of background jobs run by ``max_running`` worker threads, each driving one process."""

    def __init__(self, max_running: int, max_queued: int, max_kept: int, max_run_s: float) -> None:
        self.max_queued = max_queued
        self.max_kept = max_kept
        self.max_run_s = max_run_s
        self._ctx = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._workers = [
            threading.Thread(target=self._work, name=f"landbridge-job-{i}", daemon=True)
            for i in range(max_running)
        ]
        for worker in self._workers:
            worker.start()

    # --- public ---
    def submit(self, kind: str, target: str, payload: dict[str, Any]) -> JobStatus:
        """Queue a job; 429 (``BusyError``) when ``max_queued`` jobs are already waiting."""
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.state == JobState.QUEUED)
            if waiting >= self.max_queued:
                raise BusyError(f"{waiting} jobs are already waiting; retry when one has finished.")
            job = _Job(job_id=uuid.uuid4().hex, kind=kind, target=target, payload=payload)
            self._jobs[job.job_id] = job
            self._forget_old()
        self._queue.put(job)
        return job.status().model_copy(update={"cancel_key": job.cancel_key})

    def status(self, job_id: str) -> JobStatus:
        return self._get(job_id).status()

    def result(self, job_id: str) -> dict[str, Any]:
        """The job's result; 409 while it runs, the job's own error once it failed."""
        job = self._get(job_id)
        if job.state == JobState.DONE and job.result is not None:
            return job.result
        if job.state == JobState.FAILED:
            error = LandbridgeError(without_paths(job.message))
            error.http_status = job.http_status or 500
            raise error
        raise JobNotFinishedError(
            f"Job '{job_id}' is {job.state.value}; poll its status until it is done."
        )

    def cancel(self, job_id: str, key: str | None = None) -> JobStatus:
        """Cancel a job; with ``key`` given it must be the job's cancel key (403 otherwise)."""
        job = self._get(job_id)
        if key is not None and not hmac.compare_digest(key.encode(), job.cancel_key.encode()):
            raise ForbiddenError(
                f"Only the client that submitted job '{job_id}' may cancel it: send the "
                f"cancel_key of the submission as {CANCEL_KEY_HEADER}."
            )
        with self._lock:
            if job.state == JobState.QUEUED:
                self._finish(job, JobState.CANCELLED, "Cancelled before it started.")
            job.cancel.set()
        return job.status()

    def shutdown(self) -> None:
        """Cancel everything and stop the worker threads (their processes are killed)."""
        with self._lock:
            for job in self._jobs.values():
                job.cancel.set()
                if job.state == JobState.QUEUED:
                    self._finish(job, JobState.CANCELLED, "Server shut down.")
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=TERMINATE_GRACE_S * 2)

    # --- internals ---
    def _get(self, job_id: str) -> _Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJobError(job_id)
        return job

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.finished_at is not None]
        for key in finished[: max(0, len(self._jobs) - self.max_kept)]:
            del self._jobs[key]

    @staticmethod
    def _finish(
        job: _Job, state: JobState, message: str = "", http_status: int | None = None
    ) -> None:
        job.state = state
        job.message = message
        job.http_status = http_status
        job.finished_at = datetime.now(UTC)
        if state == JobState.DONE:
            job.progress = 1.0

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._lock:
                if job.state != JobState.QUEUED:
                    continue
                job.state = JobState.RUNNING
                job.started_at = datetime.now(UTC)
            try:
                self._run(job)
            except Exception as exc:  # noqa: BLE001 - keep the worker thread alive for the next job
                with self._lock:
                    self._finish(job, JobState.FAILED, f"Job runner error: {exc}", 500)

    def _run(self, job: _Job) -> None:
        receive, send = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(
            target=_child_main,
            args=(job.target, job.payload, send),
            name=f"landbridge-{job.kind}",
            daemon=True,
        )
        process.start()
        send.close()
        deadline = time.monotonic() + self.max_run_s
        outcome: tuple[JobState, str, int | None] | None = None
        child_finished = False
        try:
            while outcome is None:
                if job.cancel.is_set():
                    outcome = (JobState.CANCELLED, "Cancelled while running.", None)
                elif time.monotonic() > deadline:
                    outcome = (
                        JobState.FAILED,
                        f"Stopped after the {self.max_run_s:g} s limit per job; ask for fewer "
                        "replications or a shorter horizon.",
                        422,
                    )
                elif receive.poll(POLL_INTERVAL_S):
                    try:
                        message = receive.recv()
                    except EOFError:
                        process.join(timeout=TERMINATE_GRACE_S)
                        outcome = (
                            JobState.FAILED,
                            "The job process ended without a result "
                            f"(exit code {process.exitcode}).",
                            500,
                        )
                        continue
                    if message[0] == "progress":
                        job.progress = message[1]
                    elif message[0] == "done":
                        job.result = message[1]
                        outcome = (JobState.DONE, "", None)
                        child_finished = True
                    else:
                        outcome = (JobState.FAILED, message[2], message[1])
                        child_finished = True
        finally:
            receive.close()
            if child_finished:
                process.join(timeout=TERMINATE_GRACE_S)
            if process.is_alive():
                process.terminate()
                process.join(timeout=TERMINATE_GRACE_S)
                if process.is_alive():
                    process.kill()
                    process.join()
        if outcome is not None:
            with self._lock:
                self._finish(job, *outcome)
