"""plan_routes on the hand-made network: option set, exact totals, constraints, Pareto, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pytest
from pydantic import ValidationError
from test_routing_toy import FACILITIES, NODES, build_network

from landbridge.costs import dated
from landbridge.costs.edges import compute_edge_costs
from landbridge.costs.params import load_default_params
from landbridge.costs.transit import transit_time
from landbridge.errors import InvalidInputError, UnknownPlaceError, UnreachableError
from landbridge.events import country_factor
from landbridge.network.model import EdgeMode
from landbridge.routing.constraints import MaxTransshipments
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import plan_routes, plan_routes_with_paths
from landbridge.schema.params import ParamsOverride
from landbridge.schema.route import RouteRequest, RouteResponse

NET = build_network()
PARAMS = load_default_params()


def plan(params=None, constraints=(), **kw) -> RouteResponse:
    kw.setdefault("origin", "Xi'an")
    kw.setdefault("destination", "Duisburg")
    return plan_routes(
        RouteRequest(**kw),
        network=NET,
        params=params or PARAMS,
        resolver=resolve_on_network,
        constraints=constraints,
    )


def _tariff_event(country: str) -> float:
    """The tariff changes of the events table in force today (KTZ +16%, RZD +10%)."""
    return country_factor(country, "usd_per_feu_km", dated.today())[0]


def by_label(resp: RouteResponse) -> dict:
    return {o.label: o for o in resp.options}


# labels are read from the path taken: ports by their network names, the sea passage of the date
# (this network has no Cape legs, so Suez), "Rail + sea" for the rail to and from the ports
SEA = "Rail + sea via Suez (Lianyungang port → Rotterdam port)"
ALL_LABELS = {
    "Northern via Alashankou–Dostyk",
    "Northern via Khorgos–Altynkol",
    "Middle via Aktau port, Poti port",
    "Middle via Aktau port, Kars",
    "Middle via Kuryk port, Poti port",
    "Middle via Kuryk port, Kars",
    "Southern via Turkmenistan–Iran",
    SEA,
}


def test_every_corridor_variant_is_found_once() -> None:
    resp = plan()
    assert set(by_label(resp)) == ALL_LABELS
    assert len(resp.options) == len(ALL_LABELS)
    opts = by_label(resp)
    assert opts["Northern via Alashankou–Dostyk"].via[0] == "Alashankou–Dostyk"
    assert opts["Northern via Khorgos–Altynkol"].via[0] == "Khorgos–Altynkol"
    assert "Kuryk port" in opts["Middle via Kuryk port, Kars"].via
    assert "Akhalkalaki (gauge change to Kars)" in opts["Middle via Kuryk port, Kars"].via
    assert "Poti port" in opts["Middle via Aktau port, Poti port"].via
    assert opts["Southern via Turkmenistan–Iran"].countries == ["CN", "KZ", "TM", "IR", "TR", "DE"]
    assert opts[SEA].countries == ["CN", "NL", "DE"]
    assert opts["Northern via Alashankou–Dostyk"].countries == ["CN", "KZ", "RU", "BY", "PL", "DE"]


def _fac(fid: str) -> dict:
    cols = [
        "facility_id",
        "name",
        "kind",
        "countries",
        "dwell_p50_h",
        "dwell_p90_h",
        "cost_usd_per_feu",
    ]
    row = dict(zip(cols, next(f for f in FACILITIES if f[0] == fid)[:7], strict=True))
    if np.isnan(row["dwell_p50_h"]):  # the toy's Krasnoye row is empty: kind defaults apply
        for col in ("dwell_p50_h", "dwell_p90_h", "cost_usd_per_feu"):
            row[col] = PARAMS.value("facility_defaults", row["kind"], col)
    return row


def test_northern_dostyk_totals_are_exact_sums_of_the_parts() -> None:
    feu, tonnes = 3.0, 3 * 20.0
    option = by_label(plan(feu=feu))["Northern via Alashankou–Dostyk"]
    # hand-derived path: Xi'an-Alashankou 3000 CN, Dostyk-Petropavl 1800 KZ, 2300 RU, 600 BY,
    # 700 PL, 600 DE
    rail = [
        ("CN", 3000.0),
        ("KZ", 1800.0),
        ("RU", 2300.0),
        ("BY", 600.0),
        ("PL", 700.0),
        ("DE", 600.0),
    ]
    facs = [
        "alashankou-dostyk",
        "petropavl-petukhovo",
        "krasnoye-osinovka",
        "brest-malaszewicze",
        "kunowice-frankfurt",
    ]
    tt = transit_time(PARAMS)
    running = sum(
        km / PARAMS.value("rail_speed", c, "speed_p50_kmh") * tt.value[tt.running_role(c)]
        for c, km in rail
    )
    rail_cost = sum(km * PARAMS.value("rail_tariff", c) * _tariff_event(c) for c, km in rail) * feu
    fixed_cost = sum(_fac(f)["cost_usd_per_feu"] for f in facs) * feu

    def factor(c: str) -> float:
        s, g = PARAMS.value("electric_share", c), PARAMS.value("grid_intensity", c)
        return s * PARAMS.factor("rail_electric") * g / 1000 + (1 - s) * PARAMS.factor(
            "rail_diesel"
        )

    co2e = sum(tonnes * km * factor(c) for c, km in rail)
    assert option.distance_km.rail == 9000.0 and option.distance_km.sea == 0.0
    assert option.time_breakdown_h.running == pytest.approx(running, abs=0.01)
    # the declared China-Kazakhstan and EU-entry dwells replace the toy rows' 12 h and 20 h
    assert option.time_breakdown_h.gauge_change == pytest.approx(
        tt.value[tt.index("cn_kz_dwell_p50_h")] + tt.value[tt.index("eu_entry_dwell_p50_h")],
        abs=0.01,  # the answer's hours are rounded to 2 decimals
    )
    assert option.time_breakdown_h.border == pytest.approx(
        4.0 + _fac("krasnoye-osinovka")["dwell_p50_h"] + 2.0
    )
    assert option.time_breakdown_h.ferry_wait == 0.0 and option.time_breakdown_h.port == 0.0
    assert option.cost_usd == pytest.approx(rail_cost + fixed_cost, abs=0.01)
    assert option.cost_breakdown_usd["rail"] == pytest.approx(rail_cost, abs=0.01)
    assert option.co2e_kg == pytest.approx(co2e, abs=0.01)
    # legs: 6 rail + 5 facilities, summing to the totals
    assert [leg.mode for leg in option.legs] == [
        "rail", "transfer", "rail", "border", "rail", "border",
        "rail", "transfer", "rail", "border", "rail",
    ]  # fmt: skip
    assert sum(leg.cost_usd for leg in option.legs) == pytest.approx(option.cost_usd, abs=0.1)
    assert sum(leg.co2e_kg for leg in option.legs) == pytest.approx(option.co2e_kg, abs=0.1)
    assert sum(leg.distance_km for leg in option.legs) == pytest.approx(9000.0)
    parts = option.time_breakdown_h
    median_sum = parts.running + parts.border + parts.gauge_change
    assert sum(leg.hours for leg in option.legs) == pytest.approx(median_sum, abs=0.1)
    assert (
        option.transit_days.p50 * 24 >= median_sum * 0.98
    )  # right-skewed parts: p50 near the median sum
    assert option.transit_days.p90 > option.transit_days.p50


def test_middle_option_counts_ferry_wait_sailing_and_ports() -> None:
    option = by_label(plan())["Middle via Aktau port, Kars"]
    t = option.time_breakdown_h
    assert t.ferry_wait == pytest.approx(96.0 / 2)
    assert t.sailing == pytest.approx(450.0 / 25.0)
    assert t.port == pytest.approx(24.0 + 20.0)  # Aktau and Baku ports
    assert option.distance_km.sea == 450.0
    assert option.co2e_breakdown_kg["ferry"] == pytest.approx(
        20.0 * 450.0 * PARAMS.factor("ferry"), abs=0.01
    )
    assert option.cost_breakdown_usd["ferry"] == pytest.approx(700.0)
    assert option.cost_breakdown_usd["port"] == pytest.approx(400.0 + 420.0)


def test_sea_option_prices_the_ocean_leg_per_km() -> None:
    option = by_label(plan())[SEA]
    assert option.distance_km.sea == 20000.0
    assert option.cost_breakdown_usd["ocean"] == pytest.approx(
        20000 * PARAMS.scalar("ocean_freight_usd_per_feu_km"), abs=0.01
    )
    assert option.time_breakdown_h.sailing == pytest.approx(20000 / 30.0, abs=0.01)
    assert option.co2e_breakdown_kg["ocean"] == pytest.approx(
        20 * 20000 * PARAMS.factor("ocean"), abs=0.01
    )


def test_pareto_flags_match_brute_force_dominance() -> None:
    opts = plan().options
    pts = [(o.transit_days.p50, o.cost_usd, o.co2e_kg) for o in opts]
    for o, p in zip(opts, pts, strict=True):
        dominated = any(all(q[i] <= p[i] for i in range(3)) and q != p for q in pts)
        assert o.pareto == (not dominated)
    assert any(o.pareto for o in opts)
    flags = [o.pareto for o in opts]
    assert flags == sorted(flags, reverse=True), "Pareto options come first"


def test_avoid_russia_removes_every_northern_option() -> None:
    resp = plan(avoid=["RU"])
    assert {o.corridor for o in resp.options} == {"middle", "southern", "sea"}
    assert all("RU" not in o.countries for o in resp.options)


def test_corridor_and_via_filters() -> None:
    assert {o.corridor for o in plan(corridor="middle").options} == {"middle"}
    via = plan(via="Kars").options
    assert via and all("TR" in o.countries for o in via)
    # the southern line does not pass Kars: sent there and back, it is dropped with a note
    assert {o.corridor for o in via} == {"middle"}
    resp = plan(via="Kars")
    notes = [a for a in resp.assumptions if "--via Kars" in a]
    assert notes and "Southern via Turkmenistan–Iran" in notes[0]


def test_max_transshipments_constraint_composes() -> None:
    resp = plan(constraints=(MaxTransshipments(2),))
    # northern and southern change gauge twice, the sea option calls at two ports; every middle
    # option needs a gauge change and at least two port calls
    assert {o.corridor for o in resp.options} == {"northern", "southern", "sea"}
    blocked = r"Middle via Aktau, Kars: needs 4 transshipments \(limit 2\)"
    with pytest.raises(UnreachableError, match=blocked):
        plan(corridor="middle", constraints=(MaxTransshipments(2),))


def test_nothing_left_says_what_blocks() -> None:
    with pytest.raises(UnreachableError) as exc:
        plan(avoid=["KZ", "CN"])
    message = str(exc.value)
    assert message.startswith("Avoiding KZ, CN leaves no route between Xi'an and Duisburg")
    assert "Northern via Alashankou–Dostyk; Northern via Khorgos–Altynkol" in message
    assert "cross CN, KZ" in message
    assert f"{SEA} crosses CN." in message
    assert exc.value.exit_code == 3
    with pytest.raises(UnreachableError, match="on the southern corridor"):
        plan(avoid=["TM"], corridor="southern")


def test_unknown_and_identical_places() -> None:
    with pytest.raises(UnknownPlaceError) as exc:
        plan(destination="Duisbrug")
    assert "Duisburg" in exc.value.suggestions
    assert exc.value.exit_code == 2
    with pytest.raises(InvalidInputError, match="same point"):
        plan(destination="xi'an")


def test_shipment_size_scales_cost_and_co2e_linearly() -> None:
    one = by_label(plan(feu=1))
    teu2 = by_label(plan(teu=2))
    four = by_label(plan(feu=4))
    heavy = by_label(plan(feu=1, tonnes_per_teu=13))
    for label in ALL_LABELS:
        assert teu2[label].cost_usd == pytest.approx(one[label].cost_usd)
        assert four[label].cost_usd == pytest.approx(4 * one[label].cost_usd, rel=1e-6)
        assert four[label].co2e_kg == pytest.approx(4 * one[label].co2e_kg, rel=1e-6)
        assert heavy[label].co2e_kg == pytest.approx(1.3 * one[label].co2e_kg, rel=1e-6)
        assert heavy[label].cost_usd == pytest.approx(one[label].cost_usd)
        assert four[label].transit_days == one[label].transit_days


def test_parameter_override_moves_the_total_by_the_exact_amount() -> None:
    base = by_label(plan())["Northern via Alashankou–Dostyk"]
    kz = PARAMS.value("rail_tariff", "KZ")
    params = PARAMS.with_overrides(
        ParamsOverride.model_validate({"rail_tariff": {"KZ": {"usd_per_feu_km": kz + 0.1}}}),
        "t.yaml",
    )
    resp = plan(params=params)
    changed = by_label(resp)["Northern via Alashankou–Dostyk"]
    assert changed.cost_usd == pytest.approx(
        base.cost_usd + 0.1 * 1800.0 * _tariff_event("KZ"), abs=0.02
    )
    assert "rail_tariff.KZ.usd_per_feu_km set by the parameter file t.yaml" in resp.assumptions


def test_depart_adds_arrival_dates() -> None:
    option = plan(depart=dt.date(2025, 3, 1)).options[0]
    assert option.arrival is not None
    assert option.arrival.p50 == dt.date(2025, 3, 1) + dt.timedelta(days=option.transit_days.p50)
    assert option.arrival.p90 >= option.arrival.p50


def test_json_round_trip_and_contract_keys() -> None:
    resp = plan(depart=dt.date(2025, 3, 1))
    text = resp.model_dump_json(by_alias=True)
    back = RouteResponse.model_validate_json(text)
    assert back == resp
    data = json.loads(text)
    assert set(data) >= {"origin", "destination", "shipment", "options", "assumptions", "sources"}
    option = data["options"][0]
    assert set(option) >= {
        "corridor", "label", "via", "countries", "distance_km", "transit_days", "time_breakdown_h",
        "cost_usd", "cost_breakdown_usd", "co2e_kg", "co2e_breakdown_kg", "pareto", "legs",
    }  # fmt: skip
    assert set(option["legs"][0]) == {
        "mode",
        "from",
        "to",
        "country",
        "distance_km",
        "hours",
        "cost_usd",
        "co2e_kg",
    }
    assert data["origin"] == {
        "name": "Xi'an",
        "node": 0,
        "lat": 34.3,
        "lon": 108.9,
        "country": "CN",
    }
    assert data["shipment"] == {"feu": 1.0, "teu": 2.0, "tonnes": 20.0}
    ids = [s["source_id"] for s in data["sources"]]
    assert "erai-2023" in ids and "glec-v3" in ids and len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"feu": 1, "teu": 2}, "either feu or teu"),
        ({"feu": 0}, "must be positive"),
        ({"teu": -2}, "must be positive"),
        ({"feu": 10_001}, "at most 10,000"),
        ({"avoid": ["Russia"]}, "not an ISO 3166-1 alpha-2"),
        ({"tonnes_per_teu": 0}, "greater than 0"),
        ({"corridor": "arctic"}, "northern"),
    ],
)
def test_request_validation(kw: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RouteRequest(origin="a", destination="b", **kw)


def test_sea_legs_without_facility_use_kind_defaults() -> None:
    links = [(0, 1, EdgeMode.RAIL, 100.0, "CN", ""), (1, 2, EdgeMode.SEA, 250.0, "", "")]
    net = build_network(links, [NODES[0], NODES[28], NODES[29]])
    costs = compute_edge_costs(net, PARAMS)
    sea = int(np.flatnonzero(net.edge_mode == EdgeMode.SEA)[0])
    assert costs.headway_h[sea] == PARAMS.value("facility_defaults", "ferry", "headway_h")
    assert costs.sailing_h[sea] == pytest.approx(
        250 / PARAMS.value("facility_defaults", "ferry", "speed_kmh")
    )
    assert costs.fixed_usd_per_feu[sea] == PARAMS.value(
        "facility_defaults", "ferry", "cost_usd_per_feu"
    )


def test_paths_come_with_the_options_in_the_same_order() -> None:
    resp, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), network=NET, params=PARAMS,
        resolver=resolve_on_network,
    )  # fmt: skip
    assert len(paths) == len(resp.options)
    for option, edges in zip(resp.options, paths, strict=True):
        assert NET.edge_src[edges[0]] == resp.origin.node
        assert NET.edge_dst[edges[-1]] == resp.destination.node
        assert (NET.edge_dst[edges[:-1]] == NET.edge_src[edges[1:]]).all(), "a connected path"
        assert float(NET.edge_length_km[edges].sum()) == pytest.approx(
            option.distance_km.total, abs=0.01
        )


def test_via_place_keeps_each_pinned_crossing() -> None:
    opts = by_label(plan(via="Almaty", corridor="northern"))
    assert set(opts) == {"Northern via Alashankou–Dostyk", "Northern via Khorgos–Altynkol"}
    dostyk = opts["Northern via Alashankou–Dostyk"]
    assert dostyk.via[0] == "Alashankou–Dostyk"
    # Dostyk -> Almaty 900 km -> Petropavl 1900 km instead of Dostyk -> Petropavl 1800 km
    assert dostyk.distance_km.rail == 3000.0 + 900.0 + 1900.0 + 2300.0 + 600.0 + 700.0 + 600.0


def test_closed_facilities_are_never_used() -> None:
    facilities = NET.facilities.to_frame()
    facilities["closed"] = facilities["facility_id"] == "alashankou-dostyk"
    closed_net = dataclasses.replace(NET, facilities=facilities)
    resp = plan_routes(
        RouteRequest(origin="Xi'an", destination="Duisburg"), network=closed_net, params=PARAMS,
        resolver=resolve_on_network,
    )  # fmt: skip
    labels = {o.label for o in resp.options}
    assert "Northern via Alashankou–Dostyk" not in labels
    assert "Northern via Khorgos–Altynkol" in labels
    assert all("Alashankou–Dostyk" not in o.via for o in resp.options)


def test_places_in_the_caucasus_get_middle_options_without_an_exit() -> None:
    opts = by_label(plan(destination="Tbilisi"))
    assert {"Middle via Aktau port", "Middle via Kuryk port"} <= set(opts)
    assert opts["Middle via Aktau port"].countries == ["CN", "KZ", "AZ", "GE"]
    # towards Europe the exit variants answer and the fallbacks stay out
    assert not {"Middle via Aktau port", "Middle via Kuryk port"} & set(by_label(plan()))


def test_places_short_of_russia_get_northern_gateway_options() -> None:
    opts = by_label(plan(destination="Almaty"))
    assert set(opts) == {"Northern via Alashankou–Dostyk", "Northern via Khorgos–Altynkol"}
    assert opts["Northern via Khorgos–Altynkol"].distance_km.rail == 3100.0 + 330.0


def test_a_port_destination_ends_rail_options_on_its_rail_side() -> None:
    opts = by_label(plan(destination="Rotterdam port"))
    northern = opts["Northern via Alashankou–Dostyk"]
    assert northern.legs[-1].mode == "rail" and northern.legs[-1].to == "Rotterdam"
    assert "port" not in northern.cost_breakdown_usd
    sea = opts[SEA]
    assert sea.legs[-1].mode == "ocean" and sea.legs[-1].to == "Rotterdam port"


def test_edge_masks_are_shared_by_parameter_sets_and_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    import landbridge.routing.constraints as constraints
    from landbridge.routing import prepared

    net = build_network()  # a network object no other test has planned on
    counted = []
    touching = constraints.edges_touching_countries
    monkeypatch.setattr(
        constraints, "edges_touching_countries",
        lambda n, codes: counted.append(tuple(codes)) or touching(n, codes),
    )  # fmt: skip

    def options(params, **kw) -> list:
        request = RouteRequest(origin="Xi'an", destination="Duisburg", avoid=["RU"], **kw)
        resp = plan_routes(request, network=net, params=params, resolver=resolve_on_network)
        return [(o.label, o.cost_usd, o.transit_days) for o in resp.options]

    first = options(PARAMS)
    masks_made = len(counted)
    assert masks_made > 0
    cheaper = PARAMS.with_overrides(
        ParamsOverride.model_validate({"scalars": {"value_of_time_usd_per_feu_h": 1.0}}), "t.yaml"
    )
    other = options(cheaper, depart=dt.date(2025, 3, 1))
    assert len(counted) == masks_made  # new parameters and date: graphs rebuilt, masks reused
    prepared.forget_prepared()
    assert options(cheaper, depart=dt.date(2025, 3, 1)) == other  # same answer from fresh masks
    assert options(PARAMS) == first


def test_a_new_shipment_size_on_a_known_pair_reuses_the_search(monkeypatch) -> None:
    from landbridge.routing import options, prepared

    searches = []
    real = options._search

    def counting(*args):
        searches.append(1)
        return real(*args)

    monkeypatch.setattr(options, "_search", counting)
    prepared.forget_prepared()
    first = plan(feu=1, depart=dt.date(2025, 5, 5))
    again = plan(feu=37.5, depart=dt.date(2025, 5, 5))
    assert len(searches) == 1
    prepared.forget_prepared()  # a fresh search for the same request
    fresh = plan(feu=37.5, depart=dt.date(2025, 5, 5))
    assert len(searches) == 2
    assert again == fresh
    assert [o.label for o in again.options] == [o.label for o in first.options]
    plan(feu=2, depart=dt.date(2025, 5, 5), avoid=["RU"])  # other constraints: a new search
    plan(feu=2, depart=dt.date(2025, 5, 5), constraints=(MaxTransshipments(3),))
    plan(feu=3, depart=dt.date(2025, 5, 5), constraints=(MaxTransshipments(3),))
    assert len(searches) == 5  # constraint objects are never a cache key
    _, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg", depart=dt.date(2025, 5, 5)),
        network=NET, params=PARAMS, resolver=resolve_on_network,
    )  # fmt: skip
    with pytest.raises(ValueError, match="read-only"):
        paths[0][0] = 0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"tonnes_per_teu": 30}, "60 t in a 40ft box, which carries at most 26.73 t"),
        ({"tonnes_per_teu": 13.4}, "26.8 t in a 40ft box"),
        ({"teu": 2, "tonnes_per_teu": 28.5}, "28.5 t in a 20ft box, which carries at most 28.18 t"),
    ],
)
def test_cargo_beyond_the_payload_of_its_box_is_refused(kw: dict, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        plan(**kw)


def test_cargo_up_to_the_payload_is_priced() -> None:
    assert plan(tonnes_per_teu=13.3).shipment.tonnes == pytest.approx(26.6)
    assert plan(teu=1, tonnes_per_teu=28).shipment.tonnes == pytest.approx(28.0)


def test_a_prepared_network_stands_for_its_network_and_params() -> None:
    from landbridge.costs.dated import dated_patch
    from landbridge.routing.prepared import prepare

    day = dt.date(2025, 6, 1)
    net = build_network()
    request = RouteRequest(origin="Xi'an", destination="Duisburg", depart=day)
    prep = prepare(net, PARAMS, dated_patch(net, day))
    answer = plan_routes(request, prep, resolver=resolve_on_network)
    assert prep.searches  # the request searched on the prepared network it was given
    plain = plan_routes(request, build_network(), PARAMS, resolver=resolve_on_network)
    assert answer.model_dump_json() == plain.model_dump_json()
    with pytest.raises(TypeError, match="not both"):
        plan_routes(request, prep, dataclasses.replace(PARAMS), resolve_on_network)
