"""Lookups of a base network that the checks and the edits of a scenario share: facility rows
and node ids by name, and bounded lists of allowed values for messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from landbridge.network.model import Network

MAX_LISTED = 12
"""How many allowed values a message lists before it says 'and N more'."""


@dataclass(frozen=True)
class NetworkIndex:
    """Lookups the checks and the edits share: facility rows and node ids by name."""

    facility_row: dict[str, int]
    facility_kind: dict[str, str]
    node_by_name: dict[str, int]
    node_names: tuple[str, ...]
    network: Network

    @classmethod
    def of(cls, net: Network) -> NetworkIndex:
        fac = net.facilities
        ids = [str(x) for x in fac["facility_id"]] if "facility_id" in fac else []
        kinds = [str(x) for x in fac["kind"]] if "kind" in fac else [""] * len(ids)
        names = [str(x) for x in net.node_name]
        by_name: dict[str, int] = {}
        for i, name in enumerate(names):
            if name:
                by_name.setdefault(name.casefold(), i)
        return cls(
            facility_row={fid: i for i, fid in enumerate(ids)},
            facility_kind=dict(zip(ids, kinds, strict=True)),
            node_by_name=by_name,
            node_names=tuple(sorted({n for n in names if n})),
            network=net,
        )

    def node(self, place: str) -> int | None:
        """The node of a place: a node name of the network, else the gazetteer's place snapped
        to the network (the routing layer's resolver); None if neither knows it."""
        return self.resolve(place)[0]

    def resolve(self, place: str) -> tuple[int | None, str]:
        """(node, '') or (None, why not, with near matches)."""
        node = self.node_by_name.get(place.strip().casefold())
        if node is not None:
            return node, ""
        return _gazetteer_node(self.network, place)


def _gazetteer_node(net: Network, place: str) -> tuple[int | None, str]:
    from landbridge.errors import LandbridgeError, UnknownPlaceError
    from landbridge.routing.places import resolve_with_gazetteer

    try:
        return resolve_with_gazetteer(place, net).node, ""
    except UnknownPlaceError as exc:
        near = difflib.get_close_matches(
            place, sorted({str(n) for n in net.node_name if n}), n=3, cutoff=0.6
        )
        hints = list(dict.fromkeys([*near, *exc.suggestions]))[:5]
        hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
        return (
            None,
            f"unknown place '{place}'{hint} (search with `landbridge places`, or give 'lat, lon')",
        )
    except LandbridgeError as exc:
        return None, f"place '{place}' is not on the network: {exc}"


def allowed_list(query: str, allowed: Iterable[str]) -> str:
    """'did you mean: a, b; allowed: ...' with near matches first and a bounded list."""
    values = sorted(set(allowed))
    near = difflib.get_close_matches(query, values, n=3, cutoff=0.6)
    near += [v for v in values if query.casefold() in v.casefold() and v not in near][:3]
    shown = values[:MAX_LISTED]
    more = f" and {len(values) - MAX_LISTED} more" if len(values) > MAX_LISTED else ""
    listed = ", ".join(shown) + more if values else "(none in this network)"
    hint = f"did you mean: {', '.join(near)}? " if near else ""
    return f"{hint}allowed: {listed}"
