"""Kill soak of the local replication pool: random external SIGKILLs of its workers.

Each round runs ``map_replications`` over ``--replications`` seeded replications on
``--workers`` local processes while a killer thread SIGKILLs one randomly chosen worker process
at a random moment of the round. Counted per round: finished with results identical to an
undisturbed run, finished with other results, stopped with a ``SimulationError``, or hung (no
answer within ``--round-timeout`` seconds: the failure this soak is for). Also counted: kills
that landed (a worker existed when the killer fired) and zombie children left afterwards.

The replication is a small seeded numpy computation (about 30 ms) returning ``--result-kb`` KiB
(default 1 MiB, so kills also land while results travel back through the pool's pipe): the soak
exercises the pool's failure handling, not the simulation, and stays short.

    python benchmarks/pool_kill_soak.py [--rounds 300] [--workers 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import pickle
import random
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from landbridge.errors import SimulationError  # noqa: E402
from landbridge.sim.montecarlo import map_replications  # noqa: E402

WORK_SIZE = 200_000
RE_ALARM_S = 2.0


def replication(r: int, seed: np.random.SeedSequence, result_kb: int = 0) -> bytes:
    """A seeded replication of ~30 ms; its result carries ``result_kb`` KiB (a simulation's
    event log is large, so kills also land while a result is being sent back)."""
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(10):
        total += float(rng.standard_normal(WORK_SIZE).mean())
    return np.float64(total + r).tobytes() + rng.bytes(result_kb * 1024)


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def zombies(pid: int) -> int:
    n = 0
    for child in children(pid):
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        n += state == "Z"
    return n


def same(a: list, b: list) -> bool:
    """Results equal to the byte (summaries hold arrays, so compare their pickles; both sides
    come back from worker processes, so their object sharing is alike)."""
    return pickle.dumps(a) == pickle.dumps(b)


class Hung(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replications", type=int, default=12)
    parser.add_argument("--round-timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--result-kb", type=int, default=1024)
    parser.add_argument(
        "--sim-days", type=int, default=0,
        help="Use real simulation replications of the 2023 corridor (train demand) of this many "
        "days, with their event logs, instead of the numpy stand-in.",
    )  # fmt: skip
    args = parser.parse_args()
    task = functools.partial(replication, result_kb=args.result_kb)
    if args.sim_days:
        from landbridge.sim.corridor2023 import build_corridor_2023
        from landbridge.sim.engine import warm_up
        from landbridge.sim.run import replicate

        warm_up()  # compiled once here; forked workers inherit it
        system = build_corridor_2023("trains")
        task = functools.partial(replicate, system, args.sim_days, "fast", True)
    rng = random.Random(args.seed)
    me = os.getpid()
    started = time.perf_counter()
    reference = map_replications(task, args.replications, 7, workers=args.workers)
    round_s = time.perf_counter() - started
    if not args.sim_days:  # the stand-in's floats compare directly with the in-process run
        assert reference == map_replications(task, args.replications, 7, workers=1)

    def on_alarm(signum: int, frame: object) -> None:
        raise Hung

    signal.signal(signal.SIGALRM, on_alarm)
    outcomes: Counter[str] = Counter()
    kills = 0
    for _ in range(args.rounds):
        delay = rng.uniform(0.0, round_s)
        landed = threading.Event()

        def killer(delay: float = delay, landed: threading.Event = landed) -> None:
            time.sleep(delay)
            pids = children(me)
            if pids:
                with contextlib.suppress(OSError):  # the worker ended meanwhile
                    os.kill(rng.choice(pids), signal.SIGKILL)
                    landed.set()

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        # the alarm repeats: a hung pool's graceful shutdown blocks again after the first one
        signal.setitimer(signal.ITIMER_REAL, args.round_timeout, RE_ALARM_S)
        try:
            got = map_replications(task, args.replications, 7, workers=args.workers)
            outcomes["identical" if same(got, reference) else "different"] += 1
        except SimulationError:
            outcomes["stopped"] += 1
        except Hung:
            outcomes["hung"] += 1
            for pid in children(me):  # free the hung pool's workers so the soak goes on
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        thread.join()
        kills += landed.is_set()
    print(
        f"rounds {args.rounds}, workers {args.workers}, replications {args.replications}, "
        f"result {args.result_kb} KiB each, undisturbed round {round_s * 1000:.0f} ms"
    )
    print(f"kills that landed on a worker: {kills}")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(f"zombie children left: {zombies(me)}")


if __name__ == "__main__":
    main()
