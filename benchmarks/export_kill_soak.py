"""Kill soak of ``landbridge runs export``: SIGKILL at random moments, count what looks finished.

A run with 30,000 simulated transits (about the size of a year's simulation) is stored in a
scratch store; each round starts ``runs export`` into one re-used ``--out`` folder, waits until
its writing starts, kills it after a random share (0 to 0.9) of the time the writing takes (from
the partial folder's creation to its rename, timed in a first round that is not killed), and
checks the folder: absent (fine), present and verified against its manifest
(a finished export: the earlier one when the kill came before the rename), or present and not
verifying (the failure this soak looks for); ``killed_mid_write`` counts rounds that left a hidden
partial folder, ``this_round_landed`` those whose export finished before the kill.
Prints ``SOAK`` lines with the counts. ``python benchmarks/export_kill_soak.py [KILLS]``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from landbridge.outputs import MANIFEST, is_complete_folder
from landbridge.store.db import Store
from landbridge.store.run_record import RunRecord

ROUNDS = 1 + (int(sys.argv[1]) if len(sys.argv) > 1 else 15)  # the first round is not killed
TRANSITS = 30_000
SEED = 2026


def _partials(out: Path) -> list[Path]:
    """The hidden temporary folders of exports to ``out`` (``outputs.atomic_folder``)."""
    return list(out.parent.glob(f".{out.name}.*.tmp"))


def _partial_appears(out: Path, proc: subprocess.Popen[bytes]) -> float:
    """Wait until the export's hidden temporary folder exists (writing began); its time."""
    while not _partials(out) and proc.poll() is None:
        time.sleep(0.005)
    return time.monotonic()


def main() -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="landbridge-soak-") as tmp:
        store = Store(Path(tmp) / "runs.duckdb")
        runs = [
            store.write_run(
                RunRecord(scenario_name=name, scenario_hash="0" * 64, scenario_yaml="",
                          seed=i, parameters={}, timings_s={}),  # fmt: skip
                {"sim_transit": pd.DataFrame({
                    "od": [f"cn-xian>de-duisburg option {k % 7}" for k in range(TRANSITS)],
                    "replication": [k % 20 for k in range(TRANSITS)],
                    "transit_h": [300.0 + k % 97 for k in range(TRANSITS)],
                })},  # fmt: skip
            )
            for i, name in enumerate(("run-a", "run-b"))
        ]
        out = Path(tmp) / "exports" / "latest"
        env = {**os.environ, "LANDBRIDGE_HOME": tmp}
        counts = {"absent": 0, "finished": 0, "looks_finished_but_not": 0, "mixed_runs": 0,
                  "killed_mid_write": 0, "this_round_landed": 0}
        write_s = None
        for i in range(ROUNDS):
            run_id = runs[i % 2]
            cmd = [sys.executable, "-m", "landbridge.cli", "runs", "export", run_id,
                   "--format", rng.choice(["csv", "parquet", "geojson"]), "--out", str(out),
                   "--store", str(store.path)]  # fmt: skip
            manifest = out / MANIFEST
            before = manifest.stat().st_mtime_ns if manifest.exists() else None
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            started = _partial_appears(out, proc)
            if write_s is None:  # the first round runs to the end and times the writing
                while _partials(out):
                    time.sleep(0.002)
                write_s = time.monotonic() - started
                proc.wait()
                continue
            time.sleep(rng.uniform(0.0, 0.9) * write_s)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            left = _partials(out)
            counts["killed_mid_write"] += bool(left)
            for folder in left:  # a killed process cannot clean up; the next round starts clean
                shutil.rmtree(folder)
            if not out.exists():
                counts["absent"] += 1
                continue
            if not is_complete_folder(out):
                counts["looks_finished_but_not"] += 1
                continue
            counts["finished"] += 1
            meta = pd.read_json(out / "run.json", typ="series")
            landed = manifest.stat().st_mtime_ns != before
            counts["this_round_landed"] += landed
            if landed and meta["run_id"] != run_id:
                counts["mixed_runs"] += 1
            if "sim_transit.csv" in os.listdir(out):
                ids = set(pd.read_csv(out / "sim_transit.csv", usecols=["run_id"])["run_id"])
                counts["mixed_runs"] += ids != {meta["run_id"]}
        print(f"SOAK export_kill kills={ROUNDS - 1} write_s={write_s:.2f}")
        for key, value in counts.items():
            print(f"SOAK export_kill {key}={value}")


if __name__ == "__main__":
    main()
