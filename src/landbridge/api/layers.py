"""Map layers as GeoJSON for the browser: the network by gauge, facilities, sea lines, and the
Natural Earth basemap. Geometry is simplified once and the serialized bytes are cached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from landbridge.errors import NetworkDataError
from landbridge.network.model import EdgeMode, Network
from landbridge.network.route_lines import COORD_DECIMALS, LINE_SIMPLIFY_DEG
from landbridge.paths import RAW_DIR

# Country outlines are background only; 0.02 deg (~2 km) keeps coastlines recognizable at zoom 6.
BASEMAP_SIMPLIFY_DEG = 0.02

# The whole world (the all-sea option sails round Arabia and Africa), then the study-area cut.
NATURAL_EARTH_DIR = RAW_DIR / "natural-earth"
NATURAL_EARTH_COUNTRY_FILES = (
    "ne_50m_admin_0_countries_world_basemap.json",
    "ne_50m_admin_0_countries_study.json",
    "ne_50m_admin_0_countries.json",
)

FACILITY_LAYERS = {"crossings": ("crossing",), "yards": ("gauge_change",), "ports": ("port",)}
SEA_MODES = (int(EdgeMode.SEA), int(EdgeMode.OCEAN))
LAYER_NAMES = ("rail", "crossings", "yards", "ports", "sea", "sections")


def _feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _one_direction(net: Network, edges: np.ndarray) -> np.ndarray:
    """Keep one edge of each reverse pair (the lower index), so every line is drawn once."""
    rev = net.edge_reverse[edges]
    return edges[(rev < 0) | (edges <= rev)]


def _edge_lines(net: Network, edges: np.ndarray) -> list[list[list[float]]]:
    """Simplified lon/lat coordinate lists, one per edge."""
    if len(edges) == 0:
        return []
    lines = shapely.simplify(
        [shapely.LineString(c) for c in _raw_lines(net, edges)], LINE_SIMPLIFY_DEG
    )
    return [np.round(shapely.get_coordinates(g), COORD_DECIMALS).tolist() for g in lines]


def _raw_lines(net: Network, edges: np.ndarray) -> list[np.ndarray]:
    """Unsimplified lon/lat vertices per edge (a straight segment when the edge has none)."""
    lines = []
    for e in edges:
        coords = net.edge_geometry(int(e)).astype(np.float64)
        if coords.shape[0] < 2:
            s, d = net.edge_src[e], net.edge_dst[e]
            coords = np.array(
                [[net.node_lon[s], net.node_lat[s]], [net.node_lon[d], net.node_lat[d]]]
            )
        lines.append(coords)
    return lines


def _rail_layer(net: Network) -> dict[str, Any]:
    """Rail lines merged per (gauge, country): a few hundred long lines instead of one per edge,
    so the browser parses a fraction of the vertices and features."""
    edges = _one_direction(net, np.flatnonzero(net.edge_mode == int(EdgeMode.RAIL)))
    gauge = net.edge_gauge_mm[edges]
    country = net.edge_country[edges]
    features = []
    for g, c in sorted({(int(a), int(b)) for a, b in zip(gauge, country, strict=True)}):
        group = edges[(gauge == g) & (country == c)]
        merged = shapely.line_merge(shapely.MultiLineString(_raw_lines(net, group)))
        simplified = shapely.simplify(merged, LINE_SIMPLIFY_DEG)
        parts = shapely.get_parts(simplified)
        lines = [np.round(shapely.get_coordinates(p), COORD_DECIMALS).tolist() for p in parts]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {
                    "gauge_mm": g,
                    "country": net.countries[c] if c >= 0 else "",
                    "length_km": round(float(net.edge_length_km[group].sum()), 1),
                },
            }
        )
    return _feature_collection(features)


def _facility_properties(row: pd.Series) -> dict[str, Any]:
    props: dict[str, Any] = {
        "facility_id": str(row["facility_id"]),
        "name": str(row["name"]),
        "kind": str(row["kind"]),
    }
    for column in (
        "countries",
        "dwell_p50_h",
        "dwell_p90_h",
        "capacity_trains_per_day",
        "capacity_t_per_yr",
        "servers",
        "cost_usd_per_feu",
        "source_ids",
    ):
        if column in row.index:
            value = row[column]
            if isinstance(value, float | np.floating):
                props[column] = None if np.isnan(value) else round(float(value), 2)
            else:
                props[column] = str(value)
    return props


def _facility_layer(net: Network, kinds: tuple[str, ...]) -> dict[str, Any]:
    table = net.facilities.to_frame()
    rows = table[table["kind"].isin(kinds)]
    features = []
    for _, row in rows.iterrows():
        lon, lat = float(row["lon"]), float(row["lat"])
        if not (np.isfinite(lon) and np.isfinite(lat)):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)],
                },
                "properties": _facility_properties(row),
            }
        )
    return _feature_collection(features)


def _line_facility_layer(
    net: Network, modes: tuple[int, ...] | None, kinds: tuple[str, ...] | None
) -> dict[str, Any]:
    """Edges drawn as lines that carry a facility: ferries, feeders, ocean legs or line sections."""
    mask = net.edge_facility >= 0
    if modes is not None:
        mask &= np.isin(net.edge_mode, modes)
    edges = np.flatnonzero(mask)
    if kinds is not None:
        edge_kinds = net.facilities["kind"][net.edge_facility[edges]]
        edges = edges[np.isin(edge_kinds, kinds)]
    edges = _one_direction(net, edges)
    features = []
    table = net.facilities.to_frame()
    for e, coords in zip(edges, _edge_lines(net, edges), strict=True):
        props = _facility_properties(table.iloc[int(net.edge_facility[e])])
        props["edge"] = int(e)
        props["length_km"] = round(float(net.edge_length_km[e]), 1)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": props,
            }
        )
    return _feature_collection(features)


def network_layer(net: Network, name: str) -> dict[str, Any]:
    """One named layer of ``LAYER_NAMES`` as a GeoJSON FeatureCollection."""
    if name == "rail":
        return _rail_layer(net)
    if name in FACILITY_LAYERS:
        return _facility_layer(net, FACILITY_LAYERS[name])
    if name == "sea":
        return _line_facility_layer(net, SEA_MODES, None)
    if name == "sections":
        return _line_facility_layer(net, (int(EdgeMode.RAIL),), ("section",))
    raise KeyError(name)


def natural_earth_countries() -> Path:
    """The bundled Natural Earth countries file (first found in ``NATURAL_EARTH_COUNTRY_FILES``)."""
    for name in NATURAL_EARTH_COUNTRY_FILES:
        if (NATURAL_EARTH_DIR / name).is_file():
            return NATURAL_EARTH_DIR / name
    return NATURAL_EARTH_DIR / NATURAL_EARTH_COUNTRY_FILES[0]


def basemap_countries(path: Path | None = None) -> dict[str, Any]:
    """Natural Earth country polygons, simplified, with ``name`` and ``iso_a2`` properties only."""
    path = path or natural_earth_countries()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NetworkDataError(
            f"Cannot read the basemap {path.name} ({exc}); reinstall landbridge or restore "
            f"data/raw/natural-earth/."
        ) from None
    features = []
    for feature in raw.get("features", []):
        geometry = feature.get("geometry")
        if not geometry:
            continue
        shape = shapely.simplify(
            shapely.geometry.shape(geometry), BASEMAP_SIMPLIFY_DEG, preserve_topology=True
        )
        if shape.is_empty:
            continue
        shape = shapely.set_precision(shape, 10**-COORD_DECIMALS)
        props = feature.get("properties", {})
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shape),
                "properties": {
                    "name": props.get("NAME", props.get("name", "")),
                    "iso_a2": props.get("ISO_A2", props.get("iso2", "")),
                },
            }
        )
    return _feature_collection(features)
