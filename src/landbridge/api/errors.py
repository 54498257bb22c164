"""Errors only the REST face can raise; the library's errors come from ``landbridge.errors``."""

from __future__ import annotations

import re

from landbridge.errors import LandbridgeError


class UnauthorizedError(LandbridgeError):
    """A work endpoint was called without the server's token."""

    http_status = 401


class UnknownJobError(LandbridgeError):
    """No job with this id (never submitted, or forgotten after the keep limit)."""

    http_status = 404

    def __init__(self, job_id: str) -> None:
        super().__init__(f"Unknown job '{job_id}': it was never submitted or has been forgotten.")


class JobNotFinishedError(LandbridgeError):
    """The result of a job was asked for before the job finished."""

    http_status = 409


class BusyError(LandbridgeError):
    """Too many jobs are waiting; the client should retry later."""

    http_status = 429


class ForbiddenError(LandbridgeError):
    """The caller may not do this (cancel a job it did not submit)."""

    http_status = 403


class WorkerLostError(LandbridgeError):
    """The process doing a request's work died; the request may be retried."""

    http_status = 503


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])/(?:[^\s'\"/()]+/)+([^\s'\"/()]*)")


def without_paths(text: str) -> str:
    """``text`` with every absolute server path cut to its last part (``…/runs.duckdb``): an
    answer names the file a client can act on, never where the server keeps it."""
    return _ABSOLUTE_PATH.sub(lambda m: f"…/{m.group(1)}" if m.group(1) else "…/", text)


class RelayedError(LandbridgeError):
    """A library error raised in a worker process, relayed with its class name, HTTP status and
    message (library errors with their own constructors do not survive pickling as they are)."""

    def __init__(self, error_name: str, http_status: int, message: str) -> None:
        super().__init__(error_name, http_status, message)
        self.error_name = error_name
        self.http_status = http_status
        self.message = message

    def __str__(self) -> str:
        return self.message

    @classmethod
    def of(cls, exc: LandbridgeError) -> RelayedError:
        return cls(type(exc).__name__, exc.http_status, str(exc))
