"""Build the compiled ``Network`` from the bundled raw data and curated tables.

Steps: read the OSM-derived lines; keep the study countries; join dead ends across the
source's small gaps; add the missing links (``rail_links.csv``); split at borders; keep the
largest connected piece; make nodes at the places people name; drop short spurs; contract
station throats; collapse degree-2 chains; compile arrays, crossings, gauge changes, sections.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from landbridge.network import tables
from landbridge.network.borders import split_at_borders
from landbridge.network.compile import NamedPoint, compile_network
from landbridge.network.countries import COUNTRIES_FILE, load_countries
from landbridge.network.geo import PointIndex
from landbridge.network.lines import LineSet
from landbridge.network.model import Network, NodeKind
from landbridge.network.rail_source import RAIL_FILE, read_rail_lines
from landbridge.network.topology import (
    add_links,
    collapse_chains,
    contract_short_lines,
    largest_component,
    make_nodes_at,
    prune_spurs,
    snap_dead_ends,
)
from landbridge.paths import DATA_DIR

# Bump when the build logic changes what it produces: a cache of another version is rebuilt.
BUILD_VERSION = 1
# A named place becomes a node when a rail vertex lies this close (farther ones are not on the
# network; the gazetteer's snap finds them the nearest node anyway).
PLACE_NODE_MAX_KM = 10.0
# Section and length-check end points must lie this close to the railway.
POINT_NODE_MAX_KM = 15.0
PLACES_CSV = DATA_DIR / "places" / "places.csv"

Progress = Callable[[str], None]


def input_paths() -> list[Path]:
    """Every file whose content determines the built network."""
    paths = [RAIL_FILE, COUNTRIES_FILE, *tables.input_files()]
    if PLACES_CSV.is_file():
        paths.append(PLACES_CSV)
    return paths


def inputs_hash() -> str:
    """SHA-256 over the build version and every input file (names and bytes)."""
    h = hashlib.sha256(f"build-version={BUILD_VERSION}".encode())
    for p in input_paths():
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.is_file() else b"<missing>")
    return h.hexdigest()


def _study_area(ls: LineSet, countries) -> LineSet:
    vc = countries.locate(ls.coords[:, 0], ls.coords[:, 1])
    inside = np.bincount(ls.vertex_line(), weights=(vc >= 0), minlength=ls.n_lines) > 0
    return ls.subset(inside)


def _named_places() -> pd.DataFrame:
    """Places (terminals, cities, stations, crossings, ports) of the gazetteer's table that should
    keep their own node. Read as plain CSV: the build needs only names, kinds and coordinates."""
    empty = pd.DataFrame(columns=["name", "kind", "lat", "lon"])
    if not PLACES_CSV.is_file():
        return empty
    frame = pd.read_csv(
        PLACES_CSV, usecols=lambda c: c in ("name", "kind", "lat", "lon"), keep_default_na=False
    )
    if not {"name", "kind", "lat", "lon"} <= set(frame.columns):
        return empty
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    return frame[np.isfinite(frame["lat"]) & np.isfinite(frame["lon"])].reset_index(drop=True)


_KIND = {"terminal": NodeKind.TERMINAL, "port": NodeKind.PORT}


def _refind(ls: LineSet, lonlat: np.ndarray) -> np.ndarray:
    """Node ids of protected nodes (which every step keeps) from their coordinates."""
    if not len(lonlat):
        return np.zeros(0, dtype=np.int64)
    _, idx = PointIndex(ls.node_lonlat[:, 0], ls.node_lonlat[:, 1]).nearest(
        lonlat[:, 0], lonlat[:, 1]
    )
    return np.atleast_1d(idx).astype(np.int64)


def build_network(progress: Progress | None = None) -> Network:
    """Build the network from the bundled data (a few seconds; ``load_network`` caches it)."""
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    gauges = tables.load_gauges()
    iso2 = tuple(gauges.index)
    countries = load_countries(only=iso2)
    crossings = tables.load_crossings()
    closed = tables.load_closed_borders()
    sections = tables.load_sections()
    links = tables.load_rail_links()
    say("reading railway lines")
    ls = _study_area(read_rail_lines(), countries)
    raw_km = ls.total_km()
    say("repairing topology")
    ls, n_snapped = snap_dead_ends(ls)
    ls, link_ids = add_links(ls, links)
    say("splitting at borders")
    ls, _ = split_at_borders(ls, countries)
    ls, n_dropped, dropped_km = largest_component(ls)

    say("placing named nodes")
    places = _named_places()
    sec_lon = np.concatenate(
        [sections["from_lon"].to_numpy(float), sections["to_lon"].to_numpy(float)]
    )
    sec_lat = np.concatenate(
        [sections["from_lat"].to_numpy(float), sections["to_lat"].to_numpy(float)]
    )
    ls, sec_nodes, _ = make_nodes_at(ls, sec_lon, sec_lat, POINT_NODE_MAX_KM)
    ls, place_nodes, _ = make_nodes_at(
        ls, places["lon"].to_numpy(float), places["lat"].to_numpy(float), PLACE_NODE_MAX_KM
    )
    protected_ll = np.vstack(
        [ls.node_lonlat[sec_nodes[sec_nodes >= 0]], ls.node_lonlat[place_nodes[place_nodes >= 0]]]
    )

    say("simplifying")
    ls, spur_km = prune_spurs(ls, _refind(ls, protected_ll))
    ls = contract_short_lines(ls, _refind(ls, protected_ll))
    ls, spur_km2 = prune_spurs(ls, _refind(ls, protected_ll))
    ls = collapse_chains(ls, _refind(ls, protected_ll))

    n_sec = len(sections)
    sec_final = (
        _refind(ls, ls.node_lonlat[:0])
        if not n_sec
        else _refind(ls, protected_ll[: int((sec_nodes >= 0).sum())])
    )
    section_nodes = np.full((n_sec, 2), -1, dtype=np.int64)
    ok = sec_nodes >= 0
    flat = np.full(2 * n_sec, -1, dtype=np.int64)
    flat[ok] = sec_final
    section_nodes[:, 0], section_nodes[:, 1] = flat[:n_sec], flat[n_sec:]
    place_final = _refind(ls, protected_ll[int(ok.sum()) :])
    placed = places[place_nodes >= 0].reset_index(drop=True)
    named = [
        NamedPoint(str(r.name), _KIND.get(str(r.kind), NodeKind.STATION), int(nd))
        for r, nd in zip(placed.itertuples(index=False), place_final, strict=True)
    ]
    meta = {
        "build_version": BUILD_VERSION,
        "inputs_sha256": inputs_hash(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_km": round(raw_km, 1),
        "snapped_dead_ends": n_snapped,
        "links_added": link_ids,
        "dropped_components": n_dropped,
        "dropped_component_km": round(dropped_km, 1),
        "pruned_spur_km": round(spur_km + spur_km2, 1),
    }
    say("compiling arrays")
    net = compile_network(ls, iso2, gauges, crossings, closed, sections, named, section_nodes, meta)
    net.meta["build_s"] = round(time.perf_counter() - t0, 2)
    return net
