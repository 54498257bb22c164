"""Topology repair and simplification on small hand-made line sets (exact answers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landbridge.errors import NetworkDataError
from landbridge.network.build.lines import LineOrigin, LineSet
from landbridge.network.build.topology import (
    add_links,
    collapse_chains,
    component_labels,
    contract_short_lines,
    largest_component,
    prune_spurs,
    snap_dead_ends,
)
from landbridge.network.geo import haversine_km

KM_PER_DEG_LAT = haversine_km(0.0, 0.0, 0.0, 1.0)


def lines(
    nodes: list[tuple[float, float]], edges: list[tuple[int, int]], country: int = 0
) -> LineSet:
    """Straight lines between lon/lat nodes."""
    node_ll = np.array(nodes, dtype=float)
    geoms = [node_ll[[u, v]] for u, v in edges]
    offsets = np.concatenate([[0], np.cumsum([len(g) for g in geoms])])
    ls = LineSet.from_arrays(
        node_ll, [u for u, _ in edges], [v for _, v in edges], np.vstack(geoms), offsets
    )
    return LineSet(**{**ls.__dict__, "country": np.full(ls.n_lines, country, np.int16)})


def dlat(km: float) -> float:
    return km / KM_PER_DEG_LAT


def test_snap_joins_a_gap_between_two_pieces() -> None:
    # two lines along the meridian with a 1 km gap between node 1 and node 2
    ls = lines([(0, 0), (0, dlat(50)), (0, dlat(51)), (0, dlat(100))], [(0, 1), (2, 3)])
    assert len(np.unique(component_labels(ls))) == 2
    out, n = snap_dead_ends(ls)
    assert n == 1
    assert len(np.unique(component_labels(out))) == 1
    snap = out.origin == LineOrigin.SNAP
    assert out.length_km[snap] == pytest.approx([1.0], abs=0.01)
    assert out.total_km() == pytest.approx(100.0, abs=0.05)


def test_snap_leaves_a_siding_beside_its_own_line() -> None:
    # a 3 km siding branching at node 1, ending 0.5 km beside the main line: a real dead end
    ls = lines(
        [(0, 0), (0, dlat(10)), (0, dlat(40)), (0.0065, dlat(12.5))],
        [(0, 1), (1, 2), (1, 3)],
    )
    out, n = snap_dead_ends(ls)
    assert n == 0
    assert out.n_lines == 3


def test_snap_joins_to_the_middle_of_a_line_by_splitting_it() -> None:
    # a branch ending 1 km west of the middle vertex of a 3-vertex line
    node_ll = np.array(
        [
            (0.0, 0.0),
            (0.0, dlat(100)),
            (-0.5, dlat(50)),
            (-dlat(1) / np.cos(np.radians(0.45)), dlat(50)),
        ]
    )
    geoms = [np.array([(0.0, 0.0), (0.0, dlat(50)), (0.0, dlat(100))]), node_ll[[2, 3]]]
    ls = LineSet.from_arrays(node_ll, [0, 2], [1, 3], np.vstack(geoms), np.array([0, 3, 5]))
    out, n = snap_dead_ends(ls)
    assert n == 1
    assert out.n_lines == 4  # the main line split in two, plus the branch, plus the join
    assert len(np.unique(component_labels(out))) == 1
    assert out.total_km() == pytest.approx(ls.total_km() + 1.0, abs=0.05)


def test_prune_drops_short_spurs_but_keeps_protected_and_long_ones() -> None:
    # main line 0-1-2; short spur 1-3 (2 km); long spur 2-4 (30 km); protected short spur 0-5
    ls = lines(
        [(0, 0), (0, dlat(20)), (0, dlat(40)), (0.02, dlat(20)), (0.3, dlat(40)), (-0.02, 0)],
        [(0, 1), (1, 2), (1, 3), (2, 4), (0, 5)],
    )
    protected = np.array([5])
    out, km = prune_spurs(ls, protected, max_km=10.0)
    assert out.n_lines == 4
    assert km == pytest.approx(ls.length_km[2])


def test_prune_removes_a_siding_on_a_siding() -> None:
    # spur 1-3 (3 km) with a sub-spur 3-4 (3 km): both go after two passes
    ls = lines(
        [(0, 0), (0, dlat(20)), (0, dlat(40)), (0.027, dlat(20)), (0.027, dlat(23))],
        [(0, 1), (1, 2), (1, 3), (3, 4)],
    )
    out, _ = prune_spurs(ls, np.zeros(0, dtype=np.int64), max_km=10.0)
    # after dropping the spurs, 0-1-2 is a plain line whose ends are dead ends of the component
    assert out.n_lines == 2


def test_collapse_merges_chains_with_true_length_and_geometry() -> None:
    # 0-1-2-3 chain with a branch at 3 (3-4, 3-5): nodes 1 and 2 disappear
    ls = lines(
        [(0, 0), (0, dlat(10)), (0, dlat(20)), (0, dlat(30)), (0.1, dlat(40)), (-0.1, dlat(40))],
        [(0, 1), (2, 1), (2, 3), (3, 4), (3, 5)],
    )
    out = collapse_chains(ls, np.zeros(0, dtype=np.int64))
    assert out.n_lines == 3
    assert out.n_nodes == 4
    assert out.total_km() == pytest.approx(ls.total_km())
    long = int(np.argmax(out.length_km))
    assert out.length_km[long] == pytest.approx(30.0, abs=0.01)
    g = out.geometry(long)
    assert len(g) == 4
    lat_order = g[:, 1] if out.node_lonlat[out.line_u[long], 1] < 1e-9 else g[::-1, 1]
    assert np.all(np.diff(lat_order) > 0)


def test_collapse_keeps_protected_nodes_and_cuts_long_chains() -> None:
    ls = lines([(0, dlat(10 * i)) for i in range(8)], [(i, i + 1) for i in range(7)])
    out = collapse_chains(ls, np.array([3]), max_edge_km=25.0)
    assert out.total_km() == pytest.approx(70.0, abs=0.01)
    assert np.all(out.length_km <= 30.0 + 1e-6)
    assert any(np.allclose(out.node_lonlat[k], [0, dlat(30)]) for k in range(out.n_nodes))


def test_collapse_stops_at_a_country_change() -> None:
    ls = lines([(0, 0), (0, dlat(10)), (0, dlat(20))], [(0, 1), (1, 2)])
    ls = LineSet(**{**ls.__dict__, "country": np.array([0, 1], np.int16)})
    assert collapse_chains(ls, np.zeros(0, dtype=np.int64)).n_lines == 2


def test_contract_merges_a_station_throat_and_keeps_the_shortest_parallel() -> None:
    # nodes 1 and 2 are 0.2 km apart (a crossover); two parallel lines 2-3 of 10 and 12 km
    ll = [(0, 0), (0, dlat(10)), (0, dlat(10.2)), (0, dlat(20.2))]
    ls = lines(ll, [(0, 1), (1, 2), (2, 3)])
    detour = np.array([(0, dlat(10.2)), (0.01, dlat(15)), (0, dlat(20.2))])
    ls = ls.with_lines(np.zeros((0, 2)), [2], [3], [detour], [LineOrigin.OSM], [0])
    out = contract_short_lines(ls, np.zeros(0, dtype=np.int64))
    assert out.n_nodes == 3
    assert out.n_lines == 2
    assert out.total_km() == pytest.approx(20.0, abs=0.01)


def test_largest_component_by_km() -> None:
    ls = lines(
        [(0, 0), (0, dlat(100)), (5, 0), (5, dlat(10)), (6, 0), (6, dlat(10))],
        [(0, 1), (2, 3), (4, 5)],
    )
    out, n_other, other_km = largest_component(ls)
    assert out.n_lines == 1
    assert n_other == 2
    assert other_km == pytest.approx(20.0, abs=0.01)


def _links(**over: object) -> pd.DataFrame:
    row = {
        "link_id": "gap", "name": "gap", "from_lat": dlat(50), "from_lon": 0.0, "to_lat": dlat(80),
        "to_lon": 0.0, "via": "", "length_km": np.nan, "source_ids": "x",
    }  # fmt: skip
    row.update(over)
    return pd.DataFrame([row])


def test_add_link_joins_pieces_and_uses_the_published_length() -> None:
    ls = lines([(0, 0), (0, dlat(50)), (0, dlat(80)), (0, dlat(120))], [(0, 1), (2, 3)])
    out, ids = add_links(ls, _links(length_km=33.0))
    assert ids == ["gap"]
    assert len(np.unique(component_labels(out))) == 1
    assert out.length_km[out.origin == LineOrigin.LINK] == pytest.approx([33.0])


def test_add_link_geometry_length_through_via_points() -> None:
    ls = lines([(0, 0), (0, dlat(50)), (0, dlat(80)), (0, dlat(120))], [(0, 1), (2, 3)])
    via = f"{dlat(65)} 0.1"
    out, _ = add_links(ls, _links(via=via))
    assert out.length_km[out.origin == LineOrigin.LINK][0] > 30.0
    assert len(out.geometry(int(np.flatnonzero(out.origin == LineOrigin.LINK)[0]))) == 3


def test_add_link_with_both_ends_off_the_railway_is_an_error() -> None:
    ls = lines([(0, 0), (0, dlat(50))], [(0, 1)])
    with pytest.raises(NetworkDataError, match="gap"):
        add_links(ls, _links(from_lon=3.0, to_lon=3.0))


def test_add_link_to_a_new_terminus_and_a_chained_link() -> None:
    ls = lines([(0, 0), (0, dlat(50))], [(0, 1)])
    links = pd.concat(
        [_links(to_lon=0.5), _links(from_lat=dlat(80), from_lon=0.5, to_lon=1.0, link_id="next")],
        ignore_index=True,
    )
    out, ids = add_links(ls, links)
    assert ids == ["gap", "next"]
    assert len(np.unique(component_labels(out))) == 1
    assert (
        out.n_nodes == 4
    )  # the line's two ends (the first link starts at one) and two new termini


def test_min_weight_csr_keeps_the_shortest_parallel_edge() -> None:
    from scipy.sparse.csgraph import dijkstra

    from landbridge.network.graph import min_weight_csr

    g = min_weight_csr(np.array([0, 0, 1]), np.array([1, 1, 2]), np.array([5.0, 3.0, 1.0]), 3)
    assert dijkstra(g, indices=0)[2] == pytest.approx(4.0)


def test_exclude_lines_cuts_the_line_nearest_to_the_point() -> None:
    from landbridge.network.build.lines import densify
    from landbridge.network.build.topology import exclude_lines

    # two routes from 0 to 2: a short one (0-1-2, 20 km) and a long one (0-3-2)
    ls = lines(
        [(0, 0), (0, dlat(10)), (0, dlat(20)), (0.2, dlat(10))], [(0, 1), (1, 2), (0, 3), (3, 2)]
    )
    ls = densify(ls, 1.0)
    cut = pd.DataFrame([{"line_id": "hsr", "name": "x", "lat": dlat(5), "lon": 0.0, "max_km": 1.0,
                         "source_ids": "s"}])  # fmt: skip
    out, ids = exclude_lines(ls, cut)
    assert ids == ["hsr"] and out.n_lines == 3
    assert out.total_km() == pytest.approx(ls.total_km() - 10.0, abs=0.01)
    far = cut.assign(lon=1.0)
    with pytest.raises(NetworkDataError, match="hsr"):
        exclude_lines(ls, far)
