"""``landbridge skim``: the best option of each corridor family for many OD pairs, as a
table (Parquet or CSV). Registered in ``cli/__init__.py`` with one line."""

from __future__ import annotations

import datetime as dt
import sys

import typer
from rich.console import Console

from landbridge.errors import InvalidInputError


def skim(
    od: str | None = typer.Option(
        None, "--od",
        help="CSV with origin,destination columns (place names, LOCODEs or lat,lon); "
        "default: every region pair of the bundled demand.",
    ),
    families: str | None = typer.Option(
        None, "--families", help="Comma-separated corridor families (default: all that occur)."
    ),
    depart: str | None = typer.Option(None, "--depart", help="Departure date YYYY-MM-DD."),
    out: str | None = typer.Option(
        None, "--out", help="Write the skim here (.parquet or .csv); default: CSV on stdout."
    ),
) -> None:
    """Per OD pair and corridor family: p10/p50/p90 days, USD/FEU, kg CO2e/FEU, km, gateways."""
    from landbridge.app.skim import skim as make_skim
    from landbridge.app.skim import skim_target, write_skim
    from landbridge.scenarios.runner import load_od_pairs, places_of

    on = _date(depart)
    target = skim_target(out) if out is not None else None
    pairs = None
    read = load_od_pairs(od) if od is not None else ()
    if od is not None:
        pairs = [(p.origin, p.destination) for p in read]
    wanted = [f.strip() for f in (families or "").split(",") if f.strip()] or None
    err = Console(stderr=True)
    with err.status("planning routes…") as status:

        def progress(done: int, total: int) -> None:
            status.update(f"planning routes: {done:,} of {total:,} pairs")

        with places_of(read):
            frame = make_skim(pairs, wanted, on, progress=progress)
    if target is None:
        frame.to_csv(sys.stdout, index=False)
        return
    path = write_skim(frame, target)
    counts = frame["status"].value_counts()
    n_pairs = len(frame[["origin", "destination"]].drop_duplicates())
    summary = ", ".join(f"{n:,} {status}" for status, n in counts.items())
    err.print(f"{n_pairs:,} pairs × {frame['family'].nunique()} families ({summary}) → {path}",
              highlight=False)  # fmt: skip


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"--depart: '{text}' is not a date YYYY-MM-DD") from None
