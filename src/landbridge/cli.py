"""The ``landbridge`` command line (Typer + Rich). A face: it calls the library, never the reverse.

Every library error (``LandbridgeError``) becomes a one-line message on stderr and its exit code;
no traceback reaches the user.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from landbridge.cli_events import events as events_command
from landbridge.cli_events import option_flags, print_option_events
from landbridge.cli_lists import register as _register_lists
from landbridge.cli_skim import skim as skim_command
from landbridge.cli_validate import validate as validate_command
from landbridge.errors import LandbridgeError
from landbridge.paths import DATA_DIR
from landbridge.units import HOURS_PER_DAY

app = typer.Typer(
    name="landbridge",
    help="Digital twin of the China–Europe rail land bridge through Kazakhstan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(
    help="Build, inspect and check the bundled rail network.", no_args_is_help=True
)
SCENARIO_REFERENCE = DATA_DIR / "scenarios" / "README.md"
scenario_app = typer.Typer(
    help="List, run and compare what-if scenarios. The YAML format (every modification, its "
    f"fields and units) is described in {SCENARIO_REFERENCE}; ids: `landbridge facilities`, "
    "`landbridge regions`.",
    no_args_is_help=True,
)
runs_app = typer.Typer(help="Stored runs: list, show, export.", no_args_is_help=True)
app.add_typer(network_app, name="network")
app.add_typer(scenario_app, name="scenario")
app.add_typer(runs_app, name="runs")

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn ``LandbridgeError`` into a one-line message and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LandbridgeError as exc:
            message = escape(str(exc))
            err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Write JSON to stdout without Rich markup or wrapping."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


# --- network and places (issue 2) ---


@network_app.command("build")
@user_errors
def network_build() -> None:
    """Build the network from the bundled data into the cache (replaces any cached copy)."""
    from landbridge.network import load_network

    net = load_network(rebuild=True, progress=lambda msg: err_console.print(f"[dim]{msg}[/]"))
    built_s = net.meta.get("build_s")
    console.print(f"built {net.n_nodes:,} nodes, {net.n_edges:,} edges in {built_s} s")


@network_app.command("info")
@user_errors
def network_info(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Size, countries, edge modes and facilities of the cached network."""
    from landbridge.network import load_network
    from landbridge.network.info import network_info as info

    report = info(load_network())
    if as_json:
        print_json(report)
        return
    for key, value in report.items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False, soft_wrap=True)


@network_app.command("check")
@user_errors
def network_check(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Connectivity, hub reachability, crossings and lengths against published figures."""
    from landbridge.network import load_network
    from landbridge.network.check import check_network

    report = check_network(load_network())
    if as_json:
        print_json(report)
        return
    console.print(
        f"{report['nodes']:,} nodes, {report['edges']:,} edges, {report['components']} components, "
        f"largest {report['largest_component_share']:.1%}"
    )
    unreachable = [h["name"] for h in report["hubs"] if not h["reachable"]]
    console.print(f"hubs: {len(report['hubs']) - len(unreachable)}/{len(report['hubs'])} reachable"
                  + (f" (not: {', '.join(unreachable)})" if unreachable else ""))  # fmt: skip
    named = [c for c in report["crossings"] if c["named"]]
    changes = sum(c["gauge_change"] for c in report["crossings"])
    closed = [c["name"] for c in report["crossings"] if c["closed"]]
    console.print(
        f"crossings: {len(report['crossings'])} ({len(named)} named, {changes} gauge changes, "
        f"{len(closed)} closed)"
    )
    for c in report["length_checks"]:
        err = "n/a" if c["error_pct"] is None else f"{c['error_pct']:+.1f}%"
        console.print(
            f"  {c['from']}–{c['to']}: {c['modelled_km']} km vs {c['published_km']} km "
            f"published ({err})"
        )


@app.command()
@user_errors
def places(
    query: str = typer.Argument(
        ..., help="Place name (any script; 'Name, Country' narrows), UN/LOCODE or 'lat,lon'."
    ),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=100, help="Most matches shown."),
    as_json: bool = typer.Option(False, "--json", help="Print the matches as JSON."),
) -> None:
    """Ranked places matching QUERY (terminals, cities, stations, ports, coordinates)."""
    from rich.table import Table

    from landbridge.network.gazetteer import (
        RESOLVE_MIN_SCORE,
        Gazetteer,
        clean_query,
        unknown_place,
    )
    from landbridge.network.names import has_cyrillic

    matches = Gazetteer.load().search(query, limit=limit)
    if not matches or matches[0].score < RESOLVE_MIN_SCORE:
        raise unknown_place(query, matches)
    if as_json:
        print_json([m.model_dump(mode="json") for m in matches])
        return
    table = Table(title=f"Places matching '{escape(clean_query(query))}'")
    for column in ("name", "kind", "country", "lat", "lon", "locode", "score"):
        table.add_column(column, justify="right" if column in ("lat", "lon", "score") else "left")
    for m in matches:
        p = m.place
        latin = next((a for a in p.aliases if not has_cyrillic(a)), "")
        name = f"{p.name} ({latin})" if has_cyrillic(p.name) and latin else p.name
        table.add_row(escape(name), p.kind, p.country, f"{p.lat:.4f}", f"{p.lon:.4f}", p.locode,
                      f"{m.score:.2f}")  # fmt: skip
    console.print(table)

# --- route (issue 3) ---


SCOPE_TEXT = {
    "terminal to terminal": "train departure at the origin terminal to arrival at the "
    "destination terminal; --door-to-door adds pre- and on-carriage",
    "door to door": "pre-carriage, the terminal-to-terminal trip and on-carriage",
}
ROUTE_NUMERIC_COLUMNS = ("p10 d", "p50 d", "p90 d", "cost USD", "t CO2e", "km")
# Below this width (and when piped: Rich then assumes 80) the table drops km and the stops
# column, whose wrapped cells made the rows unreadable.
WIDE_TABLE_COLS = 120


@app.command()
@user_errors
def route(
    origin: str = typer.Argument(..., help="Origin: terminal, city, station, port or 'lat,lon'."),
    destination: str = typer.Argument(..., help="Destination, same forms as ORIGIN."),
    feu: float | None = typer.Option(None, "--feu", help="Shipment in 40-ft boxes (default 1)."),
    teu: float | None = typer.Option(None, "--teu", help="Shipment in TEU (instead of --feu)."),
    tonnes_per_teu: float | None = typer.Option(
        None, "--tonnes-per-teu", help="Cargo per TEU for CO2e (default 10 t, IMO EEOI)."
    ),
    depart: str | None = typer.Option(
        None, "--depart",
        help="Departure date YYYY-MM-DD: arrival dates, and the border times, quotas, ocean "
        "freight and winter ferry weather of that date (default: today).",
    ),
    avoid: str | None = typer.Option(
        None, "--avoid", help="Countries to avoid, ISO2 comma-separated (RU,BY)."
    ),
    via: str | None = typer.Option(None, "--via", help="A place every option must pass."),
    corridor: str | None = typer.Option(
        None, "--corridor", help="Only this family: northern|middle|southern|sea|regional."
    ),
    params: str | None = typer.Option(None, "--params", help="YAML file overriding parameters."),
    door_to_door: bool = typer.Option(
        False, "--door-to-door", help="Days from door to door (pre- and on-carriage added)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the options as JSON."),
    wide: bool = typer.Option(
        False, "--wide", help="All columns (km, gauge changes, ports) even when the terminal "
        "is narrow or the output is piped.",
    ),
) -> None:
    """Every corridor option from ORIGIN to DESTINATION: days (p10/p50/p90), cost, CO2e."""
    fields = {
        "origin": origin, "destination": destination, "feu": feu, "teu": teu,
        "tonnes_per_teu": tonnes_per_teu, "depart": depart, "via": via, "corridor": corridor,
        "avoid": [c for c in (avoid or "").split(",") if c.strip()],
        "scope": "door to door" if door_to_door else None,
    }  # fmt: skip
    _import_array_libraries()
    with _cyclic_gc_paused():
        response = _plan_route(fields, params)
    if as_json:
        print_json(response.model_dump(mode="json", by_alias=True))
        return
    _print_route_table(response, origin, destination, wide or console.width >= WIDE_TABLE_COLS)


def _import_array_libraries() -> None:
    """Import numpy and scipy's graph module the way a one-shot route wants them:

    - one OpenBLAS thread unless the user chose a count: routing does no BLAS work, and the
      pools both libraries start on import spin for ~0.2 s CPU on a 2-core machine;
    - ``numpy.f2py``, ``numpy.testing`` and ``numpy.polynomial`` as lazy modules
      (``importlib.util.LazyLoader``, executed on first use): importing ``scipy.sparse`` makes
      scipy's bundled array-api-compat touch every numpy attribute, which imports them
      (~110 ms); routing uses none of them.
    """
    if "numpy" in sys.modules:
        return
    chosen = "OPENBLAS_NUM_THREADS" in os.environ
    if not chosen:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy

        for name in _UNUSED_NUMPY_SUBMODULES:
            _register_lazy(numpy, name)
        import scipy.sparse.csgraph  # noqa: F401
    finally:
        if not chosen:
            del os.environ["OPENBLAS_NUM_THREADS"]  # child processes get the default again


_UNUSED_NUMPY_SUBMODULES = ("f2py", "testing", "polynomial")


def _register_lazy(package: Any, name: str) -> None:
    """``package.name`` as a module that is executed on its first attribute access."""
    import importlib.util

    full = f"{package.__name__}.{name}"
    spec = importlib.util.find_spec(full)
    if full in sys.modules or spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    loader.exec_module(module)
    setattr(package, name, module)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Cyclic garbage collection off while one route is planned, and what that made frozen
    (``gc.freeze``) before it is switched back on. The imports and the network load make
    hundreds of thousands of long-lived objects that each collection, and the one at exit,
    would walk again: ~0.25 s CPU of a cold ``landbridge route``. Objects still free by
    reference count; only cycles made during the command stay until the process ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _plan_route(fields: dict[str, Any], params: str | None) -> Any:
    from pydantic import ValidationError

    from landbridge.costs.params import load_params
    from landbridge.errors import InvalidInputError
    from landbridge.routing.plan import plan_routes
    from landbridge.schema.route import RouteRequest

    try:
        request = RouteRequest(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else "request"
        raise InvalidInputError(f"{where}: {err['msg'].removeprefix('Value error, ')}") from None
    return plan_routes(request, params=load_params(params) if params else None)


def _flag_count(flags: str) -> str:
    lines = flags.splitlines()
    closed = "CLOSED " if "CLOSED" in lines else ""
    return f"{closed}{len(lines)}" if lines else ""


def _print_route_table(response: Any, origin: str, destination: str, wide: bool) -> None:
    from rich import box
    from rich.table import Table

    s = response.shipment
    ends = f"{response.origin.name} → {response.destination.name}"
    title = f"{ends}: {s.feu:g} FEU, {s.tonnes:,.0f} t"
    caption = "★ Pareto-optimal on (p50 days, cost, CO2e); Pareto first, then by p50 days"
    numeric = ROUTE_NUMERIC_COLUMNS if wide else ROUTE_NUMERIC_COLUMNS[:-1]
    flagged = any(option_flags(o) for o in response.options)
    # compact: the number of events and risks (listed under the table), not their words
    texts = (["gauge changes, ports"] if wide else []) + (
        [("events, risks" if wide else "flags")] if flagged else []
    )
    if wide:
        table = Table(title=title, caption=caption)
    else:  # compact: one line per option, the title and caption as plain lines
        console.print(title, highlight=False, soft_wrap=True)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    rows = []
    for o in response.options:
        stops = "\n".join(dict.fromkeys(g.from_ for g in o.legs if g.mode in ("transfer", "port")))
        cells = [
            "★" if o.pareto else "", o.label, f"{o.transit_days.p10:.1f}",
            f"{o.transit_days.p50:.1f}", f"{o.transit_days.p90:.1f}", f"{o.cost_usd:,.0f}",
            f"{o.co2e_kg / 1000:.2f}", f"{o.distance_km.total:,.0f}", stops,
        ]  # fmt: skip
        flags = option_flags(o) if wide else _flag_count(option_flags(o))
        shown = cells if wide else cells[: 2 + len(numeric)]
        rows.append([*shown, *([flags] if flagged else [])])
    columns = ("", "option", *numeric, *texts)
    headers = [c if wide else c.removesuffix(" d").replace("cost ", "") for c in columns]
    fits = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    # compact: every figure keeps its width; a long option label is cut with an ellipsis
    label_max = max(console.width - sum(fits) + fits[1] - 2 * len(columns), 12)
    for i, (column, header) in enumerate(zip(columns, headers, strict=True)):
        right = column in numeric
        table.add_column(header, justify="right" if right else "left",
                         min_width=fits[i] if right and not wide else None,
                         max_width=label_max if column == "option" and not wide else None,
                         overflow="ellipsis" if column == "option" and not wide else "fold",
                         no_wrap=not wide and column not in texts)  # fmt: skip
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if not wide:
        more = "; flags = events and risks, listed below" if flagged else ""
        console.print(f"{caption}; p10/p50/p90 in days{more}; --wide adds km and stops",
                      highlight=False,
                      soft_wrap=True)  # fmt: skip
    _print_scope_and_published(response.options)
    bases = dict.fromkeys(o.rate_basis.note for o in response.options if o.rate_basis)
    console.print(f"Rail rate basis: {'; '.join(bases)} (rate_factors.csv).", highlight=False)
    when = "departure" if response.depart else "today, no --depart given"
    console.print(f"Dated values for {response.as_of} ({when}):", highlight=False)
    for v in response.dated_values:
        sample = f", sample {v.sample_date}" if v.sample_date else ""
        stand_in = " (nearest available)" if "nearest" in v.note or "earliest" in v.note else ""
        console.print(
            f"  {v.item} {v.parameter} = {v.value:,.6g} {v.unit}{sample}{stand_in}", highlight=False
        )
    print_option_events(console, response)
    console.print(
        f"{len(response.sources)} sources and {len(response.assumptions)} assumptions: add --json. "
        f'Another shipment: landbridge route "{origin}" "{destination}" --feu 10 --avoid RU,BY '
        "--corridor middle --params my.yaml",
        highlight=False,
    )

def _print_scope_and_published(options: list[Any]) -> None:
    for scope in sorted({o.scope for o in options}):
        console.print(f"Days cover: {scope} ({SCOPE_TEXT[scope]}).", highlight=False)
    for o in options:
        if o.published is not None:
            p = o.published
            days = f"{p.low_days:g}" + (f"–{p.high_days:g}" if p.high_days > p.low_days else "")
            console.print(
                f"  published for {o.label}: {days} d ({p.scope}, {p.year}; {p.source}) "
                f"beside the model's p10–p90 {o.transit_days.p10:.1f}–{o.transit_days.p90:.1f} d",
                highlight=False,
            )


# --- flows (issue 4) ---


@app.command()
@user_errors
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
    from landbridge.costs.params import load_default_params
    from landbridge.flows.corridor import run_flows
    from landbridge.flows.demand import (
        DEFAULT_YEAR,
        demand_year,
        load_demand,
        write_demand_tables,
    )

    if calibrate:
        from landbridge.cli_calibration import calibrate as run_calibration

        run_calibration(console)
        return
    params = load_default_params()
    if rebuild_demand:
        for path in write_demand_tables(params.scalar("tonnes_per_teu")):
            console.print(f"wrote {path}", highlight=False)
        return
    network = demand = spec = None
    if scenario is not None:
        from landbridge.scenarios.load import load_scenario

        spec = load_scenario(scenario)
        year = year or demand_year(spec.base.demand, spec.base.year)
    year = year or DEFAULT_YEAR
    if demand_file is not None:
        from landbridge.flows.demand_file import read_demand_file

        demand = read_demand_file(demand_file, year, params.scalar("tonnes_per_teu"))
    if spec is not None:
        from landbridge.network import load_network
        from landbridge.scenarios.apply import apply_scenario

        network, params, demand = apply_scenario(
            spec, load_network(), params, load_demand(year) if demand is None else demand,
            source=scenario, annual=True,
        )  # fmt: skip
    result = run_flows(
        year, growth, network, params, demand, hard_capacity=max_throughput,
        route_choice=route_choice, dispersion=dispersion, avoid_share=avoid_share,
        calibrated=not uncalibrated,
    )  # fmt: skip
    from datetime import date

    from landbridge.staleness import newest_data_note

    result.notes.append(newest_data_note(date(year, 7, 1)) + " (the middle of the year)")
    if demand_file is not None:
        from landbridge.flows.demand_file import PLACE_MAPPING

        result.notes.append(f"demand from {demand_file} ({len(demand):,} OD rows)")
        result.notes.extend(f"place {m}" for m in demand.attrs.get(PLACE_MAPPING, []))
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


# --- simulate (issue 5) ---

#: Replications from which a progress bar is worth drawing.
PROGRESS_MIN_REPLICATIONS = 5


@app.command()
@user_errors
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

    from landbridge.outputs import atomic_file, check_output_file
    from landbridge.sim.corridor2023 import (
        DEMAND_NETWORK,
        DEMAND_OD_PREFIX,
        build_corridor_2023,
        known_facility_ids,
        system_name,
    )
    from landbridge.sim.eventlog import write_parquet
    from landbridge.sim.montecarlo import default_workers
    from landbridge.sim.run import run_simulation

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
        if demand is None and spec.base.demand.startswith(DEMAND_OD_PREFIX):
            demand = spec.base.demand
    demand = demand or DEMAND_NETWORK
    system, name, notes = build_corridor_2023(demand), system_name(demand), []
    if spec is not None:
        from landbridge.sim.scenario import apply_to_system

        system, notes = apply_to_system(system, spec, known_facility_ids())
        name = f"{name}+{spec.name}"
    n_workers = workers if workers is not None else min(default_workers(), max(1, replications))

    def run(progress: Callable[[int, int], None] | None) -> Any:
        return run_simulation(
            system, days, replications, seed, n_workers, dask, progress,
            engine=engine, keep_log=events is not None, system_name=name,
        )  # fmt: skip

    if as_json or replications < PROGRESS_MIN_REPLICATIONS:
        result = run(None)
    else:
        from rich.progress import Progress

        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("replications", total=replications)
            result = run(lambda done, total: bar.update(task, completed=done))
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


# --- scenario and runs (issue 6) ---

STORE_OPTION_HELP = "Results store file (default: the user data folder's runs.duckdb)."


def _store(path: str | None) -> Any:
    from landbridge.store.db import Store

    return Store(path) if path else Store()


def _run_options(routes: str | None, flows: bool, simulate: bool) -> Any:
    from landbridge.scenarios.runner import RunOptions, load_od_pairs

    return RunOptions(routes=True, flows=flows, simulate=simulate, od_pairs=load_od_pairs(routes))


def _run(name: str, options: Any, store: Any, spec: Any = None) -> Any:
    from landbridge.scenarios.engines import real_engines
    from landbridge.scenarios.load import load_scenario, resolve_scenario
    from landbridge.scenarios.runner import run_scenario

    source = str(resolve_scenario(name))
    spec = load_scenario(name) if spec is None else spec
    return run_scenario(spec, real_engines(), options, store=store, source=source)


def _load_spec(name: str) -> Any:
    from landbridge.scenarios.load import load_scenario

    return load_scenario(name)


def _frame_table(frame: Any, title: str, columns: dict[str, str], limit: int = 30) -> Any:
    """A Rich table of ``columns`` (frame column -> heading); floats formatted, text escaped."""
    import math

    from rich.table import Table

    table = Table(title=escape(title))
    for heading in columns.values():
        # fold, never cut: run ids and facility names must stay complete to be copied
        table.add_column(escape(heading), overflow="fold")
    for row in frame.head(limit).itertuples(index=False):
        cells = []
        for col in columns:
            value = getattr(row, col)
            if isinstance(value, float):
                cells.append("–" if math.isnan(value) else f"{value:,.1f}")
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    return table


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
    from landbridge.scenarios.check import check_scenario
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
    from landbridge.scenarios.compare import _records

    run = _run(scenario, _run_options(routes, flows, simulate), _store(store))
    if as_json:
        print_json(
            {
                "run_id": run.run_id,
                "scenario": run.scenario.name,
                "scenario_hash": run.scenario_hash,
                "timings_s": run.timings_s,
                "notes": run.notes,
                "results": {k: _records(v) for k, v in run.results.items()},
            }
        )
        return
    _print_run(run)


def _print_run(run: Any) -> None:
    routes = run.results.get("route_options")
    if routes is not None:
        view = routes.assign(
            p50_d=routes["transit_p50_h"] / HOURS_PER_DAY,
            p90_d=routes["transit_p90_h"] / HOURS_PER_DAY,
        )
        console.print(
            _frame_table(
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
            _frame_table(
                view,
                "Bottlenecks",
                {"name": "facility", "kind": "type", "mt": "Mt/yr", "util_pct": "util %"},
                limit=15,
            )
        )
    kpis = run.results.get("sim_kpis")
    if kpis is not None:
        heads = {"kpi": "KPI", "value": "value", "unit": "unit"}
        console.print(_frame_table(kpis, "Simulation", heads))
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

    from landbridge.scenarios.align import align_bases, stored_differences
    from landbridge.scenarios.compare import compare_runs
    from landbridge.scenarios.runner import stored_run
    from landbridge.store.db import RUN_ID_PATTERN

    options = _run_options(routes, flows, simulate)
    target = _store(store)
    if report:
        from landbridge.outputs import check_output_folder

        check_output_folder(report, "report")

    if RUN_ID_PATTERN.match(a) or RUN_ID_PATTERN.match(b):

        def run_or_stored(name: str) -> Any:
            if RUN_ID_PATTERN.match(name):
                return stored_run(target, name)
            return _run(name, options, target)

        run_a, run_b = run_or_stored(a), run_or_stored(b)
        aligned = stored_differences(run_a.scenario, run_b.scenario)
    else:
        spec_a, spec_b, aligned = align_bases(_load_spec(a), _load_spec(b))
        run_a = _run(a, options, target, spec_a)
        run_b = _run(b, options, target, spec_b)
    comparison = compare_runs(run_a, run_b, aligned)
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
        _frame_table(
            best,
            f"A = {comparison.a}, B = {comparison.b}: best option per origin–destination",
            {"od": "origin → destination", "best_a": "best in A", "a_d": "p50 d A",
             "best_b": "best in B", "b_d": "p50 d B", "d_d": "Δ days"},  # fmt: skip
        )
    )
    changed = comparison.routes[comparison.routes["status"] != "same"]
    console.print(
        _frame_table(
            changed.assign(d_d=changed["d_transit_p50_h"] / HOURS_PER_DAY),
            "Route options that changed",
            {"od": "origin → destination", "label": "option", "status": "status",
             "d_d": "Δ p50 d", "d_cost_usd_per_feu": "Δ USD/FEU"},  # fmt: skip
        )
    )
    if not comparison.flows.empty:
        console.print(
            _frame_table(
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
            _frame_table(
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


@runs_app.command("list")
@user_errors
def runs_list(
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Stored runs, newest first."""
    from landbridge.scenarios.compare import _records

    target = _store(store)
    runs = target.list_runs()
    if as_json:
        print_json(_records(runs.assign(created_utc=runs["created_utc"].astype(str))))
        return
    console.print(
        _frame_table(
            runs.assign(created=runs["created_utc"].astype(str).str[:19]),
            f"Runs in {target.path}",
            {"run_id": "run id", "created": "created (UTC)", "scenario_name": "scenario",
             "seed": "seed", "status": "status", "package_version": "version"},  # fmt: skip
            limit=200,
        )
    )


@runs_app.command("show")
@user_errors
def runs_show(
    run_id: str = typer.Argument(..., help="Run id (see landbridge runs list)."),
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One run: metadata, timings, row counts and the scenario it ran."""
    meta = _store(store).get_run(run_id)
    meta["created_utc"] = str(meta["created_utc"])
    if as_json:
        print_json(meta)
        return
    for key in ("run_id", "created_utc", "scenario_name", "scenario_hash", "package_version",
                "seed", "status", "timings_s", "row_counts", "parameters"):  # fmt: skip
        console.print(f"{key}: {meta[key]}", highlight=False, markup=False)
    console.print("scenario:\n" + meta["scenario_yaml"], highlight=False, markup=False)


@runs_app.command("export")
@user_errors
def runs_export(
    run_id: str = typer.Argument(..., help="Run id (see landbridge runs list)."),
    fmt: str = typer.Option("parquet", "--format", help="parquet | csv | geojson."),
    out: str | None = typer.Option(
        None, "--out",
        help="Folder to write (one file per table and a manifest); an earlier export there is "
        "replaced as a whole. Default: <store>-exports/RUN_ID.",
    ),
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
) -> None:
    """Export a run as GeoParquet, CSV or GeoJSON files (one per table, with run_id)."""
    from landbridge.store.export import export_run

    path = export_run(_store(store), run_id, fmt, out)
    console.print(f"wrote {path}", highlight=False, markup=False, soft_wrap=True)


# --- serve (issue 7) ---


@app.command()
@user_errors
def serve(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; beyond loopback needs LANDBRIDGE_TOKEN."
    ),
    port: int = typer.Option(8765, min=0, max=65535, help="TCP port."),
) -> None:
    """Start the REST API and the offline web planner, and print its URL."""
    from landbridge.api.app import create_app
    from landbridge.api.serving import serve as serve_app
    from landbridge.api.settings import ApiSettings

    settings = ApiSettings.from_env(host=host, port=port)
    web_app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        f"landbridge web planner: http://{shown}:{port}/  (API docs: /docs; Ctrl-C stops)"
    )
    serve_app(web_app, host, port)


app.command("events")(user_errors(events_command))
app.command("skim")(user_errors(skim_command))
app.command("validate")(user_errors(validate_command))


_register_lists(app, user_errors)


def _one_line_warning(message: Warning | str, *_: object, **__: object) -> str:
    return f"warning: {message}\n"


def main() -> None:
    warnings.formatwarning = _one_line_warning  # a user sees what happened, not our source line
    app()


if __name__ == "__main__":
    main()
