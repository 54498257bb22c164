"""Export a stored run as Parquet, CSV or GeoJSON into the store's own exports folder.

The output name is sanitised to a plain file name; no path given by a caller is ever opened, so
an API request cannot write outside ``Store.exports_dir``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from landbridge.errors import StoreError
from landbridge.store.db import Store, check_run_id
from landbridge.store.tables import RESULT_TABLES

EXPORT_FORMATS = ("parquet", "csv", "geojson")
MAX_NAME_CHARS = 100


def safe_name(name: str) -> str:
    """A file name made of letters, digits, '.', '_' and '-', never starting with a dot."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:MAX_NAME_CHARS]
    if not clean:
        raise StoreError(f"'{name[:40]}' gives an empty export name; use letters or digits")
    return clean


def export_run(store: Store, run_id: str, fmt: str, name: str | None = None) -> Path:
    """Write the run and return the path written (a folder for parquet/csv, a file for geojson)."""
    check_run_id(run_id)
    if fmt not in EXPORT_FORMATS:
        raise StoreError(
            f"unknown export format '{fmt}'; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    meta = store.get_run(run_id)
    stem = safe_name(name or run_id)
    root = store.exports_dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    tables = {
        t: store.read_results(run_id, t)
        for t, n in meta["row_counts"].items()
        if n and t in RESULT_TABLES
    }
    if fmt == "geojson":
        target = _inside(root, root / f"{stem}.geojson")
        target.write_text(json.dumps(_feature_collection(meta, tables), allow_nan=False), "utf-8")
        return target
    folder = _inside(root, root / stem)
    folder.mkdir(exist_ok=True)
    (folder / "run.json").write_text(json.dumps(_plain(meta), indent=2, default=str), "utf-8")
    for table, frame in tables.items():
        if fmt == "parquet":
            frame.to_parquet(folder / f"{table}.parquet", index=False)
        else:
            frame.to_csv(folder / f"{table}.csv", index=False)
    return folder


def _inside(root: Path, target: Path) -> Path:
    resolved = target.resolve()
    if resolved.parent != root:
        raise StoreError(f"export name would leave the exports folder {root}")
    return resolved


def _feature_collection(meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    features = []
    routes = tables.get("route_options")
    if routes is not None:
        for row in routes.to_dict(orient="records"):
            geometry = row.pop("geometry_geojson", None)
            if not isinstance(geometry, str):
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(geometry),
                    "properties": {"layer": "route_option", **_plain(row)},
                }
            )
    flows = tables.get("flows")
    if flows is not None:
        for row in flows.to_dict(orient="records"):
            lat, lon = row.get("lat"), row.get("lon")
            if not _finite(lat) or not _finite(lon):
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"layer": "facility_flow", **_plain(row)},
                }
            )
    return {
        "type": "FeatureCollection",
        "properties": {
            "run_id": meta["run_id"],
            "scenario_name": meta["scenario_name"],
            "scenario_hash": meta["scenario_hash"],
            "attribution": "© OpenStreetMap contributors (ODbL) for network geometry",
        },
        "features": features,
    }


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, pd.Timestamp):
            value = value.isoformat()
        elif hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out
