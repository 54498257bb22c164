"""What a failed store operation means for the user: busy, full disk, read-only or damaged."""

from __future__ import annotations

import errno

BUSY, FULL, READ_ONLY, DAMAGED = "busy", "full", "read-only", "damaged"
_BUSY_TEXT = ("could not set lock on file", "conflicting lock is held", "different configuration")
_FULL_TEXT = ("no space left on device", "disk quota exceeded", "file too large", "disk is full")
_READ_ONLY_TEXT = ("read-only file system", "permission denied", "operation not permitted")
_FULL_ERRNO = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_READ_ONLY_ERRNO = (errno.EROFS, errno.EACCES, errno.EPERM)


def failure_kind(exc: BaseException) -> str:
    """``busy``, ``full``, ``read-only`` or ``damaged``: what a store error means for the user.

    Matched on DuckDB's whole phrases ("block at location" in a checksum error is no lock)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in _FULL_ERRNO:
            return FULL
        if exc.errno in _READ_ONLY_ERRNO:
            return READ_ONLY
    text = str(exc).casefold()
    for kind, phrases in ((BUSY, _BUSY_TEXT), (FULL, _FULL_TEXT), (READ_ONLY, _READ_ONLY_TEXT)):
        if any(p in text for p in phrases):
            return kind
    return DAMAGED


def is_busy(exc: BaseException) -> bool:
    """Held by someone else: another process (file lock), or another connection of this process
    opened in the other mode (DuckDB refuses mixing read-only and read-write in one process)."""
    return failure_kind(exc) == BUSY


def first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
