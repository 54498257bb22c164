"""The compiled network: flat arrays that every algorithm reads (the contract between layers).

Nodes are rail vertices, terminals, crossing points, gauge-change yards and ports. Edges are
directed (every physical link is stored once per direction, ``edge_reverse`` pairs them), in CSR
order by source node, so ``edge_src[indptr[i]:indptr[i+1]] == i``.

Edge modes (``EdgeMode``):
- RAIL: running on track of one gauge inside one country; ``length_km`` is the true length.
- TRANSFER: a gauge change (bogie exchange or transshipment) between two gauge areas; zero
  length; carries a facility with dwell, cost and capacity.
- BORDER: a border crossing without gauge change (e.g. KZ–RU); zero length; carries a facility.
- PORT: handling between rail and ship at a port; zero length; carries the port facility.
- SEA: a ferry or feeder leg (Caspian, Black Sea); ``length_km`` is the sailing distance.
- OCEAN: a deep-sea mainline leg for the all-sea reference option.

Facilities (crossings, yards, sections, ports, sea links) live in ``facilities``, a
``FacilityTable`` of typed columns whose names, types and units are those of
``schema/facility.py``; ``edge_facility`` gives an edge's row in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import Any

import numpy as np

from landbridge.network.facilities import FacilityTable


class EdgeMode(IntEnum):
    RAIL = 0
    TRANSFER = 1
    BORDER = 2
    PORT = 3
    SEA = 4
    OCEAN = 5


class DerivedStore:
    """What is computed from one network and kept while it lives (``network.derived``)."""

    __slots__ = ("values", "__weakref__")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}


class NodeKind(IntEnum):
    JUNCTION = 0
    STATION = 1
    TERMINAL = 2
    CROSSING = 3
    YARD = 4
    PORT = 5


@dataclass(frozen=True)
class Network:
    """Array form of the network. Indices are int32/int64; lengths in km; coordinates in degrees."""

    # --- nodes (n) ---
    node_lat: np.ndarray  # float64 [n], degrees
    node_lon: np.ndarray  # float64 [n], degrees
    node_country: np.ndarray  # int16 [n], index into ``countries``
    node_gauge_mm: np.ndarray  # int16 [n], gauge area of the node (0 for ports/sea)
    node_kind: np.ndarray  # int8 [n], NodeKind
    node_name: np.ndarray  # object [n], '' when unnamed
    # --- edges (m), CSR order by source ---
    indptr: np.ndarray  # int64 [n+1]
    edge_src: np.ndarray  # int32 [m]
    edge_dst: np.ndarray  # int32 [m]
    edge_length_km: np.ndarray  # float64 [m]
    edge_mode: np.ndarray  # int8 [m], EdgeMode
    edge_country: np.ndarray  # int16 [m], index into ``countries`` (-1 for sea/ocean)
    edge_gauge_mm: np.ndarray  # int16 [m] (0 for non-rail)
    edge_facility: np.ndarray  # int32 [m], row in ``facilities`` or -1
    edge_reverse: np.ndarray  # int32 [m], index of the opposite-direction edge
    edge_geom_offset: np.ndarray  # int64 [m+1], slice of ``geom_lonlat`` drawing the edge
    geom_lonlat: np.ndarray  # float32 [k, 2], lon/lat vertices for drawing (true geometry)
    # --- tables ---
    countries: tuple[str, ...]  # ISO2 codes; index = country id
    facilities: FacilityTable = field(repr=False)
    meta: dict = field(default_factory=dict)  # build info: source hashes, build date, counts

    def __post_init__(self) -> None:
        if not isinstance(self.facilities, FacilityTable):  # a DataFrame: checked once, here
            object.__setattr__(self, "facilities", FacilityTable.from_frame(self.facilities))

    @cached_property
    def derived_store(self) -> DerivedStore:
        """This network's store of derived values: made on first use, held by the network and
        dropped with it; a copy (``dataclasses.replace``) starts with an empty one."""
        return DerivedStore()

    @property
    def n_nodes(self) -> int:
        return int(self.node_lat.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_src.shape[0])

    def country_id(self, iso2: str) -> int:
        """Index of an ISO2 code in ``countries``; -1 if the network has no such country."""
        try:
            return self.countries.index(iso2.upper())
        except ValueError:
            return -1

    def edge_geometry(self, e: int) -> np.ndarray:
        """Lon/lat vertices of edge ``e`` in travel direction (float32 [k, 2])."""
        return self.geom_lonlat[self.edge_geom_offset[e] : self.edge_geom_offset[e + 1]]
