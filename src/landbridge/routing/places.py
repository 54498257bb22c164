"""Origin, destination and via places -> network nodes.

The default resolver asks the gazetteer (``Gazetteer.resolve`` + ``snap_to_network``); a
name that the gazetteer does not know but that is a node name of the network is accepted too.
On the loaded bundled network its answers are remembered on disk (``places.resolved_store``):
a fresh process answers a name resolved before without loading the gazetteer.
``resolve_on_network`` alone serves networks without gazetteer coverage (tests, custom data).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import numpy as np

from landbridge.errors import UnknownPlaceError
from landbridge.network.model import Network
from landbridge.places import resolved_store
from landbridge.routing.constraints import fold
from landbridge.schema.route import Endpoint

Resolver = Callable[[str, Network], Endpoint]
SUGGESTIONS = 5


def _endpoint(net: Network, node: int, name: str) -> Endpoint:
    cid = int(net.node_country[node])
    return Endpoint(
        name=name,
        node=node,
        lat=float(net.node_lat[node]),
        lon=float(net.node_lon[node]),
        country=net.countries[cid] if cid >= 0 else "",
    )


def resolve_on_network(query: str, net: Network) -> Endpoint:
    """A node whose name equals ``query`` (case- and accent-insensitive)."""
    key = fold(query.strip())
    names = np.array([fold(str(n)) for n in net.node_name], dtype=object)
    hits = np.flatnonzero(names == key)
    if key and len(hits):
        node = int(hits[0])
        return _endpoint(net, node, str(net.node_name[node]))
    known = sorted({str(n) for n in net.node_name if n})
    close = difflib.get_close_matches(query.strip(), known, n=SUGGESTIONS, cutoff=0.5)
    raise UnknownPlaceError(query.strip(), close)


def resolve_with_gazetteer(query: str, net: Network) -> Endpoint:
    """Gazetteer place snapped to the network; falls back to a node name of the network."""
    key = resolved_store.store_key(net)
    known = resolved_store.remembered(key, query) if key is not None else None
    if known is not None:
        return Endpoint(**known)
    endpoint = _gazetteer_endpoint(query, net)
    if key is not None:
        resolved_store.remember(key, query, endpoint.model_dump())
    return endpoint


def _gazetteer_endpoint(query: str, net: Network) -> Endpoint:
    from landbridge.places.gazetteer import Gazetteer
    from landbridge.places.snap import snap_to_network

    try:
        place = Gazetteer.load().resolve(query)
    except UnknownPlaceError:
        try:
            return resolve_on_network(query, net)
        except UnknownPlaceError:
            pass
        raise
    node = snap_to_network(place, net)
    endpoint = _endpoint(net, int(node), place.name)
    return endpoint.model_copy(update={"country": place.country or endpoint.country})
