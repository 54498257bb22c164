"""``landbridge flows --calibrate``: estimate the gateway constants and show what they carry."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def calibrate(console: Console, write: bool = True) -> None:
    """Estimate the constants (``flows.estimate.estimate``), write the table, print the fit."""
    from landbridge.flows import calibration as cal
    from landbridge.flows import estimate as estimator

    console.print(
        f"estimating the gateway constants on {cal.ESTIMATION_YEAR}, validating on "
        f"{cal.VALIDATION_YEAR} (a few minutes)",
        highlight=False,
    )
    est = estimator.estimate()
    table = Table(title="gateway constants (USD/t added to a path through the gateway)")
    for col in ("constant", "value", "bounds", "fitted on", "at bound"):
        table.add_column(col)
    for term in cal.TERMS:
        lo, hi = est.bounds[term]
        table.add_row(
            term, f"{est.constants.values[term]:+.2f}", f"[{lo:.1f}, {hi:.1f}]",
            cal.TARGET_OF[term], "yes" if est.at_bound[term] else "no",
        )  # fmt: skip
    console.print(table)
    fit = Table(title="published vs modelled (Mt/yr), error %")
    for col in ("element", "year", "published", "constants 0", "calibrated"):
        fit.add_column(col)
    for cal_fit, zero in zip(est.fits, est.without, strict=True):
        for a, b in zip(cal_fit.rows, zero.rows, strict=True):
            fit.add_row(
                a["element"], str(cal_fit.year), f"{a['published'] / 1e6:.2f}",
                f"{b['modelled'] / 1e6:.2f} ({b['error_pct']:+.1f}%)",
                f"{a['modelled'] / 1e6:.2f} ({a['error_pct']:+.1f}%)",
            )  # fmt: skip
    console.print(fit)
    carried = Table(title=f"what each constant carries ({cal.ESTIMATION_YEAR}, Mt/yr)")
    for col in ("constant", "element", "calibrated", "that constant at 0"):
        carried.add_column(col)
    for term, rows in est.carried.items():
        for r in rows:
            carried.add_row(
                term, r["element"], f"{r['calibrated'] / 1e6:.2f}", f"{r['without_term'] / 1e6:.2f}"
            )
    console.print(carried)
    if write:
        console.print(f"wrote {estimator.write_constants(est)}", highlight=False)
