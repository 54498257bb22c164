"""Suez and Cape legs are told apart by their ``via`` cell (sea_links.csv), not their names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.routing.constraints import AvoidPassage, passage_rows
from landbridge.routing.families import classify


def ocean_network(names: list[str], vias: list[str]) -> Network:
    """Two ports, joined by one ocean edge pair per facility (facility i on edges 2i, 2i+1)."""
    n = len(names)
    fac = pd.DataFrame(
        {"facility_id": [f"leg-{i}" for i in range(n)], "name": names, "kind": ["ocean"] * n,
         "countries": ["CN-NL"] * n, "closed": [False] * n, "source_ids": [""] * n, "via": vias}
    )  # fmt: skip
    src = np.array([0, 1] * n, dtype=np.int32)
    order = np.argsort(src, kind="stable")
    return Network(
        node_lat=np.array([31.2, 51.9]),
        node_lon=np.array([121.5, 4.5]),
        node_country=np.array([0, 1], dtype=np.int16),
        node_gauge_mm=np.zeros(2, dtype=np.int16),
        node_kind=np.full(2, int(NodeKind.PORT), dtype=np.int8),
        node_name=np.array(["Shanghai", "Rotterdam"], dtype=object),
        indptr=np.array([0, n, 2 * n], dtype=np.int64),
        edge_src=src[order],
        edge_dst=(1 - src)[order],
        edge_length_km=np.full(2 * n, 20000.0),
        edge_mode=np.full(2 * n, int(EdgeMode.OCEAN), dtype=np.int8),
        edge_country=np.full(2 * n, -1, dtype=np.int16),
        edge_gauge_mm=np.zeros(2 * n, dtype=np.int16),
        edge_facility=(np.arange(2 * n, dtype=np.int32) // 2)[order],
        edge_reverse=np.zeros(2 * n, dtype=np.int32),
        edge_geom_offset=np.zeros(2 * n + 1, dtype=np.int64),
        geom_lonlat=np.zeros((0, 2), dtype=np.float32),
        countries=("CN", "NL"),
        facilities=fac,
    )


def test_a_leg_sails_the_passage_of_its_via_cell_whatever_its_name() -> None:
    # a Suez leg whose name says Cape, and a Cape leg whose name says nothing
    net = ocean_network(["Cape Town Express (suez)", "Shanghai – Rotterdam"], ["suez", "cape"])
    assert passage_rows(net, "cape").tolist() == [False, True]
    assert passage_rows(net, "suez").tolist() == [True, False]
    no_cape = AvoidPassage("cape").edge_mask(net)
    assert no_cape.tolist() == (net.edge_facility == 0).tolist()
    assert AvoidPassage("cape").describe() == "not via cape"


def test_the_label_names_the_passage_of_the_legs_via_cell() -> None:
    net = ocean_network(["Cape Town Express (suez)", "Shanghai – Rotterdam"], ["suez", "cape"])
    suez_edge = np.flatnonzero((net.edge_facility == 0) & (net.edge_src == 0))
    cape_edge = np.flatnonzero((net.edge_facility == 1) & (net.edge_src == 0))
    assert classify(net, suez_edge).label == "All-sea via Suez (Shanghai → Rotterdam)"
    assert classify(net, cape_edge).label == "All-sea via the Cape (Shanghai → Rotterdam)"
