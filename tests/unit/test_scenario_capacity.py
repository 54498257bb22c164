"""Capacities: units honoured (trains/day on a facility that also has t/yr changes the flows'
capacity), zero / fractional / absurd values refused with a hint, never turned into 1 server."""

from __future__ import annotations

import math

import numpy as np
import pytest

from landbridge.errors import ScenarioError
from landbridge.flows.capacity import sourced_capacity_t
from landbridge.network import load_network
from landbridge.scenarios.apply import apply_scenario
from landbridge.scenarios.load import parse_scenario

CROSSING = "alashankou-dostyk"


def scenario(mod: str) -> str:
    return f"name: cap\nbase: {{year: 2024}}\nmodifications:\n  - {mod}\n"


@pytest.mark.parametrize(
    ("mod", "words"),
    [
        (f"{{type: set_capacity, facility: {CROSSING}, value: 0, unit: trains_per_day}}",
         "would stop the facility; to close it use close_crossing"),
        (f"{{type: set_capacity, facility: {CROSSING}, value: 0, unit: servers}}",
         "would stop the facility"),
        (f"{{type: set_capacity, facility: {CROSSING}, value: 2.5, unit: servers}}",
         "a whole number, not 2.5"),
        (f"{{type: set_capacity, facility: {CROSSING}, value: 1.0e+12, unit: servers}}",
         "beyond the plausible 1,000 servers"),
        (f"{{type: set_capacity, facility: {CROSSING}, value: 1.0e+300, unit: t_per_yr}}",
         "beyond the plausible"),
        ("{type: set_ferry_fleet, facility: baku-aktau, fleet: 2, headway_h: 1.0e+300}",
         "headway_h"),
    ],
)  # fmt: skip
def test_impossible_capacities_are_refused_naming_the_field(mod: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(scenario(mod), source="cap.yaml")
    message = str(info.value)
    assert message.startswith("cap.yaml: modification 0") and words in message


def test_trains_per_day_change_the_sourced_capacity_of_a_facility_with_a_tonnage() -> None:
    net = load_network()
    fac = net.facilities.to_frame().set_index("facility_id")
    assert math.isfinite(float(fac.at[CROSSING, "capacity_t_per_yr"]))  # both figures given
    t_per_train = 1000.0
    before = sourced_capacity_t(net.facilities.to_frame(), t_per_train, 10.0)
    row = int((net.facilities["facility_id"] == CROSSING).nonzero()[0][0])
    spec = parse_scenario(
        scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day}}")
    )
    out, _, _ = apply_scenario(spec, net, None, None)
    after = sourced_capacity_t(out.facilities.to_frame(), t_per_train, 10.0)
    assert after[row] == pytest.approx(5 * 365 * t_per_train)
    assert after[row] != before[row]
    others = [i for i in range(len(after)) if i != row]
    assert list(after[others]) == pytest.approx(list(before[others]), nan_ok=True)


def test_whole_servers_reach_the_simulation_unchanged() -> None:
    from landbridge.sim.corridor2023 import build_corridor_2023
    from landbridge.sim.corridor_tables import known_facility_ids
    from landbridge.sim.scenario import apply_to_system

    system = build_corridor_2023("trains")
    spec = parse_scenario(
        scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 3, unit: servers}}")
    )
    changed, _ = apply_to_system(system, spec, known_facility_ids())
    rows = [i for i, f in enumerate(system.facility_id) if f.split(":")[0] == CROSSING]
    assert rows and [int(changed.servers[i]) for i in rows] == [3] * len(rows)


# --- a capacity set by the scenario is honoured (issue 19): flows, routes and the simulation ---


def _flows(text: str | None):
    from landbridge.costs.params import load_default_params
    from landbridge.flows.run import run_flows

    net, params = load_network(), load_default_params()
    if text is not None:
        net, params, _ = apply_scenario(parse_scenario(text), net, params, None, annual=True)
    return run_flows(2024, network=net, params=params)


def _through(result, facility: str) -> float:
    return next(b.flow_t for b in result.bottlenecks if b.facility_id == facility)


@pytest.fixture(scope="module")
def base_flows():
    return _flows(None)


def test_trains_per_day_below_the_observed_throughput_cut_the_flows_with_a_warning(
    base_flows,
) -> None:
    """5 trains/day at Alashankou–Dostyk: 2.01 Mt/yr, far below the 18.69 Mt/yr it carried in
    2024. It used to be raised to that floor (flows identical, no note); now it binds."""
    got = _flows(scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 5, "
                          "unit: trains_per_day}"))  # fmt: skip
    cap = next(b for b in got.bottlenecks if b.facility_id == CROSSING)
    assert cap.capacity_t == pytest.approx(5 * 365 * 1100, rel=1e-9)
    assert cap.capacity_basis == "sourced"
    assert _through(got, CROSSING) < 0.5 * _through(base_flows, CROSSING)
    assert _through(got, "khorgos-altynkol") > _through(base_flows, "khorgos-altynkol")
    warned = [n for n in got.notes if n.startswith("warning:") and CROSSING in n]
    assert len(warned) == 1 and "below the 18.69 Mt/yr" in warned[0]
    assert not [n for n in base_flows.notes if n.startswith("warning:")]


def test_the_observed_floor_is_kept_when_the_scenario_asks_for_it(base_flows) -> None:
    got = _flows(scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 5, "
                          "unit: trains_per_day, observed_floor: true}"))  # fmt: skip
    cap = next(b for b in got.bottlenecks if b.facility_id == CROSSING)
    assert cap.capacity_basis == "observed floor"
    assert _through(got, CROSSING) == pytest.approx(_through(base_flows, CROSSING), rel=0.01)
    assert not [n for n in got.notes if n.startswith("warning:")]


def test_a_quota_into_china_limits_only_the_trains_entering_china() -> None:
    from landbridge.costs.params import load_default_params
    from landbridge.flows.corridor import prepare

    net, params = load_network(), load_default_params()
    text = scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day,"
                    " into: cn}")  # fmt: skip
    out, params, _ = apply_scenario(parse_scenario(text), net, params, None, annual=True)
    model = prepare(out, params)
    row = int(np.flatnonzero(out.facilities["facility_id"] == CROSSING)[0])
    edges = np.flatnonzero(out.edge_facility == row)
    entering = out.node_country[out.edge_dst[edges]] == out.country_id("CN")
    assert entering.any() and (~entering).any()
    into_cn = {int(model.edge_element[e]) for e in edges[entering]}
    out_of_cn = {int(model.edge_element[e]) for e in edges[~entering]}
    assert len(into_cn) == 1 and len(out_of_cn) == 1 and into_cn != out_of_cn
    quota, own = into_cn.pop(), out_of_cn.pop()
    assert model.vdf.capacity[quota] == pytest.approx(5 * 365 * model.t_per_train)
    assert model.vdf.capacity[own] == pytest.approx(20e6)  # the crossing's own
    assert (model.element_basis[quota], model.element_basis[own]) == ("quota into CN", "")
    base = prepare(net, params)
    assert {int(base.edge_element[e]) for e in edges}.__len__() == 1  # one shared before


@pytest.mark.parametrize(
    ("mod", "words"),
    [
        (f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: t_per_yr, into: CN}}",
         "counts trains one way: give it in trains_per_day"),
        (f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day, "
         "into: China}", "into"),
    ],
)  # fmt: skip
def test_a_quota_in_another_unit_or_not_a_country_code_is_refused(mod: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(scenario(mod), source="cap.yaml")
    assert str(info.value).startswith("cap.yaml: modification 0") and words in str(info.value)


def test_a_quota_into_a_country_the_facility_does_not_border_is_refused() -> None:
    spec = parse_scenario(scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 5, "
                                   "unit: trains_per_day, into: RU}"))  # fmt: skip
    with pytest.raises(ScenarioError, match="field 'into'.*lies in CN-KZ"):
        apply_scenario(spec, load_network(), None, None, source="cap.yaml")


def test_the_simulation_takes_fewer_servers_and_the_quota_on_the_row_into_china() -> None:
    from landbridge.sim.corridor2023 import build_corridor_2023
    from landbridge.sim.corridor_tables import known_facility_ids
    from landbridge.sim.scenario import apply_to_system

    system = build_corridor_2023("trains")
    rows = {f: i for i, f in enumerate(system.facility_id) if f.split(":")[0] == CROSSING}
    assert set(rows) == {f"{CROSSING}:west", f"{CROSSING}:east"}
    spec = parse_scenario(scenario(
        f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day}}"
    ))  # fmt: skip
    fewer, _ = apply_to_system(system, spec, known_facility_ids())
    for i in rows.values():
        assert 1 <= fewer.servers[i] < system.servers[i]
    spec = parse_scenario(scenario(
        f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day, into: CN}}"
    ))  # fmt: skip
    quota, _ = apply_to_system(system, spec, known_facility_ids())
    east, west = rows[f"{CROSSING}:east"], rows[f"{CROSSING}:west"]
    assert quota.daily_quota_trains[east] == 5
    assert quota.daily_quota_trains[west] == system.daily_quota_trains[west]
    assert list(quota.servers) == list(system.servers)


def test_five_trains_a_day_at_dostyk_lengthen_its_simulated_waits() -> None:
    from landbridge.sim import analysis, engine
    from landbridge.sim.corridor2023 import build_corridor_2023
    from landbridge.sim.corridor_tables import known_facility_ids
    from landbridge.sim.draws import draw
    from landbridge.sim.scenario import apply_to_system

    system = build_corridor_2023("trains")
    spec = parse_scenario(scenario(
        f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day}}"
    ))  # fmt: skip
    fewer, _ = apply_to_system(system, spec, known_facility_ids())
    rows = [i for i, f in enumerate(system.facility_id) if f.split(":")[0] == CROSSING]

    def mean_wait_h(s) -> float:
        v = analysis.visits(engine.simulate(s, draw(s, 60, 5)), s)
        at = np.isin(v.facility, rows)
        return float(np.mean(v.start_h[at] - v.arrive_h[at]))

    assert mean_wait_h(fewer) > mean_wait_h(system) + 1.0


def test_a_dated_closure_takes_its_days_from_the_quota_too() -> None:
    text = (
        "name: cap\nbase: {year: 2024}\nmodifications:\n"
        f"  - {{type: set_capacity, facility: {CROSSING}, value: 10, unit: trains_per_day,"
        " into: CN}\n"
        f"  - {{type: close_crossing, facility: {CROSSING}, from_date: 2024-03-01,"
        " to_date: 2024-03-31}\n"
    )
    out, _, _ = apply_scenario(parse_scenario(text), load_network(), None, None, annual=True)
    fac = out.facilities.to_frame().set_index("facility_id")
    assert fac.at[CROSSING, "quota_trains_per_day_into_CN"] == pytest.approx(10 * 335 / 366)


def test_scenario_run_says_when_a_capacity_is_below_the_observed_throughput(tmp_path) -> None:
    from typer.testing import CliRunner

    from landbridge.cli import app

    spec = tmp_path / "cap.yaml"
    spec.write_text(scenario(
        f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day}}"
    ))  # fmt: skip
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("origin,destination\nXi'an,Almaty\n")
    result = CliRunner().invoke(app, [
        "scenario", "run", str(spec), "--routes", str(pairs), "--flows",
        "--store", str(tmp_path / "runs.duckdb"),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert f"warning: {CROSSING}: the scenario's capacity 2.01 Mt/yr is below the 18.69" in flat
    assert "a capacity changes the flows and the simulation, not the route options" in flat
