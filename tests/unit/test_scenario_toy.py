"""A hand-made corridor network for the scenario and store tests (and checks of its own CSR form).

Nodes and links follow the ``Network`` contract of ``landbridge.network.model``; figures are toy
values chosen so that each modification's effect can be computed by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landbridge.costs.params import Params, load_default_params
from landbridge.network.model import EdgeMode, Network, NodeKind

COUNTRIES = ("CN", "KZ", "AZ", "RU")
# name, lat, lon, country, gauge, kind
NODES = [
    ("Urumqi", 43.8, 87.6, "CN", 1435, NodeKind.TERMINAL),
    ("Alashankou", 45.2, 82.6, "CN", 1435, NodeKind.CROSSING),
    ("Dostyk", 45.25, 82.5, "KZ", 1520, NodeKind.YARD),
    ("Khorgos", 44.2, 80.4, "CN", 1435, NodeKind.CROSSING),
    ("Altynkol", 44.2, 80.3, "KZ", 1520, NodeKind.YARD),
    ("Aktogay", 46.9, 79.6, "KZ", 1520, NodeKind.JUNCTION),
    ("Almaty", 43.3, 76.9, "KZ", 1520, NodeKind.TERMINAL),
    ("Aktau", 43.6, 51.2, "KZ", 0, NodeKind.PORT),
    ("Baku", 40.4, 49.9, "AZ", 0, NodeKind.PORT),
    ("Ayagoz", 47.9, 80.4, "KZ", 1520, NodeKind.STATION),
    ("Petropavl", 54.9, 69.1, "KZ", 1520, NodeKind.STATION),
    ("Kurgan", 55.4, 65.3, "RU", 1520, NodeKind.STATION),
    ("Tacheng", 46.7, 83.0, "CN", 1435, NodeKind.STATION),
]
# from, to, length_km, mode, facility_id or None
LINKS = [
    ("Urumqi", "Alashankou", 460.0, EdgeMode.RAIL, None),
    ("Alashankou", "Dostyk", 0.0, EdgeMode.TRANSFER, "alashankou-dostyk"),
    ("Dostyk", "Aktogay", 314.0, EdgeMode.RAIL, "dostyk-moyinty"),
    ("Urumqi", "Khorgos", 670.0, EdgeMode.RAIL, None),
    ("Khorgos", "Altynkol", 0.0, EdgeMode.TRANSFER, "khorgos-altynkol"),
    ("Altynkol", "Almaty", 380.0, EdgeMode.RAIL, None),
    ("Aktogay", "Almaty", 600.0, EdgeMode.RAIL, None),
    ("Almaty", "Aktau", 3000.0, EdgeMode.RAIL, None),
    ("Aktau", "Baku", 470.0, EdgeMode.SEA, "aktau-baku"),
    ("Aktogay", "Ayagoz", 250.0, EdgeMode.RAIL, None),
    ("Ayagoz", "Petropavl", 1500.0, EdgeMode.RAIL, None),
    ("Petropavl", "Kurgan", 0.0, EdgeMode.BORDER, "petropavl-kurgan"),
    ("Urumqi", "Tacheng", 600.0, EdgeMode.RAIL, None),
]
NAN = np.nan
FACILITIES = pd.DataFrame(
    {
        "facility_id": [
            "alashankou-dostyk", "dostyk-moyinty", "khorgos-altynkol", "aktau-baku",
            "petropavl-kurgan",
        ],
        "name": [
            "Alashankou–Dostyk", "Dostyk–Moyinty", "Khorgos–Altynkol", "Aktau–Baku ferry",
            "Petropavl–Kurgan",
        ],
        "kind": ["gauge_change", "section", "gauge_change", "ferry", "crossing"],
        "countries": ["CN-KZ", "KZ", "CN-KZ", "KZ-AZ", "KZ-RU"],
        "dwell_p50_h": [6.0, 0.0, 5.0, 0.0, 3.0],
        "dwell_p90_h": [10.0, 0.0, 9.0, 0.0, 6.0],
        "cost_usd_per_feu": [329.0, 0.0, 300.0, 500.0, 0.0],
        "capacity_trains_per_day": [18.0, 12.0, 15.0, NAN, 30.0],
        "capacity_t_per_yr": [20e6, NAN, 8e6, NAN, NAN],
        "servers": [4, 1, 3, 1, 2],
        "headway_h": [NAN, NAN, NAN, 72.0, NAN],
        "vessel_capacity_feu": [NAN, NAN, NAN, 50.0, NAN],
        "fleet": [NAN, NAN, NAN, 4.0, NAN],
    }
)  # fmt: skip


def toy_network() -> Network:
    """The toy corridor as a CSR ``Network`` with straight-line geometry per edge."""
    names = [n[0] for n in NODES]
    node_id = {n: i for i, n in enumerate(names)}
    fac_row = {f: i for i, f in enumerate(FACILITIES["facility_id"])}
    edges = []  # (src, dst, length, mode, facility, physical link id)
    for k, (a, b, length, mode, fid) in enumerate(LINKS):
        row = fac_row[fid] if fid else -1
        edges.append((node_id[a], node_id[b], length, mode, row, k, 0))
        edges.append((node_id[b], node_id[a], length, mode, row, k, 1))
    edges.sort(key=lambda e: (e[0], e[5], e[6]))
    n, m = len(NODES), len(edges)
    node_country = np.array([COUNTRIES.index(c) for _, _, _, c, _, _ in NODES], dtype=np.int16)
    src = np.array([e[0] for e in edges], dtype=np.int32)
    dst = np.array([e[1] for e in edges], dtype=np.int32)
    reverse = np.empty(m, dtype=np.int32)
    where = {(e[5], e[6]): i for i, e in enumerate(edges)}
    for i, e in enumerate(edges):
        reverse[i] = where[(e[5], 1 - e[6])]
    mode = np.array([e[3] for e in edges], dtype=np.int8)
    country = np.where(np.isin(mode, [EdgeMode.SEA, EdgeMode.OCEAN]), -1, node_country[dst]).astype(
        np.int16
    )
    lat = np.array([x[1] for x in NODES])
    lon = np.array([x[2] for x in NODES])
    geom = np.zeros((2 * m, 2), dtype=np.float32)
    geom[0::2] = np.c_[lon[src], lat[src]]
    geom[1::2] = np.c_[lon[dst], lat[dst]]
    gauges = np.array([x[4] for x in NODES], dtype=np.int16)
    edge_gauge = np.where(mode == EdgeMode.RAIL, gauges[src], 0).astype(np.int16)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Network(
        node_lat=lat,
        node_lon=lon,
        node_country=node_country,
        node_gauge_mm=gauges,
        node_kind=np.array([int(x[5]) for x in NODES], dtype=np.int8),
        node_name=np.array(names, dtype=object),
        indptr=indptr,
        edge_src=src,
        edge_dst=dst,
        edge_length_km=np.array([e[2] for e in edges]),
        edge_mode=mode,
        edge_country=country,
        edge_gauge_mm=edge_gauge,
        edge_facility=np.array([e[4] for e in edges], dtype=np.int32),
        edge_reverse=reverse,
        edge_geom_offset=np.arange(0, 2 * m + 1, 2, dtype=np.int64),
        geom_lonlat=geom,
        countries=COUNTRIES,
        facilities=FACILITIES.copy(),
        meta={"name": "toy"},
    )


def toy_demand() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": ["Urumqi", "Urumqi", "Almaty"],
            "destination": ["Baku", "Kurgan", "Baku"],
            "feu_per_yr": [1000.0, 2000.0, 300.0],
            "t_per_yr": [20000.0, 40000.0, 6000.0],
        }
    )


def toy_params() -> Params:
    return load_default_params()


def check_csr(net: Network) -> None:
    """Assert the CSR contract: sorted by source, indptr consistent, reverse pairs, geometry."""
    m = net.n_edges
    assert np.all(np.diff(net.edge_src) >= 0)
    for i in range(net.n_nodes):
        assert np.all(net.edge_src[net.indptr[i] : net.indptr[i + 1]] == i)
    assert net.indptr[-1] == m
    rev = net.edge_reverse
    assert np.array_equal(rev[rev], np.arange(m))
    assert np.array_equal(net.edge_src[rev], net.edge_dst)
    assert net.edge_geom_offset.shape == (m + 1,)
    assert net.edge_geom_offset[-1] == net.geom_lonlat.shape[0]
    for e in range(m):
        g = net.edge_geometry(e)
        assert g.shape[0] >= 2
        assert np.allclose(
            g[0], [net.node_lon[net.edge_src[e]], net.node_lat[net.edge_src[e]]], atol=1e-4
        )
        assert np.allclose(
            g[-1], [net.node_lon[net.edge_dst[e]], net.node_lat[net.edge_dst[e]]], atol=1e-4
        )


def test_toy_network_is_valid_csr() -> None:
    net = toy_network()
    check_csr(net)
    assert net.n_edges == 2 * len(LINKS)
