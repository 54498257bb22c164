"""Corridor variants name their crossings and ports by facility id (corridor_variants.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from landbridge.errors import NetworkDataError
from landbridge.network.cache import load_network
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.routing.constraints import PathView, facility_matches
from landbridge.routing.corridors import variants
from landbridge.routing.variant_table import (
    COLUMNS,
    CORRIDOR_VARIANTS_CSV,
    read_gateways,
)


def test_every_listed_facility_is_in_the_bundled_network() -> None:
    ids = set(load_network().facilities["facility_id"])
    table = read_gateways(CORRIDOR_VARIANTS_CSV, frozenset(ids))
    assert {"dostyk", "altynkol", "aktau", "kuryk", "poti-batumi", "kars"} <= set(table)
    pinned = {fid for v in variants() for fid in v.pin}
    assert pinned and pinned <= ids
    for gateway in table.values():
        assert set(gateway.facility_ids) <= ids, gateway.key


def test_an_unknown_facility_id_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "corridor_variants.csv"
    path.write_text(
        ",".join(COLUMNS) + "\ndostyk,Dostyk,alashankou-dostyk,\ndostyk,Dostyk,dostyk-2,\n",
        encoding="utf-8",
    )
    with pytest.raises(NetworkDataError, match=r"line 3: facility_id 'dostyk-2'"):
        read_gateways(path, frozenset({"alashankou-dostyk"}))
    assert read_gateways(path, frozenset({"alashankou-dostyk", "dostyk-2"}))[
        "dostyk"
    ].facility_ids == ("alashankou-dostyk", "dostyk-2")


def _two_station_network(facility_id: str, name: str) -> Network:
    """Two stations, CN -> KZ, joined by one gauge-change edge of one facility (both ways)."""
    fac = pd.DataFrame(
        {"facility_id": [facility_id], "name": [name], "kind": ["gauge_change"],
         "countries": ["CN-KZ"], "closed": [False], "source_ids": [""]}
    )  # fmt: skip
    return Network(
        node_lat=np.array([45.19, 45.25]),
        node_lon=np.array([82.55, 82.49]),
        node_country=np.array([0, 1], dtype=np.int16),
        node_gauge_mm=np.zeros(2, dtype=np.int16),
        node_kind=np.full(2, int(NodeKind.STATION), dtype=np.int8),
        node_name=np.array(["A", "B"], dtype=object),
        indptr=np.array([0, 1, 2], dtype=np.int64),
        edge_src=np.array([0, 1], dtype=np.int32),
        edge_dst=np.array([1, 0], dtype=np.int32),
        edge_length_km=np.zeros(2),
        edge_mode=np.full(2, int(EdgeMode.TRANSFER), dtype=np.int8),
        edge_country=np.array([1, 1], dtype=np.int16),
        edge_gauge_mm=np.zeros(2, dtype=np.int16),
        edge_facility=np.zeros(2, dtype=np.int32),
        edge_reverse=np.array([1, 0], dtype=np.int32),
        edge_geom_offset=np.zeros(3, dtype=np.int64),
        geom_lonlat=np.zeros((0, 2), dtype=np.float32),
        countries=("CN", "KZ"),
        facilities=fac,
    )


@pytest.mark.parametrize(
    ("facility_id", "name", "is_dostyk"),
    [
        ("alashankou-dostyk", "Alashankou–Dostyk", True),
        ("dostyk-like", "Dostyk-like crossing (Alashankou)", False),  # fragments, not listed
    ],
)
def test_a_facility_is_a_dostyk_variant_by_id_not_by_name(
    facility_id: str, name: str, is_dostyk: bool
) -> None:
    net = _two_station_network(facility_id, name)
    dostyk = next(v for v in variants() if v.key == "dostyk")
    altynkol = next(v for v in variants() if v.key == "altynkol")
    path = PathView(net, np.array([0]))
    assert bool(facility_matches(net, dostyk.pin).any()) is is_dostyk
    assert (dostyk.constraint.check(path) is None) is is_dostyk
    if not is_dostyk:
        assert dostyk.constraint.check(path) == "does not pass Dostyk"
    # the Altynkol variant forbids Dostyk: it objects only to the listed facility
    reason = altynkol.constraint.check(path)
    assert reason == ("passes Dostyk" if is_dostyk else "does not pass Altynkol")


def test_importing_the_corridors_reads_no_table() -> None:
    """The gateway table (and the four facility tables its ids are checked against) is read when
    the first variant is built, once, not when the module is imported."""
    import subprocess
    import sys

    code = (
        "import landbridge.routing.corridors as c\n"
        "from landbridge.network.facility_ids import bundled_facility_ids\n"
        "from landbridge.routing.variant_table import bundled_gateways as g\n"
        "ids = bundled_facility_ids\n"
        "before = (g.cache_info().currsize, ids.cache_info().currsize)\n"
        "c.variants_for(None); c.variants_for('middle')\n"
        "print(before, (g.cache_info().misses, ids.cache_info().misses))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["(0,", "0)", "(1,", "1)"]
