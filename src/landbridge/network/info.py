"""``landbridge network info``: what the compiled network holds."""

from __future__ import annotations

import numpy as np

from landbridge.network.model import EdgeMode, Network


def network_info(net: Network) -> dict:
    """Counts by edge mode, km of rail by country, facilities by kind, build meta."""
    rail = net.edge_mode == EdgeMode.RAIL
    # each physical link is stored twice (one edge per direction)
    km_by_country = (
        np.bincount(
            net.edge_country[rail], weights=net.edge_length_km[rail], minlength=len(net.countries)
        )
        / 2
    )
    fac = net.facilities.to_frame()
    return {
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "edges_by_mode": {m.name: int(np.count_nonzero(net.edge_mode == m)) for m in EdgeMode},
        "rail_km": round(float(net.edge_length_km[rail].sum() / 2), 1),
        "rail_km_by_country": {
            c: round(float(k), 1)
            for c, k in sorted(zip(net.countries, km_by_country, strict=True), key=lambda x: -x[1])
            if k > 0
        },
        "facilities_by_kind": {str(k): int(v) for k, v in fac["kind"].value_counts().items()}
        if len(fac)
        else {},
        "closed_facilities": fac.loc[fac["closed"], "facility_id"].tolist()
        if "closed" in fac.columns
        else [],
        "meta": net.meta,
    }
