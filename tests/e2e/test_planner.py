"""End to end in headless chromium: the planner loads offline, plans Xi'an → Duisburg, draws it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import wait_until

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def rendered(page, layer: str) -> int:
    return page.evaluate(
        f"window.landbridge.map.queryRenderedFeatures({{layers: ['{layer}']}}).length"
    )


def test_page_loads_the_offline_basemap_and_network_layers(page) -> None:
    assert rendered(page, "land") > 0
    assert rendered(page, "rail") > 0
    gauges = page.evaluate(
        "[...new Set(window.landbridge.map.queryRenderedFeatures({layers: ['rail']})"
        ".map(f => f.properties.gauge_mm))]"
    )
    assert {1435, 1520} <= set(gauges)
    assert rendered(page, "yards") > 0
    assert page.get_by_role("tab", name="Plan").get_attribute("aria-selected") == "true"


def test_plan_xian_to_duisburg_shows_options_and_draws_routes(page, tmp_path: Path) -> None:
    page.get_by_label("From").fill("Xi'an")
    page.get_by_label("To").fill("Duisburg")
    page.get_by_label("FEU").fill("2")
    page.get_by_role("button", name="Plan routes").click()
    rows = page.locator("#options-table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 2
    labels = rows.locator("td:nth-child(2)").all_inner_texts()
    assert len(set(labels)) == len(labels)
    assert "2.0 FEU" in page.locator("#plan-status").inner_text()
    wait_until(
        page, "window.landbridge.map.queryRenderedFeatures({layers: ['route-lines']}).length > 0"
    )
    drawn = page.evaluate(
        "[...new Set(window.landbridge.map.queryRenderedFeatures({layers: ['route-lines']})"
        ".map(f => f.properties.option))]"
    )
    assert len(drawn) >= 2
    colors = page.evaluate(
        "[...new Set(window.landbridge.map.getSource('routes').serialize().data.features"
        ".map(f => f.properties.color))]"
    )
    assert len(colors) == len(
        page.evaluate("window.landbridge.map.getSource('routes').serialize().data.features")
    )
    assert page.locator("#breakdown-chart svg rect").count() >= 2

    rows.nth(1).click()
    assert rows.nth(1).get_attribute("aria-selected") == "true"
    selected = page.evaluate(
        "window.landbridge.map.getSource('routes').serialize().data.features"
        ".filter(f => f.properties.selected).map(f => f.properties.option)"
    )
    assert selected == [1]

    shot = tmp_path / "planner.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("LANDBRIDGE_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, REPO / "docs" / "screenshot.png")


def test_unknown_place_shows_the_api_message(page) -> None:
    page.get_by_label("From").fill("Xi'an")
    page.get_by_label("To").fill("Duisbrug")
    page.get_by_role("button", name="Plan routes").click()
    status = page.locator("#plan-status")
    status.filter(has_text="Unknown place").wait_for()
    assert "Did you mean: Duisburg" in status.inner_text()
    assert page.locator("#plan-results").is_hidden()


def test_autocomplete_offers_places(page) -> None:
    field = page.get_by_label("To")
    field.fill("")
    page.evaluate("document.getElementById('destination-list').replaceChildren()")
    field.press_sequentially("Malasz", delay=30)
    wait_until(page, "document.querySelectorAll('#destination-list option').length > 0")
    values = page.eval_on_selector_all("#destination-list option", "els => els.map(e => e.value)")
    assert values[0] == "Małaszewicze"


@pytest.mark.slow
def test_bottlenecks_colour_facilities_by_utilization(page) -> None:
    page.get_by_role("tab", name="Bottlenecks").click()
    assert page.locator("#panel-bottlenecks").is_visible()
    assert page.locator("#panel-plan").is_hidden()
    page.get_by_role("button", name="Compute flows").click()
    rows = page.locator("#bottleneck-table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 3
    assert "%" in rows.first.locator("td").nth(2).inner_text()
    coloured = page.evaluate(
        """['crossings', 'yards', 'ports'].flatMap(layer =>
             window.landbridge.map.querySourceFeatures(layer)
               .filter(f => window.landbridge.map.getFeatureState({source: layer, id: f.id}).flows)
               .map(f => f.id))"""
    )
    assert len(set(coloured)) >= 1


@pytest.mark.slow
def test_two_scenarios_side_by_side(page) -> None:
    page.get_by_role("tab", name="Scenarios").click()
    wait_until(page, "document.querySelectorAll('#scenario-a option').length > 1")
    page.get_by_label("Scenario A").select_option("baseline-2023")
    page.get_by_label("Scenario B").select_option("khorgos-closed-one-week")
    page.get_by_role("button", name="Run and compare").click()
    tables = page.locator("#compare-results table")
    tables.first.wait_for()
    assert tables.count() == 2
    assert "baseline-2023" in page.locator("#compare-results h3").first.inner_text()
    assert page.locator("#compare-results svg rect").count() >= 2
    assert "stored" in page.locator("#scenario-status").inner_text()
