"""Check a scenario against the base network (and demand) before anything runs.

Every unknown facility, place or country, and every facility of the wrong kind, becomes one line
of a single ``ScenarioError`` naming the file, the modification (index and type), the field, and
what is allowed (near matches first).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from landbridge.errors import ScenarioError
from landbridge.network.model import Network
from landbridge.scenarios.contradictions import contradictions
from landbridge.scenarios.load import modification_label
from landbridge.schema.scenario import (
    AddLink,
    AvoidCountry,
    CloseCrossing,
    ScaleDemand,
    Scenario,
    SetCapacity,
    SetDwell,
    SetFerryFleet,
    SetTariff,
)

SEA_LINE_KINDS = ("ferry", "feeder")
DWELL_KINDS = ("crossing", "gauge_change", "port")
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


def validate_scenario(
    scenario: Scenario,
    net: Network,
    demand: pd.DataFrame | None = None,
    source: str = "<scenario>",
) -> NetworkIndex:
    """Raise ``ScenarioError`` listing every problem; return the lookups on success."""
    index = NetworkIndex.of(net)
    problems: list[str] = contradictions(scenario)
    new_facilities: set[str] = set()
    for i, mod in enumerate(scenario.modifications):
        label = modification_label(i, mod.type)
        for field, message in _check(mod, net, index, demand, new_facilities):
            problems.append(f"{label}: field '{field}': {message}")
        if isinstance(mod, AddLink):
            new_facilities.add(link_facility_id(mod))
            if mod.crossing is not None:
                new_facilities.add(mod.crossing.facility_id)
    if problems:
        raise ScenarioError(f"{source}: " + "\n  ".join(problems))
    return index


def link_facility_id(mod: AddLink) -> str:
    """Facility id of a new line: its name as a slug, or 'from-to'."""
    text = mod.name or f"{mod.from_place}-{mod.to_place}"
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "new-line"


def _check(
    mod: object,
    net: Network,
    index: NetworkIndex,
    demand: pd.DataFrame | None,
    new_facilities: set[str],
) -> list[tuple[str, str]]:
    known = set(index.facility_row) | new_facilities

    def facility(field: str, fid: str, kinds: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        if fid not in known:
            return [(field, f"unknown facility '{fid}'; {allowed_list(fid, known)}")]
        kind = index.facility_kind.get(fid)
        if kinds and kind is not None and kind not in kinds:
            fitting = [f for f, k in index.facility_kind.items() if k in kinds]
            return [
                (
                    field,
                    f"facility '{fid}' is a {kind}, this modification needs a "
                    f"{' or '.join(kinds)}; {allowed_list(fid, fitting)}",
                )
            ]
        return []

    if isinstance(mod, CloseCrossing):
        return facility("facility", mod.facility)
    if isinstance(mod, SetCapacity):
        return facility("facility", mod.facility) or _into(mod, net, index)
    if isinstance(mod, SetDwell):
        return facility("facility", mod.facility, DWELL_KINDS)
    if isinstance(mod, SetFerryFleet):
        return facility("facility", mod.facility, SEA_LINE_KINDS)
    if isinstance(mod, SetTariff):
        if mod.facility is not None:
            return facility("facility", mod.facility)
        return _country("country", str(mod.country), net)
    if isinstance(mod, AvoidCountry):
        return _country("country", mod.country, net)
    if isinstance(mod, ScaleDemand):
        return _demand_filter(mod, demand)
    if isinstance(mod, AddLink):
        return _add_link(mod, net, index, known)
    return []


def _into(mod: SetCapacity, net: Network, index: NetworkIndex) -> list[tuple[str, str]]:
    """A limit on trains into a country needs a facility on that country's border."""
    if mod.into is None or mod.facility not in index.facility_row:
        return []
    row = index.facility_row[mod.facility]
    countries = str(net.facilities["countries"].iloc[row]).split("-")
    if mod.into in countries and len(countries) == 2:
        return []
    return [(
        "into",
        f"'{mod.facility}' lies in {'-'.join(countries)}: a limit on trains into {mod.into} "
        "needs a crossing on that country's border (or leave 'into' out for both directions)",
    )]  # fmt: skip


def _country(field: str, iso2: str, net: Network) -> list[tuple[str, str]]:
    if net.country_id(iso2) < 0:
        return [(field, f"unknown country '{iso2}'; {allowed_list(iso2.upper(), net.countries)}")]
    return []


def _demand_filter(mod: ScaleDemand, demand: pd.DataFrame | None) -> list[tuple[str, str]]:
    if mod.od is None or demand is None:
        return []
    out = []
    for field in ("origin", "destination"):
        value = getattr(mod.od, field)
        if value is None or field not in demand:
            continue
        places = {str(x) for x in demand[field].unique()}
        if value not in places:
            out.append(
                (f"od.{field}", f"no demand with {field} '{value}'; {allowed_list(value, places)}")
            )
    return out


def _add_link(
    mod: AddLink, net: Network, index: NetworkIndex, known: set[str]
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    ends = {}
    for field in ("from_place", "to_place"):
        node, why = index.resolve(getattr(mod, field))
        if node is None:
            out.append((field, why))
        ends[field] = node
    if mod.crossing is not None:
        out += [
            ("crossing.like", msg)
            for _, msg in _facility_exists(mod.crossing.like, index.facility_row)
        ]
        if mod.crossing.facility_id in known:
            out.append(
                ("crossing.facility_id", f"facility '{mod.crossing.facility_id}' already exists")
            )
    link_id = link_facility_id(mod)
    if link_id in known:
        out.append(("name", f"facility '{link_id}' already exists; give the line another name"))
    src, dst = ends["from_place"], ends["to_place"]
    if src is None or dst is None:
        return out
    to_gauge = int(net.node_gauge_mm[dst])
    from_gauge = int(net.node_gauge_mm[src])
    if to_gauge != mod.gauge_mm:
        out.append(
            (
                "gauge_mm",
                f"{mod.to_place} is in the {to_gauge} mm area, the line is {mod.gauge_mm} mm",
            )
        )
    if mod.crossing is None:
        if from_gauge != mod.gauge_mm:
            out.append(
                (
                    "gauge_mm",
                    f"{mod.from_place} is in the {from_gauge} mm area, the line is "
                    f"{mod.gauge_mm} mm; add a 'crossing' (gauge change) at from_place",
                )
            )
        if net.node_country[src] != net.node_country[dst]:
            out.append(
                (
                    "crossing",
                    f"{mod.from_place} and {mod.to_place} are in different countries; a line "
                    "across a border needs a 'crossing' at from_place",
                )
            )
    elif from_gauge == mod.gauge_mm:
        out.append(
            (
                "crossing",
                f"{mod.from_place} is already in the {from_gauge} mm area: "
                "no gauge change to build",
            )
        )
    return out


def _facility_exists(fid: str, rows: dict[str, int]) -> list[tuple[str, str]]:
    if fid in rows:
        return []
    return [("", f"unknown facility '{fid}'; {allowed_list(fid, rows)}")]
