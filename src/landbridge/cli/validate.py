"""``landbridge validate [--json]``: published transit times beside the model's, and the fit."""

from __future__ import annotations

from typing import Any

import typer

MARK = {"announced": "*", "record": "r"}  # after the published figure


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
    from rich import box
    from rich.table import Table

    from landbridge.cli.common import console

    table = Table(
        title="Transit times: published (pub) vs model, days", box=box.SIMPLE_HEAD,
        padding=(0, 1), pad_edge=False, collapse_padding=True,
    )  # fmt: skip
    for column in ("case", "pair", "year", "pub", "p10", "p50", "p90", "err", "in", "LOO"):
        right = column not in ("case", "pair", "in")
        table.add_column(column, justify="right" if right else "left", overflow="fold",
                         max_width=20 if column == "pair" else None)  # fmt: skip
    for c in report["cases"]:
        low, high = c["published_low_days"], c["published_high_days"]
        published = f"{low:g}" + (f"–{high:g}" if high > low else "")
        table.add_row(
            c["case"], f"{c['origin']} → {c['destination']}", str(c["year"]),
            published + MARK.get(c["evidence"], ""), f"{c['p10_days']:.1f}",
            f"{c['p50_days']:.1f}", f"{c['p90_days']:.1f}", f"{c['error']:+.0%}",
            "yes" if c["inside"] else "no", f"{c['loo_error']:+.0%}",
        )  # fmt: skip
    console.print(table)
    console.print(
        "err: p50 / published - 1 (p10 for a record, r); LOO: err when fitted without the "
        "case; * announced",
        highlight=False,
        markup=False,
    )
    console.print(
        "Options priced: " + "; ".join(f"{c['case']} {c['option']}" for c in report["cases"]),
        highlight=False,
        markup=False,
    )
    s = report["summary"]
    console.print(
        f"MAE {s['mae']:.1%}, bias {s['bias']:+.1%}, leave-one-out MAE {s['loo_mae']:.1%}, "
        f"published inside [p10, p90] in {s['inside_share']:.0%} of {s['n']} cases",
        highlight=False,
        markup=False,
    )
    for kind, m in s["by_evidence"].items():
        console.print(
            f"  {kind} ({m['n']}): MAE {m['mae']:.1%}, bias {m['bias']:+.1%}, "
            f"inside {m['inside_share']:.0%}",
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
