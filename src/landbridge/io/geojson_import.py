"""Import railway lines from a GeoJSON file (LineString / MultiLineString features).

Same output as the OSM importer (``osm_import.ImportedRailways``): lines split where they meet
(shared vertices; coordinates are rounded to OSM's precision of 1e-7 degrees), typed attributes
from the feature properties (``gauge``, ``electrified``, ``voltage``, ``frequency``, ``usage``,
``service``, ``maxspeed``, ``name``) and Point features as stations. A feature whose
``railway`` property is present and not ``rail`` is skipped and counted, as in the OSM importer.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from landbridge.errors import NetworkDataError
from landbridge.io.osm_import import (
    STATION_COLUMNS,
    ImportedRailways,
    ImportReport,
    RawLine,
    assemble,
    check_lonlat,
    skip_reason,
)
from landbridge.user_files import regular_file

# OSM stores coordinates as integers of 1e-7 degrees: vertices equal at that precision meet.
COORD_DECIMALS = 7
# A fixed-point key of one lon/lat pair: lon and lat in units of 1e-7 degrees.
_KEY_SCALE = 10**COORD_DECIMALS
_LAT_SPAN = 180 * _KEY_SCALE + 1


def read_geojson(path: str | Path) -> ImportedRailways:
    """The railway lines and station points of the GeoJSON file ``path``."""
    path = regular_file(path, NetworkDataError, "GeoJSON file")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NetworkDataError(
            f"{path}: cannot read GeoJSON file ({exc.strerror or exc})"
        ) from None
    except UnicodeDecodeError as exc:
        raise NetworkDataError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    if not text.strip():
        raise NetworkDataError(f"{path}: the file is empty")
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise NetworkDataError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise NetworkDataError(f"{path}: JSON nested too deeply to be GeoJSON") from None
    return railways_from_geojson(doc, str(path))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def railways_from_geojson(doc: object, source: str = "<geojson>") -> ImportedRailways:
    """Railways of a parsed GeoJSON object (FeatureCollection, Feature or bare geometry)."""
    report = ImportReport(source=source)
    features = _features(doc, source)
    raw: list[RawLine] = []
    stations: list[dict] = []
    for index, feature in enumerate(features):
        where = f"{source}: feature {index}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise NetworkDataError(f"{where}: not a GeoJSON Feature object")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise NetworkDataError(f"{where}: 'properties' must be an object")
        tags = {str(k): _tag_text(v) for k, v in props.items() if v is not None}
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            raise NetworkDataError(f"{where}: no geometry (null or not an object)")
        kind = geometry.get("type")
        coords = geometry.get("coordinates")
        if kind == "Point":
            lon, lat = _position(coords, where)
            name, railway = tags.get("name", ""), tags.get("railway", "")
            stations.append(
                {"station_id": index, "name": name, "railway": railway, "lat": lat, "lon": lon}
            )
            continue
        if kind == "LineString":
            parts = [coords]
        elif kind == "MultiLineString":
            if not isinstance(coords, list):
                raise NetworkDataError(f"{where}: MultiLineString coordinates must be a list")
            parts = coords
        else:
            raise NetworkDataError(
                f"{where}: geometry type {str(kind)[:40]!r} is not LineString, MultiLineString "
                "or Point"
            )
        report.ways_read += 1
        if "railway" in tags and (reason := skip_reason(tags)):
            report.skip(reason)
            continue
        report.rail_ways += 1
        kept = 0
        for p, part in enumerate(parts):
            lonlat = _line(part, f"{where} part {p}" if kind == "MultiLineString" else where)
            # rounded to OSM's precision, so that equal keys are equal coordinates
            fixed = np.rint(lonlat * _KEY_SCALE).astype(np.int64)
            lonlat = fixed / _KEY_SCALE
            keys = (fixed[:, 0] * _LAT_SPAN + fixed[:, 1] + 90 * _KEY_SCALE).tolist()
            dedup = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
            if len(dedup) < 2:
                report.dropped_pieces += 1
                continue
            kept += 1
            raw.append(RawLine(index, [keys[i] for i in dedup], lonlat[dedup], tags))
        if not kept:
            report.lost_ways += 1
    return assemble(raw, pd.DataFrame(stations, columns=list(STATION_COLUMNS)), report)


def _features(doc: object, source: str) -> list:
    if not isinstance(doc, dict):
        raise NetworkDataError(f"{source}: GeoJSON must be an object, not {type(doc).__name__}")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise NetworkDataError(f"{source}: FeatureCollection without a 'features' list")
        return features
    if kind == "Feature":
        return [doc]
    if kind in ("LineString", "MultiLineString", "Point"):
        return [{"type": "Feature", "properties": {}, "geometry": doc}]
    raise NetworkDataError(
        f"{source}: GeoJSON type {str(kind)[:40]!r} is not FeatureCollection, Feature or a "
        "LineString/MultiLineString geometry"
    )


def _tag_text(value: object) -> str:
    # numbers in properties (gauge: 1520) read like OSM's text values
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, (str, int, float)) else json.dumps(value)[:200]


def _position(value: object, where: str) -> tuple[float, float]:
    if (
        not isinstance(value, list)
        or not 2 <= len(value) <= 3
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        raise NetworkDataError(
            f"{where}: position {str(value)[:60]} is not [lon, lat] (or [lon, lat, z]) numbers"
        )
    try:
        lon, lat = float(value[0]), float(value[1])
    except OverflowError:
        raise NetworkDataError(f"{where}: position {str(value)[:60]} is out of range") from None
    check_lonlat(lon, lat, where)
    return lon, lat


def _line(value: object, where: str) -> np.ndarray:
    if not isinstance(value, list) or len(value) < 2:
        raise NetworkDataError(f"{where}: a LineString needs a list of at least 2 positions")
    out = np.empty((len(value), 2), dtype=np.float64)
    for i, pos in enumerate(value):
        out[i] = _position(pos, f"{where} vertex {i}")
    return out
