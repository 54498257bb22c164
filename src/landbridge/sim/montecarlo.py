"""Run replications in parallel: in-process, on a local process pool, or on Dask.

Replication ``r`` always gets ``SeedSequence(seed).spawn(n)[r]`` and results come back in
replication order, so the outcome is the same for any backend and any number of workers.
Workers get replications in chunks (``chunks``: the task, which holds the corridor, travels
once per chunk rather than once per replication).
A replication whose worker dies is run again from its own seed; if it keeps killing workers
the run stops with a ``SimulationError`` naming it.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import numpy as np

from landbridge.errors import InvalidInputError, SimulationError

R = TypeVar("R")
Task = Callable[[int, np.random.SeedSequence], R]
Progress = Callable[[int, int], None]

#: Local pool restarts after a worker died, before giving up (each restart re-runs only the
#: replications that had not finished, from their own seeds).
POOL_RESTARTS = 2
#: Dask: re-runs of a replication whose task raised; worker deaths are governed by Dask's
#: ``distributed.scheduler.allowed-failures`` (default 3) and end in ``KilledWorker``.
DASK_RETRIES = 2
#: The ``LocalCluster`` of ``--dask local`` listens on the loopback interface only.
LOCAL_CLUSTER_HOST = "127.0.0.1"
#: Dask's setting of the memory trimming its nanny applies to the workers it starts.
DASK_TRIM_ENV = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
#: Seconds to wait for a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT_S = 5
MAX_WORKERS = 64
#: Replications in one worker task at most, and chunks per worker at least (so a slow last
#: chunk leaves the other workers idle briefly, and progress moves often).
MAX_CHUNK = 10
CHUNKS_PER_WORKER = 8
#: Seconds between checks that every local pool worker is alive (a watchdog beside the
#: executor's own detection, see ``_lost_worker``).
WATCH_INTERVAL_S = 0.5
#: Seconds to wait for a killed worker to be reaped (no zombie is left behind).
WORKER_REAP_S = 5.0


DASK_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ucx)://)?[A-Za-z0-9._\-\[\]:]+:[0-9]{1,5}/?$")
"""A scheduler address as Dask takes it: ``tcp://host:8786``, ``tls://host:port`` or
``host:port`` (IPv6 in brackets)."""


def check_dask_address(address: str) -> str:
    """``address`` if it is ``local`` or a scheduler address; ``InvalidInputError`` otherwise
    (checked before anything runs: a malformed address made the client wait forever)."""
    if address == "local" or DASK_ADDRESS.match(address):
        return address
    shown = address[:100]
    if shown.lower().startswith(("http://", "https://")):
        raise InvalidInputError(
            f"--dask '{shown}' is a web address (the dashboard's?); give the scheduler's "
            "address, e.g. tcp://HOST:8786, or 'local'"
        )
    raise InvalidInputError(
        f"--dask '{shown}' is not a Dask scheduler address; give tcp://HOST:PORT "
        "(e.g. tcp://127.0.0.1:8786) or 'local'"
    )


def replication_seeds(seed: int, n: int) -> list[np.random.SeedSequence]:
    """One independent seed per replication, independent of how replications are scheduled."""
    return np.random.SeedSequence(seed).spawn(n)


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def chunks(n: int, workers: int) -> list[range]:
    """Replications ``0..n-1`` in consecutive chunks of at most ``MAX_CHUNK``, at least
    ``CHUNKS_PER_WORKER`` per worker where ``n`` allows."""
    size = max(1, min(MAX_CHUNK, -(-n // (workers * CHUNKS_PER_WORKER))))
    return [range(first, min(n, first + size)) for first in range(0, n, size)]


def run_chunk(task: Task, first: int, seeds: list[np.random.SeedSequence]) -> list[Any]:
    """``task`` on replications ``first, first + 1, ...`` (runs inside a worker)."""
    return [task(first + i, s) for i, s in enumerate(seeds)]


def map_replications(
    task: Task,
    n: int,
    seed: int,
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
) -> list[Any]:
    """``[task(r, seeds[r]) for r in range(n)]``, computed on the chosen backend."""
    return list(iter_replications(task, n, seed, workers, dask, progress))


def iter_replications(
    task: Task,
    n: int,
    seed: int,
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
) -> Iterator[Any]:
    """``task(r, seeds[r])`` for ``r`` in ``range(n)``, yielded in replication order as soon as
    each is ready (results done early wait only for those before them).

    ``task`` must be picklable (a module-level function or a ``functools.partial`` of one).
    ``dask`` is a scheduler address (``tcp://host:8786``) or ``"local"`` for a
    ``LocalCluster`` of ``workers`` processes. ``progress(done, total)`` is called in the
    calling process as replications finish.
    """
    if not 1 <= workers <= MAX_WORKERS:
        raise InvalidInputError(f"workers must be between 1 and {MAX_WORKERS}, got {workers}")
    seeds = replication_seeds(seed, n)
    if dask:
        check_dask_address(dask)
        return _iter_dask(task, seeds, workers, dask, progress)
    if workers == 1 or n == 1:
        return _iter_here(task, seeds, progress)
    return _iter_pool(task, seeds, workers, progress)


def _iter_here(task: Task, seeds: list, progress: Progress | None) -> Iterator[Any]:
    for r, s in enumerate(seeds):
        out = task(r, s)
        if progress:
            progress(r + 1, len(seeds))
        yield out


def _in_order(results: dict[int, Any], next_out: int) -> Iterator[Any]:
    """Pop and yield ``results[next_out], results[next_out + 1], ...`` while present."""
    while next_out in results:
        yield results.pop(next_out)
        next_out += 1


def _iter_pool(task: Task, seeds: list, workers: int, progress: Progress | None) -> Iterator[Any]:
    n = len(seeds)
    results: dict[int, Any] = {}
    done = [False] * n
    n_done = next_out = 0
    for _attempt in range(POOL_RESTARTS + 1):
        todo = [c for c in chunks(n, workers) if not done[c.start]]
        pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)))
        try:
            pending: dict[Future, range] = {
                pool.submit(run_chunk, task, c.start, seeds[c.start : c.stop]): c for c in todo
            }
            while pending:
                finished, _ = wait(pending, timeout=WATCH_INTERVAL_S, return_when=FIRST_COMPLETED)
                for fut in finished:
                    c = pending.pop(fut)
                    results.update(zip(c, fut.result(), strict=True))
                    for r in c:
                        done[r] = True
                    n_done += len(c)
                    if progress:
                        progress(n_done, n)
                for out in _in_order(results, next_out):
                    next_out += 1
                    yield out
                if pending and _lost_worker(pool):
                    raise BrokenProcessPool("a worker process died")
        except BrokenProcessPool:
            _abandon(pool)
            continue
        except BaseException:
            _abandon(pool)
            raise
        _close(pool)
        return
    lost = [r for r in range(n) if not done[r]]
    raise SimulationError(
        f"worker processes kept dying; replications {lost[:10]} did not finish after "
        f"{POOL_RESTARTS} restarts (out of memory? try fewer --workers or --days)"
    )


def _workers_of(pool: ProcessPoolExecutor) -> list[Any]:
    # The executor keeps its processes in a private dict; it is the only handle on them.
    return list((getattr(pool, "_processes", None) or {}).values())


def _lost_worker(pool: ProcessPoolExecutor) -> bool:
    """Whether a worker has exited: the executor's own check misses a worker killed while it
    held the shared queue's lock (the others then wait on the lock forever)."""
    return any(p.exitcode is not None for p in _workers_of(pool))


def _close(pool: ProcessPoolExecutor) -> None:
    """Shut a finished pool down, but never wait for ever: a worker killed after the last
    result can leave the others blocked on the queue lock, and a graceful shutdown waits on
    them; past ``WORKER_REAP_S`` they are killed (they hold no results any more)."""
    workers = _workers_of(pool)
    pool.shutdown(wait=False)
    deadline = time.monotonic() + WORKER_REAP_S
    for process in workers:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(p.exitcode is None for p in workers):
        _abandon(pool)


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Kill every worker and reap it, then drop the pool without waiting on its queues (a
    graceful shutdown of a broken pool can wait forever)."""
    workers = _workers_of(pool)
    for process in workers:
        if process.exitcode is None:
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.join(timeout=WORKER_REAP_S)


def _iter_dask(
    task: Task, seeds: list, workers: int, address: str, progress: Progress | None
) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is part of the test extra
        raise SimulationError(
            "--dask needs the 'dask' extra: pip install 'landbridge[dask]'"
        ) from None
    cluster = None
    try:
        if address == "local":
            import dask

            # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off
            # glibc's adaptive mmap threshold: every array over 128 KiB (a replication's log,
            # its hourly levels) is then mapped and zero-filled afresh, about 40% more CPU per
            # replication. The local pool's workers run with glibc's defaults; so do these.
            with dask.config.set({DASK_TRIM_ENV: None}):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host=LOCAL_CLUSTER_HOST,
                    dashboard_address=None,
                )
            client = Client(cluster)
        else:
            client = Client(address, timeout=DASK_CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        if cluster is not None:
            cluster.close()
        raise SimulationError(f"cannot reach the Dask scheduler at '{address}': {exc}") from None
    return _dask_results(client, cluster, task, seeds, progress)


def _dask_results(
    client: Any, cluster: Any, task: Task, seeds: list, progress: Progress | None
) -> Iterator[Any]:
    from distributed import KilledWorker, as_completed

    token = uuid.uuid4().hex[:8]
    n = len(seeds)
    results: dict[int, Any] = {}
    n_done = next_out = 0
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        # the task (and the corridor it holds) goes to every worker once, not with each chunk
        shared = client.scatter(task, broadcast=True, hash=False)
        futures = {
            client.submit(
                run_chunk,
                shared,
                c.start,
                seeds[c.start : c.stop],
                key=f"landbridge-rep-{token}-{c.start}",
                retries=DASK_RETRIES,
                pure=False,
            ): c
            for c in chunks(n, n_workers)
        }
        for fut in as_completed(futures):
            c = futures.pop(fut)
            try:
                results.update(zip(c, fut.result(), strict=True))
                fut.release()  # the worker may drop the chunk's summaries now
            except KilledWorker:
                which = (
                    f"replication {c.start}" if len(c) == 1 else f"replications {c.start}-{c[-1]}"
                )
                raise SimulationError(
                    f"{which} (seed spawn key {seeds[c.start].spawn_key}) killed its Dask worker "
                    "repeatedly; the sweep stopped (out of memory on the workers?)"
                ) from None
            n_done += len(c)
            if progress:
                progress(n_done, n)
            for out in _in_order(results, next_out):
                next_out += 1
                yield out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
