"""``landbridge flows``: corridor flows at equilibrium, bottlenecks, gateway shares."""

from __future__ import annotations

from typing import Any

import typer

from landbridge.cli.common import console, print_json


def flows(
    year: int | None = typer.Option(
        None, "--year", help="Demand year: 2023 or 2024 (default 2024, or the scenario's year)."
    ),
    growth: float = typer.Option(0.0, "--growth", help="Demand growth on the year, in percent."),
    scenario: str | None = typer.Option(
        None, "--scenario", help="Scenario name or YAML file applied before the assignment."
    ),
    demand_file: str | None = typer.Option(
        None, "--demand",
        help="Your own OD table (CSV: origin, destination, t_per_yr, ...; region ids of "
        "data/demand/regions.csv) instead of the bundled demand of the year.",
    ),
    rebuild_demand: bool = typer.Option(
        False, "--rebuild-demand", help="Rebuild data/demand/od_*.csv from raw figures and stop."
    ),
    max_throughput: bool = typer.Option(
        False, "--max-throughput",
        help="Also solve the hard-capacity LP (HiGHS) over every corridor option.",
    ),
    route_choice: str = typer.Option(
        "logit", "--route-choice", help="logit (stochastic equilibrium) or ue (deterministic)."
    ),
    dispersion: float | None = typer.Option(
        None, "--dispersion", help="Logit scale theta (default: the derived mid value)."
    ),
    avoid_share: float | None = typer.Option(
        None, "--avoid-share",
        help="Share (0-1) of China-EU/Türkiye/Caucasus transit avoiding Russia and Belarus.",
    ),
    calibrate: bool = typer.Option(
        False, "--calibrate",
        help="Re-estimate the gateway constants on 2023 (validated on 2024), write "
        "data/params/route_constants.csv and stop.",
    ),
    uncalibrated: bool = typer.Option(
        False, "--uncalibrated", help="Gateway constants at zero (see what they carry)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Corridor flows at equilibrium: bottlenecks, China gateway shares, calibration."""
    if calibrate:
        from landbridge.cli.calibration import calibrate as run_calibration

        run_calibration(console)
        return
    if rebuild_demand:
        from landbridge.costs.params import load_default_params
        from landbridge.flows.demand import write_demand_tables

        for path in write_demand_tables(load_default_params().scalar("tonnes_per_teu")):
            console.print(f"wrote {path}", highlight=False)
        return
    from landbridge.app.flows import run_flows
    from landbridge.schema.flows import FlowsRequest

    spec = None
    if scenario is not None:
        from landbridge.scenarios.load import load_scenario

        spec = load_scenario(scenario)
    request = FlowsRequest(
        year=year, growth_pct=growth, max_throughput=max_throughput, route_choice=route_choice,
        dispersion=dispersion, avoid_share=avoid_share, calibrated=not uncalibrated,
    )  # fmt: skip
    result = run_flows(request, spec, source=str(scenario), demand_file=demand_file)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_flows(result)


BOTTLENECK_ROWS = 25


def _print_flows(result: Any) -> None:
    from rich.table import Table

    grown = f", demand {result.growth_pct:+g}%" if result.growth_pct else ""
    table = Table(
        title=f"Bottlenecks {result.year}{grown}: {result.demand_t / 1e6:,.1f} Mt/yr, "
        f"{result.demand_teu / 1e3:,.0f} kTEU/yr",
        caption="flows per year; delay = queueing wait added per train at that flow; kTEU = "
        "container Mt / t per TEU (bulk has no TEU); cap: * estimate, ^ observed floor "
        f"(flows.capacity); the {BOTTLENECK_ROWS} busiest shown",
    )
    heads = ("#", "element", "type", "Mt", "cont. Mt", "kTEU", "cap Mt", "util%", "delay h")
    for head in heads:
        if head == "element":
            table.add_column(head, min_width=16, overflow="fold")
        else:
            table.add_column(head, justify="left" if head == "type" else "right", no_wrap=True)
    mark = {"observed floor": "^"}
    for b in result.bottlenecks[:BOTTLENECK_ROWS]:
        flag = "*" if b.capacity_basis.startswith("estimate") else mark.get(b.capacity_basis, "")
        table.add_row(
            str(b.rank), b.name, b.kind.replace("gauge_change", "gauge"),
            f"{b.flow_t / 1e6:,.2f}", f"{b.container_t / 1e6:,.2f}", f"{b.flow_teu / 1e3:,.0f}",
            f"{b.capacity_t / 1e6:,.2f}{flag}", f"{b.utilization * 100:,.0f}", f"{b.delay_h:,.1f}",
        )  # fmt: skip
    console.print(table)
    shares = Table(title="China transit by gateway")
    for head in ("corridor", "Mt/yr", "share %"):
        shares.add_column(head, justify="left" if head == "corridor" else "right")
    for s in result.corridor_shares:
        shares.add_row(s.corridor, f"{s.flow_t / 1e6:,.2f}", f"{s.share * 100:,.1f}")
    console.print(shares)
    cal = Table(title="Calibration (modelled vs published)")
    for head in ("element", "published Mt", "modelled Mt", "error %"):
        cal.add_column(head, justify="left" if head == "element" else "right")
    for c in result.calibration:
        err = "–" if c.error_pct is None else f"{c.error_pct:+.0f}"
        if c.note.startswith("not comparable"):
            err = "not comparable"
        cal.add_row(c.element, f"{c.published / 1e6:,.2f}", f"{c.modelled / 1e6:,.2f}", err)
    console.print(cal)
    limit = result.max_throughput
    if limit is not None:
        binding = ", ".join(f"{b.name} ({b.capacity_t / 1e6:,.1f} Mt)" for b in limit.binding)
        console.print(
            f"Hard capacities: the {limit.paths:,} corridor options carry "
            f"{limit.carried_t / 1e6:,.2f} of {limit.demand_t / 1e6:,.2f} Mt/yr "
            f"({limit.carried_share * 100:.1f}%); binding: {binding or 'none'}; "
            f"uncapacitated: {', '.join(limit.uncapacitated) or 'none'}.",
            highlight=False,
        )
    a = result.assignment
    console.print(
        f"{a.algorithm.upper()} {a.iterations} iterations, relative gap {a.relative_gap:.1e}. "
        + " ".join(f"Note: {n}." for n in result.notes),
        highlight=False,
    )

