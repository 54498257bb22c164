"""An exclusive writer lock on a file next to the store (POSIX ``flock``), with a timeout.

DuckDB itself lets one process hold a database file read-write, or several hold it read-only,
never both. The lock file queues writers politely (instead of failing on DuckDB's own lock);
the kernel drops a ``flock`` when its process dies, so a killed writer never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from landbridge.errors import StoreError

POLL_S = 0.02
"""First wait between lock attempts; doubles up to ``MAX_POLL_S`` (with jitter)."""
MAX_POLL_S = 0.25


def backoff(attempt: int) -> float:
    """Seconds to sleep before retry ``attempt`` (jittered exponential, bounded)."""
    return min(MAX_POLL_S, POLL_S * 2**attempt) * (0.5 + random.random())


@contextmanager
def writer_lock(lock_path: Path, timeout_s: float) -> Iterator[None]:
    """Hold the store's writer lock; ``StoreError`` if another writer keeps it past the timeout."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        attempt = 0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"The results store is busy: another landbridge process has been writing "
                        f"to it for more than {timeout_s:.0f} s (lock {lock_path}). Try again "
                        f"when it finishes."
                    ) from None
                time.sleep(backoff(attempt))
                attempt += 1
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
