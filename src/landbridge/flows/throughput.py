"""Maximum corridor throughput under hard capacities (HiGHS LP) on the routes demand uses.

The equilibrium tells which routes carry freight; this asks how much of the demand those routes
could carry if every capacitated facility were a hard limit, and which facilities bind. The LP runs
on the edges that carry flow at equilibrium (their nodes renumbered), with one commodity per origin
node, so it stays small on the full network. A route the equilibrium never uses is not offered to
the LP: the answer is "on today's routes", not "on any route".
"""

from __future__ import annotations

import numpy as np

from landbridge.flows.assignment import DemandClass
from landbridge.flows.capacity_lp import CapacityGroup, solve_capacity
from landbridge.flows.corridor import CorridorModel
from landbridge.schema.flows import BindingFacility, Throughput

USED_FLOW_T = 1.0
"""Edges carrying at least this many t/yr at equilibrium are offered to the LP."""


def max_throughput(
    model: CorridorModel, classes: list[DemandClass], flows: np.ndarray
) -> Throughput:
    """Largest share of the demand the used routes carry with every capacity as a hard limit."""
    net = model.network
    used = np.flatnonzero(model.keep & (flows.sum(axis=0) >= USED_FLOW_T))
    nodes, local = np.unique(
        np.concatenate([net.edge_src[used], net.edge_dst[used]]), return_inverse=True
    )
    src, dst = local[: used.size], local[used.size :]
    origin, destination, demand = [], [], []
    for cls in classes:
        for row, o in enumerate(cls.origins):
            d = np.flatnonzero(cls.node_demand[row] > 0)
            origin.append(np.full(d.size, o))
            destination.append(d)
            demand.append(cls.node_demand[row, d])
    o_all = np.concatenate(origin) if origin else np.zeros(0, dtype=np.int64)
    d_all = np.concatenate(destination) if destination else np.zeros(0, dtype=np.int64)
    t_all = np.concatenate(demand) if demand else np.zeros(0)
    key = o_all * net.n_nodes + d_all
    ukey, inv = np.unique(key, return_inverse=True)
    t_od = np.bincount(inv, t_all, minlength=ukey.size)
    position = np.searchsorted(nodes, np.stack([ukey // net.n_nodes, ukey % net.n_nodes]))
    groups, facility_of_group = [], []
    elem = model.edge_element[used]
    fac = net.facilities
    for k in np.unique(elem[elem >= 0]):
        frow = int(model.element_facility[k])
        groups.append(CapacityGroup(
            str(fac.iloc[frow].facility_id), np.flatnonzero(elem == k), float(model.vdf.capacity[k])
        ))  # fmt: skip
        facility_of_group.append(frow)
    res = solve_capacity(
        src,
        dst,
        nodes.size,
        model.cost_usd_per_t[used],
        position[0],
        position[1],
        t_od,
        groups,
        cheapest_routes=False,
    )
    total = float(t_od.sum())
    binding = []
    for g in np.argsort(-res.shadow_price, kind="stable"):
        if res.shadow_price[g] <= 0:
            break
        frow = facility_of_group[g]
        binding.append(BindingFacility(
            facility_id=groups[g].name, name=str(fac.iloc[frow]["name"]),
            capacity_t=groups[g].capacity, flow_t=float(res.group_flow[g]),
            shadow_price=float(res.shadow_price[g]),
        ))  # fmt: skip
    return Throughput(
        demand_t=total, carried_t=res.throughput,
        carried_share=res.throughput / total if total > 0 else 1.0, binding=binding,
    )  # fmt: skip
