"""Run exports: the folder at --out, GeoParquet metadata, one geometry type per layer, run_id in
every table, OD and option apart, a folder written as a whole and never mixed with another run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.unit.test_store import record, results

from landbridge.errors import OutputError, StoreError
from landbridge.outputs import MANIFEST, is_complete_folder
from landbridge.store.db import Store
from landbridge.store.export import export_run, export_zip


def _frames() -> dict[str, pd.DataFrame]:
    frames = results()
    frames["sim_transit"]["od"] = ["cn-xian>de-duisburg Northern via Dostyk", "a", "b c"]
    frames["flows"] = pd.DataFrame(
        {
            "facility_id": ["alashankou-dostyk", "nowhere"],
            "name": ["Alashankou–Dostyk", "No place"],
            "kind": ["gauge_change", "port"],
            "lat": [45.21, float("nan")],
            "lon": [82.52, float("nan")],
            "flow_t_per_yr": [1.5e7, 1.0],
            "capacity_t_per_yr": [2e7, 2.0],
            "utilization": [0.75, 0.5],
        }
    )
    return frames


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Store, str]:
    store = Store(tmp_path / "runs.duckdb")
    return store, store.write_run(record(), _frames())


def test_geoparquet_export_has_crs_geometry_types_and_run_id(
    stored: tuple[Store, str], tmp_path: Path
) -> None:
    import shapely

    store, run_id = stored
    out = tmp_path / "exports" / "my export"
    assert export_run(store, run_id, "parquet", out) == out.resolve()
    assert is_complete_folder(out)
    routes = pq.read_table(out / "route_options.parquet")
    geo = json.loads(routes.schema.metadata[b"geo"])
    column = geo["columns"]["geometry"]
    assert geo["primary_column"] == "geometry" and column["encoding"] == "WKB"
    assert column["geometry_types"] == ["LineString"]
    assert column["crs"]["id"] == {"authority": "OGC", "code": "CRS84"}
    assert column["bbox"] == [6.8, 34.3, 108.9, 51.4]
    lines = shapely.from_wkb(routes.column("geometry").to_pylist())
    assert lines[0].coords[0] == (108.9, 34.3) and lines[1] is None
    flows = pq.read_table(out / "flows.parquet")
    assert json.loads(flows.schema.metadata[b"geo"])["columns"]["geometry"]["geometry_types"] == [
        "Point"
    ]
    for table in ("route_options", "flows", "sim_transit"):
        frame = pd.read_parquet(out / f"{table}.parquet")
        assert frame.columns[0] == "run_id" and set(frame["run_id"]) == {run_id}
    transit = pd.read_parquet(out / "sim_transit.parquet").sort_values("transit_h")
    assert "od" not in transit
    assert transit[["origin", "destination", "option"]].iloc[0].tolist() == [
        "cn-xian", "de-duisburg", "Northern via Dostyk"
    ]  # fmt: skip
    assert transit["option"].tolist()[1:] == ["a", "b c"]
    assert transit["origin"].isna().tolist() == [False, True, True]


def test_geopandas_reads_the_crs_when_installed(stored: tuple[Store, str], tmp_path: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    store, run_id = stored
    out = export_run(store, run_id, "parquet", tmp_path / "x")
    frame = gpd.read_parquet(out / "route_options.parquet")
    assert frame.crs.to_string() in ("OGC:CRS84", "EPSG:4326")
    assert set(frame.geom_type.dropna()) == {"LineString"}


def test_geojson_export_is_one_layer_per_geometry_type(
    stored: tuple[Store, str], tmp_path: Path
) -> None:
    store, run_id = stored
    out = export_run(store, run_id, "geojson", tmp_path / "geo")
    assert sorted(p.name for p in out.iterdir()) == [
        "flows.geojson", MANIFEST, "route_options.geojson", "run.json", "sim_transit.csv"
    ]  # fmt: skip
    routes = json.loads((out / "route_options.geojson").read_text())
    assert [f["geometry"]["type"] if f["geometry"] else None for f in routes["features"]] == [
        "LineString", None
    ]  # fmt: skip
    assert routes["features"][0]["properties"]["run_id"] == run_id
    assert "OpenStreetMap" in routes["properties"]["attribution"]
    flows = json.loads((out / "flows.geojson").read_text())
    assert flows["features"][0]["geometry"] == {"type": "Point", "coordinates": [82.52, 45.21]}
    assert flows["features"][1]["geometry"] is None


def test_csv_export_carries_wkt_and_split_od(stored: tuple[Store, str], tmp_path: Path) -> None:
    store, run_id = stored
    out = export_run(store, run_id, "csv", tmp_path / "csv")
    routes = pd.read_csv(out / "route_options.csv")
    assert routes["geometry_wkt"].iloc[0] == "LINESTRING (108.9 34.3, 6.8 51.4)"
    transit = pd.read_csv(out / "sim_transit.csv")
    assert sorted(transit["transit_h"]) == [0.0, 1.0, 2.0]
    manifest = json.loads((out / MANIFEST).read_text())
    assert {f["name"] for f in manifest["files"]} == {"route_options.csv", "flows.csv",
                                                      "sim_transit.csv", "run.json"}  # fmt: skip
    meta = json.loads((out / "run.json").read_text())
    assert meta["run_id"] == run_id and meta["row_counts"]["sim_transit"] == 3


def test_default_folder_is_the_run_id_in_the_exports_folder(stored: tuple[Store, str]) -> None:
    store, run_id = stored
    assert export_run(store, run_id, "csv") == (store.exports_dir / run_id).resolve()


def test_reusing_an_out_name_replaces_the_export_as_a_whole(
    stored: tuple[Store, str], tmp_path: Path
) -> None:
    store, run_a = stored
    run_b = store.write_run(record("other"), {"sim_transit": results()["sim_transit"]})
    out = tmp_path / "latest"
    export_run(store, run_a, "csv", out)
    export_run(store, run_b, "csv", out)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "run.json", "sim_transit.csv"]
    assert json.loads((out / "run.json").read_text())["run_id"] == run_b
    assert is_complete_folder(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".latest")] == []


def test_out_that_is_not_an_export_is_refused_and_left_alone(
    stored: tuple[Store, str], tmp_path: Path
) -> None:
    store, run_id = stored
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep")
    with pytest.raises(OutputError, match="already holds other files"):
        export_run(store, run_id, "csv", mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    file = tmp_path / "my.geojson"
    file.write_text("{}")
    with pytest.raises(OutputError, match="give a folder name"):
        export_run(store, run_id, "geojson", file)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="named pipe"):
        export_run(store, run_id, "csv", fifo)
    with pytest.raises(StoreError, match="unknown export format"):
        export_run(store, run_id, "xlsx", tmp_path / "x")


def test_a_failing_write_leaves_nothing_that_looks_finished(
    stored: tuple[Store, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import landbridge.store.export as export

    store, run_id = stored

    def full_disk(frame: pd.DataFrame, path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_geoparquet", full_disk)
    with pytest.raises(OutputError, match="disk is full"):
        export_run(store, run_id, "parquet", tmp_path / "out")
    assert list(tmp_path.glob("*out*")) == []


def test_tampered_export_fails_verification(stored: tuple[Store, str], tmp_path: Path) -> None:
    store, run_id = stored
    out = export_run(store, run_id, "csv", tmp_path / "t")
    with (out / "sim_transit.csv").open("a") as fh:
        fh.write("x,y,z\n")
    assert not is_complete_folder(out)
    out = export_run(store, run_id, "csv", tmp_path / "u")
    (out / "stray.csv").write_text("")
    assert not is_complete_folder(out)
    (out / "stray.csv").unlink()
    assert is_complete_folder(out)
    (out / MANIFEST).unlink()
    assert not is_complete_folder(out)


def test_zip_download_holds_the_folder(stored: tuple[Store, str]) -> None:
    import io
    import zipfile

    store, run_id = stored
    name, data = export_zip(store, run_id, "geojson")
    assert name == f"{run_id}-geojson.zip"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"{run_id}/{MANIFEST}" in names and f"{run_id}/route_options.geojson" in names


def test_killed_exports_never_look_finished(stored: tuple[Store, str], tmp_path: Path) -> None:
    """SIGKILL `runs export` at staggered moments: every folder at --out verifies."""
    store, run_id = stored
    env = {**os.environ, "LANDBRIDGE_HOME": str(tmp_path)}
    finished = 0
    for i, delay_s in enumerate((0.3, 0.8, 1.5)):
        out = tmp_path / f"kill{i}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "landbridge.cli", "runs", "export", run_id, "--format",
             "parquet", "--out", str(out), "--store", str(store.path)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay_s)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            finished += 1
            assert is_complete_folder(out)
    assert finished <= 3


def test_a_read_only_store_folder_is_read_and_the_export_refused_clearly(
    stored: tuple[Store, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store folder on a read-only file system (injected: as root chmod would not stop a
    write): the run is still read, the default export folder beside it cannot be made, and the
    answer is a one-line OutputError saying so, not a traceback."""
    import errno
    import tempfile

    store, run_id = stored
    before = sorted(p.name for p in store.path.parent.iterdir())

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "mkdir", read_only)
    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    assert store.get_run(run_id)["run_id"] == run_id
    with pytest.raises(OutputError) as info:
        export_run(store, run_id, "csv")
    message = str(info.value)
    assert "\n" not in message and "the file system is read-only" in message
    assert sorted(p.name for p in store.path.parent.iterdir()) == before
