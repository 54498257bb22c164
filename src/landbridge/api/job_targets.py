"""What background jobs run, inside their own process (see ``landbridge.api.jobs``).

Each target takes the validated request as a dict and a ``progress(fraction)`` callback and
returns JSON-able data. Scenario names are checked against the bundled list before anything
is loaded: a request never names a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from landbridge.errors import ScenarioError

Progress = Callable[[float], None]
# The simulation inside a job uses one process: the server's other core stays free for routes.
JOB_SIM_WORKERS = 1


def bundled_scenario(name: str) -> Any:
    """The bundled scenario ``name``; never a path (``ScenarioError`` lists the names)."""
    from landbridge.scenarios.load import bundled_names, load_scenario

    names = bundled_names()
    if name not in names:
        raise ScenarioError(
            f"Unknown scenario '{name[:80]}'; bundled scenarios: {', '.join(names)}."
        )
    return load_scenario(name)


def simulate(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``landbridge simulate --json`` for the 2023 corridor (optionally a bundled scenario)."""
    from landbridge.app.simulate import simulate as simulate_corridor
    from landbridge.schema.sim import SimulationRequest

    spec = bundled_scenario(payload["scenario"]) if payload.get("scenario") else None
    request = SimulationRequest.model_construct(
        **{k: payload[k] for k in ("days", "replications", "seed", "engine")}
    )
    result, notes = simulate_corridor(
        request, spec, payload.get("demand"), JOB_SIM_WORKERS,
        progress=lambda done, total: progress(done / max(total, 1)),
    )  # fmt: skip
    return result.report().model_dump(mode="json") | {"notes": notes}


def flows(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``landbridge flows --json`` (optionally after a bundled scenario): the same use case."""
    from landbridge.app.flows import run_flows
    from landbridge.schema.flows import FlowsRequest

    progress(FLOWS_STARTED)
    request = FlowsRequest.model_validate(
        {k: v for k, v in payload.items() if k in FlowsRequest.model_fields}
    )
    spec = bundled_scenario(payload["scenario"]) if payload.get("scenario") else None
    marks = {"loaded": FLOWS_LOADED, "prepared": FLOWS_PREPARED}
    result = run_flows(
        request, spec, source=spec.name if spec else "<scenario>",
        progress=lambda _iteration, gap, _objective: progress(_gap_progress(gap)),
        stage=lambda name: progress(marks[name]),
    )  # fmt: skip
    return result.model_dump(mode="json")


# Progress marks of a flows job: network loaded, scenario applied, then the assignment's
# convergence. They order the stages for the progress bar; they are not timings.
FLOWS_STARTED, FLOWS_LOADED, FLOWS_PREPARED, FLOWS_SOLVED = 0.02, 0.2, 0.3, 0.95
GAP_DECADES = 5.0  # the assignment's target relative gap is 1e-5


def _gap_progress(gap: float) -> float:
    """Progress of the assignment from its relative gap: one share per decade towards 1e-5."""
    import math

    done = min(max(-math.log10(gap), 0.0) / GAP_DECADES, 1.0) if gap > 0 else 1.0
    return FLOWS_PREPARED + (FLOWS_SOLVED - FLOWS_PREPARED) * done


def scenario_run(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``landbridge scenario run NAME --json``: apply, compute, store; returns the stored run."""
    from landbridge.app.scenario import run, run_json, run_options
    from landbridge.store.db import Store

    spec = bundled_scenario(payload["scenario"])
    options = run_options(flows=payload["flows"], simulate=payload["simulate"])
    return run_json(run(spec.name, options, Store(), spec, source=spec.name))
