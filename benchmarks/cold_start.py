"""Cold start of one-shot commands: a fresh ``landbridge route`` process against ``python -c pass``.

Like ``hyperfine``: each command runs ``WARMUP`` times unmeasured (the page cache and the
network cache warm), then ``RUNS`` times measured, the commands interleaved so that load on a
shared machine falls on both alike. One BENCH line per command gives the mean wall time
(± standard deviation, min) and the mean CPU time (user + system) of the child processes, and
``ratio = ours / python -c pass`` measured in the same run (lower is better; the issue's target
is a cold ``landbridge route`` of at most 0.6 s wall, issue 17). The load average at the start is
printed alongside: on a loaded machine compare ratios, not seconds.

The children run as an installed ``landbridge`` does: with bytecode (pip compiles it at
install). ``PYTHONDONTWRITEBYTECODE`` is dropped and the bytecode goes to a folder of this run
(``PYTHONPYCACHEPREFIX``), written by the warm-up runs; without bytecode every module of the
package is compiled on each start (~60 ms more on the 2-core machine). ``--no-bytecode`` measures
that way instead.

Two route cases: ``route``, the same question each run (its place names are then remembered
in the cache folder, ``places.resolved_store``), and ``route_new_names``, the same question
from a cache folder that has every file of the usual one but the remembered names (linked, in
a folder of its own for each run): a pair asked for the first time, which loads the gazetteer.
Both read the network, the prepared arrays and the transit draws that the warm-up wrote there.
Every measured route run must succeed and print options as JSON (checked), and the command
must not have imported pandas (checked in one extra run that lists ``sys.modules``).
``--imports`` adds the ten costliest imports of one run (``python -X importtime``, cumulative).

    PYTHONPATH=src python benchmarks/cold_start.py [--runs 10] [--imports]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUTE_ARGS = ["route", "Xi'an", "Duisburg", "--json"]
TARGET_WALL_S = 0.6
WARMUP = 2
RUNS = 10
# the console script's own lines (pip's entry-point template), so the child starts as
# `landbridge` does, without the PATH lookup
ENTRY = "import sys; from landbridge.cli import main; sys.argv[0] = 'landbridge'; sys.exit(main())"
MODULES_AFTER = (
    "import atexit, sys, json; "
    "atexit.register(lambda: sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)))); "
    + ENTRY
)


def child_env(pycache: str | None) -> dict[str, str]:
    """The children's environment: ``src`` on the path; with ``pycache``, bytecode written to
    and read from that folder (as installed), else none."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    """Wall seconds and stdout of one run."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[1:]} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return wall, proc.stdout


def children_cpu_s() -> float:
    """CPU seconds (user + system) of every child reaped so far."""

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def without_names(env: dict[str, str], runs_dir: str) -> dict[str, str]:
    """``env`` with a cache folder of its own: links to every file of the usual one but the
    remembered place names."""
    usual = Path(subprocess.run([sys.executable, "-c", CACHE_DIR], env=env, capture_output=True,
                                text=True, check=True).stdout.strip())  # fmt: skip
    fresh = Path(tempfile.mkdtemp(dir=runs_dir))
    for item in usual.iterdir():
        if item.is_file() and not item.name.startswith("places-resolved-"):
            (fresh / item.name).symlink_to(item)
    return {**env, "LANDBRIDGE_CACHE": str(fresh)}


CACHE_DIR = "from landbridge.paths import cache_dir; print(cache_dir())"


def measure(
    commands: dict[str, list[str]], runs: int, warmup: int, env: dict[str, str], runs_dir: str
) -> dict[str, dict]:
    for _ in range(warmup):
        for argv in commands.values():
            run_once(argv, env)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            run_env = without_names(env, runs_dir) if name == "route_new_names" else env
            before = children_cpu_s()
            wall, out = run_once(argv, run_env)
            walls[name].append(wall)
            cpus[name].append(children_cpu_s() - before)
            if name.startswith("route"):
                options = json.loads(out)["options"]
                assert options, "the route run printed no options"
    return {
        name: {
            "mean": statistics.fmean(walls[name]),
            "sd": statistics.stdev(walls[name]) if runs > 1 else 0.0,
            "min": min(walls[name]),
            "cpu": statistics.fmean(cpus[name]),
        }
        for name in commands
    }


def imported_modules(env: dict[str, str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", MODULES_AFTER, *ROUTE_ARGS], env=env,
                          capture_output=True, check=True)  # fmt: skip
    line = proc.stderr.decode().rsplit("MODULES ", 1)[1]
    return list(json.loads(line))


def costliest_imports(env: dict[str, str], top: int = 10) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", ENTRY, *ROUTE_ARGS],
                          env=env, capture_output=True, check=True)  # fmt: skip
    rows = []
    for line in proc.stderr.decode().splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)", line)
        if m and not m.group(2):  # top-level imports only: their cumulative times add up
            rows.append((int(m.group(1)), m.group(3)))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--warmup", type=int, default=WARMUP)
    parser.add_argument("--imports", action="store_true", help="list the costliest imports")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile every module on each start (PYTHONDONTWRITEBYTECODE)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="landbridge-pycache-") as pycache:
        report(args, None if args.no_bytecode else pycache)


def report(args: argparse.Namespace, pycache: str | None) -> None:
    route = [sys.executable, "-c", ENTRY, *ROUTE_ARGS]
    commands = {"python_pass": [sys.executable, "-c", "pass"], "route": route,
                "route_new_names": route}  # fmt: skip
    load = os.getloadavg()
    bytecode = "without bytecode" if pycache is None else "with bytecode, as installed"
    print(f"# load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"({os.cpu_count()} cores); {args.runs} runs after {args.warmup} warm-up, "
          f"{bytecode}")  # fmt: skip
    env = child_env(pycache)
    with tempfile.TemporaryDirectory(prefix="landbridge-cold-") as runs_dir:
        stats = measure(commands, args.runs, max(args.warmup, 1), env, runs_dir)
    base = stats["python_pass"]
    for name, s in stats.items():
        print(
            f"BENCH cold_start_{name}: wall {s['mean']:.3f} s ± {s['sd']:.3f} "
            f"(min {s['min']:.3f}), "
            f"cpu {s['cpu']:.3f} s, ratio {s['mean'] / base['mean']:.1f} x python -c pass"
        )
    for name in ("route", "route_new_names"):
        s = stats[name]
        verdict = "met" if s["mean"] <= TARGET_WALL_S else "NOT met"
        print(f"# target: cold landbridge route <= {TARGET_WALL_S} s wall, {name}: {verdict} "
              f"({s['mean'] - base['mean']:.3f} s above the interpreter's own start)")  # fmt: skip
    modules = imported_modules(env)
    heavy = [m for m in ("pandas", "pyarrow", "scipy", "pydantic", "typer", "rich", "yaml")
             if m in modules]  # fmt: skip
    print(f"# imported by the route run: {', '.join(heavy) or 'none of the heavy libraries'} "
          f"({len(modules)} modules)")  # fmt: skip
    if args.imports:
        for us, name in costliest_imports(env):
            print(f"#   {us / 1000:7.1f} ms  {name}")
    if "pandas" in modules:
        raise SystemExit("landbridge route imported pandas")


if __name__ == "__main__":
    main()
