"""A small pool of worker processes driven from the event loop: one pipe per worker, no threads.

``concurrent.futures.ProcessPoolExecutor`` hands every task through a feeder thread, a manager
thread and two queues: ~2 ms of the serving process's CPU per task (measured under load), as
much as the rest of an HTTP request. Here the event loop writes a task to an idle worker's pipe
and reads the answer when the pipe becomes readable, and each task has its own worker, so
- a task over its time budget gets 422 and only its worker is killed and replaced;
- a worker that dies (killed, out of memory) is replaced and its task tried once more on the
  fresh one; a task that kills its worker twice fails (503), the others do not notice;
- at most ``max_waiting`` tasks wait for a worker; more are refused with 429 at once.

Workers start from a forkserver whose ``preload`` modules were imported once, so read-only data
they loaded is shared by every worker copy-on-write. Use from one event loop only.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from landbridge.api.errors import BusyError, WorkerLostError
from landbridge.errors import InvalidInputError

RETRIES_AFTER_LOST_WORKER = 1
"""A task whose worker died is given to a fresh worker once more (a worker killed from outside
may die before it reads the task); a task that kills its worker twice fails with 503."""


def _serve(conn: Connection) -> None:
    """A worker's loop: ``(fn, args)`` in, ``(ok, result or exception)`` out, until EOF."""
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - sent to the serving process, raised there
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - an answer or error that does not pickle
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Task:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    lost: int = 0  # workers that died while holding this task


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the forkserver context
    conn: Connection
    task: _Task | None = None
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class WorkerProcesses:
    """``workers`` processes running picklable ``fn(*args)`` calls, each with ``budget_s``."""

    def __init__(
        self,
        workers: int,
        max_waiting: int,
        budget_s: float,
        preload: Sequence[str] = (),
        over_budget_advice: str = "retry with a smaller request.",
    ) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self.budget_s = budget_s
        self._over_budget_advice = over_budget_advice
        self._context = mp.get_context("forkserver")
        if preload:
            self._context.set_forkserver_preload(list(preload))
        self._idle: list[_Worker] = []
        self._all: dict[int, _Worker] = {}
        self._waiting: collections.deque[_Task] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    def worker_pids(self) -> list[int]:
        return sorted(w.process.pid for w in self._all.values())

    async def start(self) -> None:
        """Start every worker; the first start runs the forkserver's preload (in a thread)."""
        self._loop = asyncio.get_running_loop()
        count = self.workers - len(self._all)
        started = await self._loop.run_in_executor(
            None, lambda: [self._start_process() for _ in range(count)]
        )
        self._idle.extend(self._attach(*pair) for pair in started)
        self._dispatch()

    def _start_process(self) -> tuple[Any, Connection]:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child,), daemon=True)
        process.start()
        child.close()
        return process, parent

    def _attach(self, process: Any, conn: Connection) -> _Worker:
        worker = _Worker(process, conn)
        self._all[id(worker)] = worker
        assert self._loop is not None
        self._loop.add_reader(conn.fileno(), self._readable, worker)
        # uvloop (libuv) makes a watched descriptor non-blocking; the loop only needs to be told
        # when an answer starts to arrive, which is then read whole
        os.set_blocking(conn.fileno(), True)
        return worker

    def _spawn(self) -> _Worker:
        return self._attach(*self._start_process())

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker process (``fn``, its arguments and result must pickle)."""
        if self._loop is None:
            await self.start()
        if len(self._waiting) >= self.max_waiting:
            raise BusyError(
                f"{len(self._waiting)} requests are already waiting for a worker; retry in a "
                "moment."
            )
        assert self._loop is not None
        task = _Task(fn, args, self._loop.create_future())
        self._waiting.append(task)
        self._dispatch()
        return await task.future

    def _dispatch(self) -> None:
        while self._idle and self._waiting:
            task = self._waiting.popleft()
            if task.future.done():  # its caller went away while it waited
                continue
            worker = self._idle.pop()
            try:
                worker.conn.send((task.fn, task.args))
            except (OSError, ValueError):  # the worker died while idle
                self._retire(worker)
                self._idle.append(self._spawn())
                self._waiting.appendleft(task)
                continue
            except Exception as exc:  # noqa: BLE001 - arguments that do not pickle
                self._idle.append(worker)
                task.future.set_exception(exc)
                continue
            worker.task = task
            assert self._loop is not None
            worker.timer = self._loop.call_later(self.budget_s, self._over_budget, worker)

    def _readable(self, worker: _Worker) -> None:
        try:
            ok, value = worker.conn.recv()
        except (EOFError, OSError):
            task = worker.task
            if task is not None and task.lost < RETRIES_AFTER_LOST_WORKER:
                task.lost += 1  # it may have died before reading the task: one more try
                worker.task = None
                self._waiting.appendleft(task)
            lost = "The worker process handling the request ended unexpectedly; retry."
            self._replace(worker, WorkerLostError(lost))
            return
        task, worker.task = worker.task, None
        if worker.timer is not None:
            worker.timer.cancel()
        if task is not None and not task.future.done():
            (task.future.set_result if ok else task.future.set_exception)(value)
        self._idle.append(worker)
        self._dispatch()

    def _over_budget(self, worker: _Worker) -> None:
        self._replace(
            worker,
            InvalidInputError(
                f"The request needed more than its {self.budget_s:g} s of work and was "
                f"stopped; {self._over_budget_advice}"
            ),
        )

    def _replace(self, worker: _Worker, error: Exception) -> None:
        """Kill ``worker``, fail its task with ``error`` and start a fresh worker."""
        task = worker.task
        self._retire(worker)
        if task is not None and not task.future.done():
            task.future.set_exception(error)
        self._idle.append(self._spawn())
        self._dispatch()

    def _retire(self, worker: _Worker) -> None:
        self._all.pop(id(worker), None)
        if worker.timer is not None:
            worker.timer.cancel()
        if self._loop is not None:
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(worker.conn.fileno())
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.conn.close()
        with contextlib.suppress(Exception):
            worker.process.join(timeout=1.0)

    def shutdown(self) -> None:
        for worker in list(self._all.values()):
            task = worker.task
            self._retire(worker)
            if task is not None and not task.future.done():
                task.future.cancel()
        self._idle.clear()
        while self._waiting:
            self._waiting.popleft().future.cancel()
        self._loop = None  # a later run() starts afresh
