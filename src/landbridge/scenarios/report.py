"""A comparison as a static HTML report with PNG charts (matplotlib, Agg backend: no display)."""

from __future__ import annotations

import html
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from landbridge.outputs import atomic_folder  # noqa: E402
from landbridge.scenarios.compare import Comparison  # noqa: E402
from landbridge.units import HOURS_PER_DAY  # noqa: E402

UTILIZATION_PNG = "utilization.png"
TRANSIT_PNG = "transit.png"
CHART_DPI = 110


def write_report(comparison: Comparison, directory: Path) -> Path:
    """Write ``index.html`` and its charts into ``directory`` as a whole (through the output
    guard: a temporary folder renamed into place); returns the HTML path."""
    with atomic_folder(directory, "report") as tmp:
        charts = []
        if _utilization_chart(comparison, tmp / UTILIZATION_PNG):
            charts.append((UTILIZATION_PNG, "Utilization by facility"))
        if _transit_chart(comparison, tmp / TRANSIT_PNG):
            charts.append((TRANSIT_PNG, "Transit time, A vs B"))
        (tmp / "index.html").write_text(_html(comparison, charts), encoding="utf-8")
    return Path(directory) / "index.html"


def _utilization_chart(c: Comparison, path: Path) -> bool:
    flows = c.flows.dropna(subset=["utilization_a", "utilization_b"], how="all")
    if flows.empty:
        return False
    labels = flows["name"].astype(str).tolist()[::-1]
    ys = range(len(labels))
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(labels) + 1.5))
    height = 0.4
    ax.barh([y + height / 2 for y in ys], flows["utilization_a"].fillna(0)[::-1], height,
            label=f"A: {c.a}")  # fmt: skip
    ax.barh([y - height / 2 for y in ys], flows["utilization_b"].fillna(0)[::-1], height,
            label=f"B: {c.b}")  # fmt: skip
    ax.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_yticks(list(ys), labels)
    ax.set_xlabel("utilization (flow / capacity)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=CHART_DPI)
    plt.close(fig)
    return True


def _transit_chart(c: Comparison, path: Path) -> bool:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    drawn = False
    if not c.transit.empty:
        for side, name in (("A", c.a), ("B", c.b)):
            days = c.transit.loc[c.transit["scenario"] == side, "transit_h"] / HOURS_PER_DAY
            if len(days):
                ax.hist(days, bins=40, alpha=0.55, label=f"{side}: {name}")
                drawn = True
        ax.set_xlabel("transit time, days (simulated block trains)")
        ax.set_ylabel("trains")
    elif not c.best.empty:
        best = c.best.dropna(subset=["transit_p50_h_a", "transit_p50_h_b"], how="all")
        if not best.empty:
            x = range(len(best))
            width = 0.4
            ax.bar([i - width / 2 for i in x], best["transit_p50_h_a"].fillna(0) / HOURS_PER_DAY,
                   width, label=f"A: {c.a}")  # fmt: skip
            ax.bar([i + width / 2 for i in x], best["transit_p50_h_b"].fillna(0) / HOURS_PER_DAY,
                   width, label=f"B: {c.b}")  # fmt: skip
            ax.set_xticks(list(x), best["od"].astype(str), rotation=30, ha="right")
            ax.set_ylabel("best option, median transit days")
            drawn = True
    if drawn:
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=CHART_DPI)
    plt.close(fig)
    return drawn


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return html.escape(str(value))


HEADINGS = {
    "od": "origin → destination", "label": "option", "corridor": "corridor", "status": "status",
    "best_a": "best in A", "best_b": "best in B", "facility_id": "facility id", "name": "facility",
    "kind": "type", "kpi": "indicator", "unit": "unit", "value_a": "A", "value_b": "B",
    "d_value": "B − A",
}  # fmt: skip
METRIC_HEADINGS = {
    "transit_p50_h": "median days", "transit_p90_h": "p90 days", "cost_usd_per_feu": "USD/FEU",
    "co2e_kg_per_feu": "kg CO2e/FEU", "flow_t_per_yr": "Mt/yr",
    "capacity_t_per_yr": "capacity Mt/yr", "utilization": "utilization %",
}  # fmt: skip
SCALE = {"transit_p50_h": 1 / HOURS_PER_DAY, "transit_p90_h": 1 / HOURS_PER_DAY,
         "flow_t_per_yr": 1e-6, "capacity_t_per_yr": 1e-6, "utilization": 100.0}  # fmt: skip
HIDDEN = ("facility_id",)
ROUTE_COLUMNS = (
    "od", "label", "status", "transit_p50_h_a", "transit_p50_h_b", "d_transit_p50_h",
    "d_transit_p90_h", "cost_usd_per_feu_a", "cost_usd_per_feu_b", "d_cost_usd_per_feu",
    "d_co2e_kg_per_feu",
)  # fmt: skip
"""The route table of the report: medians and costs of both sides, the other metrics as B − A
(the full table is in the JSON and the store)."""


def human(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns with readable headings, hours as days, tonnes as Mt, utilization in %."""
    out = {}
    for col in frame.columns:
        if col in HIDDEN:
            continue
        base, side = col, ""
        if col.startswith("d_"):
            base, side = col[2:], "B − A"
        elif col.endswith(("_a", "_b")) and col[:-2] in METRIC_HEADINGS:
            base, side = col[:-2], col[-1].upper()
        if base in METRIC_HEADINGS:
            values = pd.to_numeric(frame[col], errors="coerce") * SCALE.get(base, 1.0)
            out[f"{METRIC_HEADINGS[base]} {side}".strip()] = values
        else:
            out[HEADINGS.get(col, col.replace("_", " "))] = frame[col]
    return pd.DataFrame(out)


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>(no results)</p>"
    frame = human(frame)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (
        f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
    )


def _notes(c: Comparison) -> str:
    who = {"both": "A and B", "a": "A", "b": "B"}
    items = [
        f"<li>{who.get(side, side)}: {html.escape(note)}</li>"
        for side, notes in c.notes.items()
        for note in notes
    ]
    return f"<h2>Notes</h2><ul>{''.join(items)}</ul>" if items else ""


def _html(c: Comparison, charts: list[tuple[str, str]]) -> str:
    title = f"Scenario comparison: {html.escape(c.a)} (A) vs {html.escape(c.b)} (B)"
    figures = "".join(
        f'<figure><img src="{name}" alt="{html.escape(alt)}"><figcaption>{html.escape(alt)}'
        "</figcaption></figure>"
        for name, alt in charts
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1em auto; max-width: 75em; padding: 0 1em; }}
.wide {{ max-width: 100%; overflow-x: auto; margin-bottom: 2em; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
th, td {{ border: 1px solid #ccc; padding: 0.2em 0.4em; text-align: right; }}
td:first-child, td:nth-child(2) {{ max-width: 22em; overflow-wrap: anywhere; }}
th:first-child, td:first-child {{ text-align: left; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>{title}</h1>
<p>Differences are B − A. Transit times in days door to door along the network; costs and
CO2e per FEU; flows in million tonnes a year.</p>
<h2>Best option per origin–destination</h2>{_table(c.best)}
<h2>Route options</h2>{_table(c.routes[[k for k in ROUTE_COLUMNS if k in c.routes]])}
<h2>Bottlenecks</h2>{_table(c.flows)}
<h2>Simulation KPIs</h2>{_table(c.kpis)}
{figures}
{_notes(c)}
</body></html>
"""
