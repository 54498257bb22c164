"""The replication pool under faults: a worker killed from outside is noticed and its
replications re-run (identical results, no zombie); a malformed --dask address is refused at
once (it made the client wait forever)."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.errors import InvalidInputError
from landbridge.sim.montecarlo import check_dask_address, map_replications


def slow_draw(r: int, seed: np.random.SeedSequence) -> float:
    time.sleep(0.2)
    return float(np.random.default_rng(seed).random()) + r


def _children() -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
            out += [int(c) for c in fh.read().split()]
    return out


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_an_externally_killed_worker_costs_a_rerun_not_the_answer() -> None:
    reference = map_replications(slow_draw, 8, 3, workers=1)
    before = set(_children())
    seen: set[int] = set()

    def kill_one() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pids = [p for p in _children() if p not in before]
            if pids:
                seen.update(pids)
                time.sleep(0.3)
                seen.update(p for p in _children() if p not in before)
                os.kill(pids[0], signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one)
    killer.start()
    assert map_replications(slow_draw, 8, 3, workers=2) == reference
    killer.join()
    assert seen  # a worker was killed
    assert [p for p in seen if _state(p) == "Z"] == []  # the pool reaped its workers


@pytest.mark.parametrize(
    ("address", "words"),
    [("not a url", "not a Dask scheduler address"), ("http://127.0.0.1:8787", "web address"),
     ("tcp://host", "not a Dask scheduler address")],
)  # fmt: skip
def test_malformed_dask_addresses_are_refused(address: str, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        check_dask_address(address)
    res = CliRunner().invoke(app, ["simulate", "--days", "5", "--dask", address])
    assert res.exit_code == 2 and words in res.output


@pytest.mark.parametrize(
    "address", ["local", "tcp://127.0.0.1:8786", "10.0.0.1:8786", "tls://[::1]:8786"]
)
def test_scheduler_addresses_pass(address: str) -> None:
    assert check_dask_address(address) == address
