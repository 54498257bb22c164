"""Background jobs run in their own process: result, progress, errors, time limit, cancel."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

from landbridge.api.errors import BusyError, JobNotFinishedError, UnknownJobError
from landbridge.api.jobs import JobRunner, JobState
from landbridge.errors import InvalidInputError, LandbridgeError

HERE = __name__
# Generous bound on how long a test waits for a job it expects to finish (spawn start included);
# not a timing assertion: a slow machine only makes the test wait longer, never fail early.
WAIT_S = 60.0


def square_job(payload: dict, progress: Callable[[float], None]) -> dict:
    for i in range(4):
        progress(i / 4)
        time.sleep(0.25)
    return {"square": payload["x"] ** 2, "pid": os.getpid()}


def quick_job(payload: dict, progress: Callable[[float], None]) -> dict:
    return {"echo": payload}


def niceness_job(payload: dict, progress: Callable[[float], None]) -> dict:
    return {"nice": os.nice(0)}


def invalid_job(payload: dict, progress: Callable[[float], None]) -> dict:
    raise InvalidInputError(f"replications must be at most 10, got {payload['n']}")


def sleepy_job(payload: dict, progress: Callable[[float], None]) -> dict:
    time.sleep(payload["s"])
    return {}


def dying_job(payload: dict, progress: Callable[[float], None]) -> dict:
    os._exit(9)


def buggy_job(payload: dict, progress: Callable[[float], None]) -> dict:
    return {"x": 1 / 0}


def wait_done(runner: JobRunner, job_id: str) -> JobState:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        state = runner.status(job_id).state
        if state not in (JobState.QUEUED, JobState.RUNNING):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {state} after {WAIT_S} s")


@pytest.fixture
def runner():
    jobs = JobRunner(max_running=1, max_queued=4, max_kept=50, max_run_s=WAIT_S)
    yield jobs
    jobs.shutdown()


def test_job_runs_in_another_process_and_reports_progress(runner: JobRunner) -> None:
    job = runner.submit("square", f"{HERE}:square_job", {"x": 7})
    assert job.state in (JobState.QUEUED, JobState.RUNNING)
    with pytest.raises(JobNotFinishedError, match="poll its status"):
        runner.result(job.job_id)
    seen = set()
    while runner.status(job.job_id).state in (JobState.QUEUED, JobState.RUNNING):
        seen.add(runner.status(job.job_id).progress)
        time.sleep(0.05)
    status = runner.status(job.job_id)
    assert status.state == JobState.DONE and status.progress == 1.0
    result = runner.result(job.job_id)
    assert result["square"] == 49
    assert result["pid"] != os.getpid()
    assert any(0 < p < 1 for p in seen)  # intermediate progress reached the parent


def test_library_error_keeps_its_message_and_status(runner: JobRunner) -> None:
    job = runner.submit("bad", f"{HERE}:invalid_job", {"n": 99})
    assert wait_done(runner, job.job_id) == JobState.FAILED
    status = runner.status(job.job_id)
    assert status.message == "replications must be at most 10, got 99"
    assert status.http_status == 422
    with pytest.raises(LandbridgeError, match="at most 10") as info:
        runner.result(job.job_id)
    assert info.value.http_status == 422


def test_job_over_the_time_limit_is_killed() -> None:
    # 5 s: long enough for a spawned process to start and answer, far below the sleeper's 600 s
    jobs = JobRunner(max_running=1, max_queued=4, max_kept=50, max_run_s=5.0)
    try:
        job = jobs.submit("sleepy", f"{HERE}:sleepy_job", {"s": 600})
        assert wait_done(jobs, job.job_id) == JobState.FAILED
        status = jobs.status(job.job_id)
        assert "5 s limit" in status.message and status.http_status == 422
        # the worker is free again: the next job runs
        nxt = jobs.submit("quick", f"{HERE}:quick_job", {"x": 3})
        assert wait_done(jobs, nxt.job_id) == JobState.DONE
        assert jobs.result(nxt.job_id) == {"echo": {"x": 3}}
    finally:
        jobs.shutdown()


def test_cancel_running_and_queued_jobs(runner: JobRunner) -> None:
    running = runner.submit("sleepy", f"{HERE}:sleepy_job", {"s": 600})
    queued = runner.submit("square", f"{HERE}:square_job", {"x": 2})
    assert runner.cancel(queued.job_id).state == JobState.CANCELLED
    while runner.status(running.job_id).state == JobState.QUEUED:
        time.sleep(0.05)
    runner.cancel(running.job_id)
    assert wait_done(runner, running.job_id) == JobState.CANCELLED
    with pytest.raises(JobNotFinishedError, match="cancelled"):
        runner.result(running.job_id)


def test_process_that_dies_or_has_a_bug_fails_the_job_not_the_server(runner: JobRunner) -> None:
    died = runner.submit("die", f"{HERE}:dying_job", {})
    assert wait_done(runner, died.job_id) == JobState.FAILED
    assert "exit code 9" in runner.status(died.job_id).message
    bug = runner.submit("bug", f"{HERE}:buggy_job", {})
    assert wait_done(runner, bug.job_id) == JobState.FAILED
    assert "ZeroDivisionError" in runner.status(bug.job_id).message
    assert runner.status(bug.job_id).http_status == 500


def test_queue_is_bounded_and_unknown_ids_are_404(runner: JobRunner) -> None:
    blocker = runner.submit("sleepy", f"{HERE}:sleepy_job", {"s": 600})
    while runner.status(blocker.job_id).state == JobState.QUEUED:
        time.sleep(0.05)
    for _ in range(4):
        runner.submit("sleepy", f"{HERE}:sleepy_job", {"s": 600})
    with pytest.raises(BusyError, match="4 jobs are already waiting"):
        runner.submit("sleepy", f"{HERE}:sleepy_job", {"s": 600})
    with pytest.raises(UnknownJobError) as info:
        runner.status("nope")
    assert info.value.http_status == 404


def test_job_process_runs_at_lower_cpu_priority_than_the_server(runner: JobRunner) -> None:
    from landbridge.api.jobs import JOB_NICE

    job = runner.submit("nice", f"{HERE}:niceness_job", {})
    assert wait_done(runner, job.job_id) == JobState.DONE
    # capped at 19, the kernel's lowest priority
    assert runner.result(job.job_id)["nice"] == min(os.nice(0) + JOB_NICE, 19)
