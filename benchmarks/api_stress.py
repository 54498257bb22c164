"""Hostile load on loopback: heavy validations and slow clients must not starve normal requests.

Starts ``landbridge serve`` on a free 127.0.0.1 port (its own temporary store) and measures:

1. ``GET /api/info`` latency alone, then while 3 clients post 0.9 MB YAML scenarios to
   ``POST /api/scenarios/validate`` in a loop (target: p99 <= 50 ms while they run);
2. 1,100 slow clients (each opens a connection and trickles a request head one byte every 2 s,
   never finishing it, and connects again when the server closes it) while one normal client
   asks ``GET /api/info`` once a second (target: no normal request fails). With
   ``--fd-limit 1024`` the server runs under ``prlimit`` with a hard descriptor limit of
   1,024, the limit of the machine the problem was reported on.

Bounded: loopback only, a fixed number of seconds per phase.

    python benchmarks/api_stress.py [--seconds 20] [--slow-clients 1100] [--fd-limit 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
HOST = "127.0.0.1"  # loopback only
SERVER_START_S = 180.0
HEAVY_CLIENTS = 3
HEAVY_DOC_BYTES = 900_000
INFO_INTERVAL_S = 0.05
SLOW_BYTE_INTERVAL_S = 2.0
NORMAL_INTERVAL_S = 1.0
REQUEST_TIMEOUT_S = 10.0
WARM_UP_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, home: str, fd_limit: int | None) -> subprocess.Popen:
    env = {**os.environ, "LANDBRIDGE_HOME": home, "PYTHONPATH": str(ROOT / "src")}
    env.pop("LANDBRIDGE_TOKEN", None)
    cmd = [sys.executable, "-m", "landbridge", "serve", "--host", HOST, "--port", str(port)]
    if fd_limit:
        prlimit = shutil.which("prlimit")
        if prlimit is None:
            raise SystemExit("--fd-limit needs prlimit (util-linux)")
        cmd = [prlimit, f"--nofile={fd_limit}:{fd_limit}", "--", *cmd]
    log = open(Path(home) / "serve.log", "wb")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see its log")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/api/info", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"server did not answer within {SERVER_START_S:g} s")


def heavy_document() -> str:
    """A 0.9 MB scenario: many modifications with long notes (the parse is the heavy part)."""
    head = "name: heavy\nbase: {year: 2024}\nmodifications:\n"
    item = (
        "  - type: set_capacity\n    facility: alashankou-dostyk\n    value: 20\n"
        "    unit: trains_per_day\n    note: " + "x" * 200 + "\n"
    )
    return head + item * ((HEAVY_DOC_BYTES - len(head)) // len(item))


def percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    a = np.asarray(values) * 1000
    return (
        f"n={len(a)} p50={np.percentile(a, 50):.1f} ms p99={np.percentile(a, 99):.1f} ms "
        f"max={a.max():.1f} ms"
    )


def info_latencies(url: str, seconds: float) -> tuple[list[float], int]:
    times, failures = [], 0
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            try:
                ok = client.get(f"{url}/api/info").status_code == 200
            except httpx.TransportError:
                ok = False
            times.append(time.perf_counter() - started)
            failures += not ok
            time.sleep(INFO_INTERVAL_S)
    return times, failures


def heavy_phase(url: str, seconds: float) -> None:
    doc = heavy_document().encode()
    stop = threading.Event()
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def poster() -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                try:
                    status = client.post(
                        f"{url}/api/scenarios/validate",
                        content=doc,
                        headers={"Content-Type": "application/yaml"},
                    ).status_code
                except httpx.TransportError:
                    status = -1
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

    base, base_fail = info_latencies(url, min(seconds, 5.0))
    print(f"/api/info alone:            {percentiles(base)}; failures {base_fail}")
    threads = [threading.Thread(target=poster, daemon=True) for _ in range(HEAVY_CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    loaded, failures = info_latencies(url, seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    print(f"/api/info, {HEAVY_CLIENTS} heavy posters: {percentiles(loaded)}; failures {failures}")
    print(f"validate answers by status: {dict(sorted(statuses.items()))} ({len(doc):,} bytes each)")


async def slow_client(port: int, stop: asyncio.Event, counts: dict[str, int]) -> None:
    """Trickles a request head that never ends; connects again whenever the server closes it,
    so the server faces ``n`` slow connections for the whole phase."""
    head = b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            counts["connect_failed"] += 1
            await asyncio.sleep(SLOW_BYTE_INTERVAL_S)
            continue
        counts["connected"] += 1
        try:
            for byte in head:
                if stop.is_set():
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(SLOW_BYTE_INTERVAL_S)
            counts["still_open_at_end"] += 1
        except OSError:
            counts["closed_by_server"] += 1
        finally:
            writer.close()


async def slow_phase(url: str, port: int, n_slow: int, seconds: float) -> None:
    stop = asyncio.Event()
    counts = dict.fromkeys(("connected", "connect_failed", "closed_by_server"), 0)
    counts["still_open_at_end"] = 0
    slow = [asyncio.create_task(slow_client(port, stop, counts)) for _ in range(n_slow)]
    await asyncio.sleep(1.0)
    ok = failed = 0
    times: list[float] = []
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            try:
                good = (await client.get(f"{url}/api/info")).status_code == 200
            except httpx.TransportError:
                good = False
            times.append(time.perf_counter() - started)
            ok += good
            failed += not good
            await asyncio.sleep(NORMAL_INTERVAL_S)
    stop.set()
    await asyncio.gather(*slow, return_exceptions=True)
    print(f"{n_slow} slow clients: {counts}")
    print(f"normal requests meanwhile: {ok} ok, {failed} failed; {percentiles(times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--slow-clients", type=int, default=1100)
    parser.add_argument("--fd-limit", type=int, default=None)
    parser.add_argument("--skip-heavy", action="store_true")
    args = parser.parse_args()
    port = free_port()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="landbridge-stress-") as home:
        proc = start_server(port, home, args.fd_limit)
        try:
            wait_ready(url, proc)
            time.sleep(WARM_UP_S)  # the server warms its layers in a thread after start
            if not args.skip_heavy:
                heavy_phase(url, args.seconds)
            asyncio.run(slow_phase(url, port, args.slow_clients, args.seconds))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
