"""``plan_routes``: the distinct good routes between two places, priced, ranked, Pareto-flagged.

The option set is the k shortest paths by generalized cost (money + value of time) under the
user's constraints, with an overlap limit (``routing.alternatives``), plus the best path of each
corridor variant: the network masked by the variant's and the user's constraints, the cheapest
path found with Dijkstra (through the variant's pinned crossing or port, or the user's via
place), checked, and priced leg by leg. A variant path that leaves a country and comes back, or
runs to the via place and back, was forced through its pin and is dropped. Family and label
come from the path taken (``routing.families``); one option per label. Masks and per-edge
arrays are cached per network, parameter set and set of dated values, so repeated requests only
pay for the searches.

Dated parameters (``costs/dated.py``) are read for the departure date, or for today when the
request gives none: paths are searched with the values of that date, and each option is priced
with each facility's values of the day the box reaches it; the events of that day then delay,
close, re-price or flag it (``routing/event_effects.py``). The response names the date
(``as_of``), every dated value used and how recent each kind of data is (``data_dates``).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from landbridge.costs import dated as dated_params
from landbridge.costs.dated import DatedPatch, Weather, dated_patch
from landbridge.costs.edges import EdgeCosts, compute_edge_costs
from landbridge.costs.emissions import shipment_tonnes
from landbridge.costs.params import Params, RowRef, load_default_params
from landbridge.costs.payload import check_payload
from landbridge.costs.time import DRAWS
from landbridge.data import source_rows, split_source_ids
from landbridge.errors import InvalidInputError, NetworkDataError, UnreachableError
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.routing.alternatives import k_shortest, link_keys
from landbridge.routing.constraints import (
    AvoidClosed,
    AvoidCountries,
    AvoidFacilities,
    Constraint,
    PathView,
    all_of,
    facility_matches,
    facility_text,
)
from landbridge.routing.corridors import CAPE, SUEZ, Variant, variants_for
from landbridge.routing.evaluate import Evaluated, Shipment, evaluate_path
from landbridge.routing.event_effects import apply_events, event_source_ids, facility_reach_dates
from landbridge.routing.families import (
    classify,
    customs_crossings,
    customs_round_trips,
    customs_territory,
)
from landbridge.routing.gateways import Gateways, path_via_gateways
from landbridge.routing.pareto import pareto_mask
from landbridge.routing.passage import Passage, passage_on
from landbridge.routing.places import Resolver, resolve_with_gazetteer
from landbridge.routing.scope import DOOR_TO_DOOR, door_to_door
from landbridge.routing.search import (
    Ends,
    GraphBase,
    MaskedGraph,
    Trees,
    build_graph,
    cheapest_within,
    cut_off,
    graph_base,
    path_through,
    path_via_edges,
    path_via_edges_through,
    shortest_path,
)
from landbridge.schema.route import DatedValue, Endpoint, RouteRequest, RouteResponse, Source
from landbridge.schema.route import Shipment as ShipmentOut
from landbridge.staleness import data_dates
from landbridge.units import TEU_PER_FEU
from landbridge.validation.published import with_published

MODEL_ASSUMPTIONS = (
    f"transit p50/p90 from a seeded Monte Carlo of {DRAWS} draws: lognormal rail running per "
    "country and dwell per facility, uniform wait up to the interval between sailings (ships "
    "sail when full), fixed sailing",
    "CO2e is well-to-wheel for line haul (ISO 14083 / GLEC style); terminal and yard emissions "
    "are not counted",
    "costs are per FEU and linear in the number of FEU (no volume discounts or subsidies)",
)


@dataclass
class _Cache:
    net_ref: weakref.ref[Network]
    params: Params
    costs: EdgeCosts
    base: GraphBase
    graphs: dict[tuple, MaskedGraph]
    pins: dict[tuple[str, ...], np.ndarray]
    places: dict[tuple[Resolver, str], Endpoint]
    closure_days: np.ndarray | None = None  # per facility row, read once
    link_key: np.ndarray | None = None  # per edge, its link for path overlap, built once
    # shortest-path trees of every masked graph, shared by the requests on this cache (a skim's
    # pairs share their origins and destinations)
    trees: Trees = field(default_factory=lambda: Trees(_TREES_LIMIT))
    # trees at the corridor variants' pinned crossings and ports, shared by every pair
    gateways: Gateways = field(default_factory=Gateways)
    # paths found per (corridor, avoided countries, origin, destination, via): the search does
    # not depend on the shipment, so a new shipment size on a known pair is only priced
    searches: dict[tuple, tuple[list[_Found], dict[str, str]]] = field(default_factory=dict)


_CACHE: dict[tuple[int, int, tuple], _Cache] = {}
_CACHE_LIMIT = 16
_PLACES_LIMIT = 1024
_SEARCHES_LIMIT = 512
_TREES_LIMIT = 64  # ~0.2 MB each on the bundled network; up to _CACHE_LIMIT caches
# Edge masks depend on the network and the constraints only, not on the parameters or date:
# kept per network so that a new departure date or parameter set only rebuilds the graphs.
_MASKS: dict[tuple[int, tuple], tuple[weakref.ref[Network], np.ndarray | None]] = {}
_MASKS_LIMIT = 256


def _cache_for(net: Network, params: Params, dated: DatedPatch | None = None) -> _Cache:
    key = (id(net), id(params), dated.key if dated is not None else ())
    hit = _CACHE.get(key)
    if hit is not None and hit.net_ref() is net and hit.params is params:
        return hit
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    costs = compute_edge_costs(net, params, dated)
    entry = _Cache(weakref.ref(net), params, costs, graph_base(net, costs.weight), {}, {}, {})
    _CACHE[key] = entry
    return entry


def edge_costs(net: Network, params: Params, on: dt.date | None = None) -> EdgeCosts:
    """The cached per-edge arrays of ``net`` under ``params``; with ``on``, the dated facility
    rows and ocean rates of that date replace the network's own values."""
    return _cache_for(net, params, dated_patch(net, on) if on is not None else None).costs


def _weather(cache: _Cache, net: Network, params: Params, on: dt.date) -> Weather:
    if cache.closure_days is None:
        cache.closure_days = dated_params.closure_days_per_facility(net)
    return Weather(
        depart=on,
        closure_days=cache.closure_days,
        mean_closure_h=params.scalar("ferry_closure_mean_h"),
        months=dated_params.load_weather_months(),
    )


def _dated_values(
    net: Network, patches: list[DatedPatch], found: list[_Found], evaluated: list[Evaluated]
) -> list[DatedValue]:
    """The dated values behind the options: rows of facilities on their paths (of the day the
    box reaches each), ocean rates, weather waits (each once)."""
    ids = net.facilities["facility_id"].astype(str).to_numpy() if len(net.facilities) else []
    out: dict[tuple, DatedValue] = {}
    for item, patch in zip(found, patches, strict=True):
        fac = net.edge_facility[item.edges]
        for f in dict.fromkeys(fac[fac >= 0].tolist()):
            for value in patch.records.get(str(ids[f]), ()):
                out.setdefault((value.item, value.parameter, value.sample_date), value)
    for e in evaluated:
        for value in e.dated:
            out.setdefault((value.item, value.parameter, value.note), value)
    return list(out.values())


def _graph(cache: _Cache, net: Network, key: tuple, constraint: Constraint) -> MaskedGraph:
    graph = cache.graphs.get(key)
    if graph is None:
        graph = build_graph(cache.base, _edge_mask(net, key, constraint))
        cache.graphs[key] = graph
    return graph


def _edge_mask(net: Network, key: tuple, constraint: Constraint) -> np.ndarray | None:
    hit = _MASKS.get((id(net), key))
    if hit is not None and hit[0]() is net:
        return hit[1]
    if len(_MASKS) >= _MASKS_LIMIT:
        _MASKS.clear()
    mask = constraint.edge_mask(net)
    _MASKS[(id(net), key)] = (weakref.ref(net), mask)
    return mask


def _resolved(cache: _Cache, resolve: Resolver, query: str, net: Network) -> Endpoint:
    """Place lookups are pure functions of the query and the network: remember them."""
    key = (resolve, query)
    hit = cache.places.get(key)
    if hit is None:
        hit = resolve(query, net)
        if len(cache.places) >= _PLACES_LIMIT:
            cache.places.clear()
        cache.places[key] = hit
    return hit


def _ends(net: Network, node: int) -> Ends:
    """The nodes that stand for a place: itself, and for a port node also its rail side, so
    rail options to a port city end at the quay railway without a ship handling."""
    if net.node_kind[node] != NodeKind.PORT:
        return (node,)
    lo, hi = net.indptr[node], net.indptr[node + 1]
    rail_side = net.edge_dst[lo:hi][net.edge_mode[lo:hi] == EdgeMode.PORT]
    return (node, *sorted({int(n) for n in rail_side}))


def _pin_edges(cache: _Cache, net: Network, patterns: tuple[str, ...]) -> np.ndarray:
    edges = cache.pins.get(patterns)
    if edges is None:
        rows = np.flatnonzero(facility_matches(net, patterns))
        edges = (
            np.flatnonzero(np.isin(net.edge_facility, rows))
            if len(rows)
            else np.empty(0, dtype=np.int64)
        )
        cache.pins[patterns] = edges
    return edges


def load_bundled_network() -> Network:
    try:
        from landbridge.network import load_network  # type: ignore[attr-defined]
    except ImportError as exc:
        raise NetworkDataError(
            "the bundled network is not available in this installation "
            "(landbridge.network.load_network missing)"
        ) from exc
    return load_network()


@dataclass
class _Found:
    variant: Variant | None  # None for a k-shortest path under the user's constraints only
    edges: np.ndarray
    family: str = ""
    label: str = ""


def _search(
    net: Network,
    cache: _Cache,
    variants: Sequence[Variant],
    user: Sequence[Constraint],
    user_key: tuple,
    origin: Ends,
    destination: Ends,
    via: Ends | None,
) -> tuple[list[_Found], dict[str, str]]:
    found: list[_Found] = []
    blocked: dict[str, str] = {}
    trees = cache.trees
    free = all_of(*user)
    whole = _graph(cache, net, (free.mask_key(), user_key), free)
    for variant in variants:
        if variant.fallback and any(
            f.variant.family == variant.family and not f.variant.fallback for f in found
        ):
            continue
        constraint = all_of(variant.constraint, *user)
        graph = _graph(cache, net, (constraint.mask_key(), user_key), constraint)
        if via is not None and variant.pin:
            pin = _pin_edges(cache, net, variant.pin)
            path = path_via_edges_through(
                graph, origin, destination, pin, via, trees,
                lambda p, c=constraint: c.check(PathView(net, p)) is None,
            )  # fmt: skip
        elif via is not None:
            path = path_through(graph, origin, destination, via, trees)
        elif variant.pin:
            pin = _pin_edges(cache, net, variant.pin)
            pin = pin[graph.mask[pin]]
            path = cheapest_within(
                graph, whole, lambda g, p=pin: _via_pin(cache, g, whole, origin, destination, p)
            )
        else:
            path = cheapest_within(
                graph, whole, lambda g: shortest_path(g, origin, destination, trees)
            )
        if path is None:
            blocked[variant.label] = "no connection under its constraints"
            continue
        reason = constraint.check(PathView(net, path)) or _forced(net, path, via)
        if reason:
            blocked[variant.label] = reason
            continue
        found.append(_Found(variant, path))
    return found, blocked


def _via_pin(
    cache: _Cache, g: MaskedGraph, whole: MaskedGraph, origin: Ends, destination: Ends,
    pin: np.ndarray,
) -> np.ndarray | None:
    """Cheapest path through one of ``pin``: on the user's graph from the origin and
    destination trees k-shortest builds anyway, on a variant's graph from its gateway trees."""
    if g is whole:
        return path_via_edges(g, origin, destination, pin, cache.trees)
    if cut_off(g, origin, destination):
        return None
    return path_via_gateways(g, cache.gateways.trees(g, pin), origin, destination)


def _forced(net: Network, path: np.ndarray, via: Ends | None) -> str:
    """Why a path only exists because it was sent through the via place ('' if real)."""
    if via is not None and np.isin(net.edge_reverse[path], path).any():
        return "it would run to the via place and back"
    return ""


def _without_round_trips(
    found: list[_Found], net: Network, weight: np.ndarray, blocked: dict[str, str], ends: tuple
) -> list[_Found]:
    """Drop the paths that cross a customs border out and back (a pinned gateway sends
    Almaty -> Tashkent through China and back) unless the cheapest path does the same
    (Xi'an -> Dushanbe has no way round Turkmenistan); and, when some path stays behind
    customs borders (a domestic trip, or one inside a customs union), every path that does not
    (Almaty -> Aktau through Uzbekistan and Turkmenistan)."""
    if not found:
        return found
    cost = [float(weight[item.edges].sum()) for item in found]
    trips = [customs_round_trips(net, item.edges) for item in found]
    abroad = [bool(customs_crossings(net, item.edges)) for item in found]
    allowed = trips[int(np.argmin(cost))]
    union = customs_territory()
    territory = {
        union.get(code, code) for code in (net.countries[net.node_country[e[0]]] for e in ends)
    }
    inland = len(territory) == 1 and not all(abroad)
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


def _dedupe(found: list[_Found], net: Network, weight: np.ndarray) -> list[_Found]:
    """Label every path from the route it takes and keep the cheapest path of each label."""
    best: dict[str, tuple[float, _Found]] = {}
    for item in found:
        fam = classify(net, item.edges)
        item.family, item.label = fam.family, fam.label
        cost = float(weight[item.edges].sum())
        if item.label not in best or cost < best[item.label][0]:
            best[item.label] = (cost, item)
    return [item for _, item in best.values()]


def _explain_unreachable(
    net: Network,
    cache: _Cache,
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
            cache,
            variants,
            (AvoidClosed(),),
            (),
            _ends(net, origin.node),
            _ends(net, destination.node),
            via,
        )
        if free:
            by_countries: dict[str, list[str]] = {}
            for item in _dedupe(free, net, cache.costs.weight):
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


def _route_notes(
    found: list[_Found], blocked: dict[str, str], request: RouteRequest, passage
) -> list[str]:
    """What a shipper should know about the option set: the sea passage of the date, and the
    corridor options a --via place or a detour left out."""
    notes = []
    if any(item.family == "sea" for item in found):
        way = "round the Cape of Good Hope" if passage.passage == "cape" else "through Suez"
        notes.append(f"sea options sail {way} on this date: {passage.note}")
    if request.via:
        dropped = [label for label, why in blocked.items() if "via place" in why]
        if dropped:
            notes.append(
                f"dropped because --via {request.via} is not on their way (they would run to it "
                f"and back): {'; '.join(dropped)}"
            )
    return notes


@lru_cache(maxsize=1)
def _source_rows() -> dict[str, Source]:
    return {sid: Source(**row) for sid, row in source_rows().items()}


def _sources(
    params: Params,
    net: Network,
    evaluated: list[Evaluated],
    extra: list[str],
    dated_values: Sequence[DatedValue] = (),
) -> tuple[list[str], list[Source]]:
    refs: list[RowRef] = [r for e in evaluated for r in e.refs]
    source_ids, assumptions = params.sources_of(dict.fromkeys(refs))
    for value in dated_values:
        source_ids.extend(s for s in value.source_ids if s not in source_ids)
    text = facility_text(net)
    for row in dict.fromkeys(f for e in evaluated for f in e.facility_rows):
        source_ids.extend(s for s in split_source_ids(text.source_ids[row]) if s not in source_ids)
        note = text.assumptions[row].strip()
        if note:
            assumptions.append(f"{text.ids[row]}: {note}")
        if text.ids[row] in params.facility_overrides:
            assumptions.append(
                f"{text.ids[row]} parameters set by the parameter file {params.override_origin}"
            )
    known = _source_rows()
    sources = [
        known.get(sid) or Source(source_id=sid, title="(not in data/sources)") for sid in source_ids
    ]
    return [*extra, *assumptions, *MODEL_ASSUMPTIONS], sources


def _found_paths(
    net: Network,
    cache: _Cache,
    request: RouteRequest,
    constraints: Sequence[Constraint],
    origin: Endpoint,
    destination: Endpoint,
    via: Ends | None,
    passage: str = "suez",
) -> tuple[list[_Found], dict[str, str]]:
    """The labelled paths (k shortest and every corridor variant's best), and why the variants
    not offered are blocked.

    Remembered per search when no extra constraint objects are given (their identity would be
    the key); the paths are read-only."""
    ends = (_ends(net, origin.node), _ends(net, destination.node))
    key = (request.corridor, tuple(request.avoid), *ends, via, passage) if not constraints else None
    hit = cache.searches.get(key) if key is not None else None
    if hit is not None:
        return hit
    # the passage not sailed on the date is closed to every option
    user: list[Constraint] = [AvoidClosed(), AvoidFacilities(CAPE if passage == "suez" else SUEZ)]
    user += constraints
    if request.avoid:
        user.append(AvoidCountries(tuple(request.avoid)))
    user_key = (tuple(request.avoid), tuple(id(c) for c in constraints))
    variants = variants_for(request.corridor, passage)
    found, blocked = _search(net, cache, variants, user, user_key, *ends, via)
    free = all_of(*user)
    graph = _graph(cache, net, (free.mask_key(), user_key), free)
    if via is None:
        if cache.link_key is None:
            cache.link_key = link_keys(net)
        known = [item.edges for item in found]
        shortest = k_shortest(graph, *ends, cache.link_key, cache.trees, net, known)
    else:
        through = path_through(graph, *ends, via, cache.trees)
        shortest = [] if through is None or _forced(net, through, via) else [through]
    found = [*(_Found(None, p) for p in shortest), *found]
    found = _without_round_trips(found, net, cache.costs.weight, blocked, ends)
    found = _dedupe(found, net, cache.costs.weight)
    if request.corridor:
        found = [item for item in found if item.family == request.corridor]
    for item in found:
        item.edges.setflags(write=False)
    if key is not None:
        if len(cache.searches) >= _SEARCHES_LIMIT:
            cache.searches.clear()
        cache.searches[key] = (found, blocked)
    return found, blocked


def plan_routes(
    request: RouteRequest,
    network: Network | None = None,
    params: Params | None = None,
    resolver: Resolver | None = None,
    constraints: Sequence[Constraint] = (),
) -> RouteResponse:
    """All corridor options for ``request``, ranked (Pareto-optimal first, then p50 days, cost).

    ``constraints`` adds library-level constraints (e.g. ``MaxTransshipments``) to the ones the
    request implies. Raises ``UnknownPlaceError`` (exit 2), ``UnreachableError`` (exit 3).
    """
    return plan_routes_with_paths(request, network, params, resolver, constraints)[0]


def plan_routes_with_paths(
    request: RouteRequest,
    network: Network | None = None,
    params: Params | None = None,
    resolver: Resolver | None = None,
    constraints: Sequence[Constraint] = (),
) -> tuple[RouteResponse, list[np.ndarray]]:
    """``plan_routes`` plus the edge ids of each option's path, in the order of ``options``
    (for drawing the options or loading them onto the network)."""
    if not isinstance(request, RouteRequest):
        raise TypeError(
            "plan_routes takes a RouteRequest(origin=..., destination=..., feu=...); for two "
            "place names call landbridge.plan(origin, destination, feu=...)"
        )
    net = network if network is not None else load_bundled_network()
    params = params if params is not None else load_default_params()
    resolve = resolver or resolve_with_gazetteer
    now = dated_params.today()
    if request.depart is not None:
        dated_params.check_depart(request.depart, now)
    as_of = request.depart or now
    patch = dated_patch(net, as_of)
    cache = _cache_for(net, params, patch)
    origin = _resolved(cache, resolve, request.origin, net)
    destination = _resolved(cache, resolve, request.destination, net)
    via = _ends(net, _resolved(cache, resolve, request.via, net).node) if request.via else None
    if set(_ends(net, origin.node)) & set(_ends(net, destination.node)):
        raise InvalidInputError(
            f"'{request.origin}' and '{request.destination}' are the same point of the network; "
            "nothing to route"
        )
    tonnes_per_teu = request.tonnes_per_teu or params.scalar("tonnes_per_teu")
    if request.tonnes_per_teu:
        check_payload(request.tonnes_per_teu, in_teu=request.teu is not None)
    feu = request.shipment_feu
    shipment = Shipment(feu=feu, tonnes=shipment_tonnes(TEU_PER_FEU * feu, tonnes_per_teu))

    passage = passage_on(as_of)
    if passage.passage == "cape" and not len(_pin_edges(cache, net, CAPE)):
        passage = Passage("suez", None, None, (), "this network has no ocean legs round the Cape")
    found, blocked = _found_paths(
        net, cache, request, constraints, origin, destination, via, passage.passage
    )
    if not found:
        raise UnreachableError(
            _explain_unreachable(
                net, cache, request, origin, destination, via, blocked, passage.passage
            )
        )

    weather = _weather(cache, net, params, as_of)
    evaluated, patches = [], []
    for f in found:
        item = evaluate_path(
            net, cache.costs, f.edges, shipment, f.family, f.label, request.depart, weather,
        )  # fmt: skip
        # dates where the box is: each facility's dated values of the day the box reaches it
        reach = facility_reach_dates(net, f.edges, item.option, as_of, cache.costs.running_p50_h)
        box = dated_patch(net, as_of, reach)
        if box.key != patch.key:
            item = evaluate_path(
                net, _cache_for(net, params, box).costs, f.edges, shipment, f.family,
                f.label, request.depart, weather,
            )  # fmt: skip
        evaluated.append(apply_events(net, item, f.edges, as_of))
        patches.append(box)
    if request.scope == DOOR_TO_DOOR:
        evaluated = [door_to_door(e, cache.costs.transit) for e in evaluated]
    points = np.array(
        [[e.option.transit_days.p50, e.option.cost_usd, e.option.co2e_kg] for e in evaluated],
        dtype=float,
    )
    flags = pareto_mask(points) & ~np.array([e.option.closed for e in evaluated], dtype=bool)
    ranked = sorted(
        (
            (e.option.model_copy(update={"pareto": bool(flag)}), f.edges)
            for e, flag, f in zip(evaluated, flags, found, strict=True)
        ),
        key=lambda pair: (not pair[0].pareto, pair[0].transit_days.p50, pair[0].cost_usd),
    )
    options = with_published(
        [option for option, _ in ranked], origin.node, destination.node,
        lambda query: _resolved(cache, resolve, query, net).node,
    )  # fmt: skip

    dated_values = _dated_values(net, patches, found, evaluated)
    if any(item.family == "sea" for item in found):
        dated_values.append(
            DatedValue(
                item="asia-europe-container-services", parameter="via_cape",
                value=1.0 if passage.passage == "cape" else 0.0, unit="1 = Cape, 0 = Suez",
                valid_from=passage.valid_from, valid_to=passage.valid_to,
                source_ids=list(passage.source_ids), note=passage.note,
            )
        )  # fmt: skip
    extra = [
        f"dated parameters (border times, capacities, ocean freight, winter ferry weather) "
        f"are those valid on the departure date {as_of}"
        if request.depart is not None
        else f"no departure date given: dated parameters are those valid today ({as_of})"
    ]
    extra += [f"{v.item} {v.parameter}: {v.note}" for v in dated_values if "nearest" in v.note
              or "earliest" in v.note]  # fmt: skip
    if request.tonnes_per_teu:
        extra.append(f"cargo {request.tonnes_per_teu:g} t per TEU as given in the request")
    dates = data_dates(as_of)
    extra += [f"stale data: {d.note}" for d in dates if d.stale]
    extra += _route_notes(found, blocked, request, passage)
    assumptions, sources = _sources(params, net, evaluated, extra, dated_values)
    known = {s.source_id for s in sources}
    sources += [
        _source_rows().get(sid) or Source(source_id=sid, title="(not in data/sources)")
        for sid in event_source_ids(options) if sid not in known
    ]  # fmt: skip
    response = RouteResponse(
        origin=origin,
        destination=destination,
        shipment=ShipmentOut(feu=feu, teu=TEU_PER_FEU * feu, tonnes=shipment.tonnes),
        depart=request.depart,
        options=options,
        assumptions=assumptions,
        sources=sources,
        as_of=as_of,
        dated_values=dated_values,
        data_dates=dates,
    )
    return response, [edges for _, edges in ranked]
