"""A trip inside one customs territory is offered on its cheapest path that stays inside.

The planner drops the paths that leave the customs territory both places lie in; the cheapest
path left inside must then be searched for itself. Left to the k shortest paths it can be
missed: on the hand-made network below the cheapest path of all (Altynkol -> Shu -> through
Turkmenistan -> Aktau, cheap TM tariff) shares the Altynkol–Shu leg with the cheapest domestic
path (Altynkol -> Shu -> Aktau, the "Kyzylorda line"), so the overlap limit of the k shortest
rejects the domestic one, and only a dearer domestic line with nothing in common (Altynkol ->
Aktau direct, the "Zhezkazgan line") was offered. The bundled network had the same fault:
Altynkol -> Aktau took the Zhezkazgan–Beineu line (3,286 km) instead of Arys–Kyzylorda (3,089 km).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_routing_toy import build_network

from landbridge.costs.params import load_default_params
from landbridge.network.model import EdgeMode, NodeKind
from landbridge.routing import prepared
from landbridge.routing.alternatives import OVERLAP_MAX
from landbridge.routing.families import customs_crossings
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import plan_routes_with_paths
from landbridge.routing.search import Trees, build_graph, graph_base, shortest_path
from landbridge.schema.route import RouteRequest

R, B = EdgeMode.RAIL, EdgeMode.BORDER
NODES = [
    ("Altynkol", "KZ", NodeKind.TERMINAL, 44.2, 80.3),  # 0
    ("Shu", "KZ", NodeKind.STATION, 43.6, 73.8),  # 1
    ("Aktau", "KZ", NodeKind.STATION, 43.65, 51.2),  # 2
    ("Bolashak", "KZ", NodeKind.CROSSING, 38.0, 56.0),  # 3
    ("Serhetyaka", "TM", NodeKind.CROSSING, 37.9, 55.9),  # 4
    ("Etrek", "TM", NodeKind.CROSSING, 41.0, 53.0),  # 5
    ("Zhanaozen", "KZ", NodeKind.CROSSING, 41.1, 53.1),  # 6
]
KYZYLORDA_LINE = [0, 1, 2]
ZHEZKAZGAN_LINE = [0, 2]
LINKS = [
    (0, 1, R, 2000.0, "KZ", ""),
    (1, 2, R, 1200.0, "KZ", ""),  # Kyzylorda line: 3,200 km in all
    (0, 2, R, 3500.0, "KZ", ""),  # Zhezkazgan line
    (1, 3, R, 50.0, "KZ", ""),
    (3, 4, B, 0.0, "", "bolashak-serhetyaka"),
    (4, 5, R, 700.0, "TM", ""),
    (5, 6, B, 0.0, "", "bolashak-serhetyaka"),
    (6, 2, R, 50.0, "KZ", ""),
]
PARAMS = load_default_params()


def nodes_of(net, edges) -> list[int]:
    return [int(net.edge_src[edges[0]]), *net.edge_dst[edges].tolist()]


def test_a_domestic_trip_takes_the_cheapest_domestic_path_next_to_a_cheaper_one_abroad() -> None:
    net = build_network(LINKS, NODES)
    prepared.forget_prepared()
    weight = prepared.edge_costs(net, PARAMS).weight
    # the mechanism is there: the cheapest path of all leaves Kazakhstan, shares more than
    # the overlap limit of the domestic path's km, and the domestic path is the cheaper one
    cheapest = shortest_path(build_graph(graph_base(net, weight), None), (0,), (2,), Trees())
    assert cheapest is not None and customs_crossings(net, cheapest)
    assert OVERLAP_MAX < 2000.0 / 3200.0

    def cost(nodes: list[int]) -> float:
        pairs = set(zip(nodes[:-1], nodes[1:], strict=True))
        on = [(int(s), int(d)) in pairs for s, d in zip(net.edge_src, net.edge_dst, strict=True)]
        return float(weight[np.flatnonzero(on)].sum())

    assert float(weight[cheapest].sum()) < cost(KYZYLORDA_LINE) < cost(ZHEZKAZGAN_LINE)

    response, paths = plan_routes_with_paths(
        RouteRequest(origin="Altynkol", destination="Aktau"), network=net, params=PARAMS,
        resolver=resolve_on_network,
    )  # fmt: skip
    assert [o.label for o in response.options] == ["Rail, domestic"]
    assert nodes_of(net, paths[0]) == KYZYLORDA_LINE
    assert response.options[0].distance_km.total == pytest.approx(3200.0)
    prepared.forget_prepared()


def test_the_cheapest_path_abroad_is_still_offered_between_two_territories() -> None:
    """Only a trip inside one territory is kept inside: Altynkol -> Etrek (TM) goes abroad."""
    net = build_network(LINKS, NODES)
    prepared.forget_prepared()
    response, paths = plan_routes_with_paths(
        RouteRequest(origin="Altynkol", destination="Etrek"), network=net, params=PARAMS,
        resolver=resolve_on_network,
    )  # fmt: skip
    assert nodes_of(net, paths[0]) == [0, 1, 3, 4, 5]
    prepared.forget_prepared()


@pytest.fixture(scope="module")
def network():
    from landbridge.network import load_network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_network()


@pytest.mark.parametrize("origin", ["Altynkol", "Almaty"])
def test_bundled_network_altynkol_and_almaty_to_aktau_take_the_kyzylorda_line(
    network, origin
) -> None:
    """On the bundled network the domestic option passes Kyzylorda (Arys–Kyzylorda–Beineu),
    not Zhezkazgan; it is the only option and stays in Kazakhstan."""
    from landbridge.routing.places import resolve_with_gazetteer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response, paths = plan_routes_with_paths(
            RouteRequest(origin=origin, destination="Aktau"), network=network, params=PARAMS,
            resolver=resolve_with_gazetteer,
        )  # fmt: skip
        kyzylorda = resolve_with_gazetteer("Kyzylorda", network).node
    assert [o.label for o in response.options] == ["Rail, domestic"]
    assert kyzylorda in nodes_of(network, paths[0])
    assert not customs_crossings(network, paths[0])
