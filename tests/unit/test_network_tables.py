"""Curated network tables: provenance-ready columns and clear errors for broken files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.errors import NetworkDataError
from landbridge.network import cache as cache_mod
from landbridge.network import tables
from landbridge.network.build.rail_source import read_rail_lines


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_tables_load() -> None:
    gauges = tables.load_gauges()
    assert gauges.at["KZ", "gauge_mm"] == 1520 and gauges.at["CN", "gauge_mm"] == 1435
    assert gauges.at["FI", "gauge_family"] == gauges.at["RU", "gauge_family"]
    crossings = tables.load_crossings()
    defaults = {tables.DEFAULT_BORDER_ID, tables.DEFAULT_GAUGE_CHANGE_ID}
    assert defaults <= set(crossings["facility_id"])
    assert crossings["closed"].dtype == bool
    assert "AM-TR" in tables.load_closed_borders().index
    assert len(tables.load_rail_links()) >= 5
    assert len(tables.load_length_checks()) >= 7


def test_missing_column_names_the_file_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "gauges.csv", "iso2,gauge_mm,source_ids\nKZ,1520,x\n")
    with pytest.raises(NetworkDataError, match=r"gauges.csv: missing columns \['gauge_family'\]"):
        tables.load_gauges(path)


def test_duplicate_country_and_absurd_gauge_are_rejected(tmp_path: Path) -> None:
    head = "iso2,gauge_mm,gauge_family,source_ids\n"
    dup = write(tmp_path, "g1.csv", head + "KZ,1520,russian,x\nKZ,1520,russian,x\n")
    with pytest.raises(NetworkDataError, match="listed twice"):
        tables.load_gauges(dup)
    bad = write(tmp_path, "g2.csv", head + "KZ,15200,russian,x\n")
    with pytest.raises(NetworkDataError, match=r"out of range .* \['KZ'\]"):
        tables.load_gauges(bad)


def test_crossings_need_the_default_rows(tmp_path: Path) -> None:
    text = (
        "facility_id,name,kind,countries,lat,lon,match_km,closed,source_ids,assumption\n"
        "a,A,crossing,KZ-RU,50,50,30,false,x,\n"
    )
    with pytest.raises(NetworkDataError, match="default row 'default-border' is missing"):
        tables.load_crossings(write(tmp_path, "crossings.csv", text))


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(NetworkDataError, match="sections.csv missing .* restore it"):
        tables.load_sections(tmp_path / "sections.csv")
    with pytest.raises(NetworkDataError, match="railway data missing"):
        read_rail_lines(tmp_path / "nothing.geojson.gz")


def test_corrupt_railway_file_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.geojson.gz", "this is not gzip")
    with pytest.raises(NetworkDataError, match="railway data unreadable"):
        read_rail_lines(path)


def test_cli_reports_a_network_data_error_in_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))

    def broken(progress=None):
        raise NetworkDataError("railway data missing: /x.geojson.gz; reinstall landbridge")

    monkeypatch.setattr(cache_mod, "build_network", broken)
    cache_mod._memo.clear()
    result = CliRunner().invoke(app, ["network", "info"])
    assert result.exit_code == 4
    assert "railway data missing" in result.output
    assert "Traceback" not in result.output


def test_link_rows_cite_sources() -> None:
    links = tables.load_rail_links()
    assert (links["source_ids"].fillna("").str.len() > 0).all()
    assert pd.api.types.is_numeric_dtype(links["length_km"])


def test_cache_key_covers_the_sea_layer_inputs() -> None:
    from landbridge.network.build import inputs, sea_layer

    assert set(sea_layer.input_files()) == set(inputs.SEA_INPUTS)
    assert all(p.is_file() for p in inputs.input_paths())


def test_inputs_hash_follows_file_changes(tmp_path: Path, monkeypatch) -> None:
    import os

    from landbridge.network.build import inputs

    data = write(tmp_path, "a.csv", "x\n1\n")
    monkeypatch.setattr(inputs, "input_paths", lambda: [data])
    first = inputs.inputs_hash()
    assert inputs.inputs_hash() == first
    data.write_text("x\n2\n", encoding="utf-8")
    st = data.stat()
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert inputs.inputs_hash() != first
