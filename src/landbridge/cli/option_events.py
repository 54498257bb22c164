"""The event lines of the route table: per option, closures, delays and risk flags."""

from __future__ import annotations

from typing import Any

from rich.console import Console

RISK_LABEL = {"sanctions": "sanctions", "war_or_closure": "war/closure",
              "caspian_weather": "Caspian winter", "border_quota": "border quota"}  # fmt: skip


def option_flags(option: Any) -> str:
    """The route table's short cell: closures and delays first, then the kinds of risk."""
    flags = [
        "CLOSED" if ev.closed else f"delayed +{ev.delay_h / 24:.1f} d"
        for ev in option.events
        if ev.closed or ev.delay_h
    ]
    flags += [RISK_LABEL[k] for k in dict.fromkeys(r.kind for r in option.risks)]
    return "\n".join(flags)


def print_option_events(console: Console, response: Any) -> None:
    """Under the route table: per option, the events that change it and its risk flags."""
    for o in response.options:
        lines = [
            f"    {'CLOSED' if ev.closed else 'delayed' if ev.delay_h else 'event'}: "
            f"{ev.title} at {ev.where}, reached about {ev.reached}: {ev.effect} "
            f"[{'; '.join(ev.source)}]"
            for ev in o.events
        ]
        lines += [
            f"    risk {RISK_LABEL[r.kind]}: {r.title or r.event_id} ({r.where}"
            + (f", since {r.since}" if r.since else "") + f") [{'; '.join(r.source)}]"
            for r in o.risks
        ]
        if lines:
            console.print(f"  {o.label}:", highlight=False)
            for line in lines:
                console.print(line, highlight=False, soft_wrap=True)
    for d in response.data_dates:
        if d.stale:
            console.print(f"  warning: {d.note}", highlight=False, soft_wrap=True)
