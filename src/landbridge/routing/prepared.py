"""``PreparedNetwork``: one network made ready for routing under one parameter set and one set of
dated values, made once and handed to the searches and the pricing.

It holds the per-edge costs, the search base, the masked graphs of the constraint sets asked
for, the pinned edges of the corridor variants, the places looked up, the shortest-path trees
(from the ends of recent requests, and at the variants' gateways) and the searches done.
``prepare`` keeps the recent ones on the network object itself (at most ``PREPARED_LIMIT`` per
network, found by the parameter object and the dated values' key, no ``id()`` keys), so
repeated requests only pay for what is new; the per-edge costs and the search base of the
bundled network and parameters are also kept on disk (``routing.prepared_store``), so a fresh
process maps them. Edge masks depend on the network and the constraints only, not on the
parameters or date: they are kept per network (``MASKS_LIMIT``), so that a new departure date
or parameter set only rebuilds the graphs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from landbridge.costs import weather as winter
from landbridge.costs.dated import DatedPatch, dated_patch
from landbridge.costs.edges import EdgeCosts, compute_edge_costs
from landbridge.costs.params import Params
from landbridge.network.derived import derived, derived_values, forget_derived
from landbridge.network.model import Network
from landbridge.routing import prepared_store
from landbridge.routing.alternatives import link_keys
from landbridge.routing.constraints import AllOf, Constraint, facility_matches
from landbridge.routing.evaluate import PathTimes, path_times
from landbridge.routing.gateways import Gateways
from landbridge.routing.places import Resolver
from landbridge.routing.search import GraphBase, MaskedGraph, Trees, build_graph, graph_base
from landbridge.schema.route import Endpoint, Source

PREPARED_LIMIT = 16
PLACES_LIMIT = 1024
SEARCHES_LIMIT = 512
TREES_LIMIT = 64  # ~0.2 MB each on the bundled network; up to PREPARED_LIMIT networks
MASKS_LIMIT = 256  # per network
PATH_TIMES_LIMIT = 1024  # priced paths without the shipment, per prepared network
MASKS = "edge-masks"  # the network's derived store of edge masks per constraint key
PREPARED = "prepared-networks"  # the network's derived store of its prepared networks


@dataclass
class PreparedNetwork:
    """A network ready for routing under ``params`` and the dated values ``dated``."""

    network: Network
    params: Params
    dated: DatedPatch | None
    costs: EdgeCosts
    base: GraphBase
    graphs: dict[tuple, MaskedGraph] = field(default_factory=dict)
    pins: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    places: dict[tuple[Resolver, str], Endpoint] = field(default_factory=dict)
    closure_days: np.ndarray | None = None  # per facility row, read once
    link_key: np.ndarray | None = None  # per edge, its link for path overlap, built once
    # shortest-path trees of every masked graph, shared by the requests on this network (a
    # skim's pairs share their origins and destinations)
    trees: Trees = field(default_factory=lambda: Trees(TREES_LIMIT))
    # trees at the corridor variants' pinned crossings and ports, shared by every pair
    gateways: Gateways = field(default_factory=Gateways)
    # paths found per (corridor, avoided countries, origin, destination, via, passage): the
    # search does not depend on the shipment, so a new shipment size on a known pair is only
    # priced
    searches: dict[tuple, Any] = field(default_factory=dict)
    # searches run on this network: from the second on, the planner is warm and uses the
    # compiled searches (``routing.kernels``), which a one-shot plan would not pay to load
    searched: int = 0
    # per (path, family, label, departure, date): the path priced up to the shipment's size
    # (``routing.evaluate.PathTimes``), so a new shipment on a known pair is only scaled
    times: dict[tuple, PathTimes] = field(default_factory=dict)
    # the answers' source lists per set of rows read (``routing.provenance``)
    sources: dict[tuple, tuple[list[str], list[Source]]] = field(default_factory=dict)

    def graph(self, key: tuple, constraint: Constraint) -> MaskedGraph:
        """The masked graph of ``constraint`` (``key``: its mask key and the user's)."""
        graph = self.graphs.get(key)
        if graph is None:
            graph = build_graph(self.base, _edge_mask(self.network, key, constraint))
            self.graphs[key] = graph
        return graph

    def pin_edges(self, patterns: tuple[str, ...]) -> np.ndarray:
        """The edges of the facilities matching ``patterns`` (a variant's crossing or port)."""
        edges = self.pins.get(patterns)
        if edges is None:
            net = self.network
            rows = np.flatnonzero(facility_matches(net, patterns))
            edges = (
                np.flatnonzero(np.isin(net.edge_facility, rows))
                if len(rows)
                else np.empty(0, dtype=np.int64)
            )
            self.pins[patterns] = edges
        return edges

    def resolved(self, resolve: Resolver, query: str) -> Endpoint:
        """Place lookups are pure functions of the query and the network: remembered."""
        key = (resolve, query)
        hit = self.places.get(key)
        if hit is None:
            hit = resolve(query, self.network)
            if len(self.places) >= PLACES_LIMIT:
                self.places.clear()
            self.places[key] = hit
        return hit

    def weather(self, on: dt.date) -> winter.Weather:
        """The winter ferry weather for a departure on ``on``."""
        if self.closure_days is None:
            self.closure_days = winter.closure_days_per_facility(self.network)
        return winter.Weather(
            depart=on,
            closure_days=self.closure_days,
            mean_closure_h=self.params.scalar("ferry_closure_mean_h"),
            months=winter.load_weather_months(),
        )

    def path_times(
        self,
        edges: np.ndarray,
        corridor: str,
        label: str,
        depart: dt.date | None,
        as_of: dt.date,
    ) -> PathTimes:
        """``routing.evaluate.path_times`` of a path on this network, with the winter weather of
        ``as_of`` (remembered)."""
        key = (edges.tobytes(), corridor, label, depart, as_of)
        hit = self.times.get(key)
        if hit is None:
            hit = path_times(
                self.network, self.costs, edges, corridor, label, depart, self.weather(as_of)
            )
            if len(self.times) >= PATH_TIMES_LIMIT:
                self.times.clear()
            self.times[key] = hit
        return hit

    def link_keys(self) -> np.ndarray:
        if self.link_key is None:
            self.link_key = link_keys(self.network)
        return self.link_key

    def remembered(self, key: tuple | None) -> Any:
        return self.searches.get(key) if key is not None else None

    def remember(self, key: tuple | None, found: Any) -> None:
        if key is None:
            return
        if len(self.searches) >= SEARCHES_LIMIT:
            self.searches.clear()
        self.searches[key] = found

    def forget_searches(self) -> None:
        """Empty the memory of searches, priced paths, source lists, trees from request ends and
        path walks (gateway trees, graphs and costs stay): the next request searches as for a
        pair never asked before."""
        self.searches.clear()
        self.times.clear()
        self.sources.clear()
        self.trees.clear()
        self.gateways.walks.clear()


def prepare(net: Network, params: Params, dated: DatedPatch | None = None) -> PreparedNetwork:
    """``net`` prepared under ``params`` and ``dated`` (a recent one when asked before: kept by
    the network, found by the parameter object and the dated values' key)."""
    kept: list[PreparedNetwork] = derived(net, PREPARED, lambda _net: [])
    dated_key = dated.key if dated is not None else ()
    for hit in kept:
        if hit.params is params and (hit.dated.key if hit.dated is not None else ()) == dated_key:
            return hit
    if len(kept) >= PREPARED_LIMIT:
        kept.clear()
    stored = prepared_store.store_key(net, params, dated)
    shared = _costs_and_base(prepared_store.load(stored), net) if stored is not None else None
    if shared is None:
        costs = compute_edge_costs(net, params, dated)
        shared = (costs, graph_base(net, costs.weight))
        if stored is not None:
            prepared_store.save(stored, shared)
    costs, base = shared
    prepared = PreparedNetwork(net, params, dated, costs, base)
    kept.append(prepared)
    return prepared


def _costs_and_base(stored: Any, net: Network) -> tuple[EdgeCosts, GraphBase] | None:
    """``stored`` (read from the disk store) if it is a (costs, search base) pair of ``net``."""
    if (
        isinstance(stored, tuple)
        and len(stored) == 2
        and isinstance(stored[0], EdgeCosts)
        and isinstance(stored[1], GraphBase)
        and stored[1].n_nodes == net.n_nodes
        and stored[0].weight.shape == (net.n_edges,)
    ):
        return stored[0], stored[1]
    return None


def prepared_networks() -> list[PreparedNetwork]:
    """The prepared networks kept (benchmarks empty their searches between runs)."""
    return [p for kept in derived_values(PREPARED) for p in kept]


def forget_prepared() -> None:
    """Drop every prepared network and edge mask (tests that count what is built)."""
    forget_derived(PREPARED)
    forget_derived(MASKS)


def edge_costs(net: Network, params: Params, on: dt.date | None = None) -> EdgeCosts:
    """The per-edge arrays of ``net`` under ``params``; with ``on``, the dated facility rows and
    ocean rates of that date replace the network's own values."""
    return prepare(net, params, dated_patch(net, on) if on is not None else None).costs


def _edge_mask(net: Network, key: tuple, constraint: Constraint) -> np.ndarray | None:
    masks: dict[tuple, np.ndarray | None] = derived(net, MASKS, lambda _net: {})
    if key not in masks:
        if len(masks) >= MASKS_LIMIT:
            masks.clear()
        masks[key] = _stored_mask(net, constraint)
    return masks[key]


def _stored_mask(net: Network, constraint: Constraint) -> np.ndarray | None:
    """``constraint.edge_mask(net)``, from the disk store when made before (and kept there)."""
    parts = constraint.mask_key() if isinstance(constraint, AllOf) else (constraint,)
    stored = prepared_store.mask_key(net, parts)
    if stored is not None:
        hit = prepared_store.load(stored, "edge-mask")
        if isinstance(hit, tuple) and len(hit) == 1 and _is_mask(hit[0], net):
            return hit[0]
    mask = constraint.edge_mask(net)
    if stored is not None:
        prepared_store.save(stored, (mask,), "edge-mask")
    return mask


def _is_mask(mask: Any, net: Network) -> bool:
    return mask is None or (
        isinstance(mask, np.ndarray) and mask.dtype == bool and mask.shape == (net.n_edges,)
    )
