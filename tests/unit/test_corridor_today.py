"""The corridor as of 2025–26 on the bundled network (issue 15, "Done when"): the Poland–Belarus
closure holds the northern options through Brest–Małaszewicze in September 2025 and not in
October; the southern option through Iran carries the war flag after 28 February 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from landbridge.network import load_network
from landbridge.network.model import Network
from landbridge.routing.plan import plan_routes
from landbridge.schema.route import RouteRequest, RouteResponse

CLOSURE = "pl-by-closure-2025"


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network()


def xian_duisburg(net: Network, day: dt.date) -> RouteResponse:
    request = RouteRequest(origin="Xi'an", destination="Duisburg", depart=day)
    return plan_routes(request, network=net)


def _through_brest(resp: RouteResponse) -> list:
    return [o for o in resp.options if "Brest–Terespol/Małaszewicze" in o.via]


def test_northern_options_wait_for_the_poland_belarus_reopening_in_september_2025(net) -> None:
    september = _through_brest(xian_duisburg(net, dt.date(2025, 9, 15)))
    assert len(september) >= 2
    for o in september:
        (event,) = [e for e in o.events if e.event_id == CLOSURE]
        # reached during the closure or while its queue clears (7 days after the reopening)
        assert event.delay_h > 0 and event.reached <= dt.date(2025, 10, 1)
        assert "ev-tass-2025-pl-by-close" in event.source
        assert o.arrival is not None and o.arrival.p50 >= dt.date(2025, 9, 25)
    october = _through_brest(xian_duisburg(net, dt.date(2025, 10, 15)))
    assert october and not [e for o in october for e in o.events if e.event_id == CLOSURE]


def test_the_iran_option_is_flagged_after_the_war_began(net) -> None:
    resp = xian_duisburg(net, dt.date(2026, 3, 10))
    iran = [o for o in resp.options if "IR" in o.countries]
    assert iran
    for o in iran:
        assert "iran-war-2026" in {r.event_id for r in o.risks if r.kind == "war_or_closure"}
    assert not [o for o in resp.options if "IR" not in o.countries and any(
        r.event_id == "iran-war-2026" for r in o.risks
    )]  # fmt: skip
    before = xian_duisburg(net, dt.date(2026, 1, 10))
    assert not [r for o in before.options for r in o.risks if r.event_id == "iran-war-2026"]
