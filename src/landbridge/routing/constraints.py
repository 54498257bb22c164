"""Route constraints as objects that compose: each masks edges and/or checks a found path.

``edge_mask`` returns a bool array over edges (True = usable) or None if the constraint does
not restrict edges; ``check`` returns None if a path is acceptable, else a short reason.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

import numpy as np

from landbridge.network.derived import derived
from landbridge.network.model import EdgeMode, Network

HANDLING_MODES = (EdgeMode.TRANSFER, EdgeMode.PORT)


def fold(text: str) -> str:
    """Lower-case ASCII form for matching names (``Małaszewicze`` -> ``maaszewicze``)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass(frozen=True)
class FacilityText:
    """Text columns of ``Network.facilities`` as plain lists (read once per network)."""

    ids: list[str]
    names: list[str]
    kinds: list[str]
    countries: list[str]
    source_ids: list[str]
    assumptions: list[str]


def facility_text(net: Network) -> FacilityText:
    """The ``FacilityText`` of ``net`` (made once per network)."""
    return derived(net, "facility-text", _facility_text)


def _facility_text(net: Network) -> FacilityText:
    fac = net.facilities

    def col(name: str) -> list[str]:
        if name not in fac:
            return [""] * len(fac)
        return ["" if not isinstance(v, str) else v for v in fac[name].tolist()]

    ids, names = col("facility_id"), col("name")
    text = FacilityText(
        ids, names, col("kind"), col("countries"), col("source_ids"), col("assumption")
    )
    return text


@dataclass(frozen=True)
class PathView:
    """What a constraint may inspect on a found path."""

    net: Network
    edges: np.ndarray  # int edge ids in travel order

    @property
    def modes(self) -> np.ndarray:
        return self.net.edge_mode[self.edges]

    def facility_ids(self) -> set[str]:
        ids = facility_text(self.net).ids
        fac = self.net.edge_facility[self.edges]
        return {ids[f] for f in np.unique(fac[fac >= 0])}

    def country_codes(self) -> set[str]:
        nodes = np.concatenate([self.net.edge_src[self.edges], self.net.edge_dst[self.edges]])
        ids = np.unique(
            np.concatenate([self.net.node_country[nodes], self.net.edge_country[self.edges]])
        )
        return {self.net.countries[i] for i in ids if i >= 0}


class Constraint:
    """Base: restricts nothing. Subclasses override ``edge_mask``, ``check`` or both."""

    def edge_mask(self, net: Network) -> np.ndarray | None:
        return None

    def check(self, path: PathView) -> str | None:
        return None

    def describe(self) -> str:
        return type(self).__name__


def _country_ids(net: Network, codes: Iterable[str]) -> np.ndarray:
    ids = [net.country_id(c) for c in codes]
    return np.array([i for i in ids if i >= 0], dtype=np.int64)


def edges_touching_countries(net: Network, codes: Iterable[str]) -> np.ndarray:
    """Bool over edges: the edge, either end node, or its facility lies in one of ``codes``."""
    codes = {c.upper() for c in codes}
    ids = _country_ids(net, codes)
    touch = (
        np.isin(net.edge_country, ids)
        | np.isin(net.node_country[net.edge_src], ids)
        | np.isin(net.node_country[net.edge_dst], ids)
    )
    fac_hit = np.array(
        [bool(codes.intersection(c.upper().split("-"))) for c in facility_text(net).countries],
        dtype=bool,
    )
    if len(fac_hit):
        has = net.edge_facility >= 0
        touch[has] |= fac_hit[net.edge_facility[has]]
    return touch


@dataclass(frozen=True)
class AvoidCountries(Constraint):
    """No edge in, into or out of these countries (``modes`` limits which edge modes count)."""

    codes: tuple[str, ...]
    modes: tuple[EdgeMode, ...] | None = None

    def edge_mask(self, net: Network) -> np.ndarray:
        touch = edges_touching_countries(net, self.codes)
        if self.modes is not None:
            touch &= np.isin(net.edge_mode, [int(m) for m in self.modes])
        return ~touch

    def describe(self) -> str:
        return f"avoid {', '.join(self.codes)}"


@dataclass(frozen=True)
class AvoidModes(Constraint):
    modes: tuple[EdgeMode, ...]

    def edge_mask(self, net: Network) -> np.ndarray:
        return ~np.isin(net.edge_mode, [int(m) for m in self.modes])

    def describe(self) -> str:
        return "no " + ", ".join(m.name.lower() for m in self.modes) + " legs"


def facility_matches(net: Network, ids: Sequence[str]) -> np.ndarray:
    """Bool over facility rows whose id is one of ``ids``."""
    wanted = set(ids)
    return np.array([i in wanted for i in facility_text(net).ids], dtype=bool)


def passage_rows(net: Network, passage: str) -> np.ndarray:
    """Bool over facility rows: the ocean legs that sail ``passage`` (``suez`` or ``cape``: the
    ``via`` cell of their ``sea_links.csv`` row), read-only, made once per network."""
    return derived(net, f"passage-rows:{passage}", lambda n: _passage_rows(n, passage))


def _passage_rows(net: Network, passage: str) -> np.ndarray:
    fac = net.facilities
    if not len(fac) or "via" not in fac.columns:
        return np.zeros(len(fac), dtype=bool)
    rows = (fac["kind"] == "ocean") & (fac["via"] == passage)
    rows.setflags(write=False)
    return rows


@dataclass(frozen=True)
class AvoidPassage(Constraint):
    """No edge of an ocean leg that sails ``passage`` (``suez`` or ``cape``)."""

    passage: str

    def edge_mask(self, net: Network) -> np.ndarray:
        hit = passage_rows(net, self.passage)
        mask = np.ones(net.n_edges, dtype=bool)
        has = net.edge_facility >= 0
        if len(hit):
            mask[has] = ~hit[net.edge_facility[has]]
        return mask

    def describe(self) -> str:
        return f"not via {self.passage}"


@dataclass(frozen=True)
class AvoidClosed(Constraint):
    """No edge of a facility flagged ``closed`` (closed borders, scenario closures)."""

    def edge_mask(self, net: Network) -> np.ndarray | None:
        if "closed" not in net.facilities.columns or not len(net.facilities):
            return None
        closed = net.facilities["closed"]
        mask = np.ones(net.n_edges, dtype=bool)
        has = net.edge_facility >= 0
        mask[has] = ~closed[net.edge_facility[has]]
        return mask

    def describe(self) -> str:
        return "closed crossings excluded"


@dataclass(frozen=True)
class NotVia(Constraint):
    """The path must not pass a facility of ``facility_ids`` (checked, not masked, so that
    variants differing only by the facility they avoid share one graph and its trees)."""

    facility_ids: tuple[str, ...]
    name: str

    def check(self, path: PathView) -> str | None:
        if path.facility_ids().intersection(self.facility_ids):
            return f"passes {self.name}"
        return None


@dataclass(frozen=True)
class AvoidSeaTouching(Constraint):
    """No SEA leg that starts or ends in these countries (e.g. the Black Sea feeders)."""

    codes: tuple[str, ...]

    def edge_mask(self, net: Network) -> np.ndarray:
        ids = _country_ids(net, self.codes)
        sea = net.edge_mode == EdgeMode.SEA
        ends = np.isin(net.node_country[net.edge_src], ids) | np.isin(
            net.node_country[net.edge_dst], ids
        )
        return ~(sea & ends)


@dataclass(frozen=True)
class RequireFacility(Constraint):
    """The path passes a facility of ``facility_ids``."""

    facility_ids: tuple[str, ...]
    name: str

    def check(self, path: PathView) -> str | None:
        if path.facility_ids().intersection(self.facility_ids):
            return None
        return f"does not pass {self.name}"


@dataclass(frozen=True)
class RequireMode(Constraint):
    mode: EdgeMode

    def check(self, path: PathView) -> str | None:
        return None if (path.modes == self.mode).any() else f"has no {self.mode.name.lower()} leg"


@dataclass(frozen=True)
class RequireAnyCountry(Constraint):
    codes: tuple[str, ...]

    def check(self, path: PathView) -> str | None:
        return (
            None
            if path.country_codes() & set(self.codes)
            else f"does not cross {'/'.join(self.codes)}"
        )


@dataclass(frozen=True)
class MaxTransshipments(Constraint):
    """At most ``limit`` gauge changes and port handlings (each facility counted once)."""

    limit: int

    def check(self, path: PathView) -> str | None:
        modes = path.modes
        fac = path.net.edge_facility[path.edges]
        handled = np.isin(modes, [int(m) for m in HANDLING_MODES])
        count = len(set(fac[handled & (fac >= 0)].tolist())) + int((handled & (fac < 0)).sum())
        return None if count <= self.limit else f"needs {count} transshipments (limit {self.limit})"


@dataclass(frozen=True)
class AllOf(Constraint):
    """Several constraints at once: masks are AND-ed, the first failing check is reported."""

    parts: tuple[Constraint, ...]

    def edge_mask(self, net: Network) -> np.ndarray | None:
        masks = [m for m in (c.edge_mask(net) for c in self.parts) if m is not None]
        return reduce(np.logical_and, masks) if masks else None

    def check(self, path: PathView) -> str | None:
        for c in self.parts:
            reason = c.check(path)
            if reason:
                return reason
        return None

    def describe(self) -> str:
        return "; ".join(c.describe() for c in self.parts)

    def mask_key(self) -> tuple[Constraint, ...]:
        """The parts that mask edges: two constraint sets with equal keys share one graph."""
        return tuple(c for c in self.parts if type(c).edge_mask is not Constraint.edge_mask)


def all_of(*parts: Constraint) -> AllOf:
    flat: list[Constraint] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, AllOf) else (p,))
    return AllOf(tuple(flat))
