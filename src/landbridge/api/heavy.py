"""CPU-heavy request work (parsing a posted scenario of up to 1 MiB) off the event loop.

Parsing YAML is pure Python: on the event loop three 0.9 MB posts froze every endpoint for 10 s,
and in a thread they would still hold the server's GIL. So the work runs in a small pool of
spawned processes at a lower CPU priority, with
- a bound on requests in flight (``workers`` running + ``max_waiting``): more get 429 at once;
- a time budget per request: past it the request gets 422 and the pool's processes are killed
  (a worker cannot be interrupted otherwise) and started afresh;
- a worker that dies (killed, out of memory) gives a 503 for its request and a fresh pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from landbridge.api.errors import BusyError, WorkerLostError
from landbridge.errors import InvalidInputError

T = TypeVar("T")

HEAVY_WORKERS = 1
"""Processes for heavy request work: one leaves the other core of the reference machine to the
server; a planner posts one scenario at a time."""
HEAVY_MAX_WAITING = 4
"""Heavy requests that may wait for the worker; more are refused with 429 at once."""
HEAVY_BUDGET_S = 20.0
"""Wall-clock budget of one heavy request, waiting included (a 1 MiB scenario parses in ~3 s)."""
HEAVY_NICE = 10
"""Niceness of the worker processes (as for job processes: the server's requests come first)."""


def _lower_priority() -> None:
    with contextlib.suppress(OSError):
        os.nice(HEAVY_NICE)


class HeavyWork:
    """A bounded, time-limited process pool for CPU-heavy request work."""

    def __init__(
        self,
        workers: int = HEAVY_WORKERS,
        max_waiting: int = HEAVY_MAX_WAITING,
        budget_s: float = HEAVY_BUDGET_S,
    ) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self.budget_s = budget_s
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight = 0  # touched on the event loop only

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=mp.get_context("spawn"),
                initializer=_lower_priority,
            )
        return self._pool

    def _reset(self) -> None:
        """Kill the pool's processes (the only way to stop a task) and start afresh next time."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(OSError):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process (``fn`` and its arguments must pickle)."""
        if self._in_flight >= self.workers + self.max_waiting:
            raise BusyError(
                f"{self._in_flight} heavy requests are already in progress; retry in a moment."
            )
        self._in_flight += 1
        try:
            future = asyncio.get_running_loop().run_in_executor(self._executor(), fn, *args)
            return await asyncio.wait_for(future, self.budget_s)
        except TimeoutError:
            self._reset()
            raise InvalidInputError(
                f"The request needed more than its {self.budget_s:g} s of work and was stopped; "
                "send a smaller document."
            ) from None
        except BrokenProcessPool:
            self._reset()
            raise WorkerLostError(
                "The worker process handling the request ended unexpectedly; retry."
            ) from None
        finally:
            self._in_flight -= 1

    def shutdown(self) -> None:
        self._reset()
