"""The planner's speed-ups change no answer: options (labels, corridors, km, cost, days, every
field) and paths equal those of the straightforward search, on the hand-made network and on
real pairs of the bundled network.

The reference here is the plain form of the search: every request on an empty planner cache
(no trees shared between requests, link keys rebuilt), every corridor variant searched on its
own masked graph with Dijkstra trees from the pair's ends (no gateway trees, no compiled guided
search of a warm planner), and the k-shortest penalty rounds each run as a full Dijkstra on a
freshly built matrix.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from test_routing_toy import build_network

from landbridge.costs.params import load_default_params
from landbridge.errors import UnreachableError
from landbridge.routing import options as searcher
from landbridge.routing import plan as planner
from landbridge.routing import prepared
from landbridge.routing.alternatives import (
    COST_RATIO_MAX,
    MAX_SEARCHES,
    OVERLAP_MAX,
    PENALTY_FACTOR,
    link_keys,
    overlap_share,
)
from landbridge.routing.places import resolve_on_network
from landbridge.routing.search import edges_of_nodes, path_via_edges, walk_back
from landbridge.schema.route import RouteRequest

PARAMS = load_default_params()
DEPART = dt.date(2026, 1, 15)
TOY_REQUESTS = [
    {"origin": "Xi'an", "destination": "Duisburg"},
    {"origin": "Xi'an", "destination": "Istanbul"},
    {"origin": "Duisburg", "destination": "Xi'an"},
    {"origin": "Xi'an", "destination": "Duisburg", "via": "Baku"},
    {"origin": "Xi'an", "destination": "Duisburg", "avoid": ["RU"]},
    {"origin": "Almaty", "destination": "Duisburg", "corridor": "middle"},
    {"origin": "Almaty", "destination": "Istanbul"},
]
REAL_PAIRS = [
    ("Xi'an", "Duisburg"), ("Almaty", "Tashkent"), ("Chengdu", "Istanbul"),
    ("Duisburg", "Xi'an"), ("Urumqi", "Tehran"), ("Xi'an", "Istanbul"),
]  # fmt: skip


def reference_k_shortest(g, origins, destinations, key, trees, net, known=(), k=3, compiled=False):
    """routing.alternatives.k_shortest as first written: a full search per penalty round
    (scipy's, also where the planner is warm and would use its compiled search)."""
    key = link_keys(net)
    weights = g.forward.data.astype(float)
    entry_of_edge = np.full(len(g.mask), -1, dtype=np.int64)
    entry_of_edge[g.forward_edge] = np.arange(len(g.forward_edge))
    kept, best_cost = [], np.inf
    for _ in range(MAX_SEARCHES):
        matrix = csr_matrix((weights, g.forward.indices, g.forward.indptr), shape=g.forward.shape)
        dist, pred, _ = dijkstra(
            matrix, indices=list(origins), min_only=True, return_predecessors=True
        )
        targets = np.asarray(destinations)
        best = int(targets[np.argmin(dist[targets])])
        if not np.isfinite(dist[best]) or best in origins:
            break
        path = np.asarray(edges_of_nodes(g, walk_back(pred, best)), dtype=np.int64)
        cost = float(g.weight[path].sum())
        best_cost = min(best_cost, cost)
        if cost > COST_RATIO_MAX * best_cost:
            break
        if all(overlap_share(path, p, net.edge_length_km, key) <= OVERLAP_MAX for p in kept):
            kept.append(path)
            if len(kept) >= k:
                break
        entries = entry_of_edge[np.concatenate([path, net.edge_reverse[path]])]
        weights[entries[entries >= 0]] *= PENALTY_FACTOR
    return kept


def answers(requests, net, resolver, monkeypatch, reference: bool) -> list:
    """(response as a dict, paths, k shortest paths) per request, the planner's caches
    emptied first."""
    prepared.forget_prepared()
    out, k_paths = [], []
    search = reference_k_shortest if reference else searcher.k_shortest

    def recorded(*args, **kw):
        paths = search(*args, **kw)
        k_paths.append([p.tolist() for p in paths])
        return paths

    with monkeypatch.context() as patched:
        patched.setattr(searcher, "k_shortest", recorded)
        if reference:  # every corridor variant searched on its own masked graph, from the ends
            patched.setattr(searcher, "_warm", lambda prep: False)
            patched.setattr(searcher, "cheapest_within", lambda sub, whole, search: search(sub))
            patched.setattr(searcher, "_via_pin", lambda cache, g, whole, o, d, pin: (
                path_via_edges(g, o, d, pin, cache.trees)))  # fmt: skip
        for kw in requests:
            if reference:
                prepared.forget_prepared()
            else:
                for cache in prepared.prepared_networks():
                    cache.searches.clear()  # a new search, but the trees of earlier requests
            response, paths = planner.plan_routes_with_paths(
                RouteRequest(**kw), network=net, params=PARAMS, resolver=resolver
            )
            out.append((response.model_dump(), [p.tolist() for p in paths], k_paths[-1]))
    prepared.forget_prepared()
    return out


def check_same(requests, net, resolver, monkeypatch) -> None:
    expected = answers(requests, net, resolver, monkeypatch, reference=True)
    got = answers(requests, net, resolver, monkeypatch, reference=False)
    for kw, (want, want_paths, want_k), (have, have_paths, have_k) in zip(
        requests, expected, got, strict=True
    ):
        assert [o["label"] for o in have["options"]] == [o["label"] for o in want["options"]], kw
        assert have == want, kw
        assert have_paths == want_paths, kw
        assert have_k == want_k, kw  # the k shortest paths themselves, before labels merge them


def test_toy_network_answers_are_those_of_the_plain_search(monkeypatch) -> None:
    check_same(TOY_REQUESTS, build_network(), resolve_on_network, monkeypatch)


def test_the_reference_finds_several_options() -> None:
    """The comparison above is not vacuous: the toy pairs have several options each."""
    prepared.forget_prepared()
    response = planner.plan_routes(
        RouteRequest(**TOY_REQUESTS[0]), network=build_network(), params=PARAMS,
        resolver=resolve_on_network,
    )  # fmt: skip
    assert len({o.corridor for o in response.options}) >= 3


@pytest.fixture(scope="module")
def network():
    from landbridge.network import load_network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_network()


def test_real_pairs_answers_are_those_of_the_plain_search(network, monkeypatch) -> None:
    requests = [{"origin": o, "destination": d, "depart": DEPART} for o, d in REAL_PAIRS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from landbridge.routing.places import resolve_with_gazetteer

        check_same(requests, network, resolve_with_gazetteer, monkeypatch)


def found_paths(pairs, net, monkeypatch, reference: bool) -> list:
    """Per pair, the options the planner offers (every field) with the generalized cost and
    length of each path (or why there are none); the reference searches as the module says."""
    from landbridge.routing.places import resolve_with_gazetteer

    out = []
    weight = None
    with monkeypatch.context() as patched:
        if reference:
            patched.setattr(searcher, "_warm", lambda prep: False)
            patched.setattr(searcher, "k_shortest", reference_k_shortest)
            patched.setattr(searcher, "cheapest_within", lambda sub, whole, search: search(sub))
            patched.setattr(searcher, "_via_pin", lambda prep, g, whole, o, d, pin: (
                path_via_edges(g, o, d, pin, prep.trees)))  # fmt: skip
        for origin, destination in pairs:
            request = RouteRequest(origin=origin, destination=destination, depart=DEPART)
            for prep in prepared.prepared_networks():
                prep.forget_searches()
            try:
                response, paths = planner.plan_routes_with_paths(
                    request, network=net, params=PARAMS, resolver=resolve_with_gazetteer
                )
            except UnreachableError as exc:
                out.append(str(exc))
                continue
            weight = prepared.edge_costs(net, PARAMS, DEPART).weight
            out.append([(o.model_dump(), float(weight[p].sum()), len(p))
                        for o, p in zip(response.options, paths, strict=True)])  # fmt: skip
    return out


@pytest.mark.slow
def test_standard_od_pairs_options_are_those_of_the_plain_search(network, monkeypatch) -> None:
    """Every pair of the bundled demand table (the skim's default pairs): the same options
    (every field), each on a path of the same generalized cost (to the last bit) and number of
    edges, with gateway trees, shared trees and guided penalty rounds as with the plain search.
    (Paths may differ in a twin edge of exactly equal cost, e.g. Oskemen -> Yiwu.)"""
    from landbridge.app.skim import demand_pairs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = demand_pairs()
        assert len(pairs) >= 200
        prepared.forget_prepared()
        want = found_paths(pairs, network, monkeypatch, reference=True)
        prepared.forget_prepared()
        got = found_paths(pairs, network, monkeypatch, reference=False)
    prepared.forget_prepared()
    assert sum(isinstance(w, list) and len(w) >= 3 for w in want) >= len(pairs) // 2
    for pair, a, b in zip(pairs, want, got, strict=True):
        assert b == a, pair


def test_a_new_shipment_on_a_known_pair_is_priced_as_on_an_empty_planner() -> None:
    """The planner keeps each path priced up to the shipment's size: a new size on a known pair
    (across the block-train threshold, in TEU, with a cargo weight) gives the answer an empty
    planner gives, every field."""
    net = build_network()
    sizes = [{"feu": 1}, {"feu": 45}, {"teu": 3}, {"feu": 7.5, "tonnes_per_teu": 11}, {"feu": 1}]
    requests = [RouteRequest(**TOY_REQUESTS[0], depart=DEPART, **size) for size in sizes]
    prepared.forget_prepared()
    warm = [
        planner.plan_routes(r, network=net, params=PARAMS, resolver=resolve_on_network).model_dump()
        for r in requests
    ]
    fresh = []
    for request in requests:
        prepared.forget_prepared()
        fresh.append(planner.plan_routes(
            request, network=net, params=PARAMS, resolver=resolve_on_network
        ).model_dump())  # fmt: skip
    prepared.forget_prepared()
    assert len({w["options"][0]["cost_usd"] for w in warm}) >= 3  # the sizes are priced apart
    assert warm == fresh


def test_transit_quantiles_equal_the_direct_monte_carlo() -> None:
    """The lognormal factors remembered per (row, spread) give the quantiles of the direct
    formula to the last bit (exp of every part's row at once, then the weighted sum)."""
    from landbridge.costs import time as tm
    from landbridge.distributions import lognormal_sigma

    rng = np.random.default_rng(3)
    for _ in range(40):
        k, j = int(rng.integers(1, 70)), int(rng.integers(0, 5))
        p50 = rng.uniform(1, 100, k)
        p90 = p50 * rng.choice([1.2, 1.5, 2.5], k)
        rho = float(rng.choice([0.0, 0.3]))
        parts = tm.TimeParts(p50, p90, rng.uniform(5, 50, j), float(rng.uniform(0, 99)),
                             corridor_rho=rho)  # fmt: skip
        total = np.full(tm.DRAWS, parts.fixed_h)
        z = tm._shared_rows(tm.SEED, tm.DRAWS, "normal", k, rho)
        total += p50 @ np.exp(lognormal_sigma(p50, p90)[:, None] * z)
        if j:
            total += parts.headway_h @ tm._shared_rows(tm.SEED, tm.DRAWS, "uniform", j, rho)
        want = tuple(float(q) for q in np.quantile(total, tm.QUANTILES))
        assert tm._simulated_quantiles_h(parts, tm.DRAWS, tm.SEED) == want


def test_transit_quantiles_are_numpys_linear_quantiles() -> None:
    """The one-partition quantiles equal ``np.quantile`` (ties, tiny and odd sizes too)."""
    from landbridge.costs import time as tm

    rng = np.random.default_rng(5)
    for i in range(300):
        n = int(rng.choice([tm.DRAWS, 1, 2, 3, 10, 999]))
        x = rng.lognormal(3, rng.uniform(0.01, 1), n)
        x = np.round(x, 1) if i % 5 == 0 else x
        assert np.array_equal(tm._linear_quantiles(x.copy()), np.quantile(x, tm.QUANTILES))


def test_gateway_trees_wait_for_a_second_search_of_their_graph(monkeypatch) -> None:
    """A one-shot plan searches each variant's graph from the pair's ends (no gateway trees: a
    Dijkstra search per gateway would cost more than it saves); planning again builds them."""
    from landbridge.routing import gateways

    built = []
    build = gateways.gateway_trees
    monkeypatch.setattr(gateways, "gateway_trees", lambda g, pin: built.append(1) or build(g, pin))
    prepared.forget_prepared()
    net = build_network()
    request = RouteRequest(**TOY_REQUESTS[0], depart=DEPART)
    first = planner.plan_routes(request, network=net, params=PARAMS, resolver=resolve_on_network)
    assert not built
    for prep in prepared.prepared_networks():
        prep.forget_searches()
    again = planner.plan_routes(request, network=net, params=PARAMS, resolver=resolve_on_network)
    prepared.forget_prepared()
    assert built
    assert again.model_dump() == first.model_dump()
