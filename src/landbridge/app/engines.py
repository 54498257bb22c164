"""The scenario runner's engines: adapters from the runner to the use cases and the layers.

Each adapter turns a layer's own result model into the columns of a store table
(``landbridge.store.tables.RESULT_TABLES``); the runner never sees the layers' types.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from landbridge.costs.params import Params
from landbridge.frames import cell_float
from landbridge.network.model import Network
from landbridge.network.route_lines import path_line
from landbridge.scenarios.runner import NOTES_KEY, Engines, ODPair
from landbridge.schema.scenario import Scenario

ROUTE_OPTION_COLUMNS = (
    "od", "origin", "destination", "option_rank", "corridor", "label", "transit_p50_h",
    "transit_p90_h", "cost_usd_per_feu", "co2e_kg_per_feu", "length_km", "facility_ids",
    "geometry_geojson",
)  # fmt: skip
"""The ``route_options`` table of a scenario run (as stored)."""


def plan_route_options(
    net: Network, params: Params, pairs: Sequence[ODPair], depart: dt.date | None
) -> pd.DataFrame:
    """Route options of every pair for one FEU; an unreachable pair gets one 'no route' row."""
    from landbridge.routing.table import option_table

    table, paths = option_table(net, params, [(p.origin, p.destination) for p in pairs], depart)
    table.insert(0, "od", table["origin"] + " → " + table["destination"])
    table["facility_ids"] = [_facility_ids(net, edges) for edges in paths]
    table["geometry_geojson"] = [_line(net, edges) for edges in paths]
    return table[list(ROUTE_OPTION_COLUMNS)]


def _facility_ids(net: Network, edges: np.ndarray | None) -> str | None:
    if edges is None:
        return None
    rows = net.edge_facility[edges]
    rows = rows[rows >= 0]
    _, first = np.unique(rows, return_index=True)
    ordered = rows[np.sort(first)]
    return ";".join(str(net.facilities["facility_id"][int(r)]) for r in ordered)


def _line(net: Network, edges: np.ndarray | None) -> str | None:
    if edges is None or not len(edges):
        return None
    # the line the map draws for the same path (network.route_lines), so exports match the map
    points = path_line(net, edges)
    if not points:
        return None
    return json.dumps({"type": "LineString", "coordinates": points})


def assign_flows(
    net: Network, params: Params, demand: pd.DataFrame | None, scenario: Scenario
) -> pd.DataFrame:
    """Corridor flows (equilibrium assignment) and the capacitated facilities' utilization."""
    from landbridge.app.base import flows_year
    from landbridge.app.flows import assign
    from landbridge.schema.flows import FlowsRequest

    result = assign(net, params, demand, flows_year(scenario), FlowsRequest())
    fac = net.facilities.to_frame().set_index("facility_id")
    columns = ["facility_id", "name", "kind", "lat", "lon", "flow_t_per_yr", "capacity_t_per_yr",
               "utilization"]  # fmt: skip
    rows = [
        {
            "facility_id": b.facility_id,
            "name": b.name,
            "kind": b.kind,
            "lat": cell_float(fac, b.facility_id, "lat") if b.facility_id in fac.index else np.nan,
            "lon": cell_float(fac, b.facility_id, "lon") if b.facility_id in fac.index else np.nan,
            "flow_t_per_yr": b.flow_t,
            "capacity_t_per_yr": b.capacity_t,
            "utilization": b.utilization,
        }
        for b in result.bottlenecks
    ]
    frame = pd.DataFrame(rows, columns=columns)  # no facility used (all avoided): no rows
    # a scenario's capacity below what the facility carried: the run's notes say so
    frame.attrs["warnings"] = [n for n in result.notes if n.startswith("warning:")]
    return frame


SIM_DAYS = 365
SIM_REPLICATIONS = 2
"""A scenario run simulates one year twice (seeded): enough for the A/B comparison of means and
distributions; ``landbridge simulate --scenario`` runs more replications for intervals."""


def simulate_corridor(
    net: Network, params: Params, demand: pd.DataFrame | None, scenario: Scenario
) -> dict[str, pd.DataFrame]:
    """KPIs and per-train transit times of the 2023 corridor with the scenario applied.

    The corridor and the rule for what it cannot model are those of ``landbridge simulate
    --scenario`` (``app.simulate``): operations only (closures, capacities, fleets, dwell,
    demand); the network arguments are not used.
    """
    from landbridge.app.simulate import simulate
    from landbridge.schema.sim import SimulationRequest

    request = SimulationRequest(days=SIM_DAYS, replications=SIM_REPLICATIONS, seed=scenario.seed)
    result, notes = simulate(request, scenario, keep_log=True)
    report = result.report()
    kpis = []
    for c in report.corridors:
        for stat in ("mean", "p50", "p90"):
            value = getattr(c.transit_days, stat)
            if value is not None:
                kpis.append((f"transit_{stat}_days[{c.corridor}]", value, "days"))
        kpis.append((f"trains[{c.corridor}]", float(c.shipments), "trains"))
    for f in report.facilities:
        kpis.append((f"utilization[{f.facility_id}]", f.utilization, "share"))
        kpis.append((f"mean_wait_h[{f.facility_id}]", f.mean_wait_h, "h"))
    return {
        "sim_kpis": pd.DataFrame(kpis, columns=["kpi", "value", "unit"]),
        "sim_transit": _transit_samples(result.events),
        NOTES_KEY: pd.DataFrame({"note": notes}),
    }


def _transit_samples(events: Any) -> pd.DataFrame:
    """Door-to-door hours of every train that arrived, from the typed event log."""
    log = events.to_pandas()
    log["event"] = log["event"].astype(str)
    keys = ["replication", "train_id"]
    dep = log[log["event"] == "depart"].groupby(keys)["time_h"].min()
    arrived = log[(log["event"] == "arrive") & log["facility"].isna()]
    arr = arrived.groupby(keys)["time_h"].max()
    cls = log[log["event"] == "depart"].groupby(keys)["class"].first().astype(str)
    both = pd.concat({"dep": dep, "arr": arr, "od": cls}, axis=1).dropna()
    return pd.DataFrame(
        {
            "od": both["od"].to_numpy(),
            "replication": both.index.get_level_values("replication").astype(int),
            "transit_h": (both["arr"] - both["dep"]).astype(float).to_numpy(),
        }
    )


def real_engines() -> Engines:
    from landbridge.app.base import load_base

    return Engines(
        base=load_base,
        routes=plan_route_options,
        flows=assign_flows,
        simulate=simulate_corridor,
    )
