"""Errors only the REST face can raise; the library's errors come from ``landbridge.errors``."""

from __future__ import annotations

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
