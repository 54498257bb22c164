"""Build the compiled ``Network`` from the bundled raw data and curated tables.

Steps: read the OSM-derived lines; keep the study countries; join dead ends across the
source's small gaps; add the missing links (``rail_links.csv``); split at borders; keep the
largest connected piece; make nodes at the places people name; drop short spurs; contract
station throats; collapse degree-2 chains; compile arrays, crossings, gauge changes, sections.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from landbridge.errors import NetworkDataError
from landbridge.network import tables
from landbridge.network.build.borders import absorb_enclaves, split_at_borders
from landbridge.network.build.boundary_lines import load_boundary_lines
from landbridge.network.build.compile import NamedPoint, compile_network
from landbridge.network.build.countries import load_countries
from landbridge.network.build.inputs import (
    BORDER_LINES_FILE,
    BUILD_VERSION,
    PLACES_CSV,
    inputs_hash,
)
from landbridge.network.build.lines import LineOrigin, LineSet, densify
from landbridge.network.build.rail_source import read_rail_lines
from landbridge.network.build.sea_layer import build_sea_layer
from landbridge.network.build.topology import (
    add_links,
    collapse_chains,
    contract_short_lines,
    exclude_lines,
    largest_component,
    make_nodes_at,
    prune_spurs,
    snap_dead_ends,
)
from landbridge.network.geo import PointIndex
from landbridge.network.graph import min_weight_csr
from landbridge.network.model import Network, NodeKind

# A named place becomes a node when a rail vertex lies this close (farther ones are not on the
# network; the gazetteer's snap finds them the nearest node anyway).
PLACE_NODE_MAX_KM = 10.0
# Section and length-check end points must lie this close to the railway.
POINT_NODE_MAX_KM = 15.0
# The source has straight segments of tens of km; vertices at most this far apart let places,
# joins and links attach where they are rather than at the next bend.
DENSIFY_KM = 2.0
# Protected nodes keep their exact coordinates through every step; this only absorbs rounding.
REFIND_MAX_KM = 0.01

Progress = Callable[[str], None]


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
    index = PointIndex(ls.node_lonlat[:, 0], ls.node_lonlat[:, 1])
    _, idx = index.nearest(lonlat[:, 0], lonlat[:, 1], max_km=REFIND_MAX_KM)
    idx = np.atleast_1d(idx).astype(np.int64)
    if np.any(idx >= ls.n_nodes):
        raise NetworkDataError("build lost a protected node (a terminal, station or anchor)")
    return idx


def calibrate_lengths(
    ls: LineSet, pairs: np.ndarray, reference_km: np.ndarray
) -> tuple[LineSet, float]:
    """Scale the OSM-derived line lengths by the median ratio of full-resolution OSM route
    lengths (``length_calibration.csv``) to the same routes on this network.

    The source geometry is simplified (straight segments cut the curves), so its lengths run a
    few per cent short; links with a published length are not scaled."""
    ok = np.all(pairs >= 0, axis=1)
    if not ok.any():
        return ls, 1.0
    n = ls.n_nodes
    graph = min_weight_csr(
        np.concatenate([ls.line_u, ls.line_v]),
        np.concatenate([ls.line_v, ls.line_u]),
        np.concatenate([ls.length_km, ls.length_km]),
        n,
    )
    dist = dijkstra(graph, indices=pairs[ok, 0])
    modelled = dist[np.arange(int(ok.sum())), pairs[ok, 1]]
    good = np.isfinite(modelled) & (modelled > 0)
    if not good.any():
        return ls, 1.0
    factor = float(np.median(reference_km[ok][good] / modelled[good]))
    scale = np.where(ls.origin == LineOrigin.LINK, 1.0, factor)
    return replace(ls, length_km=ls.length_km * scale), factor


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
    ls = densify(_study_area(read_rail_lines(), countries), DENSIFY_KM)
    raw_km = ls.total_km()
    say("repairing topology")
    ls, n_snapped = snap_dead_ends(ls)
    ls, link_ids = add_links(ls, links)
    ls, excluded_ids = exclude_lines(ls, tables.load_excluded_lines())
    say("splitting at borders")
    ls, _ = split_at_borders(
        ls, countries, border_lines=load_boundary_lines(BORDER_LINES_FILE, iso2)
    )
    ls, n_enclaves = absorb_enclaves(ls)
    ls, n_dropped, dropped_km = largest_component(ls)

    say("placing named nodes")
    places = _named_places()
    calib = tables.load_length_calibration()
    ferries = tables.load_rail_ferries()
    anchor_lon = np.concatenate(
        [sections["from_lon"], sections["to_lon"], calib["from_lon"], calib["to_lon"],
         ferries["from_lon"], ferries["to_lon"]]
    ).astype(float)  # fmt: skip
    anchor_lat = np.concatenate(
        [sections["from_lat"], sections["to_lat"], calib["from_lat"], calib["to_lat"],
         ferries["from_lat"], ferries["to_lat"]]
    ).astype(float)  # fmt: skip
    ls, anchor_nodes, _ = make_nodes_at(ls, anchor_lon, anchor_lat, POINT_NODE_MAX_KM)
    ls, place_nodes, _ = make_nodes_at(
        ls, places["lon"].to_numpy(float), places["lat"].to_numpy(float), PLACE_NODE_MAX_KM
    )
    anchor_ok = anchor_nodes >= 0
    protected_ll = np.vstack(
        [ls.node_lonlat[anchor_nodes[anchor_ok]], ls.node_lonlat[place_nodes[place_nodes >= 0]]]
    )

    say("simplifying")
    ls, spur_km = prune_spurs(ls, _refind(ls, protected_ll))
    ls = contract_short_lines(ls, _refind(ls, protected_ll))
    ls, spur_km2 = prune_spurs(ls, _refind(ls, protected_ll))
    ls = collapse_chains(ls, _refind(ls, protected_ll))
    # spurs pruned above may have hidden an enclave behind a dead end
    ls, n_more = absorb_enclaves(ls)
    n_enclaves += n_more

    protected_now = _refind(ls, protected_ll)
    anchors = np.full(len(anchor_nodes), -1, dtype=np.int64)
    anchors[anchor_ok] = protected_now[: int(anchor_ok.sum())]
    n_sec, n_cal, n_fer = len(sections), len(calib), len(ferries)
    section_nodes = np.column_stack([anchors[:n_sec], anchors[n_sec : 2 * n_sec]])
    c0 = 2 * n_sec
    calib_nodes = np.column_stack([anchors[c0 : c0 + n_cal], anchors[c0 + n_cal : c0 + 2 * n_cal]])
    f0 = c0 + 2 * n_cal
    ferry_nodes = np.column_stack([anchors[f0 : f0 + n_fer], anchors[f0 + n_fer : f0 + 2 * n_fer]])
    if np.any(ferry_nodes < 0):
        far = ferries.loc[np.any(ferry_nodes < 0, axis=1), "facility_id"].tolist()
        raise NetworkDataError(f"rail_ferries.csv: a pier of {far} is not on the railway")
    ls, factor = calibrate_lengths(ls, calib_nodes, calib["osm_km"].to_numpy(float))
    placed = places[place_nodes >= 0].reset_index(drop=True)
    named = [
        NamedPoint(str(r.name), _KIND.get(str(r.kind), NodeKind.STATION), int(nd))
        for r, nd in zip(
            placed.itertuples(index=False), protected_now[int(anchor_ok.sum()) :], strict=True
        )
    ]
    meta = {
        "build_version": BUILD_VERSION,
        "inputs_sha256": inputs_hash(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_km": round(raw_km, 1),
        "snapped_dead_ends": n_snapped,
        "border_enclaves_absorbed": n_enclaves,
        "links_added": link_ids,
        "lines_excluded": excluded_ids,
        "dropped_components": n_dropped,
        "dropped_component_km": round(dropped_km, 1),
        "pruned_spur_km": round(spur_km + spur_km2, 1),
        "length_factor": round(factor, 4),
    }
    say("routing the sea layer")
    sea_layer = build_sea_layer()
    say("compiling arrays")
    net = compile_network(
        ls, iso2, gauges, crossings, closed, sections, named, section_nodes, meta, sea_layer,
        (ferries, ferry_nodes), tables.load_customs_unions(),
    )  # fmt: skip
    net.meta["build_s"] = round(time.perf_counter() - t0, 2)
    return net
