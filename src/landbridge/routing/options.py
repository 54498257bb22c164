"""The labelled paths between two places: the k shortest by generalized cost under the user's
constraints plus the best path of each corridor variant, checked, labelled and merged.

Each variant's path is searched on the network masked by the variant's and the user's
constraints: through the variant's pinned crossing or port (from the gateway trees of
``routing.gateways``), or the user's via place, or the plain cheapest path. A variant path that
leaves a country and comes back, or runs to the via place and back, was forced through its pin
and is dropped. When both places lie in one customs territory, the cheapest path that stays
inside it is searched as well (the paths that leave it are dropped). Family and label come from
the path taken (``routing.families``); one path per label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.routing.alternatives import k_shortest
from landbridge.routing.constraints import (
    AvoidClosed,
    AvoidCountries,
    AvoidPassage,
    Constraint,
    PathView,
    all_of,
)
from landbridge.routing.corridors import Variant, variants_for
from landbridge.routing.families import (
    Family,
    NoCustomsBorder,
    classify,
    customs_crossings,
    customs_round_trips,
    customs_territory,
)
from landbridge.routing.gateways import path_via_gateways
from landbridge.routing.prepared import PreparedNetwork
from landbridge.routing.search import (
    Ends,
    MaskedGraph,
    cheapest_within,
    cut_off,
    path_through,
    path_via_edges,
    path_via_edges_through,
    shortest_path,
)
from landbridge.schema.route import Endpoint, RouteRequest


def ends_of(net: Network, node: int) -> Ends:
    """The nodes that stand for a place: itself, and for a port node also its rail side, so
    rail options to a port city end at the quay railway without a ship handling."""
    if net.node_kind[node] != NodeKind.PORT:
        return (node,)
    lo, hi = net.indptr[node], net.indptr[node + 1]
    rail_side = net.edge_dst[lo:hi][net.edge_mode[lo:hi] == EdgeMode.PORT]
    return (node, *sorted({int(n) for n in rail_side}))


@dataclass
class Found:
    variant: Variant | None  # None for a k-shortest path under the user's constraints only
    edges: np.ndarray
    family: str = ""
    label: str = ""


def _search(
    net: Network,
    prep: PreparedNetwork,
    variants: Sequence[Variant],
    user: Sequence[Constraint],
    user_key: tuple,
    origin: Ends,
    destination: Ends,
    via: Ends | None,
) -> tuple[list[Found], dict[str, str]]:
    found: list[Found] = []
    blocked: dict[str, str] = {}
    trees = prep.trees
    free = all_of(*user)
    whole = prep.graph((free.mask_key(), user_key), free)
    for variant in variants:
        if variant.fallback and any(
            f.variant is not None and f.variant.family == variant.family and not f.variant.fallback
            for f in found
        ):
            continue
        constraint = all_of(variant.constraint, *user)
        graph = prep.graph((constraint.mask_key(), user_key), constraint)
        if via is not None and variant.pin:
            pin = prep.pin_edges(variant.pin)
            path = path_via_edges_through(
                graph, origin, destination, pin, via, trees, partial(_passes, net, constraint)
            )
        elif via is not None:
            path = path_through(graph, origin, destination, via, trees)
        elif variant.pin:
            pin = prep.pin_edges(variant.pin)
            pin = pin[graph.mask[pin]]
            path = cheapest_within(graph, whole, _through(prep, whole, origin, destination, pin))
        else:
            path = cheapest_within(graph, whole, _cheapest_on(prep, whole, origin, destination))
        if path is None:
            blocked[variant.label] = "no connection under its constraints"
            continue
        reason = constraint.check(PathView(net, path)) or _forced(net, path, via)
        if reason:
            blocked[variant.label] = reason
            continue
        found.append(Found(variant, path))
    return found, blocked


def _through(
    prep: PreparedNetwork, whole: MaskedGraph, origin: Ends, destination: Ends, pin: np.ndarray
) -> Callable[[MaskedGraph], np.ndarray | None]:
    """The search through ``pin`` on a graph (``_via_pin``), for ``cheapest_within``."""
    return lambda g: _via_pin(prep, g, whole, origin, destination, pin)


def _warm(prep: PreparedNetwork) -> bool:
    """Whether ``prep`` was searched before: from its second search on, the planner builds
    gateway trees and uses the compiled searches (``routing.kernels``), which a one-shot plan
    would not pay to load."""
    return prep.searched > 1


def _compiled_walker() -> Callable[[MaskedGraph, np.ndarray, int, bool], list[int]]:
    from landbridge.routing.kernels import tree_path

    return tree_path


def _cheapest_on(
    prep: PreparedNetwork, whole: MaskedGraph, origin: Ends, destination: Ends
) -> Callable[[MaskedGraph], np.ndarray | None]:
    """The cheapest path on a part of ``whole`` (for ``cheapest_within``): from the origin tree
    on a one-shot plan, else guided by the costs to the destination on ``whole`` (the tree the
    k shortest paths are guided by)."""

    def search(g: MaskedGraph) -> np.ndarray | None:
        if not _warm(prep) or not g.part_of(whole):
            return shortest_path(g, origin, destination, prep.trees)
        from landbridge.routing.kernels import guided_path

        return guided_path(g, origin, destination, prep.trees.backward(whole, destination)[0])

    return search


def _passes(net: Network, constraint: Constraint, path: np.ndarray) -> bool:
    return constraint.check(PathView(net, path)) is None


def _via_pin(
    prep: PreparedNetwork,
    g: MaskedGraph,
    whole: MaskedGraph,
    origin: Ends,
    destination: Ends,
    pin: np.ndarray,
) -> np.ndarray | None:
    """Cheapest path through one of ``pin``: from the graph's gateway trees (from the ends while
    the graph has none: ``routing.gateways``); on a one-shot plan's user graph from the origin
    and destination trees its k shortest paths build anyway."""
    if g is whole and not _warm(prep):
        return path_via_edges(g, origin, destination, pin, prep.trees)
    if cut_off(g, origin, destination):
        return None
    gateway_trees = prep.gateways.trees(g, pin)
    if gateway_trees is None:
        return path_via_edges(g, origin, destination, pin, prep.trees)
    return path_via_gateways(g, gateway_trees, origin, destination, prep.gateways.walks)


def _forced(net: Network, path: np.ndarray, via: Ends | None) -> str:
    """Why a path only exists because it was sent through the via place ('' if real)."""
    if via is not None and np.isin(net.edge_reverse[path], path).any():
        return "it would run to the via place and back"
    return ""


def _without_round_trips(
    found: list[Found], net: Network, weight: np.ndarray, blocked: dict[str, str], ends: tuple
) -> list[Found]:
    """Drop the paths that cross a customs border out and back (a pinned gateway sends
    Almaty -> Tashkent through China and back) unless the cheapest path does the same
    (Xi'an -> Dushanbe has no way round Turkmenistan); and, when some path stays behind
    customs borders (a domestic trip, or one inside a customs union), every path that does not
    (Almaty -> Aktau through Uzbekistan and Turkmenistan)."""
    if not found:
        return found
    seen: dict[bytes, tuple[float, frozenset[tuple[str, str]], bool]] = {}  # variants share paths
    for item in found:
        key = item.edges.tobytes()
        if key not in seen:
            edges = item.edges
            seen[key] = (float(weight[edges].sum()), customs_round_trips(net, edges),
                         bool(customs_crossings(net, edges)))  # fmt: skip
    per_item = [seen[item.edges.tobytes()] for item in found]
    cost = [c for c, _, _ in per_item]
    trips = [t for _, t, _ in per_item]
    abroad = [a for _, _, a in per_item]
    allowed = trips[int(np.argmin(cost))]
    inland = _one_territory(net, ends) and not all(abroad)
    kept = []
    for item, trip, out in zip(found, trips, abroad, strict=True):
        why = ""
        if not trip <= allowed:
            pairs = ", ".join("–".join(p) for p in sorted(trip - allowed))
            why = f"it would cross the {pairs} border out and back"
        elif inland and out:
            why = "it would leave the customs territory that both places lie in"
        if not why:
            kept.append(item)
        elif item.variant is not None:
            blocked[item.variant.label] = why
    return kept


def _one_territory(net: Network, ends: tuple[Ends, Ends]) -> bool:
    """Both places lie in one customs territory (one country, or one customs union)."""
    union = customs_territory()
    codes = (net.countries[net.node_country[e[0]]] for e in ends)
    return len({union.get(code, code) for code in codes}) == 1


def _inside_territory(
    net: Network,
    prep: PreparedNetwork,
    user: Sequence[Constraint],
    user_key: tuple,
    whole: MaskedGraph,
    ends: tuple[Ends, Ends],
    via: Ends | None,
) -> np.ndarray | None:
    """The cheapest path that crosses no customs border, when both places lie in one customs
    territory (None otherwise, or when there is none): ``_without_round_trips`` drops the
    paths that leave it, so its cheapest path is searched for itself, not left to the k
    shortest (whose overlap limit can reject it next to a cheaper path abroad that shares
    its first leg: Altynkol -> Aktau through Uzbekistan and Turkmenistan, then the
    Kyzylorda line)."""
    if not _one_territory(net, ends):
        return None
    inside = all_of(*user, NoCustomsBorder())
    graph = prep.graph((inside.mask_key(), user_key), inside)
    origin, destination = ends
    if via is None:
        path = cheapest_within(graph, whole, _cheapest_on(prep, whole, origin, destination))
    else:
        path = cheapest_within(
            graph, whole, lambda g: path_through(g, origin, destination, via, prep.trees)
        )
    return None if path is None or _forced(net, path, via) else path


def dedupe(found: list[Found], net: Network, weight: np.ndarray) -> list[Found]:
    """Label every path from the route it takes and keep the cheapest path of each label."""
    best: dict[str, tuple[float, Found]] = {}
    families: dict[bytes, Family] = {}  # variants share paths
    for item in found:
        key = item.edges.tobytes()
        fam = families.get(key)
        if fam is None:
            fam = families[key] = classify(net, item.edges)
        item.family, item.label = fam.family, fam.label
        cost = float(weight[item.edges].sum())
        if item.label not in best or cost < best[item.label][0]:
            best[item.label] = (cost, item)
    return [item for _, item in best.values()]


def explain_unreachable(
    net: Network,
    prep: PreparedNetwork,
    request: RouteRequest,
    origin: Endpoint,
    destination: Endpoint,
    via: Ends | None,
    blocked: dict[str, str],
    passage: str = "suez",
) -> str:
    pair = f"{origin.name} and {destination.name}"
    scope = f"the {request.corridor} corridor" if request.corridor else "any corridor"
    if request.avoid:
        variants = variants_for(request.corridor, passage)
        free, _ = _search(
            net,
            prep,
            variants,
            (AvoidClosed(),),
            (),
            ends_of(net, origin.node),
            ends_of(net, destination.node),
            via,
        )
        if free:
            by_countries: dict[str, list[str]] = {}
            for item in dedupe(free, net, prep.costs.weight):
                touched = sorted(PathView(net, item.edges).country_codes() & set(request.avoid))
                by_countries.setdefault(", ".join(touched), []).append(item.label)
            if len(by_countries) == 1:
                ((codes, labels),) = by_countries.items()
                why = f"every option ({'; '.join(labels)}) crosses {codes}"
            else:
                why = "; ".join(
                    f"{'; '.join(ls)} cross{'es' if len(ls) == 1 else ''} {c}"
                    for c, ls in by_countries.items()
                )
            avoided = ", ".join(request.avoid)
            return f"Avoiding {avoided} leaves no route between {pair} on {scope}: {why}."
    reasons = "; ".join(f"{label}: {why}" for label, why in blocked.items())
    return f"No route between {pair} on {scope} ({reasons})."


def found_paths(
    net: Network,
    prep: PreparedNetwork,
    request: RouteRequest,
    constraints: Sequence[Constraint],
    origin: Endpoint,
    destination: Endpoint,
    via: Ends | None,
    passage: str = "suez",
) -> tuple[list[Found], dict[str, str]]:
    """The labelled paths (k shortest and every corridor variant's best), and why the variants
    not offered are blocked.

    Remembered per search when no extra constraint objects are given (their identity would be
    the key); the paths are read-only."""
    ends = (ends_of(net, origin.node), ends_of(net, destination.node))
    key = (request.corridor, tuple(request.avoid), *ends, via, passage) if not constraints else None
    hit = prep.remembered(key)
    if hit is not None:
        return hit
    prep.searched += 1
    walker = _compiled_walker() if _warm(prep) else None
    prep.trees.walks.walker = prep.gateways.walks.walker = walker
    # the passage not sailed on the date is closed to every option
    user: list[Constraint] = [AvoidClosed(), AvoidPassage("cape" if passage == "suez" else "suez")]
    user += constraints
    if request.avoid:
        user.append(AvoidCountries(tuple(request.avoid)))
    user_key = (tuple(request.avoid), tuple(id(c) for c in constraints))
    variants = variants_for(request.corridor, passage)
    found, blocked = _search(net, prep, variants, user, user_key, *ends, via)
    free = all_of(*user)
    graph = prep.graph((free.mask_key(), user_key), free)
    if via is None:
        known = [item.edges for item in found]
        shortest = k_shortest(
            graph, *ends, prep.link_keys(), prep.trees, net, known, compiled=_warm(prep)
        )
    else:
        through = path_through(graph, *ends, via, prep.trees)
        shortest = [] if through is None or _forced(net, through, via) else [through]
    inside = _inside_territory(net, prep, user, user_key, graph, ends, via)
    if inside is not None:
        shortest.append(inside)
    found = [*(Found(None, p) for p in shortest), *found]
    found = _without_round_trips(found, net, prep.costs.weight, blocked, ends)
    found = dedupe(found, net, prep.costs.weight)
    if request.corridor:
        found = [item for item in found if item.family == request.corridor]
    for item in found:
        item.edges.setflags(write=False)
    prep.remember(key, (found, blocked))
    return found, blocked
