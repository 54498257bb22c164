"""Dated parameters: facility rows switch at their boundary dates, the all-sea option pays the WCI
sample of its month, winter Caspian weather adds exactly closure share × mean closure length,
and departure dates outside the data are refused with a message."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from test_routing_toy import build_network
from typer.testing import CliRunner

import landbridge.costs.dated as dated
import landbridge.costs.weather as weather
import landbridge.routing.plan as plan_module
from landbridge.cli import app
from landbridge.costs.params import load_default_params
from landbridge.costs.time import TimeParts, transit_quantiles_h
from landbridge.costs.transit import transit_time
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.network.sea import load_ocean_rates
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import edge_costs, plan_routes
from landbridge.schema.route import RouteRequest, RouteResponse

PARAMS = load_default_params()
LANE = "shanghai-rotterdam"
TODAY = dt.date(2026, 11, 28)


def dated_network():
    """The hand-made network with the bundled values where the dated tables have series: the
    Alashankou dwell p90 of crossings.csv, a Dostyk–Moyinty section on the Dostyk–Petropavl
    line, a WCI-priced ocean link to Rotterdam and Caspian weather on the Aktau ferry."""
    net = build_network()
    fac = net.facilities.to_frame()
    ids = fac["facility_id"].tolist()
    fac.loc[ids.index("alashankou-dostyk"), "dwell_p90_h"] = 30.5
    fac["capacity_trains_per_day"] = np.nan
    fac["to_port"] = ""
    fac["port_id"] = ""
    fac["wci_lane"] = ""
    fac["weather_closure_days_per_month"] = np.nan
    ocean = ids.index("ocean-lyg-rtm")
    fac.loc[ocean, ["cost_usd_per_feu", "to_port"]] = [2452.0, "rotterdam"]
    fac.loc[ids.index("port-rotterdam"), ["port_id", "wci_lane"]] = ["rotterdam", LANE]
    fac.loc[ids.index("ferry-aktau-baku"), "weather_closure_days_per_month"] = 10.0
    section = {c: np.nan for c in fac.columns} | {
        "facility_id": "dostyk-moyinty", "name": "Dostyk–Moyinty", "kind": "section",
        "countries": "KZ", "capacity_trains_per_day": 60.0, "source_ids": "landbridge-assumption",
        "assumption": "", "to_port": "", "port_id": "", "wci_lane": "",
    }  # fmt: skip
    fac.loc[len(fac)] = section
    edge_facility = net.edge_facility.copy()
    dostyk, petropavl = (
        net.node_name.tolist().index("Dostyk"),
        net.node_name.tolist().index("Petropavl"),
    )
    line = ((net.edge_src == dostyk) & (net.edge_dst == petropavl)) | (
        (net.edge_src == petropavl) & (net.edge_dst == dostyk)
    )
    edge_facility[line] = len(fac) - 1
    return dataclasses.replace(net, facilities=fac, edge_facility=edge_facility)


NET = dated_network()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dated, "today", lambda: TODAY)


def plan(**kw) -> RouteResponse:
    kw.setdefault("origin", "Xi'an")
    kw.setdefault("destination", "Duisburg")
    return plan_routes(RouteRequest(**kw), network=NET, params=PARAMS, resolver=resolve_on_network)


def option(resp: RouteResponse, label: str):
    return next(o for o in resp.options if o.label == label)


def values(resp: RouteResponse, item: str, parameter: str) -> list:
    return [v for v in resp.dated_values if v.item == item and v.parameter == parameter]


def _edge(net, fid: str) -> int:
    row = net.facilities["facility_id"].tolist().index(fid)
    return int(np.flatnonzero(net.edge_facility == row)[0])


# --- facility rows with validity dates ------------------------------------------------------
# On the hand-made network the box reaches Alashankou after the 3000 km Xi'an rail leg (China's
# speed times its delay factor) and the Dostyk–Moyinty section after the gauge change too.
_TT = transit_time(PARAMS)
REACH_H = (
    3000.0 / PARAMS.value("rail_speed", "CN", "speed_p50_kmh")
    * _TT.value[_TT.index("delay_factor_cn")]
)  # fmt: skip
MOYINTY_H = REACH_H + _TT.value[_TT.index("cn_kz_dwell_p50_h")]
NEW_YEAR = dt.date(2022, 1, 1)


def _days_before(day: dt.date, hours: float, reach: bool) -> dt.date:
    """The latest departure whose box is at the facility before ``day`` (``reach`` False), or
    the earliest whose box is there on or after it (``reach`` True)."""
    whole = int(hours // 24)
    return day - dt.timedelta(days=whole + (0 if reach else 1))


@pytest.mark.parametrize(
    ("day", "expected"),
    [(_days_before(NEW_YEAR, REACH_H, False), 80.2), (NEW_YEAR, 30.5), (dt.date(2021, 1, 1), 80.2)],
)
def test_alashankou_dwell_p90_switches_at_the_year_boundary(day: dt.date, expected: float) -> None:
    costs = edge_costs(NET, PARAMS, day)
    assert costs.dwell_p90_h[_edge(NET, "alashankou-dostyk")] == expected
    resp = plan(depart=day, corridor="northern")
    (value,) = values(resp, "alashankou-dostyk", "dwell_p90_h")
    assert value.value == expected and value.source_ids == ["cpmm-2022"]


def test_a_dated_value_is_the_one_of_the_day_the_box_reaches_the_facility() -> None:
    label = "Northern via Alashankou–Dostyk"
    # departing late in 2021 the box reaches Alashankou on 1 Jan 2022: the 2022 row applies
    late_day = _days_before(NEW_YEAR, REACH_H, True)
    assert edge_costs(NET, PARAMS, late_day).dwell_p90_h[_edge(NET, "alashankou-dostyk")] == 80.2
    late = plan(depart=late_day, corridor="northern")
    assert option(late, label).legs[0].hours == pytest.approx(REACH_H, abs=0.01)
    (value,) = values(late, "alashankou-dostyk", "dwell_p90_h")
    assert value.value == 30.5
    new_year = option(plan(depart=NEW_YEAR, corridor="northern"), label)
    assert option(late, label).transit_days.p90 == new_year.transit_days.p90


def test_the_dwell_row_changes_the_transit_p90_of_the_option() -> None:
    label = "Northern via Alashankou–Dostyk"
    day = _days_before(NEW_YEAR, REACH_H, False)
    before = option(plan(depart=day, corridor="northern"), label)
    after = option(plan(depart=NEW_YEAR, corridor="northern"), label)
    assert before.transit_days.p90 > after.transit_days.p90
    assert before.transit_days.p50 >= after.transit_days.p50
    assert before.cost_usd == after.cost_usd


OPENING = dt.date(2025, 9, 30)


def test_a_patch_with_reach_days_reads_each_reached_facility_on_its_own_day() -> None:
    # built from the departure day's patch: the reached facilities are those of their day's
    # patch, every other one that of the departure day, the key that of the values
    on = dt.date(2021, 12, 20)
    reach = {"alashankou-dostyk": dt.date(2022, 2, 3), "ocean-lyg-rtm": dt.date(2023, 3, 1),
             "dostyk-moyinty": on}  # fmt: skip
    patch, plain = dated.dated_patch(NET, on, reach), dated.dated_patch(NET, on)
    assert patch.facility_values.keys() == plain.facility_values.keys()
    for fid, cells in patch.facility_values.items():
        expected = dated.dated_patch(NET, reach[fid]) if fid in reach else plain
        assert cells == expected.facility_values[fid]
        assert patch.records[fid] == expected.records[fid]
    assert patch.facility_values["alashankou-dostyk"]["dwell_p90_h"] == 30.5
    assert plain.facility_values["alashankou-dostyk"]["dwell_p90_h"] == 80.2
    assert patch.facility_values["ocean-lyg-rtm"] != plain.facility_values["ocean-lyg-rtm"]
    assert patch.key == tuple(
        sorted((f, c, v) for f, cells in patch.facility_values.items() for c, v in cells.items())
    )
    assert patch.on == on and patch.key != plain.key


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (_days_before(OPENING, MOYINTY_H, False), 12.0),
        (_days_before(OPENING, MOYINTY_H, True), 60.0),
    ],
)
def test_dostyk_moyinty_capacity_switches_on_30_september_2025(
    day: dt.date, expected: float
) -> None:
    resp = plan(depart=day, corridor="northern")
    (value,) = values(resp, "dostyk-moyinty", "capacity_trains_per_day")
    assert value.value == expected
    assert value.unit == "trains/day"


def test_a_network_value_outside_the_series_is_kept() -> None:
    # the plain hand-made network has Alashankou p90 = 30 h, not a CPMM figure: no dated row
    plain = build_network()
    costs = edge_costs(plain, PARAMS, dt.date(2021, 6, 1))
    assert costs.dwell_p90_h[_edge(plain, "alashankou-dostyk")] == 30.0


def test_params_file_overrides_win_over_dated_rows(tmp_path: Path) -> None:
    from landbridge.costs.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text("facilities:\n  alashankou-dostyk: {dwell_p90_h: 50}\n", encoding="utf-8")
    params = load_params(path)
    costs = plan_module.edge_costs(NET, params, dt.date(2021, 6, 1))
    assert costs.dwell_p90_h[_edge(NET, "alashankou-dostyk")] == 50.0


def _write(tmp_path: Path, rows: list[str]) -> str:
    path = tmp_path / "facility_dated.csv"
    head = "facility_id,column,value,valid_from,valid_to,year,source_ids,note,assumption"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_row_on_uses_the_nearest_row_and_says_so(tmp_path: Path) -> None:
    series = dated.load_facility_series(
        _write(
            tmp_path,
            [
                "x,dwell_p50_h,5,2020-01-01,2020-12-31,2020,s,,",
                "x,dwell_p50_h,7,2022-01-01,2022-12-31,2022,s,,",
            ],
        )
    )[("x", "dwell_p50_h")]
    assert dated.row_on(series, dt.date(2020, 12, 31)) == (series[0], "")
    row, note = dated.row_on(series, dt.date(2021, 6, 1))
    assert row.value == 5 and "nearest earlier" in note
    row, note = dated.row_on(series, dt.date(2019, 6, 1))
    assert row.value == 5 and "no figure before 2020-01-01" in note
    row, note = dated.row_on(series, dt.date(2030, 1, 1))
    assert row.value == 7 and "nearest earlier" in note


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ["x,dwell_p50_h,5,2020-01-01,,2020,s,,", "x,dwell_p50_h,7,2022-01-01,,2022,s,,"],
            "overlap",
        ),
        (["x,dwell_p50_h,5,2020-02-30,,2020,s,,"], "'2020-02-30' is not a date"),
        (["x,dwell_p50_h,5,2021-01-01,2020-01-01,2020,s,,"], "is before valid_from"),
        (["x,colour,5,,,2020,s,,"], "cannot be dated"),
        (["x,dwell_p50_h,five,,,2020,s,,"], "is not a number"),
    ],
)
def test_bad_dated_tables_are_refused(tmp_path: Path, rows: list[str], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        dated.load_facility_series(_write(tmp_path, rows))


def test_a_dated_p90_below_the_own_p50_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    net = dated_network()
    fac = net.facilities.to_frame()
    fac.loc[fac["facility_id"] == "alashankou-dostyk", "dwell_p50_h"] = 50.0
    net = dataclasses.replace(net, facilities=fac)
    with pytest.raises(ParameterError, match="dwell_p90_h 30.5 below dwell_p50_h 50"):
        dated.dated_patch(net, dt.date(2022, 5, 1))
    assert dated.dated_patch(net, dt.date(2021, 5, 1)).facility_values["alashankou-dostyk"] == {
        "dwell_p90_h": 80.2
    }


# --- ocean freight of the departure month ---------------------------------------------------
def _samples(month: str) -> list[float]:
    rates = load_ocean_rates()
    own = rates.loc[(rates["lane"] == LANE) & rates["date"].astype(str).str.startswith(month)]
    return own["cost_usd_per_feu"].astype(float).tolist()


@pytest.mark.parametrize("day", [dt.date(2024, 5, 20), dt.date(2025, 3, 1), dt.date(2023, 12, 2)])
def test_all_sea_pays_the_wci_sample_of_its_month(day: dt.date) -> None:
    sampled = _samples(f"{day:%Y-%m}")
    assert sampled, "the test needs a month with a sample"
    resp = plan(depart=day, corridor="sea", feu=3)
    sea = option(resp, "Rail + sea via Suez (Lianyungang port → Rotterdam port)")
    (leg,) = [g for g in sea.legs if g.mode == "ocean"]
    assert leg.cost_usd == pytest.approx(3 * np.mean(sampled), abs=0.01)
    (value,) = values(resp, LANE, "cost_usd_per_feu")
    assert value.sample_date.startswith(f"{day:%Y-%m}") and value.note == ""


def test_a_month_without_sample_uses_the_nearest_earlier_one_and_says_so() -> None:
    resp = plan(depart=dt.date(2024, 3, 5), corridor="sea")
    (value,) = values(resp, LANE, "cost_usd_per_feu")
    assert value.sample_date == "2024-02" and value.value == _samples("2024-02")[0]
    assert "nearest earlier" in value.note
    assert any("nearest earlier" in a for a in resp.assumptions)


def test_before_the_first_sample_the_earliest_one_is_used_and_said() -> None:
    resp = plan(depart=dt.date(2021, 6, 1), corridor="sea")
    (value,) = values(resp, LANE, "cost_usd_per_feu")
    assert value.sample_date == "2022-07-21" and "earliest" in value.note


def test_a_lane_without_samples_falls_back_to_the_reference_lane() -> None:
    sample = dated.ocean_sample("nowhere-lane", dt.date(2024, 5, 2))
    assert sample.lane == LANE and sample.usd_per_feu == _samples("2024-05")[0]
    assert "no nowhere-lane WCI samples" in sample.note


# --- winter Caspian weather -----------------------------------------------------------------
def test_winter_ferry_wait_exceeds_summer_by_share_times_mean_closure() -> None:
    label = "Middle via Aktau port, Poti port"
    winter = plan(depart=dt.date(2025, 1, 2), corridor="middle")
    summer = plan(depart=dt.date(2025, 7, 2), corridor="middle")
    expected = 10.0 / 31 * PARAMS.scalar("ferry_closure_mean_h")
    gap = (
        option(winter, label).time_breakdown_h.ferry_wait
        - option(summer, label).time_breakdown_h.ferry_wait
    )
    assert gap == pytest.approx(expected, abs=0.011)
    (value,) = values(winter, "ferry-aktau-baku", "weather_wait_h")
    assert value.value == pytest.approx(expected, abs=0.005)
    assert "January, observed" in value.note and "sea-argus-caspian-storms" in value.source_ids
    assert not values(summer, "ferry-aktau-baku", "weather_wait_h")
    assert option(winter, label).transit_days.p90 >= option(summer, label).transit_days.p90
    assert any("ferry_closure_mean_h" in a for a in winter.assumptions)


def test_february_and_december_are_marked_assumptions_and_november_is_not_winter() -> None:
    feb = plan(depart=dt.date(2025, 2, 1), corridor="middle")
    (value,) = values(feb, "ferry-aktau-baku", "weather_wait_h")
    assert "assumption" in value.note and "no February count found" in value.note
    assert value.value == pytest.approx(10.0 / 28 * 48.0, abs=0.005)
    nov = plan(depart=dt.date(2024, 11, 1), corridor="middle")
    assert not [v for v in nov.dated_values if v.parameter == "weather_wait_h"]


def test_the_month_is_the_one_in_which_the_box_reaches_the_ferry() -> None:
    # leaving on 31 Dec reaches Aktau in January: January's 31-day share applies
    resp = plan(depart=dt.date(2024, 12, 31), corridor="middle")
    (value,) = values(resp, "ferry-aktau-baku", "weather_wait_h")
    assert "(January" in value.note
    assert value.value == pytest.approx(10.0 / 31 * 48.0, abs=0.005)


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_closure_draws_hold_with_their_probability(share: float) -> None:
    base = TimeParts(np.array([10.0]), np.array([20.0]), np.array([96.0]), 5.0)
    held = dataclasses.replace(base, closure_share=np.array([share]), closure_h=np.array([48.0]))
    p50, p90 = transit_quantiles_h(base)
    q50, q90 = transit_quantiles_h(held)
    assert (q50 - p50, q90 - p90) == pytest.approx((48.0 * share, 48.0 * share))


def test_closure_share_uses_the_days_of_that_month() -> None:
    assert weather.closure_share(10, dt.date(2024, 2, 10)) == 10 / 29
    share = weather.closure_share(10, dt.date(2025, 1, 9))
    assert weather.weather_wait_h(share, 48) == 10 / 31 * 48
    assert calendar.monthrange(2025, 1)[1] == 31


# --- the date itself ------------------------------------------------------------------------
def test_without_depart_today_is_used_and_said() -> None:
    resp = plan(corridor="sea")
    assert resp.depart is None and resp.as_of == TODAY
    assert f"no departure date given: dated parameters are those valid today ({TODAY})" in (
        resp.assumptions
    )
    assert plan(depart=TODAY, corridor="sea").options[0].cost_usd == resp.options[0].cost_usd


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2019, 6, 1), "start in 2021; give a date from 2021-01-01"),
        (dt.date(2029, 1, 1), "more than 2 years after today (2026-11-28)"),
    ],
)
def test_departures_beyond_the_data_are_refused(day: dt.date, message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        plan(depart=day)


def test_json_round_trip_keeps_the_dated_values() -> None:
    resp = plan(depart=dt.date(2025, 1, 2))
    again = RouteResponse.model_validate_json(resp.model_dump_json(by_alias=True))
    assert again == resp
    assert again.as_of == dt.date(2025, 1, 2)
    assert {v.parameter for v in again.dated_values} >= {
        "dwell_p90_h", "capacity_trains_per_day", "cost_usd_per_feu", "weather_wait_h",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("depart", "message"),
    [
        ("2023-02-30", "--depart:"),
        ("2019-12-31", "the dated parameters (border times, quotas, ocean freight) start in 2021"),
        ("2031-01-01", "more than 2 years after today"),
    ],
)
def test_cli_depart_errors(monkeypatch: pytest.MonkeyPatch, depart: str, message: str) -> None:
    monkeypatch.setattr(plan_module, "load_bundled_network", lambda: NET)
    monkeypatch.setattr(plan_module, "resolve_with_gazetteer", resolve_on_network)
    result = CliRunner().invoke(app, ["route", "Xi'an", "Duisburg", "--depart", depart])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_json_names_the_dated_values(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setattr(plan_module, "load_bundled_network", lambda: NET)
    monkeypatch.setattr(plan_module, "resolve_with_gazetteer", resolve_on_network)
    result = CliRunner().invoke(
        app, ["route", "Xi'an", "Duisburg", "--corridor", "sea", "--depart", "2024-05-20", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2024-05-20"
    ocean = [v for v in data["dated_values"] if v["item"] == LANE]
    assert ocean and ocean[0]["sample_date"] == "2024-05"


@pytest.mark.parametrize(
    ("day", "expected", "source"),
    [(dt.date(2022, 7, 1), 30.5, "cpmm-2022"), (dt.date(2024, 7, 1), 14.4, "cpmm-2023-prc")],
)
def test_cases_after_2022_read_cpmm_2023_at_the_china_kazakhstan_crossing(
    day: dt.date, expected: float, source: str
) -> None:
    """The calibration reads each case on its own year: a 2024 case gets CPMM's 2023 PRC rail
    border time, not 2022's, once CPMM has published it (the edge's p90 is the larger of it and
    the calibrated median's ``p90_over_p50`` multiple)."""
    role = _TT.index("cn_kz_dwell_p50_h")
    floor = _TT.value[role] * _TT.p90_over_p50[role]
    costs = edge_costs(NET, PARAMS, day)
    assert costs.dwell_p90_h[_edge(NET, "alashankou-dostyk")] == pytest.approx(max(expected, floor))
    (value,) = values(plan(depart=day, corridor="northern"), "alashankou-dostyk", "dwell_p90_h")
    assert value.value == expected and value.source_ids == [source]
