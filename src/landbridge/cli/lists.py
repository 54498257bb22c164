"""``landbridge facilities`` and ``landbridge regions``: the ids scenario files and demand tables
use, with their names (registered on the main app by ``cli/__init__.py``)."""

from __future__ import annotations

import typer
from rich.markup import escape

from landbridge.cli.common import console, print_json


def facilities(
    kind: str | None = typer.Option(
        None, "--kind", help="Only this kind: crossing, gauge_change, port, ferry, feeder, "
        "ocean or section.",
    ),
    country: str | None = typer.Option(None, "--country", help="Only facilities in this ISO2."),
    search: str | None = typer.Option(None, "--search", help="Only ids or names containing this."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Facility ids of the network (crossings, yards, ports, ferries, sections) with names."""
    from rich.table import Table

    from landbridge.errors import InvalidInputError
    from landbridge.network import load_network

    frame = load_network().facilities.to_frame()[["facility_id", "name", "kind", "countries"]]
    if kind is not None:
        kinds = sorted(set(frame["kind"]))
        if kind not in kinds:
            raise InvalidInputError(
                f"--kind: '{kind}' is not a facility kind; one of {', '.join(kinds)}"
            )
        frame = frame[frame["kind"] == kind]
    if country is not None:
        frame = frame[frame["countries"].str.split("-").apply(lambda cs: country.upper() in cs)]
    if search is not None:
        text = search.casefold()
        hit = frame["facility_id"].str.casefold().str.contains(text, regex=False)
        frame = frame[hit | frame["name"].str.casefold().str.contains(text, regex=False)]
    frame = frame.sort_values(["kind", "facility_id"])
    if as_json:
        print_json(frame.to_dict(orient="records"))
        return
    table = Table(title=f"{len(frame)} facilities", caption="use the id in scenario files")
    table.add_column("id", no_wrap=True)
    for column in ("name", "kind", "countries"):
        table.add_column(column, overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(row.facility_id, escape(str(row.name)), row.kind, row.countries)
    console.print(table)


def regions(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Demand region ids (origins and destinations of the OD tables) with names and groups."""
    from rich.table import Table

    from landbridge.flows.demand import load_regions

    frame = load_regions().reset_index()[["region_id", "name", "group", "country"]]
    if as_json:
        print_json(frame.to_dict(orient="records"))
        return
    table = Table(title=f"{len(frame)} demand regions",
                  caption="use the id in demand CSVs and scale_demand filters")  # fmt: skip
    table.add_column("id", no_wrap=True)
    for column in ("name", "group", "country"):
        table.add_column(column, overflow="fold")
    for row in frame.to_dict("records"):
        table.add_row(row["region_id"], escape(str(row["name"])), row["group"], row["country"])
    console.print(table)

