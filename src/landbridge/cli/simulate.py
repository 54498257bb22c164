"""``landbridge simulate``: the 2023 corridor's transit-time distributions and queues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import typer
from rich.markup import escape

from landbridge.cli.common import console, err_console, print_json
from landbridge.schema.sim import Engine

#: Replications from which a progress bar is worth drawing.
PROGRESS_MIN_REPLICATIONS = 5


def simulate(
    days: int = typer.Option(365, "--days", help="Simulated horizon in days (1-3650)."),
    replications: int = typer.Option(
        20, "--replications", "-n", help="Monte Carlo replications (1-10000)."
    ),
    seed: int = typer.Option(0, "--seed", help="Master seed; replication r uses its r-th spawn."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", help="Worker processes (default: all cores)."
    ),
    dask: str | None = typer.Option(
        None, "--dask", help="Run on Dask: a scheduler address, or 'local' for a LocalCluster."
    ),
    scenario: str | None = typer.Option(
        None, "--scenario", help="Scenario name or YAML file applied to the 2023 corridor."
    ),
    demand: str | None = typer.Option(
        None,
        "--demand",
        help="'network' (2023 OD demand routed on the network, default), 'trains' (sourced "
        "2023 train counts) or 'od-2023'/'od-2024'/'od-2025' (flows OD on the sourced train "
        "routes).",
    ),
    engine: str = typer.Option("fast", "--engine", help="fast (numba) or simpy (reference)."),
    events: str | None = typer.Option(
        None, "--events", help="Also write the typed event log to this Parquet file."
    ),
    timeseries: str | None = typer.Option(
        None, "--timeseries", help="Also write daily queue, utilization and waits to this CSV."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Simulate the 2023 corridor: transit-time distributions and facility queues."""
    from pathlib import Path

    from landbridge.app.simulate import simulate as simulate_corridor
    from landbridge.outputs import atomic_file, check_output_file
    from landbridge.schema.sim import SimulationRequest
    from landbridge.sim.eventlog import write_parquet
    from landbridge.sim.montecarlo import default_workers

    if dask is not None:
        from landbridge.sim.montecarlo import check_dask_address

        check_dask_address(dask)
    if events is not None:
        check_output_file(events, "event log")
    if timeseries is not None:
        check_output_file(timeseries, "time series file")
    spec = None
    if scenario is not None:
        from landbridge.scenarios.load import load_scenario

        spec = load_scenario(scenario)
    n_workers = workers if workers is not None else min(default_workers(), max(1, replications))
    # checked by the simulation layer, which names the field in its message
    request = SimulationRequest.model_construct(
        days=days, replications=replications, seed=seed, engine=cast(Engine, engine)
    )

    def run(progress: Callable[[int, int], None] | None) -> Any:
        return simulate_corridor(
            request, spec, demand, n_workers, dask, progress, keep_log=events is not None
        )

    if as_json or replications < PROGRESS_MIN_REPLICATIONS:
        result, notes = run(None)
    else:
        from rich.progress import Progress

        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("replications", total=replications)
            result, notes = run(lambda done, total: bar.update(task, completed=done))
    if events is not None:
        write_parquet(result.events, Path(events))
    if timeseries is not None:
        with atomic_file(timeseries, "time series file") as tmp:
            result.daily.to_csv(tmp, index=False, float_format="%.4f")
    report = result.report()
    if as_json:
        print_json(report.model_dump(mode="json") | ({"notes": notes} if notes else {}))
        return
    _print_simulation(report, notes)


def _print_simulation(report: Any, notes: list[str]) -> None:
    from rich.table import Table

    run = report.run
    corridors = Table(
        title=f"Transit days, {run.system}: {run.replications} x {run.days} days, seed {run.seed}"
    )
    for head in ("corridor", "trains", "mean", "p50", "p90", "p99", "95% CI of mean"):
        corridors.add_column(head, justify="left" if head == "corridor" else "right")

    def num(x: float | None) -> str:
        return "–" if x is None else f"{x:,.1f}"

    for c in report.corridors:
        t, ci = c.transit_days, c.ci95.mean
        corridors.add_row(
            c.corridor, f"{c.shipments:,}", num(t.mean), num(t.p50), num(t.p90), num(t.p99),
            "–" if ci is None else f"{ci[0]:,.1f} – {ci[1]:,.1f}",
        )  # fmt: skip
    console.print(corridors)
    facilities = Table(title="Facilities")
    for head in ("facility", "kind", "util %", "mean wait h", "p90 wait h", "max queue"):
        facilities.add_column(head, justify="left" if head in ("facility", "kind") else "right")
    for f in sorted(report.facilities, key=lambda f: -f.mean_wait_h):
        facilities.add_row(
            escape(f.name), f.kind, f"{f.utilization * 100:,.0f}", f"{f.mean_wait_h:,.1f}",
            f"{f.p90_wait_h:,.1f}", str(f.max_queue),
        )  # fmt: skip
    console.print(facilities)
    console.print(f"{run.events:,} events, engine {run.engine}.", highlight=False)
    for note in notes:
        console.print(f"Note: {escape(note)}", highlight=False)

