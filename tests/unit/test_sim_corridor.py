"""The bundled 2023 corridor: built from the network tables and sim.csv; scenarios applied to it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from landbridge.costs import transit
from landbridge.costs.params import load_default_params
from landbridge.data import load_sources
from landbridge.distributions import lognormal_sigma
from landbridge.errors import ScenarioError
from landbridge.network import sea, tables
from landbridge.scenarios.load import load_scenario, parse_scenario
from landbridge.sim import analysis, engine
from landbridge.sim.corridor2023 import build_corridor_2023
from landbridge.sim.corridor_tables import cited_sources, known_facility_ids, load_sim_table
from landbridge.sim.draws import draw
from landbridge.sim.eventlog import Event
from landbridge.sim.scenario import apply_to_system
from landbridge.sim.system import FacilityKind


@pytest.fixture(scope="module")
def corridor():
    return build_corridor_2023()


TT = transit.transit_time(load_default_params())


def _row(system, fid: str) -> int:
    return system.facility_id.index(fid)


def test_every_class_of_sim_csv_is_simulated_at_its_yearly_rate(corridor) -> None:
    classes = load_sim_table().query("row_type == 'class'")
    assert list(corridor.class_id) == classes["key"].tolist()
    per_yr = classes["value"].astype(float).to_numpy()
    np.testing.assert_allclose(corridor.arrivals_per_day * 365, per_yr)
    assert set(corridor.corridors) == {"northern", "china-kazakhstan", "middle"}
    assert set(cited_sources()) <= set(load_sources().index)


def test_flows_od_demand_sets_the_class_rates() -> None:
    from landbridge.flows.demand import load_demand

    system = build_corridor_2023("od-2023")
    teu = load_demand(2023).groupby("segment")["teu_per_yr"].sum()
    k = system.class_id.index("khorgos-eu-west")
    assert system.arrivals_per_day[k] * 365 == pytest.approx(teu["cn_eu_west"] * 0.556 / 110)
    k = system.class_id.index("dostyk-kz-west")
    expected = (teu["cn_rest_west"] + teu["cn_imports_kz"]) * 0.444 / 110
    assert system.arrivals_per_day[k] * 365 == pytest.approx(expected)
    # Independently sourced train counts and the flows OD tables agree within 5% in total.
    sourced = build_corridor_2023().arrivals_per_day.sum()
    assert system.arrivals_per_day.sum() == pytest.approx(sourced, rel=0.05)


def test_facilities_take_their_figures_from_the_network_tables(corridor) -> None:
    crossings = tables.load_crossings().set_index("facility_id")
    for direction in ("west", "east"):
        f = _row(corridor, f"khorgos-altynkol:{direction}")
        row = crossings.loc["khorgos-altynkol"]
        # the planner's declared China-Kazakhstan dwell (costs.transit) on the table's row
        p50, p90 = transit.dwell_h(
            TT, TT.index("cn_kz_dwell_p50_h"), row["dwell_p50_h"], row["dwell_p90_h"]
        )
        assert corridor.service_p50_h[f] == p50 == TT.value[TT.index("cn_kz_dwell_p50_h")]
        assert corridor.service_p90_h[f] == p90 >= row["dwell_p90_h"]
        sigma = float(lognormal_sigma(p50, p90))
        mean_h = p50 * math.exp(sigma**2 / 2)
        # Servers sized so the sourced daily capacity is met at the mean dwell.
        assert corridor.servers[f] == math.ceil(row["capacity_trains_per_day"] * mean_h / 24)
    links = pd.read_csv(sea.LINKS_CSV).set_index("link_id")
    f = _row(corridor, "aktau-alat-feeder:west")
    assert corridor.facility_kind[f] == FacilityKind.FERRY
    assert corridor.fleet[f] == links.at["aktau-alat-feeder", "fleet"]
    assert corridor.vessel_capacity_feu[f] == links.at["aktau-alat-feeder", "vessel_capacity_feu"]
    assert corridor.crossing_h[f] == links.at["aktau-alat-feeder", "sailing_h"]
    assert corridor.max_wait_h[f] == pytest.approx(
        links.at["aktau-alat-feeder", "headway_h"] * TT.value[TT.index("caspian_wait_scale")]
    )


def test_server_utilization_equals_offered_load(corridor) -> None:
    """Over a year, busy track-hours / available = λ E[S] / c at the China–Kazakhstan yards.

    (Brest is left out: its dwell tail is so heavy, p90/p50 = 7.2, that one year's mean dwell
    scatters by about 8%.) Four replications; the first days lack trains still on their way.
    """
    utilization = np.mean(
        [
            analysis.summarise(engine.simulate(corridor, d), corridor, d.horizon_h).utilization
            for d in (draw(corridor, 365, seed) for seed in np.random.SeedSequence(5).spawn(4))
        ],
        axis=0,
    )
    for fid in ("khorgos-altynkol:west", "alashankou-dostyk:west"):
        f = _row(corridor, fid)
        per_day = sum(
            corridor.arrivals_per_day[k]
            for k in range(corridor.n_classes)
            if f in corridor.route(k)
        )
        sigma = float(lognormal_sigma(corridor.service_p50_h[f], corridor.service_p90_h[f]))
        mean_h = corridor.service_p50_h[f] * math.exp(sigma**2 / 2)
        offered = per_day * mean_h / 24 / corridor.servers[f]
        assert utilization[f] == pytest.approx(offered, rel=0.05), fid


def test_dated_closure_stops_service_and_lengthens_waits(corridor) -> None:
    spec = load_scenario("khorgos-closed-one-week")
    # the closure alone (the scenario also sets the 2023 Dostyk–Moyinty line, not simulated here)
    only = [m for m in spec.modifications if m.type == "close_crossing"]
    closed, notes = apply_to_system(corridor, spec.model_copy(update={"modifications": only}))
    assert notes == []
    start_h, end_h = (
        (31 + 28 + 31 + 30 + 31 + 30 + 2) * 24.0,
        (31 + 28 + 31 + 30 + 31 + 30 + 9) * 24.0,
    )
    west = _row(closed, "khorgos-altynkol:west")
    d = draw(closed, 365, 9)
    log = engine.simulate(closed, d)
    starts = log.time_h[(log.event == Event.START) & (log.facility == west)]
    assert not np.any((starts > start_h) & (starts < end_h))
    base = analysis.summarise(engine.simulate(corridor, draw(corridor, 365, 9)), corridor, 365 * 24)
    after = analysis.summarise(log, closed, 365 * 24)
    assert after.max_queue[west] > base.max_queue[west]
    assert (
        after.wait_h[after.visit_facility == west].mean()
        > base.wait_h[base.visit_facility == west].mean()
    )


def test_scenario_capacity_fleet_dwell_and_demand(corridor) -> None:
    spec = parse_scenario(
        """
name: more-of-everything
base: {year: 2023}
modifications:
  - {type: set_capacity, facility: brest-malaszewicze, value: 3, unit: servers}
  - {type: set_ferry_fleet, facility: aktau-alat-feeder, fleet: 9, headway_h: 24}
  - {type: set_dwell, facility: alashankou-dostyk, factor: 0.5}
  - {type: scale_demand, factor: 2}
  - {type: set_tariff, country: KZ, factor: 1.1}
"""
    )
    changed, notes = apply_to_system(corridor, spec)
    assert changed.servers[_row(changed, "brest-malaszewicze:east")] == 3
    ferry = _row(changed, "aktau-alat-feeder:west")
    assert (changed.fleet[ferry], changed.max_wait_h[ferry]) == (9, 24)
    dostyk = _row(changed, "alashankou-dostyk:west")
    assert changed.service_p50_h[dostyk] == pytest.approx(corridor.service_p50_h[dostyk] / 2)
    np.testing.assert_allclose(changed.arrivals_per_day, 2 * corridor.arrivals_per_day)
    assert len(notes) == 1 and "set_tariff" in notes[0]
    assert corridor.servers[_row(corridor, "brest-malaszewicze:east")] != 3  # base untouched


def test_scenario_naming_an_unknown_facility_is_refused(corridor) -> None:
    spec = parse_scenario(
        "name: typo\nbase: {year: 2023}\nmodifications:\n"
        "  - {type: set_dwell, facility: khorgos-altynkl, factor: 2}\n"
    )
    with pytest.raises(ScenarioError, match="khorgos-altynkl.*khorgos-altynkol"):
        apply_to_system(corridor, spec)


def test_network_facilities_outside_the_corridor_become_notes(corridor) -> None:
    spec = parse_scenario(
        "name: hub\nbase: {year: 2023}\nmodifications:\n"
        "  - {type: set_capacity, facility: dostyk-moyinty, value: 60, unit: train_pairs_per_day}\n"
        "  - {type: set_capacity, facility: port-aktau, value: 240000, unit: teu_per_yr}\n"
        "  - {type: set_capacity, facility: port-aktau, value: 6, unit: trains_per_day}\n"
    )
    with pytest.raises(ScenarioError, match="dostyk-moyinty"):
        apply_to_system(corridor, spec)  # strict: the corridor has no line sections
    changed, notes = apply_to_system(corridor, spec, known_facility_ids())
    assert len(notes) == 2
    assert "dostyk-moyinty" in notes[0] and "teu_per_yr" in notes[1]
    assert all(n.endswith("not simulated") for n in notes)
    f = _row(changed, "port-aktau:west")
    sigma = float(lognormal_sigma(changed.service_p50_h[f], changed.service_p90_h[f]))
    mean_h = changed.service_p50_h[f] * math.exp(sigma**2 / 2)
    assert changed.servers[f] == math.ceil(6 * mean_h / 24)
