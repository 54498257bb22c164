"""Side-by-side differences of two scenario runs: route options, bottlenecks, simulation KPIs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landbridge.scenarios.runner import ScenarioRun

ROUTE_METRICS = ("transit_p50_h", "transit_p90_h", "cost_usd_per_feu", "co2e_kg_per_feu")
FLOW_METRICS = ("flow_t_per_yr", "capacity_t_per_yr", "utilization")
TOP_BOTTLENECKS = 15
"""Facilities shown in the comparison: the busiest in either run."""


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    routes: pd.DataFrame  # od, label, corridor, status, <metric>_a, <metric>_b, d_<metric>
    best: pd.DataFrame  # od, best_a, best_b, p50 days a/b: the top-ranked option per OD
    flows: pd.DataFrame  # facility_id, name, kind, <metric>_a/_b, d_utilization
    kpis: pd.DataFrame  # kpi, unit, value_a, value_b, d_value
    transit: pd.DataFrame  # scenario, od, transit_h (samples for distribution charts)
    notes: dict[str, list[str]]  # "both": base alignment; "a"/"b": what each run could not model

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "routes": records(self.routes),
            "best": records(self.best),
            "flows": records(self.flows),
            "kpis": records(self.kpis),
            "notes": self.notes,
        }


def compare_runs(a: ScenarioRun, b: ScenarioRun, bases: list[str] | None = None) -> Comparison:
    """Differences B - A; ``bases`` notes how the two bases were aligned or still differ
    (``scenarios.align``)."""
    name_a, name_b = a.scenario.name, b.scenario.name
    return Comparison(
        a=name_a,
        b=name_b,
        routes=_routes(a.results.get("route_options"), b.results.get("route_options")),
        best=_best(a.results.get("route_options"), b.results.get("route_options")),
        flows=_flows(a.results.get("flows"), b.results.get("flows")),
        kpis=_kpis(a.results.get("sim_kpis"), b.results.get("sim_kpis")),
        transit=_transit(a, b),
        notes={"both": list(bases or []), "a": list(a.notes), "b": list(b.notes)},
    )


def _available(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["od", "label", "corridor", "option_rank", *ROUTE_METRICS])
    return frame[frame["option_rank"] > 0]


def _routes(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame:
    keep = ["od", "label", "corridor", *ROUTE_METRICS]
    left, right = _available(a)[keep], _available(b)[keep]
    merged = left.merge(right, on=["od", "label"], how="outer", suffixes=("_a", "_b"))
    merged["corridor"] = merged["corridor_a"].fillna(merged["corridor_b"])
    for m in ROUTE_METRICS:
        merged[f"d_{m}"] = merged[f"{m}_b"] - merged[f"{m}_a"]
    in_a, in_b = merged["transit_p50_h_a"].notna(), merged["transit_p50_h_b"].notna()
    changed = np.zeros(len(merged), dtype=bool)
    for m in ROUTE_METRICS:
        changed |= ~np.isclose(merged[f"{m}_a"], merged[f"{m}_b"], rtol=1e-9, equal_nan=True)
    merged["status"] = np.select(
        [in_a & ~in_b, ~in_a & in_b, changed], ["only in A", "only in B", "changed"], "same"
    )
    cols = ["od", "label", "corridor", "status"]
    cols += [f"{m}_{s}" for m in ROUTE_METRICS for s in ("a", "b")]
    cols += [f"d_{m}" for m in ROUTE_METRICS]
    return merged[cols].sort_values(["od", "label"]).reset_index(drop=True)


def _best(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame:
    def top(frame: pd.DataFrame | None) -> pd.DataFrame:
        if frame is None or frame.empty:
            return pd.DataFrame(columns=["od", "label", "transit_p50_h", "cost_usd_per_feu"])
        ods = frame[["od"]].drop_duplicates()
        first = frame[frame["option_rank"] == 1][
            ["od", "label", "transit_p50_h", "cost_usd_per_feu"]
        ]
        return ods.merge(first, on="od", how="left")

    merged = top(a).merge(top(b), on="od", how="outer", suffixes=("_a", "_b"))
    merged = merged.rename(columns={"label_a": "best_a", "label_b": "best_b"})
    merged["best_a"] = merged["best_a"].fillna("no route")
    merged["best_b"] = merged["best_b"].fillna("no route")
    merged["d_transit_p50_h"] = merged["transit_p50_h_b"] - merged["transit_p50_h_a"]
    return merged.sort_values("od").reset_index(drop=True)


def _flows(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame:
    keep = ["facility_id", "name", "kind", *FLOW_METRICS]
    empty = pd.DataFrame(columns=keep)
    left = a[keep] if a is not None and not a.empty else empty
    right = b[keep] if b is not None and not b.empty else empty
    merged = left.merge(right, on="facility_id", how="outer", suffixes=("_a", "_b"))
    merged["name"] = merged["name_a"].fillna(merged["name_b"])
    merged["kind"] = merged["kind_a"].fillna(merged["kind_b"])
    merged["d_utilization"] = merged["utilization_b"] - merged["utilization_a"]
    busiest = merged[["utilization_a", "utilization_b"]].max(axis=1, skipna=True)
    merged = merged.assign(_busiest=busiest).sort_values("_busiest", ascending=False)
    cols = ["facility_id", "name", "kind"]
    cols += [f"{m}_{s}" for m in FLOW_METRICS for s in ("a", "b")] + ["d_utilization"]
    return merged[cols].head(TOP_BOTTLENECKS).reset_index(drop=True)


def _kpis(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame:
    empty = pd.DataFrame(columns=["kpi", "value", "unit"])
    left = a if a is not None and not a.empty else empty
    right = b if b is not None and not b.empty else empty
    merged = left.merge(right, on="kpi", how="outer", suffixes=("_a", "_b"))
    merged["unit"] = merged["unit_a"].fillna(merged["unit_b"])
    merged["d_value"] = merged["value_b"] - merged["value_a"]
    return merged[["kpi", "unit", "value_a", "value_b", "d_value"]].reset_index(drop=True)


def _transit(a: ScenarioRun, b: ScenarioRun) -> pd.DataFrame:
    parts = []
    for run, side in ((a, "A"), (b, "B")):
        frame = run.results.get("sim_transit")
        if frame is not None and not frame.empty:
            parts.append(frame.assign(scenario=side)[["scenario", "od", "transit_h"]])
    if not parts:
        return pd.DataFrame(columns=["scenario", "od", "transit_h"])
    return pd.concat(parts, ignore_index=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-able dicts: numpy scalars as Python, NaN/NA/NaT as None."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value
