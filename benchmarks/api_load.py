"""Bounded loopback load on the route endpoint, with a long simulation job running meanwhile.

Starts ``landbridge serve`` on a free 127.0.0.1 port (its own temporary store), waits for it,
submits one long simulation job, then runs N concurrent clients (one keep-alive connection each)
against ``POST /api/routes`` for a fixed time per level (20 and 100 clients, 30 s each by
default), in two request mixes:

- ``repeat``: a catalogue of popular requests (8 origin–destination pairs x 3 shipment sizes),
  answered from the server's route cache after one warm-up pass: what a planner serving many
  users asking the usual questions sees;
- ``distinct``: every request has a new FEU count, so each one is a new answer: priced and
  serialized again (the paths and transit quantiles of a known pair are reused by the planner).

Reports p50 and p99 latency, throughput and the error count per level and mix, and whether the
background job kept running.

Baseline: the same requests answered by ``plan_routes`` in one process, one at a time, with no
HTTP in between (``ratio`` = library p50 / API p50 under load; below 1 means queueing + HTTP cost).
Targets: no errors and p99 <= 100 ms at 20 clients (issue 8 for the repeat mix, issue 17 for
the distinct one); a new answer <= 5 ms of server CPU (issue 17). Server CPU is that of the
server process and its route workers (``landbridge serve --workers``), not of the simulation job.

    python benchmarks/api_load.py [--seconds 30] [--levels 20,100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

HOST = "127.0.0.1"  # loopback only: this script never sends load anywhere else
PAIRS = (
    ("Xi'an", "Duisburg"),
    ("Chongqing", "Duisburg"),
    ("Chengdu", "Lodz"),
    ("Zhengzhou", "Hamburg"),
    ("Wuhan", "Malaszewicze"),
    ("Yiwu", "Madrid"),
    ("Urumqi", "Istanbul"),
    ("Xi'an", "Poti"),
)
FEU_SIZES = (1, 2, 10)
MIXES = ("repeat", "distinct")
TARGET_P99_MS = 100.0
TARGET_CLIENTS = 20
TARGET_NEW_ANSWER_CPU_MS = 5.0
SERVER_START_S = 180.0
REQUEST_TIMEOUT_S = 30.0
# The background job: long enough to outlast every load level (it is cancelled at the end).
SIM_JOB = {"days": 3650, "replications": 200, "seed": 1}


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _spawned(pid: int) -> bool:
    """A process started with multiprocessing's spawn: a job or a posted-scenario worker."""
    try:
        return b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def server_pids(root: int) -> list[int]:
    """The server process and its route workers (the forkserver and the processes it forked),
    without the simulation job and posted-scenario processes (spawned)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(c for c in children.get(pid, []) if not _spawned(c))
    return found


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of the processes ``pids`` (Linux /proc), or NaN elsewhere.

    On a shared machine wall-clock latency mostly measures the neighbours; the server's own
    CPU time per request does not depend on them.
    """
    total = 0.0
    for pid in pids:
        fields = _stat(pid)
        if fields is None:
            return float("nan")
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, home: str, workers: int | None) -> subprocess.Popen:
    env = {**os.environ, "LANDBRIDGE_HOME": home}
    env.pop("LANDBRIDGE_TOKEN", None)
    cmd = [sys.executable, "-m", "landbridge", "serve", "--host", HOST, "--port", str(port)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    log = open(Path(home) / "serve.log", "wb")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see its log")
        try:
            if httpx.get(f"{url}/api/info", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server did not answer within {SERVER_START_S:g} s")


def catalogue() -> list[dict]:
    return [{"origin": o, "destination": d, "feu": feu} for o, d in PAIRS for feu in FEU_SIZES]


def request_stream(start: int, mix: str = "distinct"):
    """Route requests: the catalogue in turn (``repeat``), or each with a new FEU count."""
    popular = catalogue()
    for i in itertools.count(start):
        if mix == "repeat":
            yield popular[i % len(popular)]
            continue
        origin, destination = PAIRS[i % len(PAIRS)]
        yield {"origin": origin, "destination": destination, "feu": 1 + (i % 997) / 7}


class HttpConnection:
    """One keep-alive HTTP/1.1 connection on raw asyncio streams.

    The load generator shares the two cores with the server; httpx spends several ms of CPU per
    request, this about a tenth of that, so the figures measure the server, not the client.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, raw_request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(raw_request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
        }
        if headers.get(b"transfer-encoding") == b"chunked":
            body = b""
            while size := int((await self.reader.readline()).strip(), 16):
                body += await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:
            body = await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection") == b"close":
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def raw_post(port: int, path: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


def check_answer(body: bytes, request: dict) -> None:
    """A served answer is a full route response for the asked pair and shipment."""
    answer = json.loads(body)
    assert answer["options"], "no options"
    assert answer["shipment"]["feu"] == request["feu"], (answer["shipment"], request)


async def client(port: int, until: float, start: int, mix: str, out: list, errors: list) -> None:
    """Back-to-back requests on one connection (a closed loop: the next is sent on an answer)."""
    connection = HttpConnection(port)
    checked = False
    try:
        for body in request_stream(start, mix):
            if time.monotonic() >= until:
                return
            raw = raw_post(port, "/api/routes", body)
            t0 = time.perf_counter()
            try:
                status, answer = await asyncio.wait_for(connection.post(raw), REQUEST_TIMEOUT_S)
                ok, detail = status == 200, f"HTTP {status}: {answer[:200]!r}"
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
                await connection.close()
            elapsed = time.perf_counter() - t0
            if ok and not checked:  # parsing every answer would load the client, one per client
                check_answer(answer, body)
                checked = True
            (out if ok else errors).append(elapsed if ok else detail)
    finally:
        await connection.close()


async def load_level(port: int, clients: int, seconds: float, mix: str, pid: int = 0) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    pids = server_pids(pid) if pid else []
    cpu_before = cpu_s(pids) if pid else float("nan")
    front_before = cpu_s([pid]) if pid else float("nan")
    client_before = time.process_time()
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(client(port, until, 100_000 * (k + 1), mix, latencies, errors) for k in range(clients))
    )
    lat = np.array(latencies) * 1000.0
    served = max(len(latencies), 1)
    cpu_ms = (cpu_s(pids) - cpu_before) * 1000.0 / served if pid else float("nan")
    front_ms = (cpu_s([pid]) - front_before) * 1000.0 / served if pid else float("nan")
    client_ms = (time.process_time() - client_before) * 1000.0 / served
    return {
        "mix": mix,
        "clients": clients,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "p50_ms": float(np.percentile(lat, 50)) if len(lat) else float("nan"),
        "p99_ms": float(np.percentile(lat, 99)) if len(lat) else float("nan"),
        "rps": len(latencies) / seconds,
        "server_cpu_ms_per_request": cpu_ms,
        "front_cpu_ms_per_request": front_ms,
        "client_cpu_ms_per_request": client_ms,
    }


def library_baseline(n: int) -> float:
    """Median seconds of ``plan_routes`` in this process, one request at a time, after warm-up."""
    from landbridge.network import load_network
    from landbridge.routing.plan import plan_routes
    from landbridge.schema.route import RouteRequest

    net = load_network()
    stream = request_stream(0, "distinct")
    for body in catalogue():
        plan_routes(RouteRequest(**body), network=net)
    times = []
    for body in itertools.islice(stream, n):
        t0 = time.perf_counter()
        plan_routes(RouteRequest(**body), network=net)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each load level")
    parser.add_argument(
        "--levels", default="20,100", help="concurrent clients per level, comma-separated"
    )
    parser.add_argument(
        "--no-sim", action="store_true", help="do not run the background simulation job"
    )
    parser.add_argument("--mix", choices=(*MIXES, "both"), default="both", help="request mix")
    parser.add_argument(
        "--workers", type=int, default=None, help="route worker processes (serve's default)"
    )
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    mixes = MIXES if args.mix == "both" else (args.mix,)

    port = free_port()
    url = f"http://{HOST}:{port}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the start: {load} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="landbridge-load-") as home:
        proc = start_server(port, home, args.workers)
        try:
            wait_ready(url, proc)
            for body in catalogue():  # warm-up: network, gazetteer, the popular answers
                httpx.post(
                    f"{url}/api/routes", json=body, timeout=SERVER_START_S
                ).raise_for_status()
            for layer in ("basemap", "layers/rail"):  # after these the start-up warm-up is done
                httpx.get(f"{url}/api/{layer}", timeout=SERVER_START_S).raise_for_status()
            job_id = None
            if not args.no_sim:
                job = httpx.post(f"{url}/api/simulations", json=SIM_JOB, timeout=REQUEST_TIMEOUT_S)
                job.raise_for_status()
                job_id = job.json()["job_id"]
            print(f"server processes measured (server + route workers): {server_pids(proc.pid)}")
            results = [
                asyncio.run(load_level(port, clients, args.seconds, mix, proc.pid))
                for mix in mixes
                for clients in levels
            ]
            job_state = "none"
            if job_id:
                job_state = httpx.get(f"{url}/api/jobs/{job_id}", timeout=REQUEST_TIMEOUT_S).json()[
                    "state"
                ]
                httpx.delete(f"{url}/api/jobs/{job_id}", timeout=REQUEST_TIMEOUT_S)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    baseline_s = library_baseline(40)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} on {os.cpu_count()} cores")
    print(f"background simulation job state at the end of the load: {job_state}")
    for r in results:
        print(
            f"mix={r['mix']} clients={r['clients']} requests={r['requests']} errors={r['errors']} "
            f"p50_ms={r['p50_ms']:.1f} p99_ms={r['p99_ms']:.1f} rps={r['rps']:.1f} "
            f"server_cpu_ms_per_request={r['server_cpu_ms_per_request']:.2f} "
            f"(serving process {r['front_cpu_ms_per_request']:.2f}) "
            f"client_cpu_ms_per_request={r['client_cpu_ms_per_request']:.1f}"
            + (f" first_error={r['first_error']!r}" if r["errors"] else "")
        )
        ours_s = r["p50_ms"] / 1000.0
        print(
            f"BENCH case=api_route_{r['mix']}_p50_c{r['clients']} ours_s={ours_s:.6f} "
            "baseline=plan_routes_in_process "
            f"baseline_s={baseline_s:.6f} ratio={baseline_s / ours_s:.3f}"
        )
    goal = f"no errors, p99 <= {TARGET_P99_MS:g} ms at {TARGET_CLIENTS} clients"
    for target in (r for r in results if r["clients"] == TARGET_CLIENTS):
        met = target["errors"] == 0 and target["p99_ms"] <= TARGET_P99_MS
        print(f"target ({goal}), mix {target['mix']}: {'met' if met else 'NOT met'}")
    for target in (r for r in results if r["mix"] == "distinct"):
        cpu = target["server_cpu_ms_per_request"]
        met = cpu <= TARGET_NEW_ANSWER_CPU_MS
        print(
            f"target (new answer <= {TARGET_NEW_ANSWER_CPU_MS:g} ms of server CPU), "
            f"{target['clients']} clients: {cpu:.2f} ms, {'met' if met else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
