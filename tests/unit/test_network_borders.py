"""Border sides from 1:10m lines and short enclaves, on hand-made data (exact answers)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from test_network_topology import dlat, lines

from landbridge.network.build.borders import absorb_enclaves
from landbridge.network.build.boundary_lines import load_boundary_lines
from landbridge.network.build.compile import BorderPoint, crossing_facilities
from landbridge.network.tables import load_closed_borders, load_crossings


def test_a_vertex_takes_the_side_of_the_border_it_lies_on(tmp_path: Path) -> None:
    # a border along lat 0 digitised west -> east: A on the left (north), B on the right
    feature = {
        "type": "Feature",
        "properties": {"iso2_left": "AA", "iso2_right": "BB"},
        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 0], [1, -1]]},
    }
    path = tmp_path / "lines.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    border = load_boundary_lines(path, ("AA", "BB", "CC"))
    lon = np.array([0.5, 0.5, 1.05, 0.95, 0.5, 3.0])
    lat = np.array([0.01, -0.01, 0.01, -0.5, 0.01, 0.0])
    polygons = np.array([1, 0, 1, 1, 2, 1])  # the generalised polygons' answer
    got = border.side_country(lon, lat, polygons)
    # north of the line: A; south: B; east of the bend (beyond x=1 going south): A (left of
    # the southward leg), west of it: B; a third country's vertex and a far one keep theirs
    assert got.tolist() == [0, 1, 0, 1, 2, 1]


def test_a_short_piece_touching_one_country_is_given_to_it() -> None:
    # A-line 0-1-2-3-4 (40 km each end) with a 10 km stretch 1-2 that the polygons put in B,
    # and a 10 km B stub 3-4 off A (a real line into B that ends there: kept)
    nodes = [(0, 0), (0, dlat(40)), (0, dlat(50)), (0, dlat(90)), (0.1, dlat(90))]
    ls = lines(nodes, [(0, 1), (1, 2), (2, 3), (3, 4)])
    ls = replace(ls, country=np.array([0, 1, 0, 1], dtype=np.int16))
    out, n = absorb_enclaves(ls, max_km=30.0)
    assert n == 1
    assert out.country.tolist() == [0, 0, 0, 1]


def test_a_short_piece_between_two_countries_is_kept() -> None:
    nodes = [(0, 0), (0, dlat(20)), (0, dlat(30)), (0, dlat(50))]
    ls = lines(nodes, [(0, 1), (1, 2), (2, 3)])
    ls = replace(ls, country=np.array([0, 1, 2], dtype=np.int16))
    out, n = absorb_enclaves(ls, max_km=30.0)
    assert n == 0 and out.country.tolist() == [0, 1, 2]


def test_borders_inside_a_customs_union_have_no_customs() -> None:
    iso2 = ("PL", "DE", "BY", "KZ", "RU")
    points = [
        BorderPoint(14.55, 52.35, 0, 1, 0, 1),  # PL-DE: EU-internal, unnamed
        BorderPoint(23.64, 52.08, 2, 3, 2, 0),  # BY-PL: named Brest, external
        BorderPoint(60.0, 51.0, 4, 5, 3, 4),  # KZ-RU: EAEU-internal, unnamed
    ]
    family = np.array([0, 0, 1, 1, 1])
    unions = {"PL": "EU", "DE": "EU", "BY": "EAEU", "KZ": "EAEU", "RU": "EAEU"}
    table, row = crossing_facilities(
        points, iso2, family, load_crossings(), load_closed_borders(), unions
    )
    pl_de, by_pl, kz_ru = (table.iloc[r] for r in row)
    assert not pl_de["customs"] and pl_de["name"].startswith("DE–PL operator change")
    assert (pl_de["dwell_p50_h"], pl_de["dwell_p90_h"]) == (0.5, 1.0)
    assert by_pl["customs"] and by_pl["facility_id"] == "brest-malaszewicze"
    assert not kz_ru["customs"] and kz_ru["dwell_p50_h"] == 2.0  # the EAEU keeps the default
