"""A small pool of worker processes driven from the event loop: two pipes per worker, no threads.

``concurrent.futures.ProcessPoolExecutor`` hands every task through a feeder thread, a manager
thread and two queues: ~2 ms of the serving process's CPU per task (measured under load), as
much as the rest of an HTTP request. Here the event loop writes a task to an idle worker's pipe
and takes the answer off the other pipe as its bytes arrive (a blocking read of a 100 kB answer
stalled every request whenever the writing worker lost its core mid-answer), so
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
import pickle
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from landbridge.api.errors import BusyError, WorkerLostError
from landbridge.errors import InvalidInputError

READ_CHUNK_BYTES = 1 << 20
RETRIES_AFTER_LOST_WORKER = 1
"""A task whose worker died is given to a fresh worker once more (a worker killed from outside
may die before it reads the task); a task that kills its worker twice fails with 503."""


def _serve(tasks: Connection, results: Connection) -> None:
    """A worker's loop: ``(fn, args)`` in, ``(ok, result or exception)`` out, until EOF."""
    while True:
        try:
            fn, args = tasks.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - sent to the serving process, raised there
            reply = (False, exc)
        try:
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an answer or error that does not pickle
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        results.send_bytes(payload)


def _frames(buffer: bytearray) -> list[bytes]:
    """Take the complete messages off the front of ``buffer`` (``Connection.send_bytes``
    framing: a signed 4-byte big-endian length, or -1 and an 8-byte length)."""
    out = []
    while len(buffer) >= 4:
        (size,) = struct.unpack_from("!i", buffer)
        start = 4
        if size == -1:
            if len(buffer) < 12:
                break
            (size,) = struct.unpack_from("!Q", buffer, 4)
            start = 12
        if len(buffer) < start + size:
            break
        out.append(bytes(buffer[start : start + size]))
        del buffer[: start + size]
    return out


@dataclass
class _Task:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    lost: int = 0  # workers that died while holding this task


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the forkserver context
    tasks: Connection  # written by the serving process (blocking: a task is small)
    results: Connection  # read by the event loop without blocking, as the bytes arrive
    task: _Task | None = None
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)
    received: bytearray = field(default_factory=bytearray, repr=False)


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

    def _start_process(self) -> tuple[Any, Connection, Connection]:
        task_in, task_out = self._context.Pipe(duplex=False)
        result_in, result_out = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_serve, args=(task_in, result_out), daemon=True)
        process.start()
        task_in.close()
        result_out.close()
        return process, task_out, result_in

    def _attach(self, process: Any, tasks: Connection, results: Connection) -> _Worker:
        worker = _Worker(process, tasks, results)
        self._all[id(worker)] = worker
        assert self._loop is not None
        os.set_blocking(results.fileno(), False)
        self._loop.add_reader(results.fileno(), self._readable, worker)
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
                worker.tasks.send((task.fn, task.args))
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
        """Take what has arrived (never waiting for the rest: a worker may be descheduled in
        the middle of writing a large answer); a complete answer settles the worker's task."""
        try:
            while chunk := os.read(worker.results.fileno(), READ_CHUNK_BYTES):
                worker.received += chunk
            lost = True  # end of file: the worker is gone
        except BlockingIOError:
            lost = False
        except OSError:
            lost = True
        for frame in _frames(worker.received):
            self._settle(worker, frame)
        if lost:
            self._lost(worker)

    def _settle(self, worker: _Worker, frame: bytes) -> None:
        task, worker.task = worker.task, None
        if worker.timer is not None:
            worker.timer.cancel()
        try:
            ok, value = pickle.loads(frame)
        except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
            ok, value = False, exc
        if task is not None and not task.future.done():
            (task.future.set_result if ok else task.future.set_exception)(value)
        self._idle.append(worker)
        self._dispatch()

    def _lost(self, worker: _Worker) -> None:
        if worker in self._idle:
            self._idle.remove(worker)
        task = worker.task
        if task is not None and task.lost < RETRIES_AFTER_LOST_WORKER:
            task.lost += 1  # it may have died before reading the task: one more try
            worker.task = None
            self._waiting.appendleft(task)
        lost = "The worker process handling the request ended unexpectedly; retry."
        self._replace(worker, WorkerLostError(lost))

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
                self._loop.remove_reader(worker.results.fileno())
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.tasks.close()
        worker.results.close()
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
