"""The corridor built from the network, routing and flows layers (``sim.network_corridor``).

On the hand-made network of ``test_routing_toy`` every option is known: a train class follows
exactly the stops and running hours routing gives, trains split by gateway shares, the number
of simulated trains matches the demand, and scenario modifications act on the built corridor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_routing_toy import NODES, build_network

from landbridge.costs.params import load_default_params
from landbridge.network import tables
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import edge_costs, plan_routes_with_paths
from landbridge.scenarios.load import parse_scenario
from landbridge.schema.route import RouteRequest
from landbridge.sim import engine
from landbridge.sim.corridor_tables import FerryLine
from landbridge.sim.draws import draw
from landbridge.sim.eventlog import Event
from landbridge.sim.network_corridor import build_records, option_weights
from landbridge.sim.option_classes import CASPIAN_GATEWAY, UNCAPACITATED_SERVERS, OptionStops
from landbridge.sim.scenario import apply_to_system
from landbridge.sim.system import FacilityKind, FacilitySpec

NET = build_network()
PARAMS = load_default_params()
NODE = {name: i for i, (name, *_rest) in enumerate(NODES)}
REGIONS = {"cn-xian": NODE["Xi'an"], "eu-duisburg": NODE["Duisburg"], "kz-almaty": NODE["Almaty"]}
SIM = {"feu_per_train": 55.0, "closure_months_per_yr": 3.0, "closure_mean_h": 48.0}
SHARES = {"Alashankou–Dostyk": 0.6, "Khorgos–Altynkol": 0.3, CASPIAN_GATEWAY: 0.1}
T_PER_TRAIN = 55 * 2 * 10.0
# Trains a year: 1100 and 365 block trains of 55 FEU (110 TEU).
OD = pd.DataFrame(
    {
        "origin": ["cn-xian", "cn-xian"],
        "destination": ["eu-duisburg", "kz-almaty"],
        "origin_group": ["CN", "CN"],
        "destination_group": ["EU", "KZ"],
        "teu_per_yr": [1100 * 110.0, 365 * 110.0],
    }
)


def _known() -> dict[str, FacilitySpec | FerryLine]:
    """Specs for the toy's ports, ferries and feeder (the server facilities use the network)."""
    ports: dict[str, FacilitySpec | FerryLine] = {
        f"port-{p}": FacilitySpec(id=f"port-{p}", kind=FacilityKind.PORT, name=p, servers=2,
                                  p50_h=10.0, p90_h=20.0)
        for p in ("aktau", "kuryk", "baku", "poti", "constanta")
    }  # fmt: skip
    ferry = dict(capacity_feu=60.0, fleet=3, sailing_h=20.0, headway_h=48.0,
                 closure_days_per_month=0.0)  # fmt: skip
    return ports | {
        "ferry-aktau-baku": FerryLine(**ferry | {"name": "Aktau–Baku", "from_port": "port-aktau",
                                                 "to_port": "port-baku"}),
        "ferry-kuryk-baku": FerryLine(**ferry | {"name": "Kuryk–Baku", "from_port": "port-kuryk",
                                                 "to_port": "port-baku"}),
        "feeder-poti-constanta": FerryLine(**ferry | {"name": "Poti–Constanța",
                                                      "from_port": "port-poti",
                                                      "to_port": "port-constanta",
                                                      "capacity_feu": 100.0}),
    }  # fmt: skip


def _plan(o: int, d: int) -> list[tuple[str, str, np.ndarray]]:
    response, paths = plan_routes_with_paths(
        RouteRequest(origin=NODES[o][0], destination=NODES[d][0]), NET, PARAMS, resolve_on_network
    )
    return [(opt.corridor, opt.label, p) for opt, p in zip(response.options, paths, strict=True)]


def _build(od: pd.DataFrame = OD):  # type: ignore[no-untyped-def]
    return build_records(
        NET, edge_costs(NET, PARAMS), od, REGIONS, _plan, SHARES, SIM, _known(),
        tables.load_crossings().set_index("facility_id"), T_PER_TRAIN,
    )  # fmt: skip


@pytest.fixture(scope="module")
def corridor():  # type: ignore[no-untyped-def]
    return _build()


def test_class_follows_routings_stops_and_running_hours(corridor) -> None:
    response, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), NET, PARAMS, resolve_on_network
    )
    labels = [o.label for o in response.options]
    i = labels.index("Northern via Alashankou–Dostyk")
    option = response.options[i]
    cls = next(c for c in corridor.classes if c.id == "cn-xian>eu-duisburg " + option.label)
    assert cls.route == (
        "alashankou-dostyk:west", "petropavl-petukhovo:west", "krasnoye-osinovka:west",
        "brest-malaszewicze:west", "kunowice-frankfurt:west",
    )  # fmt: skip
    rail = [leg.hours for leg in option.legs if leg.mode == "rail"]
    assert len(rail) == 6 and all(h > 0 for h in rail)
    assert cls.legs_p50_h == pytest.approx(rail, abs=0.006)
    # p90: routing's running p90 (the speed table's p90 with the same delay factors)
    p90_h = edge_costs(NET, PARAMS).running_p90_h[paths[i]]
    assert sum(cls.legs_p90_h) == pytest.approx(float(p90_h.sum()))
    assert all(h90 > h50 for h50, h90 in zip(cls.legs_p50_h, cls.legs_p90_h, strict=True))
    assert cls.corridor == "northern" and cls.feu == 55.0


def test_middle_class_stops_at_ports_and_ferries_in_order(corridor) -> None:
    middle = [c for c in corridor.classes if c.corridor == "middle"]
    assert middle
    for cls in middle:
        route = [r.split(":")[0] for r in cls.route]
        ferry = next(i for i, r in enumerate(route) if r.startswith(("ferry-", "feeder-")))
        assert route[ferry - 1].startswith("port-") and route[ferry + 1] == "port-baku"
        assert cls.legs_p50_h[ferry] == 0.0  # port -> ferry: no running in between
        assert len(cls.legs_p50_h) == len(cls.route) + 1
        # A 55 FEU train fits the 60 FEU vessels: the block train keeps its size.
        assert cls.feu == 55.0


def test_total_running_hours_equal_routings_running_time(corridor) -> None:
    response, _ = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), NET, PARAMS, resolve_on_network
    )
    by_label = {c.id.split(" ", 1)[1]: c for c in corridor.classes if "duisburg" in c.id}
    assert by_label
    for option in response.options:
        if option.label not in by_label:
            assert option.corridor == "sea"  # all-sea is not simulated
            continue
        cls = by_label[option.label]
        assert sum(cls.legs_p50_h) == pytest.approx(option.time_breakdown_h.running, abs=0.05)


def test_option_weights_split_by_gateway_share() -> None:
    def opt(gateway: str | None) -> OptionStops:
        return OptionStops("northern", "x", gateway, [], [0.0], [0.0])

    options = [opt("D"), opt("A"), opt("C"), opt("C"), opt("D")]
    w = option_weights(options, {"D": 0.6, "A": 0.3, "C": 0.1})
    assert w == pytest.approx([0.3, 0.3, 0.05, 0.05, 0.3])
    # No option through a gateway with a share: routing's first-ranked option takes it all.
    assert option_weights([opt(None), opt("X")], {"D": 1.0}) == pytest.approx([1.0, 0.0])


def test_trains_per_year_split_by_gateway_and_sum_to_the_demand(corridor) -> None:
    per_yr: dict[str, float] = {}
    for c in corridor.classes:
        od = c.id.split(" ", 1)[0]
        per_yr[od] = per_yr.get(od, 0.0) + c.per_day * 365
    assert per_yr == pytest.approx({"cn-xian>eu-duisburg": 1100.0, "cn-xian>kz-almaty": 365.0})
    almaty = {c.id.split(" ", 1)[1]: c.per_day * 365 for c in corridor.classes
              if "almaty" in c.id}  # fmt: skip
    assert almaty == pytest.approx(
        {"Northern via Alashankou–Dostyk": 365 * 2 / 3, "Northern via Khorgos–Altynkol": 365 / 3}
    )
    assert {c.corridor for c in corridor.classes if "almaty" in c.id} == {"china-kazakhstan"}


def test_facilities_without_a_sourced_capacity_never_queue(corridor) -> None:
    system = corridor.system()
    f = system.facility_id.index("krasnoye-osinovka:west")
    assert system.servers[f] == UNCAPACITATED_SERVERS
    assert system.service_p50_h[f] > 0  # the default dwell still applies


def test_simulated_trains_per_year_match_the_demand(corridor) -> None:
    system = corridor.system()
    expected = float(system.arrivals_per_day.sum()) * 365
    assert expected == pytest.approx(1100 + 365)
    departures = []
    for seed in np.random.SeedSequence(3).spawn(3):
        log = engine.simulate(system, draw(system, 365, seed))
        departures.append(int(np.sum(log.event == Event.DEPART)))
    # Poisson: each yearly count within 4 standard deviations of the demand.
    for n in departures:
        assert abs(n - expected) < 4 * np.sqrt(expected)
    assert abs(np.mean(departures) - expected) < 4 * np.sqrt(expected / len(departures))


def test_scenario_modifications_apply_to_the_built_corridor(corridor) -> None:
    system = corridor.system()
    spec = parse_scenario(
        """
name: toy-changes
base: {year: 2023}
modifications:
  - {type: close_crossing, facility: alashankou-dostyk, from_date: 2023-03-01, to_date: 2023-03-07}
  - {type: set_capacity, facility: brest-malaszewicze, value: 3, unit: servers}
  - {type: scale_demand, factor: 2}
"""
    )
    changed, notes = apply_to_system(system, spec)
    assert notes == []
    closed = {changed.facility_id[f] for f in changed.closure_facility}
    assert closed == {"alashankou-dostyk:west", "alashankou-dostyk:east"} & set(system.facility_id)
    assert changed.closure_start_h.tolist() == [(31 + 28) * 24.0] * len(closed)
    f = system.facility_id.index("brest-malaszewicze:west")
    assert changed.servers[f] == 3 and system.servers[f] != 3
    assert changed.arrivals_per_day == pytest.approx(2 * system.arrivals_per_day)


def test_unreachable_od_is_left_out_with_a_note() -> None:
    od = pd.concat(
        [OD, pd.DataFrame({"origin": ["cn-xian"], "destination": ["nowhere"],
                           "origin_group": ["CN"], "destination_group": ["EU"],
                           "teu_per_yr": [110.0]})],
        ignore_index=True,
    )  # fmt: skip
    built = _build(od)
    assert len(built.notes) == 1 and "cn-xian>nowhere" in built.notes[0]
    assert not any("nowhere" in c.id for c in built.classes)


def test_real_corridor_carries_the_container_demand_on_network_facilities() -> None:
    """The bundled build: every stop is a network facility, and FEU a year = served demand."""
    from landbridge.flows.demand import load_demand
    from landbridge.network import load_network
    from landbridge.sim.corridor2023 import build_corridor_2023

    system = build_corridor_2023("network")
    ids = set(load_network().facilities["facility_id"].astype(str))
    assert {fid.rsplit(":", 1)[0] for fid in system.facility_id} <= ids
    assert set(system.corridors) >= {"northern", "middle", "china-kazakhstan"}
    od = load_demand(2023)
    teu = float(od["teu_per_yr"].sum())
    feu_per_yr = float(np.dot(system.arrivals_per_day, system.feu_per_train)) * 365
    assert feu_per_yr == pytest.approx(teu / 2, rel=1e-9)
    # Both China–Kazakhstan gateways carry trains westbound.
    for gateway in ("alashankou-dostyk:west", "khorgos-altynkol:west"):
        f = system.facility_id.index(gateway)
        assert any(f in system.route(k) for k in range(system.n_classes))
