"""``landbridge scenario list|check|run|compare``: what-if scenarios, run and stored."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from landbridge.cli.common import (
    STORE_OPTION_HELP,
    console,
    frame_table,
    print_json,
    store_at,
    user_errors,
)
from landbridge.paths import DATA_DIR
from landbridge.units import HOURS_PER_DAY

SCENARIO_REFERENCE = DATA_DIR / "scenarios" / "README.md"
scenario_app = typer.Typer(
    help="List, run and compare what-if scenarios. The YAML format (every modification, its "
    f"fields and units) is described in {SCENARIO_REFERENCE}; ids: `landbridge facilities`, "
    "`landbridge regions`.",
    no_args_is_help=True,
)


@scenario_app.command("list")
@user_errors
def scenario_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The bundled scenarios."""
    from rich.table import Table

    from landbridge.scenarios.load import bundled_names, load_scenario

    specs = [load_scenario(name) for name in bundled_names()]
    if as_json:
        print_json([s.model_dump(mode="json") for s in specs])
        return
    table = Table(title="Bundled scenarios (landbridge scenario run NAME)")
    for head in ("name", "year", "changes", "title"):
        table.add_column(head)
    for s in specs:
        changes = ", ".join(m.type for m in s.modifications) or "(none)"
        table.add_row(escape(s.name), str(s.base.year), escape(changes), escape(s.title))
    console.print(table)


@scenario_app.command("check")
@user_errors
def scenario_check(
    scenario: str = typer.Argument(..., help="Bundled scenario name or YAML file."),
) -> None:
    """Validate a scenario against the bundled network and its base, without running it."""
    from landbridge.app.check import check_scenario
    from landbridge.scenarios.load import load_scenario, resolve_scenario

    source = str(resolve_scenario(scenario))
    spec = load_scenario(scenario)
    network, out = check_scenario(spec, source)
    console.print(
        f"{source}: valid; {len(spec.modifications)} modifications apply to the bundled network "
        f"({network.n_edges:,} -> {out.n_edges:,} edges).",
        highlight=False,
        markup=False,
    )


@scenario_app.command("run")
@user_errors
def scenario_run(
    scenario: str = typer.Argument(..., help="Bundled scenario name or YAML file."),
    routes: str | None = typer.Option(
        None, "--routes", help="CSV of origin,destination pairs (default: the standard OD set)."
    ),
    flows: bool = typer.Option(False, "--flows", help="Also assign corridor flows."),
    simulate: bool = typer.Option(False, "--simulate", help="Also simulate the corridor."),
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Apply a scenario, compute route options (and flows, simulation) and store the run."""
    from landbridge.app.scenario import run, run_json, run_options

    done = run(scenario, run_options(routes, flows, simulate), store_at(store))
    if as_json:
        print_json(run_json(done))
        return
    _print_run(done)


def _print_run(run: Any) -> None:
    routes = run.results.get("route_options")
    if routes is not None:
        view = routes.assign(
            p50_d=routes["transit_p50_h"] / HOURS_PER_DAY,
            p90_d=routes["transit_p90_h"] / HOURS_PER_DAY,
        )
        console.print(
            frame_table(
                view,
                f"{run.scenario.name}: route options (1 FEU)",
                {"od": "origin → destination", "option_rank": "#", "label": "option",
                 "p50_d": "p50 d", "p90_d": "p90 d", "cost_usd_per_feu": "USD/FEU",
                 "co2e_kg_per_feu": "kg CO2e"},  # fmt: skip
                limit=60,
            )
        )
    flows = run.results.get("flows")
    if flows is not None:
        view = flows.assign(util_pct=flows["utilization"] * 100, mt=flows["flow_t_per_yr"] / 1e6)
        console.print(
            frame_table(
                view,
                "Bottlenecks",
                {"name": "facility", "kind": "type", "mt": "Mt/yr", "util_pct": "util %"},
                limit=15,
            )
        )
    kpis = run.results.get("sim_kpis")
    if kpis is not None:
        heads = {"kpi": "KPI", "value": "value", "unit": "unit"}
        console.print(frame_table(kpis, "Simulation", heads))
    for note in run.notes:
        console.print(f"Note: {note}.", highlight=False, markup=False)
    took = ", ".join(f"{k} {v:.1f} s" for k, v in run.timings_s.items())
    console.print(
        f"Stored as run {run.run_id} ({took}). See: landbridge runs show {run.run_id}",
        highlight=False,
        markup=False,
    )


@scenario_app.command("compare")
@user_errors
def scenario_compare(
    a: str = typer.Argument(..., help="Scenario A: bundled name, YAML file or stored run id."),
    b: str = typer.Argument(..., help="Scenario B: bundled name, YAML file or stored run id."),
    routes: str | None = typer.Option(
        None, "--routes", help="CSV of origin,destination pairs (default: the standard OD set)."
    ),
    flows: bool = typer.Option(False, "--flows", help="Also compare corridor flows."),
    simulate: bool = typer.Option(False, "--simulate", help="Also compare simulation KPIs."),
    report: str | None = typer.Option(
        None, "--report", help="Folder to write an HTML report with PNG charts into."
    ),
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Show what changes from A to B; scenarios are run and stored, run ids are read back."""
    from pathlib import Path

    from landbridge.app.scenario import compare, run_options

    options = run_options(routes, flows, simulate)
    target = store_at(store)
    if report:
        from landbridge.outputs import check_output_folder

        check_output_folder(report, "report")
    compared = compare(a, b, options, target)
    comparison, run_a, run_b, aligned = (
        compared.comparison, compared.a, compared.b, compared.bases
    )
    page = None
    if report:
        from landbridge.scenarios.report import write_report

        page = write_report(comparison, Path(report))
    if as_json:
        print_json(
            {
                **comparison.to_json(),
                "runs": {"a": run_a.run_id, "b": run_b.run_id},
                "report": str(page) if page else None,
            }
        )
        return
    best = comparison.best.assign(
        a_d=comparison.best["transit_p50_h_a"] / HOURS_PER_DAY,
        b_d=comparison.best["transit_p50_h_b"] / HOURS_PER_DAY,
        d_d=comparison.best["d_transit_p50_h"] / HOURS_PER_DAY,
    )
    console.print(
        frame_table(
            best,
            f"A = {comparison.a}, B = {comparison.b}: best option per origin–destination",
            {"od": "origin → destination", "best_a": "best in A", "a_d": "p50 d A",
             "best_b": "best in B", "b_d": "p50 d B", "d_d": "Δ days"},  # fmt: skip
        )
    )
    changed = comparison.routes[comparison.routes["status"] != "same"]
    console.print(
        frame_table(
            changed.assign(d_d=changed["d_transit_p50_h"] / HOURS_PER_DAY),
            "Route options that changed",
            {"od": "origin → destination", "label": "option", "status": "status",
             "d_d": "Δ p50 d", "d_cost_usd_per_feu": "Δ USD/FEU"},  # fmt: skip
        )
    )
    if not comparison.flows.empty:
        console.print(
            frame_table(
                comparison.flows.assign(
                    ua=comparison.flows["utilization_a"] * 100,
                    ub=comparison.flows["utilization_b"] * 100,
                ),
                "Bottlenecks (utilization %)",
                {"name": "facility", "kind": "type", "ua": "A", "ub": "B"},
            )
        )
    if not comparison.kpis.empty:
        console.print(
            frame_table(
                comparison.kpis,
                "Simulation KPIs",
                {"kpi": "KPI", "unit": "unit", "value_a": "A", "value_b": "B", "d_value": "Δ"},
            )
        )
    for note in aligned:
        console.print(f"Note (A and B): {note}.", highlight=False, markup=False)
    for side, run in (("A", run_a), ("B", run_b)):
        for note in run.notes:
            console.print(f"Note ({side}): {note}.", highlight=False, markup=False)
    console.print(
        f"Runs {run_a.run_id} (A) and {run_b.run_id} (B) stored."
        + (f" Report: {page}" if page else " Add --report DIR for an HTML report."),
        highlight=False,
        markup=False,
    )

