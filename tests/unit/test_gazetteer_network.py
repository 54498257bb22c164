"""Every curated terminal snaps onto the built network: in its own country and close by."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from landbridge.errors import UnreachableError
from landbridge.network.model import NodeKind
from landbridge.places.gazetteer import Gazetteer
from landbridge.places.place_sources import TERMINALS_TABLE
from landbridge.places.snap import (
    PORT_SNAP_MAX_KM,
    SNAP_MAX_KM,
    snap_distance_km,
    snap_index,
    snap_to_network,
)

pytestmark = pytest.mark.slow  # builds the network when the cache is cold

with TERMINALS_TABLE.open(encoding="utf-8", newline="") as _fh:
    TERMINAL_IDS = [f"terminal:{r['place_id']}" for r in csv.DictReader(_fh)]


@pytest.fixture(scope="module")
def net():
    from landbridge.network import load_network

    return load_network()


@pytest.mark.parametrize("place_id", TERMINAL_IDS)
def test_curated_terminal_snaps_in_its_own_country(net, place_id: str) -> None:
    place = Gazetteer.load().by_id(place_id)
    node = snap_to_network(place, net)
    assert snap_distance_km(place, net, node) <= SNAP_MAX_KM
    assert net.countries[int(net.node_country[node])] == place.country
    if place.kind == "port":
        ports = snap_index(net).port_nodes
        near_port = any(snap_distance_km(place, net, int(p)) <= PORT_SNAP_MAX_KM for p in ports)
        assert (int(net.node_kind[node]) == NodeKind.PORT) == near_port


def test_snapping_is_deterministic_and_cached(net) -> None:
    place = Gazetteer.load().resolve("Dostyk")
    assert snap_to_network(place, net) == snap_to_network(place, net)
    assert snap_index(net) is snap_index(net)


def test_a_point_far_from_any_railway_is_unreachable(net) -> None:
    # Middle of the Indian Ocean: the nearest railway is thousands of km away.
    ocean = Gazetteer.load().resolve("-30,80")
    with pytest.raises(UnreachableError, match=r"nearest railway of the network is [\d,]+ km away"):
        snap_to_network(ocean, net)
    assert np.isfinite(net.node_lat).all()
