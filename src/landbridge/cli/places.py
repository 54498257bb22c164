"""``landbridge places QUERY``: ranked places matching a name, LOCODE or coordinates."""

from __future__ import annotations

import typer
from rich.markup import escape

from landbridge.cli.common import console, print_json


def places(
    query: str = typer.Argument(
        ..., help="Place name (any script; 'Name, Country' narrows), UN/LOCODE or 'lat,lon'."
    ),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=100, help="Most matches shown."),
    as_json: bool = typer.Option(False, "--json", help="Print the matches as JSON."),
) -> None:
    """Ranked places matching QUERY (terminals, cities, stations, ports, coordinates)."""
    from rich.table import Table

    from landbridge.places.gazetteer import RESOLVE_MIN_SCORE, Gazetteer
    from landbridge.places.names import has_cyrillic
    from landbridge.places.place_query import clean_query, unknown_place

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
