"""The events table: one row per dated event, checked on load; the quotas and capacity changes
are rows of the dated facility series; the command lists what is in force on a date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.costs.dated import load_facility_series, row_on
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.events import COLUMNS, country_factor, events_on, load_events, touches_facility

runner = CliRunner()
HEAD = ",".join(COLUMNS)


def _table(tmp_path: Path, rows: list[str]) -> str:
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _by_id(event_id: str):
    return next(e for e in load_events() if e.event_id == event_id)


def test_the_poland_belarus_closure_is_in_force_from_12_to_24_september_2025() -> None:
    e = _by_id("pl-by-closure-2025")
    assert (e.start, e.end, e.effect, e.risk) == (
        dt.date(2025, 9, 12), dt.date(2025, 9, 24), "closed", "war_or_closure"
    )
    assert e.status(dt.date(2025, 9, 11)) == "announced"
    assert e.status(dt.date(2025, 9, 24)) == "in_force"
    assert e.status(dt.date(2025, 9, 25)) == "ended"
    assert touches_facility(e, "brest-malaszewicze")
    assert touches_facility(e, "border-by-pl-53.52n-23.64e")
    assert not touches_facility(e, "border-de-pl-50.89n-14.83e")


def test_events_on_a_date_leave_out_ended_ones_and_filter_by_place() -> None:
    during = {o.event.event_id for o in events_on(dt.date(2025, 9, 15), "brest")}
    after = {o.event.event_id for o in events_on(dt.date(2025, 10, 15), "brest")}
    assert "pl-by-closure-2025" in during and "pl-by-closure-2025" not in after
    iran = events_on(dt.date(2026, 3, 1), "Iran")
    assert [(o.event.event_id, o.status) for o in iran if o.event.kind == "war"] == [
        ("iran-war-2026", "in_force")
    ]
    assert {o.event.event_id for o in events_on(dt.date(2026, 3, 1), "ir")} >= {"iran-war-2026"}
    with pytest.raises(InvalidInputError, match="no event touches 'Narnia'"):
        events_on(dt.date(2026, 3, 1), "Narnia")


def test_quotas_and_capacity_changes_are_rows_of_the_dated_series() -> None:
    series = load_facility_series()
    khorgos = series[("khorgos-altynkol", "capacity_trains_per_day")]
    assert row_on(khorgos, dt.date(2025, 2, 28))[0].value == 20
    # China's quota binds trains into China only: a series of its own, not the capacity's
    quota = series[("khorgos-altynkol", "quota_trains_per_day_into_CN")]
    assert row_on(quota, dt.date(2025, 3, 1))[0].value == 15
    assert "khorgos-quota-2025" in row_on(quota, dt.date(2025, 3, 1))[0].note
    assert row_on(quota, dt.date(2025, 2, 28))[1]  # before its start: only a stand-in
    track = series[("dostyk-moyinty", "capacity_trains_per_day")]
    assert row_on(track, dt.date(2025, 9, 29))[0].value == 12
    assert row_on(track, dt.date(2025, 9, 30))[0].value == 60
    btk = series[("akhalkalaki", "capacity_t_per_yr")]
    assert [row_on(btk, dt.date(2024, 5, d))[0].value for d in (19, 20)] == [1e6, 5e6]


def test_tariff_changes_compound_from_their_start() -> None:
    assert country_factor("KZ", "usd_per_feu_km", dt.date(2025, 3, 6))[0] == 1.0
    assert country_factor("KZ", "usd_per_feu_km", dt.date(2025, 3, 7))[0] == pytest.approx(1.16)
    assert country_factor("RU", "usd_per_feu_km", dt.date(2025, 11, 30))[0] == 1.0
    assert country_factor("RU", "usd_per_feu_km", dt.date(2025, 12, 1))[0] == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,closure,T,2025-09-12,2025-09-01,f,,closed,,,,s,,", "end 2025-09-01 is before start"),
        ("x,closure,T,2025-09-31,,f,,closed,,,,s,,", "'2025-09-31' is not a date"),
        ("x,flood,T,2025-09-12,,f,,closed,,,,s,,", "kind"),
        ("x,quota,T,2025-09-12,,f,,set,,,,s,,", "needs a parameter and a value"),
        ("x,quota,T,2025-09-12,,,,risk,,,sanctions,s,,", "name the facilities or countries"),
        ("x,war,T,2025-09-12,,,IR,risk,,,sanctions,,,", "source_ids"),
        ("x,war,T,,,,IR,risk,,,sanctions,s,,", "only an announcement"),
        ("x,war,T,2025-01-01,,,IR,none,,,,s,,", "says why"),
        ("x,quota,T,2025-09-12,,f,,set,capacity_trains_per_day,many,,s,,", "not a number"),
    ],
)
def test_bad_event_rows_are_refused_with_the_line(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message) as info:
        load_events(_table(tmp_path, [row]))
    assert "events.csv line 2" in str(info.value)


def test_an_event_id_may_appear_once(tmp_path: Path) -> None:
    row = "x,war,T,2025-01-01,,,IR,risk,,,war_or_closure,s,,"
    with pytest.raises(ParameterError, match="'x' appears twice"):
        load_events(_table(tmp_path, [row, row]))


def test_every_scenario_event_names_a_bundled_scenario() -> None:
    from landbridge.paths import DATA_DIR

    bundled = {p.stem for p in (DATA_DIR / "scenarios").glob("*.yaml")}
    named = {e.parameter for e in load_events() if e.effect == "scenario"}
    assert named <= bundled, f"events name missing scenarios: {sorted(named - bundled)}"


def test_events_command_json_and_errors() -> None:
    result = runner.invoke(app, ["events", "--date", "2025-09-15", "--where", "BY", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    ids = {e["event"]["event_id"]: e["status"] for e in out["events"]}
    assert ids["pl-by-closure-2025"] == "in_force"
    assert ids["ru-by-sanctions-2022"] == "in_force"
    bad = runner.invoke(app, ["events", "--date", "15/09/2025"])
    assert bad.exit_code == 2 and "not a date YYYY-MM-DD" in bad.output
    table = runner.invoke(
        app, ["events", "--date", "2025-10-15", "--where", "dostyk"], env={"COLUMNS": "250"}
    )
    assert table.exit_code == 0 and "Dostyk–Moyinty" in table.output


def test_api_lists_the_events_of_a_date_like_the_command() -> None:
    from fastapi.testclient import TestClient

    from landbridge.api.app import create_app
    from landbridge.api.settings import ApiSettings

    client = TestClient(create_app(ApiSettings()))
    got = client.get("/api/events", params={"date": "2025-09-15", "where": "BY"})
    assert got.status_code == 200
    assert {e["event"]["event_id"] for e in got.json()} == {
        o.event.event_id for o in events_on(dt.date(2025, 9, 15), "BY")
    }
    bad = client.get("/api/events", params={"where": "Narnia"})
    assert bad.status_code == 422 and "no event touches 'Narnia'" in bad.text
