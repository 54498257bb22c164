"""``landbridge route ORIGIN DESTINATION``: every corridor option, as a table or JSON.

Only typer is imported up front: a cold ``landbridge route`` pays for the library's imports
inside the command, after the start-up work of ``cli.startup``, and for Rich only when it
prints a table.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from landbridge.cli import common
from landbridge.cli.common import print_json
from landbridge.cli.startup import cyclic_gc_paused, import_array_libraries

SCOPE_TEXT = {
    "terminal to terminal": "train departure at the origin terminal to arrival at the "
    "destination terminal; --door-to-door adds pre- and on-carriage",
    "door to door": "pre-carriage, the terminal-to-terminal trip and on-carriage",
}
ROUTE_NUMERIC_COLUMNS = ("p10 d", "p50 d", "p90 d", "cost USD", "t CO2e", "km")
# Below this width (and when piped: Rich then assumes 80) the table drops km and the stops
# column, whose wrapped cells made the rows unreadable.
WIDE_TABLE_COLS = 120


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
    avoid: Annotated[
        list[str] | None,
        typer.Option(
            "--avoid", metavar="ISO2",
            help="Countries to avoid, ISO2: comma-separated (RU,BY) or the option repeated.",
        ),
    ] = None,
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
        "avoid": [c for item in avoid or () for c in item.split(",") if c.strip()],
        "scope": "door to door" if door_to_door else None,
    }  # fmt: skip
    with cyclic_gc_paused():
        import_array_libraries()
        response = _plan_route(fields, params)
    if as_json:
        print_json(response.model_dump(mode="json", by_alias=True))
        return
    _print_route_table(
        response, origin, destination, wide or common.console.width >= WIDE_TABLE_COLS
    )


def _plan_route(fields: dict[str, Any], params: str | None) -> Any:
    from pydantic import ValidationError

    from landbridge.app.route import plan_route
    from landbridge.errors import InvalidInputError, validation_text
    from landbridge.schema.route import RouteRequest

    try:
        request = RouteRequest(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else "request"
        raise InvalidInputError(f"{where}: {validation_text(err)}") from None
    return plan_route(request, params)


def _flag_count(flags: str) -> str:
    lines = flags.splitlines()
    closed = "CLOSED " if "CLOSED" in lines else ""
    return f"{closed}{len(lines)}" if lines else ""


def _print_route_table(response: Any, origin: str, destination: str, wide: bool) -> None:
    from rich import box
    from rich.table import Table

    from landbridge.cli.option_events import option_flags, print_option_events

    console = common.console
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
    console = common.console
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

