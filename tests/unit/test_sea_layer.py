"""The sea layer: ports, ferries, feeders and ocean legs built from the bundled tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import landbridge.network.build.sea_layer as sea_layer
import landbridge.network.sea as sea
from landbridge.data import load_sources, split_source_ids
from landbridge.errors import InvalidInputError, NetworkDataError
from landbridge.network.build.marnet import attach_points, load_marnet, polyline_km, shortest_paths
from landbridge.paths import RAW_DIR

# Suez Canal, Port Said to Suez, with a margin of a few km.
SUEZ_BBOX = (32.2, 29.8, 32.7, 31.4)  # lon_min, lat_min, lon_max, lat_max
CAPE_LAT = -30.0  # a Cape route passes south of this latitude


@pytest.fixture(scope="module")
def layer() -> sea_layer.SeaLayer:
    return sea_layer.build_sea_layer()


def test_layer_has_the_contract_columns(layer) -> None:
    assert list(layer.ports.columns) == list(
        sea_layer.FACILITY_COLUMNS + sea_layer.PORT_EXTRA_COLUMNS
    )
    assert list(layer.links.columns) == list(
        sea_layer.FACILITY_COLUMNS + sea_layer.LINK_EXTRA_COLUMNS
    )
    assert set(layer.ports["kind"]) == {"port"}
    assert set(layer.links["kind"]) == {"ferry", "feeder", "ocean"}
    assert len(layer.link_geometry) == len(layer.links)
    ids = pd.concat([layer.ports["facility_id"], layer.links["facility_id"]])
    assert ids.is_unique


def test_kuryk_and_alat_are_added_with_their_countries(layer) -> None:
    kuryk, alat = layer.port("kuryk"), layer.port("alat")
    assert (kuryk["country"], alat["country"]) == ("KZ", "AZ")
    # Kuryk-Port station (OSM), which serves the port west of the village.
    assert kuryk["lat"] == pytest.approx(43.164758) and kuryk["lon"] == pytest.approx(51.441617)
    assert alat["lat"] == pytest.approx(39.9528) and alat["lon"] == pytest.approx(49.4082)
    assert kuryk["rail_served"] and alat["rail_served"]
    assert kuryk["rail_lat"] == pytest.approx(kuryk["lat"])


def test_searoute_ports_take_the_searoute_coordinates(layer) -> None:
    features = json.loads((RAW_DIR / "searoute" / "ports.geojson").read_text(encoding="utf-8"))[
        "features"
    ]
    aktau = next(f for f in features if f["properties"]["port"] == "KZAAU")
    lon, lat = aktau["geometry"]["coordinates"]
    row = layer.port("aktau")
    assert (row["lon"], row["lat"]) == (lon, lat)


def test_unknown_port_lists_the_known_ones(layer) -> None:
    with pytest.raises(InvalidInputError, match="unknown port 'atlantis'.*aktau"):
        layer.port("atlantis")


def test_every_row_cites_existing_sources(layer) -> None:
    known = set(load_sources().index)
    for frame in (layer.ports, layer.links):
        for cell in frame["source_ids"]:
            ids = split_source_ids(cell)
            assert ids, "a row without sources"
            assert set(ids) <= known, f"unknown source ids {set(ids) - known}"
    rates = sea.load_ocean_rates()
    assert {s for c in rates["source_ids"] for s in split_source_ids(c)} <= known


def test_rail_served_agrees_with_the_world_port_index(layer) -> None:
    wpi = pd.read_csv(
        RAW_DIR / "world-port-index" / "world_port_index_subset.csv",
        dtype=str,
        keep_default_na=False,
    )
    rail = dict(zip(wpi["index_number"].astype(int), wpi["railway_types"], strict=True))
    for _, row in layer.ports.dropna(subset=["wpi_index"]).iterrows():
        recorded = rail[int(row["wpi_index"])] != ""
        if recorded:
            assert row["rail_served"], row["port_id"]
        else:  # a port the WPI has no railway for is rail-served only as a marked assumption
            assert "rail_served" in row["assumption"], row["port_id"]


def test_caspian_ferry_lengths_are_plausible(layer) -> None:
    links = layer.links.set_index("link_id")
    aktau, kuryk, turkmen = (
        links.at[k, "length_km"]
        for k in ("aktau-alat-ferry", "kuryk-alat-ferry", "turkmenbashi-alat-ferry")
    )
    # Baku – Turkmenbashi is published at 306 km; Alat lies about 50 km further south-west.
    assert 306 < turkmen < 306 * 1.3
    # Kuryk sails shorter than Aktau to Baku/Alat (18–22 h against 22 h), both a few hundred km.
    assert 350 < kuryk < aktau < 650
    assert links.at["aktau-alat-feeder", "length_km"] == pytest.approx(aktau)


def test_speeds_reproduce_the_published_crossing_times(layer) -> None:
    links = layer.links.set_index("link_id")
    table = pd.read_csv(sea.LINKS_CSV).set_index("link_id")
    for link_id, published_h in table["sailing_h"].dropna().items():
        row = links.loc[link_id]
        assert row["length_km"] / row["speed_kmh"] == pytest.approx(published_h, rel=1e-9)
    # Caspian ferries: derived speeds are 12-17 knots, as for Ro-Pax ferries.
    caspian = links.loc[
        links["kind"].isin(["ferry", "feeder"]) & links["countries"].str.contains("AZ")
    ]
    assert caspian["speed_kmh"].between(22.0, 32.0).all()


def test_geometry_starts_and_ends_at_the_ports(layer) -> None:
    ports = layer.ports.set_index("port_id")
    for (_, row), line in zip(layer.links.iterrows(), layer.link_geometry, strict=True):
        assert line.dtype == np.float32 and line.shape[1] == 2
        a, b = ports.loc[row["from_port"]], ports.loc[row["to_port"]]
        assert line[0] == pytest.approx([a["lon"], a["lat"]], abs=1e-4)
        assert line[-1] == pytest.approx([b["lon"], b["lat"]], abs=1e-4)


def _in_bbox(line: np.ndarray, bbox: tuple[float, float, float, float]) -> bool:
    lon_min, lat_min, lon_max, lat_max = bbox
    return bool(
        np.any(
            (line[:, 0] >= lon_min)
            & (line[:, 0] <= lon_max)
            & (line[:, 1] >= lat_min)
            & (line[:, 1] <= lat_max)
        )
    )


def test_every_suez_leg_goes_through_the_canal_and_every_cape_leg_round_africa(layer) -> None:
    ocean = layer.links["kind"] == "ocean"
    china = set(layer.ports.loc[layer.ports["region"] == "china", "port_id"])
    europe = set(layer.ports.loc[layer.ports["region"] == "europe", "port_id"])
    pairs = set()
    for i in np.flatnonzero(ocean.to_numpy()):
        row, line = layer.links.iloc[i], layer.link_geometry[i]
        pairs.add((row["from_port"], row["to_port"], row["via"]))
        if row["via"] == "suez":
            assert _in_bbox(line, SUEZ_BBOX), row["link_id"]
            assert line[:, 1].min() > CAPE_LAT
        else:
            assert not _in_bbox(line, SUEZ_BBOX), row["link_id"]
            assert line[:, 1].min() < CAPE_LAT, row["link_id"]
    assert pairs == {(c, e, v) for c in china for e in europe for v in ("suez", "cape")}
    by_pair = layer.links.loc[ocean].set_index(["from_port", "to_port", "via"])["length_km"]
    for c in china:
        for e in europe:
            assert by_pair[(c, e, "cape")] > by_pair[(c, e, "suez")]


def test_ocean_rate_is_the_mean_of_the_years_observations() -> None:
    year, rate = sea.ocean_rate_usd_per_feu(2024)
    assert (year, rate) == (2024, pytest.approx((4406 + 4288 + 5270 + 5085) / 4))
    assert sea.ocean_rate_usd_per_feu(lane="shanghai-genoa") == (2025, pytest.approx(3333))
    assert sea.ocean_rate_usd_per_feu()[0] == 2025
    with pytest.raises(
        InvalidInputError,
        match="no ocean freight rate for shanghai-rotterdam in 1999; years with rates: 2022, 2023",
    ):
        sea.ocean_rate_usd_per_feu(1999)


def test_ocean_links_take_their_destination_lane_rate(layer) -> None:
    ocean = layer.links.loc[layer.links["kind"] == "ocean"]
    lanes = layer.ports.set_index("port_id")["wci_lane"]
    north = ocean["to_port"].map(lanes) == "shanghai-rotterdam"
    assert north.any() and (~north).any()
    np.testing.assert_allclose(ocean.loc[north, "cost_usd_per_feu"], (2512 + 2392) / 2)
    np.testing.assert_allclose(ocean.loc[~north, "cost_usd_per_feu"], 3333)


def test_rate_year_without_a_lane_observation_falls_back_and_says_so() -> None:
    layer_2023 = sea_layer.build_sea_layer(rate_year=2023)
    ocean = layer_2023.links.loc[layer_2023.links["kind"] == "ocean"]
    assert ocean["cost_usd_per_feu"].unique().tolist() == [pytest.approx((1553 + 1449 + 1272) / 3)]
    assert set(ocean["year"]) == {2023}
    assert layer_2023.rate_year == 2023
    genoa = ocean.loc[ocean["to_port"] == "genoa", "assumption"]
    assert genoa.str.contains("no shanghai-genoa WCI observation in 2023").all()
    rotterdam = ocean.loc[ocean["to_port"] == "rotterdam", "assumption"]
    assert not rotterdam.str.contains("WCI observation in").any()


def test_build_is_deterministic(layer) -> None:
    again = sea_layer.build_sea_layer()
    pd.testing.assert_frame_equal(layer.ports, again.ports)
    pd.testing.assert_frame_equal(layer.links, again.links)
    for a, b in zip(layer.link_geometry, again.link_geometry, strict=True):
        np.testing.assert_array_equal(a, b)


def test_link_naming_an_unknown_port_is_a_clear_error(tmp_path, monkeypatch) -> None:
    table = pd.read_csv(sea.LINKS_CSV, dtype=str, keep_default_na=False)
    table.loc[0, "to_port"] = "atlantis"
    path = tmp_path / "sea_links.csv"
    table.to_csv(path, index=False)
    monkeypatch.setattr(sea_layer, "LINKS_CSV", path)
    with pytest.raises(
        NetworkDataError, match="link 'aktau-alat-ferry' names unknown port 'atlantis'"
    ):
        sea_layer.build_sea_layer()


def test_port_missing_from_searoute_is_a_clear_error(tmp_path, monkeypatch) -> None:
    table = pd.read_csv(sea.PORTS_CSV, dtype=str, keep_default_na=False)
    table.loc[0, "locode"] = "XXNOPE"
    path = tmp_path / "ports.csv"
    table.to_csv(path, index=False)
    with pytest.raises(NetworkDataError, match="port 'aktau' LOCODE XXNOPE is not in searoute"):
        sea.load_ports_table(path)


def test_routes_stay_at_sea_away_from_ports(layer) -> None:
    """No Caspian or Black Sea link crosses land (Natural Earth 1:50m) beyond ~15 km of a port."""
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import LineString, Point, shape
    from shapely.ops import unary_union

    countries = RAW_DIR / "natural-earth" / "ne_50m_admin_0_countries_study.json"
    if not countries.is_file():
        pytest.skip("Natural Earth countries are bundled by the network build (not present)")
    features = json.loads(countries.read_text(encoding="utf-8"))["features"]
    land = unary_union([shape(f["geometry"]) for f in features])
    ports = layer.ports.set_index("port_id")
    regional = layer.links["kind"].isin(["ferry", "feeder"])
    for i in np.flatnonzero(regional.to_numpy()):
        row, line = layer.links.iloc[i], layer.link_geometry[i]
        near_ports = unary_union(
            [
                Point(ports.at[p, "lon"], ports.at[p, "lat"]).buffer(0.15)
                for p in (row["from_port"], row["to_port"])
            ]
        )
        at_sea = LineString(line.astype(np.float64)).difference(near_ports)
        assert land.intersection(at_sea).length == pytest.approx(0.0, abs=1e-9), row["link_id"]
    assert shapely.__version__


def test_input_files_exist_and_cover_the_tables() -> None:
    files = sea_layer.input_files()
    assert all(p.is_file() for p in files)
    assert {sea.PORTS_CSV, sea.LINKS_CSV, sea.OCEAN_RATES_CSV} <= set(files)


def test_no_link_uses_the_corinth_canal(layer) -> None:
    for (_, row), line in zip(layer.links.iterrows(), layer.link_geometry, strict=True):
        assert not _in_bbox(line, sea_layer.CORINTH_BBOX), row["link_id"]


# Kuryk – Amirabad/Anzali truck ferry, one way per heavy truck: 1,600-1,700 USD (Xinhua 2020).
KURYK_IRAN_FARE_USD = (1600 + 1700) / 2


def test_caspian_costs_follow_the_stated_arithmetic(layer) -> None:
    """The Caspian ferry charges are the truck-ferry fare per km times the modelled length."""
    kuryk = layer.port("kuryk")
    table = pd.read_csv(sea.PORTS_CSV).set_index("port_id")
    waypoint = [float(x) for x in table.at["kuryk", "approach_lonlat"].split()]
    anzali = sea.load_searoute_ports()["IRBAZ"]
    graph, (w, a) = attach_points(load_marnet(), np.array([waypoint, anzali]))
    nodes = shortest_paths(graph, np.array([w]), sea_layer.EXCLUDED_PASSAGES).path(w, a)
    line = np.vstack([[kuryk["lon"], kuryk["lat"]], waypoint, graph.lonlat[nodes], anzali])
    usd_per_km = KURYK_IRAN_FARE_USD / polyline_km(line)
    caspian = layer.links.loc[layer.links["countries"].isin(["AZ-KZ", "AZ-TM"])]
    assert len(caspian) == 4
    expected = caspian["length_km"] * usd_per_km
    np.testing.assert_allclose(caspian["cost_usd_per_feu"], expected, rtol=0.01)


def test_caspian_crossing_capacities_are_set(layer) -> None:
    links = layer.links.set_index("link_id")
    for ferry in ("aktau-alat-ferry", "kuryk-alat-ferry", "turkmenbashi-alat-ferry"):
        assert links.at[ferry, "capacity_t_per_yr"] == 4_500_000  # whole rail-ferry fleet
    feeder = links.loc["aktau-alat-feeder"]
    assert feeder["capacity_t_per_yr"] == feeder["capacity_teu_per_yr"] * 10  # 10 t per TEU
