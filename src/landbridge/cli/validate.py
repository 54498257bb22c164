"""``landbridge validate [--json]``: published transit times beside the model's, and the fit."""

from __future__ import annotations

from typing import Any

import typer


def validate(
    as_json: bool = typer.Option(False, "--json", help="Print the validation as JSON."),
) -> None:
    """Published end-to-end transit times vs the model (p10/p50/p90): MAE, bias, leave-one-out."""
    from landbridge.validation.report import transit_report

    report = transit_report()
    if as_json:
        from landbridge.cli.common import print_json

        print_json(report)
        return
    _print(report)


def _print(report: dict[str, Any]) -> None:
    from rich.table import Table

    from landbridge.cli.common import console

    table = Table(title="Transit times: published vs model (days)")
    for column in ("case", "pair", "year", "published", "p10", "p50", "p90", "error", "inside"):
        right = column in ("published", "p10", "p50", "p90", "error")
        table.add_column(column, justify="right" if right else "left", overflow="fold")
    for c in report["cases"]:
        low, high = c["published_low_days"], c["published_high_days"]
        table.add_row(
            c["case"], f"{c['origin']} → {c['destination']} ({c['option']})", str(c["year"]),
            f"{low:g}" + (f"–{high:g}" if high > low else ""), f"{c['p10_days']:.1f}",
            f"{c['p50_days']:.1f}", f"{c['p90_days']:.1f}", f"{c['error']:+.0%}",
            "yes" if c["inside"] else "no",
        )  # fmt: skip
    console.print(table)
    s = report["summary"]
    console.print(
        f"MAE {s['mae']:.1%}, bias {s['bias']:+.1%}, leave-one-out MAE {s['loo_mae']:.1%}, "
        f"published inside [p10, p90] in {s['inside_share']:.0%} of {s['n']} cases",
        highlight=False,
        markup=False,
    )
    console.print("Parameters (data/params/transit_time.csv):", highlight=False)
    for p in report["parameters"]:
        console.print(
            f"  {p['key']} = {p['value']:g} [{p['lower']:g}, {p['upper']:g}] {p['unit']}, "
            f"{p['status']}",
            highlight=False,
            markup=False,
        )
