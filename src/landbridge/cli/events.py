"""``landbridge events``: the dated events in force or announced on a date. Registered in
``cli/__init__.py`` with one line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import typer
from rich.console import Console

from landbridge.errors import InvalidInputError

STATUS_LABEL = {"in_force": "in force", "announced": "announced", "ended": "ended"}


def _date(text: str | None) -> dt.date:
    from landbridge.costs.dated import today

    if text is None:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"--date: '{text}' is not a date YYYY-MM-DD") from None


def events(
    date: str | None = typer.Option(None, "--date", help="Date YYYY-MM-DD (default: today)."),
    where: str | None = typer.Option(
        None, "--where", help="Only events touching a country (code or name) or facility."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Closures, quotas, tariff changes, wars and openings in force or announced, with sources."""
    from landbridge.events import events_on

    on = _date(date)
    picked = events_on(on, where)
    if as_json:
        out = {"date": on.isoformat(), "where": where,
               "events": [e.model_dump(mode="json") for e in picked]}  # fmt: skip
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table

    scope = f" touching '{where}'" if where else ""
    table = Table(title=f"Events in force or announced on {on}{scope}", show_lines=True)
    for column in ("status", "kind", "event", "when", "where", "effect", "sources"):
        table.add_column(column, overflow="fold")
    for item in picked:
        e = item.event
        places = ", ".join([*e.facilities, *e.countries])
        effect = _effect_text(e)
        table.add_row(
            STATUS_LABEL[item.status], e.kind, e.title, e.span, places, effect,
            "; ".join(e.source_ids),
        )  # fmt: skip
    console = Console()
    console.print(table)
    if not picked:
        console.print(f"No event in force or announced on {on}{scope}.", highlight=False)


def _effect_text(e: Any) -> str:
    if e.effect == "set":
        return f"{e.parameter} = {e.value:,.6g}"
    if e.effect == "scale":
        return f"{e.parameter} × {e.value:g}"
    if e.effect == "scenario":
        return f"scenario {e.parameter}"
    if e.effect == "closed":
        return "closed"
    if e.effect == "risk":
        return f"risk: {e.risk}"
    return "listed, not modelled"
