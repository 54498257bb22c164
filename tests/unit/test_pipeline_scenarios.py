"""The pipeline of new lines, ports and vessels as bundled scenarios: each runs through the routes
and the simulation (two seeded replications) and is compared with the 2025 baseline, which
reads its closures and dated capacities from the events table (base.events)."""

from __future__ import annotations

import datetime as dt

import pytest

from landbridge.app.engines import real_engines
from landbridge.events import load_events
from landbridge.scenarios.compare import compare_runs
from landbridge.scenarios.load import load_scenario
from landbridge.scenarios.runner import ODPair, RunOptions, ScenarioRun, run_scenario
from landbridge.scenarios.year_events import year_modifications
from landbridge.schema.scenario import CloseCrossing, SetCapacity

PIPELINE = (
    "darbaza-maktaaral", "kyzylzhar-moyinty", "bakhty-ayagoz-line", "cku-railway",
    "kz-container-vessels-2027", "aktau-hub-240k", "alat-phase-2",
)  # fmt: skip
SENSITIVITIES = {
    "kyzylzhar-moyinty": "kyzylzhar-moyinty-360km",
    "cku-railway": "cku-railway-10mt",
    "kz-container-vessels-2027": "kz-container-vessels-2-large",
    "aktau-hub-240k": "aktau-hub-200k",
}
OPTIONS = RunOptions(
    routes=True, simulate=True, od_pairs=(ODPair("Urumqi", "Aktau"), ODPair("Xi'an", "Baku"))
)


def test_year_modifications_read_the_events_of_the_year() -> None:
    mods = year_modifications(2025)
    closures = [m for m in mods if m["type"] == "close_crossing"]
    assert {(m["facility"], m["from_date"], m["to_date"]) for m in closures} == {
        ("brest-malaszewicze", dt.date(2025, 9, 12), dt.date(2025, 9, 24)),
        ("border-by-pl-53.52n-23.64e", dt.date(2025, 9, 12), dt.date(2025, 9, 24)),
    }
    sets = [m for m in mods if m["type"] == "set_capacity"]
    assert all(m["observed_floor"] for m in sets)  # base data: floored like the tables
    caps = {m["facility"]: m["value"] for m in sets if "into" not in m}
    quotas = {m["facility"]: m["value"] for m in sets if m.get("into") == "CN"}
    # China's quotas bind trains into China only: 59 days at Khorgos's own 20 and 306 at the
    # quota's 15 trains/day; Dostyk has no daily figure of its own: 28 all year
    assert quotas["khorgos-altynkol"] == pytest.approx((59 * 20 + 306 * 15) / 365, abs=1e-3)
    assert quotas["alashankou-dostyk"] == 28
    assert caps["khorgos-altynkol"] == 20 and "alashankou-dostyk" not in caps
    # 272 days at 12 and 93 at 60 train pairs/day
    assert caps["dostyk-moyinty"] == pytest.approx((272 * 12 + 93 * 60) / 365, abs=1e-3)
    assert caps["akhalkalaki"] == 5e6
    assert not [m for m in year_modifications(2026) if m["type"] == "close_crossing"]


def test_the_2025_baseline_lists_the_events_it_read() -> None:
    s = load_scenario("baseline-2025")
    assert s.base.year == 2025 and s.base.events is False  # expanded once, on load
    assert any(isinstance(m, CloseCrossing) and m.facility == "brest-malaszewicze"
               for m in s.modifications)  # fmt: skip
    assert any(isinstance(m, SetCapacity) and m.facility == "khorgos-altynkol"
               for m in s.modifications)  # fmt: skip


@pytest.mark.parametrize("name", [*PIPELINE, *SENSITIVITIES.values()])
def test_each_pipeline_scenario_is_the_2025_corridor_plus_its_project(name: str) -> None:
    s = load_scenario(name)
    base = load_scenario("baseline-2025")
    assert (s.base.year, s.base.demand) == (2025, "default")
    assert s.modifications[: len(base.modifications)] == base.modifications
    assert len(s.modifications) > len(base.modifications)
    opening = {e.parameter for e in load_events() if e.effect == "scenario"}
    assert name in opening or name in SENSITIVITIES.values()


@pytest.fixture(scope="module")
def baseline() -> ScenarioRun:
    return run_scenario(load_scenario("baseline-2025"), real_engines(), OPTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("name", PIPELINE)
def test_scenario_compare_against_the_2025_baseline(baseline: ScenarioRun, name: str) -> None:
    run = run_scenario(load_scenario(name), real_engines(), OPTIONS)
    comparison = compare_runs(baseline, run)
    best = comparison.best.set_index("od")
    assert len(best) == 2 and not comparison.kpis.empty
    days = best["d_transit_p50_h"] / 24
    if name == "kyzylzhar-moyinty":
        # the new line shortens the way from the China crossings to the Caspian
        assert days["Urumqi → Aktau"] < -0.5 and days["Xi'an → Baku"] < -0.5
    elif name == "kz-container-vessels-2027":
        # twice the sailings on Aktau–Alat: half the mean wait for a sailing on the options
        # through Aktau; the rail-only Urumqi → Aktau does not change
        routes = comparison.routes
        via_aktau = routes[(routes["od"] == "Xi'an → Baku") & routes["label"].str.contains("Aktau")]
        assert (via_aktau["d_transit_p50_h"] < -12).all() and len(via_aktau)
        assert days["Urumqi → Aktau"] == 0
    else:
        assert (days <= 0.01).all(), f"{name} made a best option slower: {days.to_dict()}"
