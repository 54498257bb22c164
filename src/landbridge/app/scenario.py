"""Use cases: run a scenario (apply, compute, store) and compare two, from names, files or run
ids (``landbridge scenario run|compare``, the API's scenario job and stored-run comparison)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from landbridge.scenarios.compare import Comparison
from landbridge.scenarios.runner import RunOptions, ScenarioRun
from landbridge.schema.scenario import Scenario
from landbridge.store.db import Store


def run_options(
    routes: str | None = None, flows: bool = False, simulate: bool = False
) -> RunOptions:
    """Route options of the OD pairs in the CSV ``routes`` (default: the standard OD set), and
    flows and the simulation if asked."""
    from landbridge.scenarios.runner import load_od_pairs

    return RunOptions(routes=True, flows=flows, simulate=simulate, od_pairs=load_od_pairs(routes))


def run(
    name: str,
    options: RunOptions,
    store: Store | None,
    scenario: Scenario | None = None,
    source: str | None = None,
) -> ScenarioRun:
    """Run the scenario ``name`` (bundled name or file; ``scenario`` when already loaded);
    ``source`` names it in messages and the stored run (default: its file)."""
    from landbridge.app import engines
    from landbridge.scenarios.load import load_scenario, resolve_scenario
    from landbridge.scenarios.runner import run_scenario

    source = source or str(resolve_scenario(name))
    spec = load_scenario(name) if scenario is None else scenario
    return run_scenario(spec, engines.real_engines(), options, store=store, source=source)


def run_json(run: ScenarioRun) -> dict[str, Any]:
    """A run as ``scenario run --json`` and the API's scenario job print it."""
    from landbridge.scenarios.compare import records

    return {
        "run_id": run.run_id,
        "scenario": run.scenario.name,
        "scenario_hash": run.scenario_hash,
        "timings_s": run.timings_s,
        "notes": run.notes,
        "results": {k: records(v) for k, v in run.results.items()},
    }


@dataclass(frozen=True)
class ComparedRuns:
    comparison: Comparison
    a: ScenarioRun
    b: ScenarioRun
    bases: list[str]
    """How the two bases were aligned or still differ (``scenarios.align``)."""


def compare_stored(store: Store, a: str, b: str) -> ComparedRuns:
    """Compare two stored runs (ids); nothing is recomputed."""
    from landbridge.scenarios.align import stored_differences
    from landbridge.scenarios.compare import compare_runs
    from landbridge.scenarios.runner import stored_run

    run_a, run_b = stored_run(store, a), stored_run(store, b)
    bases = stored_differences(run_a.scenario, run_b.scenario)
    return ComparedRuns(compare_runs(run_a, run_b, bases), run_a, run_b, bases)


def compare(a: str, b: str, options: RunOptions, store: Store) -> ComparedRuns:
    """Compare A and B: stored run ids are read back, scenarios are run (on aligned bases when
    neither side is a stored run) and stored."""
    from landbridge.scenarios.align import align_bases, stored_differences
    from landbridge.scenarios.compare import compare_runs
    from landbridge.scenarios.load import load_scenario
    from landbridge.scenarios.runner import stored_run
    from landbridge.store.run_record import RUN_ID_PATTERN

    if RUN_ID_PATTERN.match(a) or RUN_ID_PATTERN.match(b):

        def run_or_stored(name: str) -> ScenarioRun:
            if RUN_ID_PATTERN.match(name):
                return stored_run(store, name)
            return run(name, options, store)

        run_a, run_b = run_or_stored(a), run_or_stored(b)
        bases = stored_differences(run_a.scenario, run_b.scenario)
    else:
        spec_a, spec_b, bases = align_bases(load_scenario(a), load_scenario(b))
        run_a = run(a, options, store, spec_a)
        run_b = run(b, options, store, spec_b)
    return ComparedRuns(compare_runs(run_a, run_b, bases), run_a, run_b, bases)
