"""What a flows assignment used: facilities ranked by utilization, and where transit crossed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from landbridge.flows.assignment import AssignmentResult, DemandClass
from landbridge.flows.corridor import CLASS_NAMES, TRANSIT_CLASSES, CorridorModel
from landbridge.network.model import EdgeMode, Network
from landbridge.schema.flows import (
    Bottleneck,
    CorridorShare,
)

if TYPE_CHECKING:
    pass


def bottlenecks(model: CorridorModel, res: AssignmentResult, flows: np.ndarray) -> list[Bottleneck]:
    """Capacitated facilities ranked by utilization (sections by their busiest edge)."""
    net = model.network
    fac = net.facilities.to_frame()
    element_flow = res.element_flow
    delay_h = model.vdf.cost(element_flow) / model.value_of_time_usd_per_t_h
    container = flows[[*TRANSIT_CLASSES, CLASS_NAMES.index("container")]].sum(axis=0)
    keep = model.keep
    elem_of_kept = model.edge_element[keep]
    container_elem = np.bincount(
        elem_of_kept[elem_of_kept >= 0], container[keep][elem_of_kept >= 0],
        minlength=element_flow.size,
    )  # fmt: skip
    util = element_flow / model.vdf.capacity
    rows: list[dict[str, Any]] = []
    for frow in np.unique(model.element_facility):
        elems = np.flatnonzero(model.element_facility == frow)
        e = elems[np.argmax(util[elems])]
        r = fac.iloc[int(frow)]
        rows.append(dict(
            facility_id=str(r.facility_id), name=str(r["name"]), kind=str(r.kind),
            countries=str(r.countries), flow_t=float(element_flow[e]),
            container_t=float(container_elem[e]),
            flow_teu=float(container_elem[e] / model.tonnes_per_teu),
            capacity_basis=_basis(model, int(frow), int(e)),
            capacity_t=float(model.vdf.capacity[e]), utilization=float(util[e]),
            delay_h=float(delay_h[e]),
        ))  # fmt: skip
    rows.sort(key=lambda b: -b["utilization"])
    return [Bottleneck(rank=i + 1, **b) for i, b in enumerate(rows)]


def _basis(model: CorridorModel, facility_row: int, element: int) -> str:
    """How the capacity of ``element`` was found (a quota's element says so)."""
    if model.element_basis is not None and model.element_basis[element]:
        return str(model.element_basis[element])
    return "sourced" if model.capacity_basis is None else str(model.capacity_basis[facility_row])


def caspian_edges(net: Network) -> np.ndarray:
    """Sea legs touching a Kazakh port (each tonne crosses the Caspian on one such edge)."""
    kz = net.country_id("KZ")
    sea = net.edge_mode == EdgeMode.SEA
    touches = (net.node_country[net.edge_src] == kz) | (net.node_country[net.edge_dst] == kz)
    return sea & touches & (kz >= 0)


def corridor_shares(
    model: CorridorModel, flows: np.ndarray, classes: list[DemandClass]
) -> list[CorridorShare]:
    """Where China's transit flow crosses: each Chinese border facility, and the Caspian."""
    net = model.network
    transit = flows[list(TRANSIT_CLASSES)].sum(axis=0)
    total = float(sum(classes[c].node_demand.sum() for c in TRANSIT_CLASSES))
    if total <= 0:
        return []
    fac = net.facilities.to_frame()
    cn_border = fac.countries.astype(str).str.split("-").apply(lambda c: "CN" in c) & fac.kind.isin(
        ("crossing", "gauge_change")
    )
    out = []
    for frow in np.flatnonzero(cn_border.to_numpy()):
        t = float(transit[net.edge_facility == frow].sum())
        if t > 0:
            out.append(
                CorridorShare(corridor=str(fac.iloc[frow]["name"]), flow_t=t, share=t / total)
            )
    caspian = float(transit[caspian_edges(net)].sum())
    out.append(CorridorShare(corridor="Caspian Sea (Middle Corridor)", flow_t=caspian,
                             share=caspian / total))  # fmt: skip
    out.sort(key=lambda s: -s.flow_t)
    return out
