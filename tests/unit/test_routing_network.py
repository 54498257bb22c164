"""plan_routes on the bundled network: the corridor set Xi'an -> Duisburg and published lengths.

Lengths are checked against published figures (not fitted to them): Xi'an–Duisburg by rail
9,908 km (duisport via Railmarket), Shanghai–Rotterdam via Suez 10,600 nm (Port Economics).
"""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from landbridge.routing.plan import plan_routes
from landbridge.schema.route import RouteRequest, RouteResponse

XIAN_DUISBURG_RAIL_KM = 9908.0
# before the Red Sea diversions (Dec 2023) the sea option sails via Suez
BEFORE_RED_SEA = dt.date(2023, 6, 1)
SUEZ_ROUTE_KM = 10600 * 1.852
LENGTH_TOLERANCE = 0.10  # OSM track geometry vs published line lengths; 10% is a gross-error check


@pytest.fixture(scope="module")
def network():
    from landbridge.network import load_network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_network()


@pytest.fixture(scope="module")
def xian_duisburg(network) -> RouteResponse:
    return plan_routes(
        RouteRequest(origin="Xi'an", destination="Duisburg", depart=BEFORE_RED_SEA), network=network
    )


def labels(resp: RouteResponse, corridor: str) -> set[str]:
    return {o.label for o in resp.options if o.corridor == corridor}


def test_xian_duisburg_has_every_corridor_family(xian_duisburg: RouteResponse) -> None:
    resp = xian_duisburg
    assert labels(resp, "northern") == {
        "Northern via Alashankou–Dostyk",
        "Northern via Khorgos–Altynkol",
    }
    middle = labels(resp, "middle")
    assert any("Aktau" in label for label in middle) and any("Kuryk" in label for label in middle)
    assert any("Poti" in label for label in middle) and any("Kars" in label for label in middle)
    assert labels(resp, "sea") == {"Rail + sea via Suez (Lianyungang → Antwerp)"}
    assert labels(resp, "southern") == {"Southern via Turkmenistan–Iran"}
    assert any(o.pareto for o in resp.options)


def test_each_family_keeps_to_its_countries(xian_duisburg: RouteResponse) -> None:
    for o in xian_duisburg.options:
        countries = set(o.countries)
        assert o.countries[0] == "CN" and o.countries[-1] == "DE"
        if o.corridor == "northern":
            assert countries & {"RU", "BY"} and not countries & {"AZ", "GE", "TM", "IR"}
            assert o.distance_km.sea == 0.0
        elif o.corridor == "middle":
            assert {"KZ", "AZ", "GE"} <= countries and not countries & {"RU", "BY", "IR", "TM"}
            assert o.distance_km.sea > 0 and o.time_breakdown_h.ferry_wait > 0
        elif o.corridor == "southern":
            assert {"KZ", "TM", "IR", "TR"} <= countries and not countries & {
                "RU",
                "BY",
                "AZ",
                "GE",
            }
        elif o.corridor == "sea":
            assert not countries & {"KZ", "RU", "BY"}
            assert o.distance_km.sea > o.distance_km.rail


def test_lengths_against_published_figures(xian_duisburg: RouteResponse) -> None:
    northern = next(o for o in xian_duisburg.options if o.label == "Northern via Alashankou–Dostyk")
    assert northern.distance_km.total == pytest.approx(XIAN_DUISBURG_RAIL_KM, rel=LENGTH_TOLERANCE)
    sea = next(o for o in xian_duisburg.options if o.corridor == "sea")
    ocean = sum(leg.distance_km for leg in sea.legs if leg.mode == "ocean")
    assert ocean == pytest.approx(SUEZ_ROUTE_KM, rel=LENGTH_TOLERANCE)


def test_avoiding_russia_removes_the_northern_corridor(network) -> None:
    resp = plan_routes(
        RouteRequest(origin="Xi'an", destination="Duisburg", avoid=["RU"]), network=network
    )
    assert "northern" not in {o.corridor for o in resp.options}
    assert {"middle", "sea"} <= {o.corridor for o in resp.options}
    assert all("RU" not in o.countries for o in resp.options)


def test_sources_and_assumptions_are_listed(xian_duisburg: RouteResponse) -> None:
    ids = {s.source_id for s in xian_duisburg.sources}
    assert {"cpmm-2023-prc", "erai-2023", "owid-energy", "glec-v3"} <= ids
    assert all(s.title != "(not in data/sources)" for s in xian_duisburg.sources)
    assert any("Monte Carlo" in a for a in xian_duisburg.assumptions)
