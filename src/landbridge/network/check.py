"""``landbridge network check``: connectivity, hubs, crossings, lengths vs published figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from landbridge.network.geo import PointIndex
from landbridge.network.graph import min_weight_csr
from landbridge.network.model import EdgeMode, Network
from landbridge.network.tables import load_length_checks
from landbridge.paths import DATA_DIR

PLACES_CSV = DATA_DIR / "places" / "places.csv"
# A hub counts as reachable when a node of the main component lies this close (same threshold
# as the gazetteer's snap: a terminal lies within 50 km of its railway).
HUB_MAX_KM = 50.0
# A length check end point must lie this close to a node to be measured at all.
CHECK_POINT_MAX_KM = 15.0


def open_edges(net: Network) -> np.ndarray:
    """Mask of the edges trains may use (edges of closed facilities excluded)."""
    ok = np.ones(net.n_edges, dtype=bool)
    if "closed" in net.facilities.columns and len(net.facilities):
        closed = net.facilities["closed"]
        has = net.edge_facility >= 0
        ok[has] = ~closed[net.edge_facility[has]]
    return ok


def rail_graph(net: Network, mask: np.ndarray | None = None) -> csr_matrix:
    """Directed sparse graph of the open edges weighted by length (zero-length edges get 1 mm)."""
    m = open_edges(net) if mask is None else mask
    w = np.maximum(net.edge_length_km[m], 1e-6)
    return min_weight_csr(net.edge_src[m], net.edge_dst[m], w, net.n_nodes)


def components(net: Network) -> tuple[int, np.ndarray]:
    n_comp, labels = connected_components(rail_graph(net), directed=True, connection="strong")
    return int(n_comp), labels


def shortest_km(net: Network, a: int, b: int, graph: csr_matrix | None = None) -> float:
    # scipy-stubs type ``indices`` as an array only; scipy takes one int (a 1-D answer)
    d = dijkstra(graph if graph is not None else rail_graph(net), indices=a)  # type: ignore[call-overload]
    return float(d[b])


def nearest_node(
    net: Network, lat: float, lon: float, allowed: np.ndarray | None = None
) -> tuple[int, float]:
    """Nearest node (among ``allowed`` ids if given) and its distance in km."""
    ids = np.arange(net.n_nodes) if allowed is None else allowed
    dist, i = PointIndex(net.node_lon[ids], net.node_lat[ids]).nearest(
        np.array([lon]), np.array([lat])
    )
    return int(ids[int(np.atleast_1d(i)[0])]), float(np.atleast_1d(dist)[0])


def hub_points() -> pd.DataFrame:
    """Curated terminals (name, lat, lon) from the gazetteer's places table."""
    if not PLACES_CSV.is_file():
        return pd.DataFrame(columns=["name", "lat", "lon"])
    p = pd.read_csv(PLACES_CSV, usecols=["name", "kind", "lat", "lon"], keep_default_na=False)
    p = p[p["kind"] == "terminal"]
    p = p.assign(
        lat=pd.to_numeric(p["lat"], errors="coerce"), lon=pd.to_numeric(p["lon"], errors="coerce")
    )
    return p[p["lat"].notna() & p["lon"].notna()][["name", "lat", "lon"]].reset_index(drop=True)


def check_network(net: Network) -> dict:
    """The report behind ``landbridge network check --json``."""
    n_comp, labels = components(net)
    sizes = np.bincount(labels)
    main = int(np.argmax(sizes))
    main_nodes = np.flatnonzero(labels == main)
    rail_nodes = np.unique(net.edge_src[net.edge_mode == EdgeMode.RAIL])
    main_rail = np.intersect1d(main_nodes, rail_nodes)
    hubs = []
    for hub in hub_points().to_dict("records"):
        node, dist = nearest_node(net, float(hub["lat"]), float(hub["lon"]), main_rail)
        hubs.append(
            {"name": hub["name"], "reachable": bool(dist <= HUB_MAX_KM), "snap_km": round(dist, 1)}
        )
    fac = net.facilities.to_frame()
    border_rows = (
        list(fac.index[fac["kind"].isin(["crossing", "gauge_change"])]) if len(fac) else []
    )
    crossings = [
        {
            "name": fac.at[i, "name"],
            "facility_id": fac.at[i, "facility_id"],
            "countries": fac.at[i, "countries"],
            "gauge_change": bool(fac.at[i, "gauge_change"]),
            "closed": bool(fac.at[i, "closed"]),
            "named": not str(fac.at[i, "facility_id"]).startswith("border-"),
        }
        for i in border_rows
    ]
    land = np.isin(net.edge_mode, [EdgeMode.RAIL, EdgeMode.TRANSFER, EdgeMode.BORDER])
    graph = rail_graph(net, land & open_edges(net))
    checks = []
    for row in load_length_checks().to_dict("records"):
        a, da = nearest_node(net, float(row["from_lat"]), float(row["from_lon"]), main_rail)
        b, db = nearest_node(net, float(row["to_lat"]), float(row["to_lon"]), main_rail)
        published_km = float(row["published_km"])
        km = shortest_km(net, a, b, graph) if max(da, db) <= CHECK_POINT_MAX_KM else float("inf")
        modelled = round(km, 1) if np.isfinite(km) else None
        err = round(100.0 * (km - published_km) / published_km, 2) if np.isfinite(km) else None
        checks.append(
            {
                "from": row["from"],
                "to": row["to"],
                "published_km": published_km,
                "modelled_km": modelled,
                "error_pct": err,
                "source": row["source_ids"],
            }
        )
    return {
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "components": n_comp,
        "largest_component_share": round(float(sizes[main] / net.n_nodes), 4),
        "hubs": hubs,
        "crossings": crossings,
        "length_checks": checks,
        "build": {
            k: net.meta.get(k)
            for k in (
                "build_s",
                "built_at",
                "snapped_dead_ends",
                "links_added",
                "dropped_components",
                "dropped_component_km",
                "pruned_spur_km",
            )
        },
    }
