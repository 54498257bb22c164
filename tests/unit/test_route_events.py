"""Events on route options: a closure holds the box until the reopening on the day it reaches the
border, a war or sanctions event is a risk flag, a tariff change re-prices the legs in its
country, and every answer says how recent each kind of data is."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_routing_dates import MOYINTY_H, NET, PARAMS, TODAY
from typer.testing import CliRunner

import landbridge.costs.dated as dated
from landbridge.cli import app
from landbridge.events import load_events
from landbridge.routing.evaluate import Evaluated
from landbridge.routing.event_effects import apply_events, leg_start_hours
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import plan_routes
from landbridge.schema.event import Event
from landbridge.schema.route import RouteRequest, RouteResponse
from landbridge.staleness import data_dates

NORTH = "Northern via Alashankou–Dostyk"
BREST = "Brest–Małaszewicze"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dated, "today", lambda: TODAY)


def plan(**kw) -> RouteResponse:
    kw.setdefault("origin", "Xi'an")
    kw.setdefault("destination", "Duisburg")
    return plan_routes(RouteRequest(**kw), network=NET, params=PARAMS, resolver=resolve_on_network)


def option(resp: RouteResponse, label: str):
    return next(o for o in resp.options if o.label == label)


def _brest_reach_h(o) -> float:
    i = next(i for i, leg in enumerate(o.legs) if leg.from_ == BREST)
    return leg_start_hours(o)[i]


CLOSED_FROM, REOPEN = dt.datetime(2025, 9, 12), dt.datetime(2025, 9, 25)
CLEAR_H = 7 * 24.0  # backlog_clear_days of the closure row


def _expected_wait_h(depart: dt.date, reach_h: float) -> float:
    """First come, first served behind the closure's queue, which clears in 7 days."""
    at = dt.datetime.combine(depart, dt.time()) + dt.timedelta(hours=reach_h)
    length_h = (REOPEN - CLOSED_FROM).total_seconds() / 3600
    since_h = (at - CLOSED_FROM).total_seconds() / 3600
    leave = REOPEN + dt.timedelta(hours=CLEAR_H * since_h / (CLEAR_H + length_h))
    return (leave - at).total_seconds() / 3600


def _closure_event(o):
    return [e for e in o.events if e.event_id == "pl-by-closure-2025"]


@pytest.mark.parametrize("depart", [dt.date(2025, 9, 10), dt.date(2025, 9, 15)])
def test_a_box_reaching_brest_in_the_closure_or_its_queue_waits_its_turn(depart) -> None:
    held = option(plan(depart=depart, corridor="northern"), NORTH)
    reach_h = _brest_reach_h(held)
    at = dt.datetime.combine(depart, dt.time()) + dt.timedelta(hours=reach_h)
    assert CLOSED_FROM <= at <= REOPEN + dt.timedelta(hours=CLEAR_H)
    (event,) = _closure_event(held)
    wait_h = _expected_wait_h(depart, reach_h)
    assert event.delay_h == pytest.approx(wait_h, abs=0.01)
    assert event.where == BREST and not event.closed
    assert "ev-tass-2025-pl-by-close" in event.source
    assert ("for the reopening" if at < REOPEN else "behind the queue") in event.effect
    free = option(plan(depart=dt.date(2025, 8, 20), corridor="northern"), NORTH)
    assert not _closure_event(free)
    assert held.transit_days.p50 == pytest.approx(free.transit_days.p50 + wait_h / 24, abs=0.01)
    assert held.time_breakdown_h.gauge_change == pytest.approx(
        free.time_breakdown_h.gauge_change + wait_h, abs=0.01
    )
    assert "sanctions" in {r.kind for r in held.risks}


def test_a_box_that_reaches_brest_inside_the_closure_carries_the_closure_flag() -> None:
    held = option(plan(depart=dt.date(2025, 9, 10), corridor="northern"), NORTH)
    assert "war_or_closure" in {r.kind for r in held.risks}


def test_a_box_that_reaches_brest_after_the_queue_has_cleared_is_not_held() -> None:
    for depart in (dt.date(2025, 9, 25), dt.date(2025, 10, 15)):
        o = option(plan(depart=depart, corridor="northern"), NORTH)
        at = dt.datetime.combine(depart, dt.time()) + dt.timedelta(hours=_brest_reach_h(o))
        assert at > REOPEN + dt.timedelta(hours=CLEAR_H)
        assert not _closure_event(o)
        assert "war_or_closure" not in {r.kind for r in o.risks}


def test_an_open_ended_closure_closes_the_option_and_drops_it_from_the_pareto_set() -> None:
    resp = plan(depart=dt.date(2025, 10, 15), corridor="northern")
    found = option(resp, NORTH)
    shut = Event(
        event_id="shut", kind="closure", title="Brest shut", start=dt.date(2025, 1, 1),
        facilities=("brest-*",), effect="closed", risk="war_or_closure", source_ids=("s",),
    )  # fmt: skip
    from landbridge.routing.plan import plan_routes_with_paths

    _, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg", depart=dt.date(2025, 10, 15),
                     corridor="northern"),
        network=NET, params=PARAMS, resolver=resolve_on_network,
    )  # fmt: skip
    out = apply_events(NET, Evaluated(found), paths[0], dt.date(2025, 10, 15), events=[shut])
    assert out.option.closed
    (event,) = out.option.events
    assert event.closed and event.delay_h == 0.0 and "cannot pass" in event.effect
    assert out.option.transit_days == found.transit_days


def test_a_tariff_change_reprices_only_the_legs_reached_after_its_start() -> None:
    # the box enters the Kazakh rail leg MOYINTY_H after departure: the day before the tariff
    # (7 Mar 2025) by this departure, after it by 10 Mar
    before_day = dt.date(2025, 3, 7) - dt.timedelta(days=int(MOYINTY_H // 24) + 1)
    kz_before = option(plan(depart=before_day, corridor="northern"), NORTH)
    kz_after = option(plan(depart=dt.date(2025, 3, 10), corridor="northern"), NORTH)
    leg = next(i for i, g in enumerate(kz_before.legs) if g.mode == "rail" and g.country == "KZ")
    before_usd = kz_before.legs[leg].cost_usd
    assert kz_after.legs[leg].cost_usd == pytest.approx(before_usd * 1.16, abs=0.01)
    (event,) = [e for e in kz_after.events if e.event_id == "ktz-tariff-2025"]
    delta = kz_after.legs[leg].cost_usd - kz_before.legs[leg].cost_usd
    assert event.cost_delta_usd == pytest.approx(delta, abs=0.01)
    assert kz_after.cost_usd == pytest.approx(kz_before.cost_usd + delta, abs=0.02)
    assert not [e for e in kz_before.events if e.event_id == "ktz-tariff-2025"]


def test_the_iran_option_carries_the_war_flag_only_after_28_february_2026() -> None:
    def iran(day: dt.date):
        resp = plan(depart=day, corridor="southern")
        return next(o for o in resp.options if "IR" in o.countries)

    flags = {r.event_id: r for r in iran(dt.date(2026, 3, 2)).risks}
    assert flags["iran-war-2026"].kind == "war_or_closure"
    assert flags["iran-war-2026"].since == dt.date(2026, 2, 28)
    assert flags["iran-war-2026"].where == "IR"
    assert "iran-war-2026" not in {r.event_id for r in iran(dt.date(2026, 2, 1)).risks}


def test_a_winter_caspian_crossing_is_flagged() -> None:
    resp = plan(depart=dt.date(2026, 1, 10), corridor="middle")
    kinds = {r.kind for o in resp.options for r in o.risks}
    assert "caspian_weather" in kinds
    summer = plan(depart=dt.date(2026, 7, 10), corridor="middle")
    assert "caspian_weather" not in {r.kind for o in summer.options for r in o.risks}


def test_event_sources_are_listed_in_the_answer() -> None:
    resp = plan(depart=dt.date(2025, 9, 10), corridor="northern")
    ids = {s.source_id for s in resp.sources}
    assert {"ev-tass-2025-pl-by-close", "ev-apc-2024-decree-1374"} <= ids
    assert all(s.title != "(not in data/sources)" for s in resp.sources if s.source_id in ids)


def test_staleness_names_the_newest_data_per_kind_and_warns_beyond_a_year() -> None:
    dates = {d.kind: d for d in data_dates(dt.date(2025, 9, 15))}
    assert set(dates) == {"tariffs", "border_times", "ocean_rates", "events"}
    assert (dates["tariffs"].as_published, dates["tariffs"].stale) == ("2023", True)
    assert "KZ × 1.16 from 2025-03-07" in dates["tariffs"].note
    assert (dates["border_times"].newest, dates["border_times"].stale) == (
        dt.date(2023, 12, 31), True
    )
    assert (dates["ocean_rates"].as_published, dates["ocean_rates"].stale) == (
        "2025-04-10", False
    )
    assert dates["events"].newest == dt.date(2025, 9, 15) and not dates["events"].stale
    later = {d.kind: d for d in data_dates(dt.date(2027, 6, 1))}
    assert later["ocean_rates"].stale and later["events"].newest == max(
        e.start for e in load_events() if e.start and e.effect != "scenario"
    )
    # a year-only figure stands for 31 December: 2023 is not stale 365 days later
    assert not {d.kind: d for d in data_dates(dt.date(2024, 12, 30))}["tariffs"].stale


def test_route_json_and_table_carry_risks_and_data_dates(monkeypatch) -> None:
    import landbridge.routing.plan as plan_module

    real = plan_module.plan_routes

    def on_toy(request, params=None, **kw):
        return real(request, network=NET, params=PARAMS, resolver=resolve_on_network)

    monkeypatch.setattr(plan_module, "plan_routes", on_toy)
    runner = CliRunner()
    args = ["route", "Xi'an", "Duisburg", "--depart", "2025-09-15", "--corridor", "northern"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    north = next(o for o in out["options"] if o["label"] == NORTH)
    assert {"kind", "where", "since", "source"} <= set(north["risks"][0])
    assert {d["kind"] for d in out["data_dates"]} == {
        "tariffs", "border_times", "ocean_rates", "events"
    }
    table = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert table.exit_code == 0, table.output
    assert "delayed +" in table.output and "Poland closes every crossing" in table.output
    assert "warning: border times: newest figure 2023" in table.output


def test_the_newest_data_note_names_every_kind() -> None:
    from landbridge.staleness import newest_data_note

    note = newest_data_note(dt.date(2025, 7, 1))
    assert note.startswith("newest data for 2025-07-01: tariffs 2023 (more than a year old)")
    assert "border times 2023 (more than a year old)" in note
    assert "ocean rates 2025-04-10," in note and "events 2025-07-01" in note
