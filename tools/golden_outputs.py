"""Save the JSON outputs of a fixed set of commands into a folder, to diff before/after a refactor.

    PYTHONPATH=src python tools/golden_outputs.py OUT_DIR            # capture
    PYTHONPATH=src python tools/golden_outputs.py OUT_DIR --only route-xian-duisburg,flows-2024
    python tools/golden_outputs.py --diff BEFORE_DIR AFTER_DIR        # compare

``--only`` saves the named outputs (to find the commit that changed one); the commands that fill
the store run whenever an output that reads the store is named.

Not part of the test suite: it runs the CLI in-process (Typer's CliRunner), the API through
FastAPI's TestClient and the API's job targets directly, each against a temporary store and
home folder. Values that differ on every run (run ids, wall-clock timings, creation times,
temporary paths) are replaced by placeholders before saving; nothing else is touched.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEPART = "2025-06-01"
ROUTES = [
    ("route-xian-duisburg", ["Xi'an", "Duisburg"]),
    ("route-xian-duisburg-avoid-ru-by", ["Xi'an", "Duisburg", "--avoid", "RU,BY"]),
    ("route-chongqing-duisburg-middle", ["Chongqing", "Duisburg", "--corridor", "middle"]),
    ("route-urumqi-istanbul-feu10", ["Urumqi", "Istanbul", "--feu", "10"]),
    ("route-xian-hamburg-d2d", ["Xi'an", "Hamburg", "--door-to-door", "--teu", "4"]),
    ("route-almaty-tashkent", ["Almaty", "Tashkent"]),
    ("route-xian-duisburg-via-aktau", ["Xi'an", "Duisburg", "--via", "Aktau"]),
]
VOLATILE_KEYS = {"run_id", "timings_s", "timings_json", "created_utc", "build_s"}
SRC = Path(__import__("landbridge").__file__).parent.parent
RUN_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[a-z0-9-]{1,80}-[0-9a-f]{8}")
# outputs that read the store, and the commands that fill it before them
STORE_READERS = {"runs-list", "runs-show", "runs-export-csv"}
STORE_WRITERS = {"scenario-run-cku", "scenario-run-khorgos-flows", "scenario-compare"}


def _export_file(path: Path) -> Any:
    """An exported file's content; JSON parsed so that its volatile keys are scrubbed. The
    manifest is left out: it holds the checksum of ``run.json``, which has the run's time."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


def _scrub(value: Any, tmp: str) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<volatile>" if k in VOLATILE_KEYS else _scrub(v, tmp)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, tmp) for v in value]
    if isinstance(value, str):
        value = value.replace(tmp, "<tmp>").replace(str(SRC), "<src>")
        return RUN_ID.sub("<run-id>", value)
    return value


def capture(out: Path, only: set[str] | None = None) -> None:
    tmp = tempfile.mkdtemp(prefix="landbridge-golden-")
    fill_store = only is None or bool(only & STORE_READERS)

    def wanted(name: str) -> bool:
        return only is None or name in only or (fill_store and name in STORE_WRITERS)

    os.environ["LANDBRIDGE_HOME"] = tmp
    from typer.testing import CliRunner

    from landbridge.cli import app

    out.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    store = str(Path(tmp) / "runs.duckdb")

    def save(name: str, data: Any) -> None:
        if only is not None and name not in only:
            return
        text = json.dumps(_scrub(data, tmp), ensure_ascii=False, indent=2, sort_keys=False)
        (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        print(f"saved {name}", file=sys.stderr)

    def cli(name: str, args: list[str]) -> Any:
        if not wanted(name):
            return None
        result = runner.invoke(app, args)
        if result.exit_code != 0:
            save(name, {"exit_code": result.exit_code, "stdout": result.stdout})
            return None
        data = json.loads(result.stdout)
        save(name, data)
        return data

    for name, args in ROUTES:
        cli(name, ["route", *args, "--depart", DEPART, "--json"])
    cli("route-unknown-place", ["route", "Xi'an", "Nowhereville"])
    cli("flows-2024", ["flows", "--json"])
    cli("flows-2023-ue", ["flows", "--year", "2023", "--route-choice", "ue", "--json"])
    cli("flows-growth-avoid", ["flows", "--growth", "10", "--avoid-share", "0.5", "--json"])
    cli("flows-scenario-cku", ["flows", "--scenario", "cku-railway", "--json"])
    cli("flows-scenario-khorgos", ["flows", "--scenario", "khorgos-closed-one-week", "--json"])
    sim = ["simulate", "--days", "20", "-n", "2", "--workers", "1", "--seed", "7", "--json"]
    cli("simulate-network", sim)
    cli("simulate-trains", [*sim, "--demand", "trains"])
    cli("simulate-scenario-khorgos", [*sim, "--scenario", "khorgos-closed-one-week"])
    cli("simulate-scenario-vessels", [*sim, "--scenario", "kz-container-vessels-2027"])
    cli("scenario-list", ["scenario", "list", "--json"])
    run = cli("scenario-run-cku", ["scenario", "run", "cku-railway", "--store", store, "--json"])
    cli(
        "scenario-run-khorgos-flows",
        ["scenario", "run", "khorgos-closed-one-week", "--flows", "--store", store, "--json"],
    )
    cli(
        "scenario-compare",
        ["scenario", "compare", "baseline-2023", "khorgos-closed-one-week", "--store", store,
         "--json"],
    )  # fmt: skip
    cli("runs-list", ["runs", "list", "--store", store, "--json"])
    if run is not None and wanted("runs-show"):
        cli("runs-show", ["runs", "show", run["run_id"], "--store", store, "--json"])
        folder = Path(tmp) / "export"
        result = runner.invoke(
            app, ["runs", "export", run["run_id"], "--format", "csv", "--out", str(folder),
                  "--store", store],
        )  # fmt: skip
        files = {
            p.name: _export_file(p) for p in sorted(folder.glob("*")) if p.name != "manifest.json"
        }
        save("runs-export-csv", {"exit_code": result.exit_code, "files": files})
    if only is None or any(name.startswith("api-") for name in only):
        _api(save, wanted)


def _api(save: Callable[[str, Any], None], wanted: Callable[[str], bool]) -> None:
    from fastapi.testclient import TestClient

    from landbridge.api import job_targets
    from landbridge.api.app import create_app
    from landbridge.api.models import FlowsJobRequest, SimulationJobRequest
    from landbridge.api.settings import ApiSettings
    from landbridge.network import load_network
    from landbridge.paths import DATA_DIR

    DATA_SCENARIOS = DATA_DIR / "scenarios"

    def progress(_fraction: float) -> None:
        return None

    def job(name: str, target: Callable[..., Any], payload: dict[str, Any]) -> None:
        from landbridge.errors import LandbridgeError

        if not wanted(name):
            return
        try:
            save(name, target(payload, progress))
        except LandbridgeError as exc:
            save(name, {"error": type(exc).__name__, "message": str(exc)})

    with TestClient(create_app(ApiSettings(), network_loader=load_network)) as client:
        body = {"origin": "Xi'an", "destination": "Duisburg", "depart": DEPART}
        save("api-routes", client.post("/api/routes", json=body).json())
        save("api-routes-geojson", client.post("/api/routes/geojson", json=body).json())
        save("api-routes-unknown", client.post("/api/routes", json={**body, "origin": "Qq"}).json())
        save("api-places", client.get("/api/places", params={"q": "Dostyk"}).json())
        save("api-scenarios", client.get("/api/scenarios").json())
        save("api-scenario", client.get("/api/scenarios/cku-railway").json())
        posted = (DATA_SCENARIOS / "khorgos-closed-one-week.yaml").read_text(encoding="utf-8")
        check = client.post("/api/scenarios/validate", content=posted)
        save("api-scenario-validate", check.json())
    flows = FlowsJobRequest(scenario="khorgos-closed-one-week").model_dump(mode="json")
    job("api-job-flows-scenario", job_targets.flows, flows)
    job("api-job-flows", job_targets.flows, FlowsJobRequest().model_dump(mode="json"))
    for scenario in ("khorgos-closed-one-week", "kz-container-vessels-2027"):
        sim = SimulationJobRequest(days=20, replications=2, seed=7, scenario=scenario)
        job(f"api-job-simulate-{scenario}", job_targets.simulate, sim.model_dump(mode="json"))
    run = {"scenario": "cku-railway", "flows": False, "simulate": False}
    job("api-job-scenario-run", job_targets.scenario_run, run)


def diff(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.glob("*.json")} | {p.name for p in after.glob("*.json")})
    differ = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'after' if not a.exists() else 'before'}")
            differ += 1
        elif a.read_bytes() != b.read_bytes():
            print(f"{name}: differs")
            for where in _paths(json.loads(a.read_text()), json.loads(b.read_text()), "")[:8]:
                print(f"    {where}")
            differ += 1
    print(f"{len(names)} outputs, {len(names) - differ} identical, {differ} differ")
    return 1 if differ else 0


def _paths(a: Any, b: Any, at: str) -> list[str]:
    """Where two JSON values differ (first differences, as JSON paths)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = [f"{at}.{k}: only on one side" for k in a.keys() ^ b.keys()]
        for k in a.keys() & b.keys():
            found += _paths(a[k], b[k], f"{at}.{k}")
        return found
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{at}: {len(a)} vs {len(b)} items"]
        pairs = enumerate(zip(a, b, strict=True))
        return [p for i, (x, y) in pairs for p in _paths(x, y, f"{at}[{i}]")]
    return [] if a == b else [f"{at}: {str(a)[:60]!r} -> {str(b)[:60]!r}"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--diff"]:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    names = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    capture(Path(sys.argv[1]), set(names) if names else None)
