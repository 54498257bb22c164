"""Export a stored run as GeoParquet, CSV or GeoJSON: a folder with one file per table.

Every table carries ``run_id``; the simulation's train class is split into ``origin``,
``destination`` and ``option``. Geometry layers hold one geometry type each: route options are
lines (LineString, or MultiLineString for every row when any option needs several parts) and
facility flows are points, both in OGC:CRS84 (lon/lat on WGS 84). GeoParquet files carry the
``geo`` metadata of GeoParquet 1.1 (WKB encoding, geometry types, CRS as PROJJSON, bbox); CSV
files carry the geometry as WKT; a GeoJSON export writes its tables without geometry as CSV.
The folder is written as a whole by ``landbridge.outputs.atomic_folder`` (temporary folder,
``manifest.json`` with every file's size and SHA-256, then rename): a killed export leaves no
folder that looks finished, and re-using a name replaces the earlier export whole.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landbridge.errors import StoreError
from landbridge.outputs import UNWRITABLE, atomic_folder, check_output_folder, output_error
from landbridge.store.db import Store
from landbridge.store.run_record import check_run_id
from landbridge.store.tables import RESULT_TABLES

EXPORT_FORMATS = ("parquet", "csv", "geojson")
WHAT = "run export"
GEOPARQUET_VERSION = "1.1.0"
CRS = "OGC:CRS84"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL) for network geometry"
# the simulation names a train class "<origin>><destination> <option label>"
_OD_SEP, _OPTION_SEP = ">", " "


def export_run(store: Store, run_id: str, fmt: str, out: Path | str | None = None) -> Path:
    """Write the run into the folder ``out`` (default: ``<store>-exports/<run_id>``) and return
    it. The folder appears only when every file and the manifest are written."""
    check_run_id(run_id)
    if fmt not in EXPORT_FORMATS:
        raise StoreError(
            f"unknown export format '{fmt}'; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    meta = store.get_run(run_id)
    target = Path(out).expanduser() if out is not None else store.exports_dir / run_id
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in UNWRITABLE:  # a read-only store folder, a full disk: say that
            raise output_error(exc, target, WHAT) from None
    except ValueError:
        pass  # a bad name: check_output_folder says why
    check_output_folder(target, WHAT)  # a bad --out fails before the tables are read
    tables = export_tables(store, run_id, meta)
    with atomic_folder(target, WHAT) as folder:
        run_json = {**_plain(meta), "format": fmt, "crs": CRS, "attribution": ATTRIBUTION}
        (folder / "run.json").write_text(json.dumps(run_json, indent=2, default=str), "utf-8")
        for table, frame in tables.items():
            # GeoJSON holds the geometry layers; the other tables go beside them as CSV
            kind = "csv" if fmt == "geojson" and "geometry" not in frame else fmt
            _writer(kind, frame, meta)(folder / f"{table}.{kind}")
    return Path(os.path.realpath(target))


def _writer(fmt: str, frame: pd.DataFrame, meta: dict[str, Any]) -> Callable[[Path], None]:
    if fmt == "parquet":
        return lambda path: write_geoparquet(frame, path)
    if fmt == "csv":
        return lambda path: _csv(frame).to_csv(path, index=False)

    def write_json(path: Path) -> None:
        path.write_text(json.dumps(feature_collection(frame, meta), allow_nan=False), "utf-8")

    return write_json


def export_zip(store: Store, run_id: str, fmt: str) -> tuple[str, bytes]:
    """The export as a zip archive for download: (file name, bytes); nothing kept on the server."""
    with tempfile.TemporaryDirectory(prefix="landbridge-export-") as tmp:
        folder = export_run(store, run_id, fmt, Path(tmp) / run_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, f"{run_id}/{path.name}")
    return f"{run_id}-{fmt}.zip", buffer.getvalue()


def export_tables(store: Store, run_id: str, meta: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The run's non-empty result tables as exported: run_id first, geometry as shapely."""
    out = {}
    for table, n in meta["row_counts"].items():
        if not n or table not in RESULT_TABLES:
            continue
        frame = store.read_results(run_id, table)
        if table == "route_options":
            frame = frame.assign(geometry=_lines(frame.pop("geometry_geojson")))
        elif table == "flows":
            frame = frame.assign(geometry=_points(frame["lon"], frame["lat"]))
        elif table == "sim_transit":
            frame = _split_od(frame)
        frame.insert(0, "run_id", run_id)
        out[table] = frame
    return out


def _lines(geojson: pd.Series) -> list[Any]:
    """Route geometries as shapely lines of one type (MultiLineString for all if any is)."""
    from shapely.geometry import LineString, MultiLineString, shape

    shapes = [shape(json.loads(g)) if isinstance(g, str) else None for g in geojson]
    if any(isinstance(s, MultiLineString) for s in shapes):
        shapes = [MultiLineString([s]) if isinstance(s, LineString) else s for s in shapes]
    return shapes


def _points(lon: pd.Series, lat: pd.Series) -> list[Any]:
    import shapely

    x, y = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    points = shapely.points(np.where(ok, x, 0.0), np.where(ok, y, 0.0))
    return [p if good else None for p, good in zip(np.asarray(points), ok, strict=True)]


def _split_od(frame: pd.DataFrame) -> pd.DataFrame:
    od = frame.pop("od").astype(str)
    ends, _, option = od.str.partition(_OPTION_SEP).T.to_numpy()
    pairs = pd.Series(ends).str.partition(_OD_SEP)
    has_od = (pairs[1] == _OD_SEP).to_numpy() & (option != "")
    frame.insert(0, "option", np.where(has_od, option, od.to_numpy()))
    missing = np.array(None, dtype=object)
    frame.insert(0, "destination", np.where(has_od, pairs[2].to_numpy(), missing))
    frame.insert(0, "origin", np.where(has_od, pairs[0].to_numpy(), missing))
    return frame


def geometry_types(frame: pd.DataFrame) -> list[str]:
    return sorted({g.geom_type for g in frame["geometry"] if g is not None})


def _crs_projjson() -> dict[str, Any]:
    from pyproj import CRS as ProjCRS

    return ProjCRS.from_user_input(CRS).to_json_dict()


def write_geoparquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet; with a ``geometry`` column, GeoParquet 1.1 (WKB, types, CRS, bbox)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    if "geometry" not in frame:
        frame.to_parquet(path, index=False)
        return
    geoms = np.array(list(frame["geometry"]), dtype=object)
    wkb = shapely.to_wkb(geoms)
    table = pa.Table.from_pandas(frame.drop(columns="geometry"), preserve_index=False)
    table = table.append_column("geometry", pa.array(list(wkb), type=pa.binary()))
    present = [g for g in geoms if g is not None]
    bounds = shapely.total_bounds(present).tolist() if present else []
    geo = {
        "version": GEOPARQUET_VERSION,
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": geometry_types(frame),
                "crs": _crs_projjson(),
                **({"bbox": bounds} if bounds else {}),
            }
        },
    }
    meta = {**(table.schema.metadata or {}), b"geo": json.dumps(geo).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


def _csv(frame: pd.DataFrame) -> pd.DataFrame:
    if "geometry" not in frame:
        return frame
    wkt = [g.wkt if g is not None else None for g in frame["geometry"]]
    return frame.drop(columns="geometry").assign(geometry_wkt=pd.Series(wkt, index=frame.index))


def feature_collection(frame: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    """One layer as GeoJSON (RFC 7946: lon/lat on WGS 84); rows without geometry keep a null."""
    import shapely

    features = []
    for row in frame.drop(columns="geometry").to_dict(orient="records"):
        features.append({"type": "Feature", "geometry": None, "properties": _plain(row)})
    for feature, geom in zip(features, frame["geometry"], strict=True):
        if geom is not None:
            feature["geometry"] = json.loads(shapely.to_geojson(geom))
    return {
        "type": "FeatureCollection",
        "name": f"{meta['scenario_name']} {meta['run_id']}",
        "properties": {
            "run_id": meta["run_id"],
            "scenario_name": meta["scenario_name"],
            "scenario_hash": meta["scenario_hash"],
            "attribution": ATTRIBUTION,
        },
        "features": features,
    }


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, pd.Timestamp):
            value = value.isoformat()
        elif hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[str(key)] = value
    return out
