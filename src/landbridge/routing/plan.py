"""``plan_routes``: the distinct good routes between two places, priced, ranked, Pareto-flagged.

The option set is the k shortest paths by generalized cost (money + value of time) under the
user's constraints, with an overlap limit (``routing.alternatives``), plus the best path of each
corridor variant: the network masked by the variant's and the user's constraints, the cheapest
path found with Dijkstra (through the variant's pinned crossing or port, or the user's via
place), checked (``routing.options``), and priced leg by leg. The network is prepared once per
parameter set and set of dated values (``routing.prepared``: costs, masks, graphs, trees), so
repeated requests only pay for the searches.

Dated parameters (``costs/dated.py``) are read for the departure date, or for today when the
request gives none: paths are searched with the values of that date, and each option is priced
with each facility's values of the day the box reaches it; the events of that day then delay,
close, re-price or flag it (``routing/event_effects.py``). The response names the date
(``as_of``), every dated value used and how recent each kind of data is (``data_dates``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from landbridge.costs import dated as dated_params
from landbridge.costs.dated import DatedPatch, dated_patch
from landbridge.costs.emissions import shipment_tonnes
from landbridge.costs.params import Params, load_default_params
from landbridge.costs.payload import check_payload
from landbridge.errors import InvalidInputError, NetworkDataError, UnreachableError
from landbridge.network.derived import derived
from landbridge.network.model import Network
from landbridge.routing.constraints import Constraint, passage_rows
from landbridge.routing.evaluate import Evaluated, Shipment, priced
from landbridge.routing.event_effects import (
    apply_events,
    event_source_ids,
    facility_reach_dates,
    leg_events,
)
from landbridge.routing.options import Found, ends_of, explain_unreachable, found_paths
from landbridge.routing.pareto import pareto_mask
from landbridge.routing.passage import Passage, passage_on
from landbridge.routing.places import Resolver, resolve_with_gazetteer
from landbridge.routing.prepared import PreparedNetwork, edge_costs, prepare
from landbridge.routing.provenance import (
    dated_values_of,
    known_sources,
    route_notes,
    sources_and_assumptions,
)
from landbridge.routing.scope import DOOR_TO_DOOR, door_to_door
from landbridge.schema.route import (
    DatedValue,
    Endpoint,
    RouteOption,
    RouteRequest,
    RouteResponse,
    Source,
)
from landbridge.schema.route import Shipment as ShipmentOut
from landbridge.staleness import data_dates
from landbridge.units import TEU_PER_FEU
from landbridge.validation.published import with_published

__all__ = [
    "Planned", "edge_costs", "load_bundled_network", "plan_options", "plan_routes",
    "plan_routes_with_paths",
]  # fmt: skip


def load_bundled_network() -> Network:
    try:
        from landbridge.network import load_network
    except ImportError as exc:
        raise NetworkDataError(
            "the bundled network is not available in this installation "
            "(landbridge.network.load_network missing)"
        ) from exc
    return load_network()


def plan_routes(
    request: RouteRequest,
    network: Network | PreparedNetwork | None = None,
    params: Params | None = None,
    resolver: Resolver | None = None,
    constraints: Sequence[Constraint] = (),
) -> RouteResponse:
    """All corridor options for ``request``, ranked (Pareto-optimal first, then p50 days, cost).

    ``network`` is the bundled network when not given; a ``PreparedNetwork`` stands for its
    network and parameters (``params`` then stays unset; the prepared network of the request's
    date is the one ``routing.prepared.prepare`` keeps on the network). ``constraints`` adds
    library-level constraints (e.g. ``MaxTransshipments``) to the ones the request implies.
    Raises ``UnknownPlaceError`` (exit 2), ``UnreachableError`` (exit 3).
    """
    return plan_routes_with_paths(request, network, params, resolver, constraints)[0]


def plan_routes_with_paths(
    request: RouteRequest,
    network: Network | PreparedNetwork | None = None,
    params: Params | None = None,
    resolver: Resolver | None = None,
    constraints: Sequence[Constraint] = (),
) -> tuple[RouteResponse, list[np.ndarray]]:
    """``plan_routes`` plus the edge ids of each option's path, in the order of ``options``
    (for drawing the options or loading them onto the network)."""
    planned = plan_options(request, network, params, resolver, constraints)
    return _response(planned), planned.paths


@dataclass
class Planned:
    """The ranked options of one request and what its answer is assembled from."""

    request: RouteRequest
    prep: PreparedNetwork
    resolve: Resolver
    origin: Endpoint
    destination: Endpoint
    shipment: Shipment
    as_of: dt.date
    passage: Passage
    found: list[Found]
    blocked: dict[str, str]
    evaluated: list[Evaluated]
    patches: list[DatedPatch]
    options: list[RouteOption]  # ranked: Pareto-optimal first, then p50 days, cost
    paths: list[np.ndarray]  # edge ids of each option's path


def plan_options(
    request: RouteRequest,
    network: Network | PreparedNetwork | None = None,
    params: Params | None = None,
    resolver: Resolver | None = None,
    constraints: Sequence[Constraint] = (),
) -> Planned:
    """The options of ``request``, searched, priced and ranked as ``plan_routes`` answers them,
    without the answer's sources, notes and published figures (tables of many pairs)."""
    if not isinstance(request, RouteRequest):
        raise TypeError(
            "plan_routes takes a RouteRequest(origin=..., destination=..., feu=...); for two "
            "place names call landbridge.plan(origin, destination, feu=...)"
        )
    net, params = _network_and_params(network, params)
    resolve = resolver or resolve_with_gazetteer
    now = dated_params.today()
    if request.depart is not None:
        dated_params.check_depart(request.depart, now)
    as_of = request.depart or now
    patch = dated_patch(net, as_of)
    prep = prepare(net, params, patch)
    origin = prep.resolved(resolve, request.origin)
    destination = prep.resolved(resolve, request.destination)
    via = ends_of(net, prep.resolved(resolve, request.via).node) if request.via else None
    if set(ends_of(net, origin.node)) & set(ends_of(net, destination.node)):
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
    if passage.passage == "cape" and not _has_cape_legs(net):
        passage = Passage("suez", None, None, (), "this network has no ocean legs round the Cape")
    found, blocked = found_paths(
        net, prep, request, constraints, origin, destination, via, passage.passage
    )
    if not found:
        raise UnreachableError(
            explain_unreachable(
                net, prep, request, origin, destination, via, blocked, passage.passage
            )
        )

    evaluated, patches = [], []
    for f in found:
        times = prep.path_times(f.edges, f.family, f.label, request.depart, as_of)
        box = times.box.get(as_of)
        if box is None:
            # dates where the box is: each facility's dated values of the day the box reaches it
            reach = facility_reach_dates(
                net, f.edges, times.hours, as_of, prep.costs.running_p50_h, times.leg_starts
            )
            box = times.box[as_of] = dated_patch(net, as_of, reach)
        if box.key != patch.key:
            times = prepare(net, params, box).path_times(
                f.edges, f.family, f.label, request.depart, as_of
            )
        item = priced(times, shipment)
        acting = times.events.get(as_of)
        if acting is None:
            acting = times.events[as_of] = leg_events(
                net, f.edges, item.option, as_of, times.leg_starts
            )
        evaluated.append(apply_events(net, item, f.edges, as_of, acting=acting))
        patches.append(box)
    if request.scope == DOOR_TO_DOOR:
        evaluated = [door_to_door(e, prep.costs.transit) for e in evaluated]
    points = np.array(
        [[e.option.transit_days.p50, e.option.cost_usd, e.option.co2e_kg] for e in evaluated],
        dtype=float,
    )
    flags = pareto_mask(points) & ~np.array([e.option.closed for e in evaluated], dtype=bool)
    for e, flag in zip(evaluated, flags.tolist(), strict=True):
        e.option.pareto = flag  # each option is this request's own (priced above)
    ranked = sorted(
        ((e.option, f.edges) for e, f in zip(evaluated, found, strict=True)),
        key=lambda pair: (not pair[0].pareto, pair[0].transit_days.p50, pair[0].cost_usd),
    )
    return Planned(
        request, prep, resolve, origin, destination, shipment, as_of, passage, found, blocked,
        evaluated, patches, [option for option, _ in ranked], [edges for _, edges in ranked],
    )  # fmt: skip


def _network_and_params(
    network: Network | PreparedNetwork | None, params: Params | None
) -> tuple[Network, Params]:
    if isinstance(network, PreparedNetwork):
        if params is not None and params is not network.params:
            raise TypeError("pass params or a PreparedNetwork made with them, not both")
        return network.network, network.params
    net = network if network is not None else load_bundled_network()
    return net, params if params is not None else load_default_params()


def _response(planned: Planned) -> RouteResponse:
    """The answer: the options with their published figures, and the sources, assumptions,
    dated values and notes behind them."""
    request, prep = planned.request, planned.prep
    found, evaluated = planned.found, planned.evaluated
    net, params, as_of, passage = prep.network, prep.params, planned.as_of, planned.passage
    options = with_published(
        planned.options, planned.origin.node, planned.destination.node,
        lambda query: prep.resolved(planned.resolve, query).node,
    )  # fmt: skip
    dated_values = dated_values_of(net, planned.patches, found, evaluated)
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
    extra += route_notes(found, planned.blocked, request, passage)
    assumptions, sources = sources_and_assumptions(
        params, net, evaluated, extra, dated_values, prep.sources
    )
    known = {s.source_id for s in sources}
    sources += [
        known_sources().get(sid) or Source(source_id=sid, title="(not in data/sources)")
        for sid in event_source_ids(options) if sid not in known
    ]  # fmt: skip
    feu = planned.shipment.feu
    return RouteResponse(
        origin=planned.origin,
        destination=planned.destination,
        shipment=ShipmentOut(feu=feu, teu=TEU_PER_FEU * feu, tonnes=planned.shipment.tonnes),
        depart=request.depart,
        options=options,
        assumptions=assumptions,
        sources=sources,
        as_of=as_of,
        dated_values=dated_values,
        data_dates=dates,
    )


def _has_cape_legs(net: Network) -> bool:
    """Whether ``net`` has an edge of a mainline ocean leg round the Cape (once per network:
    a scan of every edge)."""
    return derived(net, "has-cape-legs", _scan_cape_legs)


def _scan_cape_legs(net: Network) -> bool:
    return bool(np.isin(net.edge_facility, np.flatnonzero(passage_rows(net, "cape"))).any())
