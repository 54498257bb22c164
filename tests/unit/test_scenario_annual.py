"""Dated closures in the annual flows, closures outside the year, comparing like with like."""

from __future__ import annotations

import datetime as dt

import pytest
from test_scenario_apply import edges_of, fac, scenario
from test_scenario_toy import toy_network

from landbridge.errors import ScenarioError
from landbridge.scenarios.align import align_bases
from landbridge.scenarios.apply import apply_scenario
from landbridge.scenarios.report import human

WEEK = {
    "type": "close_crossing", "facility": "khorgos-altynkol",
    "from_date": "2023-07-03", "to_date": "2023-07-09",
}  # fmt: skip


def test_annual_network_keeps_a_facility_closed_on_the_departure_day_at_358_365():
    spec = scenario(WEEK, departure_date="2023-07-05")
    annual, _, _ = apply_scenario(spec, toy_network(), annual=True)
    routes, _, _ = apply_scenario(spec, toy_network())
    assert edges_of(annual, "khorgos-altynkol").size == 2
    assert edges_of(routes, "khorgos-altynkol").size == 0
    assert fac(annual, "khorgos-altynkol", "capacity_t_per_yr") == pytest.approx(8e6 * 358 / 365)


def test_closure_outside_the_year_names_both_dates_and_the_year():
    late = {**WEEK, "from_date": "2024-03-05", "to_date": "2024-03-18"}
    with pytest.raises(ScenarioError, match=r"2024-03-05 to 2024-03-18 lies outside .* year 2023"):
        apply_scenario(scenario(late), toy_network())


def test_a_side_without_a_date_takes_the_other_sides_date():
    a, b = scenario(), scenario(WEEK, departure_date="2023-07-05")
    a2, b2, notes = align_bases(a, b)
    assert a2.base.departure_date == dt.date(2023, 7, 5) == b2.base.departure_date
    assert a.base.departure_date is None  # the inputs are not changed
    assert notes == ["A (t) sets no departure date: it runs on B's, 2023-07-05"]


def test_two_set_dates_or_years_are_kept_and_named():
    a = scenario(departure_date="2023-01-10")
    b = scenario_from_year(2024, "2024-07-05")
    a2, b2, notes = align_bases(a, b)
    assert (a2.base.departure_date, b2.base.departure_date) == (
        dt.date(2023, 1, 10), dt.date(2024, 7, 5),
    )  # fmt: skip
    assert len(notes) == 2
    assert "departure dates differ (A 2023-01-10, B 2024-07-05)" in notes[0]
    assert "base years differ (A 2023, B 2024)" in notes[1]


def scenario_from_year(year: int, day: str):  # type: ignore[no-untyped-def]
    from landbridge.scenarios.load import scenario_from_data

    return scenario_from_data({"name": "u", "base": {"year": year, "departure_date": day}})


def test_report_tables_use_days_mt_and_readable_headings():
    import pandas as pd

    frame = pd.DataFrame({
        "od": ["Xi'an → Duisburg"], "transit_p50_h_a": [480.0], "d_transit_p50_h": [-24.0],
        "flow_t_per_yr_b": [12.3e6], "utilization_a": [0.5], "facility_id": ["x"],
    })  # fmt: skip
    out = human(frame)
    assert list(out.columns) == [
        "origin → destination", "median days A", "median days B − A", "Mt/yr B", "utilization % A",
    ]  # fmt: skip
    assert out.iloc[0, 1:].tolist() == pytest.approx([20.0, -1.0, 12.3, 50.0])


def test_a_week_closed_takes_7_365_of_the_observed_floor_too():
    """Khorgos's 16.1 Mt floor (2025) loses the closed week like its sourced figure."""
    from landbridge.flows.capacity import facility_capacities

    annual, _, _ = apply_scenario(scenario(WEEK), toy_network(), annual=True)
    caps = facility_capacities(annual.facilities.to_frame(), 1100.0, 10.0)
    row = annual.facilities["facility_id"].tolist().index("khorgos-altynkol")
    assert caps.t_per_yr[row] == pytest.approx(16.1e6 * 358 / 365)


def test_the_2023_single_track_is_floored_at_what_it_carried_in_2024_when_asked():
    """12 train pairs/day x 1,100 t = 4.8 Mt/yr each way, yet 18.7 Mt crossed Dostyk on the
    single track in 2024: the busier direction carried at least 9.35 Mt. With
    ``observed_floor`` (as baseline-2023 reads it) that throughput stands in; without, the
    scenario's figure is used as given and a warning says it is below what the track carried."""
    from landbridge.flows.capacity import facility_capacities

    single = {"type": "set_capacity", "facility": "dostyk-moyinty", "value": 12,
              "unit": "train_pairs_per_day"}  # fmt: skip
    for floor in (True, False):
        net, _, _ = apply_scenario(
            scenario({**single, "observed_floor": floor}), toy_network(), annual=True
        )
        caps = facility_capacities(net.facilities.to_frame(), 1100.0, 10.0)
        row = net.facilities["facility_id"].tolist().index("dostyk-moyinty")
        if floor:
            assert caps.t_per_yr[row] == pytest.approx(18_693_069 / 2, rel=1e-6)
            assert caps.basis[row] == "observed floor" and not caps.warnings
        else:
            assert caps.t_per_yr[row] == pytest.approx(12 * 365 * 1100.0)
            assert caps.basis[row] == "sourced"
            assert [w.split(":")[0] for w in caps.warnings] == ["dostyk-moyinty"]
            assert "below the 9.35 Mt/yr" in caps.warnings[0]
