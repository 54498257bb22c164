"""Capacities: units honoured (trains/day on a facility that also has t/yr changes the flows'
capacity), zero / fractional / absurd values refused with a hint, never turned into 1 server."""

from __future__ import annotations

import math

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
    fac = net.facilities.set_index("facility_id")
    assert math.isfinite(float(fac.at[CROSSING, "capacity_t_per_yr"]))  # both figures given
    t_per_train = 1000.0
    before = sourced_capacity_t(net.facilities, t_per_train, 10.0)
    row = int((net.facilities["facility_id"] == CROSSING).to_numpy().nonzero()[0][0])
    spec = parse_scenario(
        scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 5, unit: trains_per_day}}")
    )
    out, _, _ = apply_scenario(spec, net, None, None)
    after = sourced_capacity_t(out.facilities, t_per_train, 10.0)
    assert after[row] == pytest.approx(5 * 365 * t_per_train)
    assert after[row] != before[row]
    others = [i for i in range(len(after)) if i != row]
    assert list(after[others]) == pytest.approx(list(before[others]), nan_ok=True)


def test_whole_servers_reach_the_simulation_unchanged() -> None:
    from landbridge.sim.corridor2023 import build_corridor_2023, known_facility_ids
    from landbridge.sim.scenario import apply_to_system

    system = build_corridor_2023("trains")
    spec = parse_scenario(
        scenario(f"{{type: set_capacity, facility: {CROSSING}, value: 3, unit: servers}}")
    )
    changed, _ = apply_to_system(system, spec, known_facility_ids())
    rows = [i for i, f in enumerate(system.facility_id) if f.split(":")[0] == CROSSING]
    assert rows and [int(changed.servers[i]) for i in rows] == [3] * len(rows)
