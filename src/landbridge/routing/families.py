"""The corridor family and label of a path, read from the route it actually takes.

- sea: an ocean leg; labelled with its passage (Suez or the Cape) and its two ports, and
  "Rail + sea" when rail carries the box to or from the ports.
- middle: a Caspian ferry or feeder; labelled with the Caspian port it sails from and the way
  out of the Caucasus (a Black Sea port, or the gauge change towards Kars).
- southern: rail through Iran ("via Turkmenistan–Iran" when it enters Iran from Turkmenistan).
- northern: rail across a border of China (Kazakhstan, Mongolia, Russia), labelled with the
  crossing it takes; or rail from Kazakhstan or Mongolia through Russia to Belarus or the EU
  (Dostyk -> Brest), labelled "via Russia and Belarus".
- regional: everything else (domestic and Central Asian, Europe–Türkiye): labelled with the
  customs crossings it passes, "Rail, domestic" when it passes none.
``customs_crossings`` and ``customs_round_trips`` tell ``plan`` which paths only exist
because a pin or a missing cost sent them abroad and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from landbridge.network.derived import derived
from landbridge.network.model import EdgeMode, Network
from landbridge.routing.constraints import Constraint, facility_text, passage_rows
from landbridge.routing.variant_table import gateway

CHINA = "CN"
CHINA_NEIGHBOURS_ON_THE_LAND_BRIDGE = ("KZ", "MN", "RU")
NAMES = {"Russia": "RU", "Belarus": "BY"}
CASPIAN_EAST_SHORE = ("KZ", "TM")
CAUCASUS_WEST = ("GE",)  # Black Sea ports of the Caucasus (Poti, Batumi)


@dataclass(frozen=True)
class Family:
    family: str  # northern | middle | southern | sea | regional
    label: str


def _read_customs(net: Network) -> np.ndarray:
    fac = net.facilities
    customs = fac["customs"] if "customs" in fac else np.ones(len(fac), dtype=bool)
    customs.setflags(write=False)
    return customs


def customs_flags(net: Network) -> np.ndarray:
    """Per facility row: is it a customs stop (a border outside every customs union)?
    Read-only (shared by every caller)."""
    return derived(net, "customs-flags", _read_customs)


def country_runs(net: Network, edges: np.ndarray) -> list[str]:
    """Countries in travel order (rail edges by their country, others by their end node's),
    consecutive repeats merged."""
    rail = net.edge_mode[edges] == EdgeMode.RAIL
    cid = np.where(rail, net.edge_country[edges], -1).astype(np.int64)
    cid = np.where(cid < 0, net.node_country[net.edge_dst[edges]], cid)
    cid = cid[cid >= 0]
    if not len(cid):
        return []
    first = np.concatenate([[True], cid[1:] != cid[:-1]])
    return [net.countries[c] for c in cid[first].tolist()]


def _stops(net: Network, edges: np.ndarray) -> np.ndarray:
    """Positions in ``edges`` of border and gauge-change stops with a facility."""
    modes = net.edge_mode[edges]
    stop = ((modes == EdgeMode.BORDER) | (modes == EdgeMode.TRANSFER)) & (
        net.edge_facility[edges] >= 0
    )
    return np.flatnonzero(stop)


@dataclass(frozen=True)
class NoCustomsBorder(Constraint):
    """No border or gauge-change stop at a customs border: the paths whose
    ``customs_crossings`` are empty (they stay inside one customs territory)."""

    def edge_mask(self, net: Network) -> np.ndarray:
        modes = net.edge_mode
        stop = ((modes == EdgeMode.BORDER) | (modes == EdgeMode.TRANSFER)) & (
            net.edge_facility >= 0
        )
        stop[stop] = customs_flags(net)[net.edge_facility[stop]]
        return ~stop

    def describe(self) -> str:
        return "no customs border"


def customs_crossings(net: Network, edges: np.ndarray) -> list[tuple[str, str]]:
    """The customs borders the path crosses, as (from, to) country pairs in travel order
    (borders inside a customs union are not customs borders)."""
    at = edges[_stops(net, edges)]
    at = at[customs_flags(net)[net.edge_facility[at]]]
    a = net.node_country[net.edge_src[at]].tolist()
    b = net.node_country[net.edge_dst[at]].tolist()
    return [(net.countries[x], net.countries[y]) for x, y in zip(a, b, strict=True)]


def customs_round_trips(net: Network, edges: np.ndarray) -> frozenset[tuple[str, str]]:
    """Customs borders the path crosses out and later back (Almaty -> Tashkent sent through
    Dostyk: KZ -> CN, then CN -> KZ)."""
    seen: set[tuple[str, str]] = set()
    trips: set[tuple[str, str]] = set()
    for a, b in customs_crossings(net, edges):
        if (b, a) in seen:
            trips.add((min(a, b), max(a, b)))
        seen.add((a, b))
    return frozenset(trips)


def stop_name(text_name: str, facility_id: str, countries: str) -> str:
    """A crossing's name for a label: its own, or 'TM–UZ border' for an unnamed one."""
    if facility_id.startswith("border-"):
        return f"{countries.replace('-', '–')} border"
    return text_name


def classify(net: Network, edges: np.ndarray) -> Family:
    """Family and label of the path ``edges`` (see the module docstring)."""
    text = facility_text(net)
    customs = customs_flags(net)
    modes = net.edge_mode[edges]
    fac = net.edge_facility[edges]
    ship = edges[(modes == EdgeMode.SEA) | (modes == EdgeMode.OCEAN)]
    ends = np.column_stack([net.edge_src[ship], net.edge_dst[ship]]).ravel()
    ports = list(dict.fromkeys(str(net.node_name[n]) for n in ends.tolist()))
    runs = country_runs(net, edges)
    if (modes == EdgeMode.OCEAN).any():
        ocean = fac[(modes == EdgeMode.OCEAN) & (fac >= 0)]
        passage = "the Cape" if passage_rows(net, "cape")[ocean].any() else "Suez"
        rail = bool((modes == EdgeMode.RAIL).any())
        route = f" ({ports[0]} → {ports[-1]})" if len(ports) >= 2 else ""
        return Family("sea", f"{'Rail + sea' if rail else 'All-sea'} via {passage}{route}")
    crossings = _sea_crossings(net, edges[modes == EdgeMode.SEA])
    caspian = [c for c in crossings if {c[0][1], c[1][1]} & set(CASPIAN_EAST_SHORE)]
    if caspian:
        # named by the east-shore port and the way out of the Caucasus, in either direction
        (a, ca), (b, cb) = caspian[0]
        parts = [a if ca in CASPIAN_EAST_SHORE else b]
        black_sea = [c for c in crossings if {c[0][1], c[1][1]} & set(CAUCASUS_WEST)]
        if black_sea:
            (a, ca), (b, cb) = black_sea[0]
            parts.append(a if ca in CAUCASUS_WEST else b)
        elif set(gateway("kars").facility_ids) & {text.ids[f] for f in fac[fac >= 0].tolist()}:
            parts.append("Kars")
        return Family("middle", f"Middle via {', '.join(parts)}")
    if "IR" in runs:
        i = runs.index("IR")
        neighbours = {runs[i - 1] if i > 0 else "", runs[i + 1] if i + 1 < len(runs) else ""}
        if "TM" in neighbours:
            return Family("southern", "Southern via Turkmenistan–Iran")
        return Family("southern", "Southern via Iran")
    stop_rows = fac[_stops(net, edges)].tolist()
    gateways = [
        text.names[f]
        for f in stop_rows
        if CHINA in text.countries[f]
        and any(c in text.countries[f] for c in CHINA_NEIGHBOURS_ON_THE_LAND_BRIDGE)
    ]
    if gateways:
        return Family("northern", f"Northern via {gateways[0]}")
    if _on_the_northern_line(runs):
        transit = " and ".join(c for c in ("Russia", "Belarus") if NAMES[c] in runs)
        return Family("northern", f"Northern via {transit}")
    stops = list(
        dict.fromkeys(
            stop_name(text.names[f], text.ids[f], text.countries[f])
            for f in stop_rows
            if customs[f]
        )
    )
    if (modes == EdgeMode.SEA).any() and ports:
        stops = [*stops, *dict.fromkeys(ports)]
    if not stops:
        return Family("regional", "Rail, domestic" if len(runs) <= 1 else "Rail, no customs border")
    shown = stops[:2]
    more = f" +{len(stops) - 2}" if len(stops) > 2 else ""
    return Family("regional", f"Rail via {', '.join(shown)}{more}")


def _on_the_northern_line(runs: list[str]) -> bool:
    """Rail between Kazakhstan or Mongolia and Belarus or the EU through Russia (the northern
    corridor's 1520 mm stretch, e.g. Dostyk -> Brest), without a China border."""
    through = set(runs)
    west = {"BY"} | {c for c, union in customs_territory().items() if union == "EU"}
    return bool(through & {"KZ", "MN"}) and "RU" in through and bool(through & west)


@lru_cache(maxsize=1)
def customs_territory() -> dict[str, str]:
    from landbridge.network.tables import load_customs_unions

    return load_customs_unions()


def _sea_crossings(net: Network, ship: np.ndarray) -> list[tuple[tuple[str, str], ...]]:
    """Each ferry or feeder leg as ((port, country), (port, country)), in travel order."""
    out = []
    for e in ship.tolist():
        ends = []
        for n in (int(net.edge_src[e]), int(net.edge_dst[e])):
            c = int(net.node_country[n])
            ends.append((str(net.node_name[n]), net.countries[c] if c >= 0 else ""))
        out.append(tuple(ends))
    return out
