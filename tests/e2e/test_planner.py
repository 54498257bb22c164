"""End to end in headless Debian chromium at 1400×900: the planner loads offline (no request
outside the server), restores a shared URL, takes every input of `landbridge route`, marks Pareto
options, toggles whole-shipment / per-FEU figures, keeps one definition of the chart's totals,
exports CSV and GeoJSON, shows details of a clicked route or facility, works from the keyboard;
the Bottlenecks tab shows real job progress and a utilization scale; the Scenarios tab compares
two runs with human labels and a what-changed table; /docs and /redoc work offline."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
# a job on a busy 2-core machine (a flows assignment took 80 s with six test runs beside it)
JOB_MS = 300_000

ROUTE_POINT_JS = """(option) => {
  const map = window.landbridge.map;
  const f = map.getSource('routes').serialize().data.features
    .find(x => x.properties.option === option);
  const coords = f.geometry.coordinates;
  let i = Math.floor(coords.length / 2);
  for (let n = 0; n < coords.length; n++, i = (i + 7) % coords.length) {
    const p = map.project(coords[i]);
    const hits = map.queryRenderedFeatures([p.x, p.y]);
    if (hits.length && hits[0].layer.id === 'route-lines' && hits[0].properties.option === option) {
      const box = map.getContainer().getBoundingClientRect();
      return [box.left + p.x, box.top + p.y];
    }
  }
  return null;
}"""

FACILITY_POINT_JS = """(layer) => {
  const map = window.landbridge.map;
  const box = map.getContainer().getBoundingClientRect();
  for (const f of map.queryRenderedFeatures({layers: [layer]})) {
    const p = map.project(f.geometry.coordinates);
    if (p.x < 20 || p.y < 20 || p.x > box.width - 20 || p.y > box.height - 20) continue;
    const hits = map.queryRenderedFeatures([p.x, p.y]);
    if (hits.length && hits[0].layer.id === layer) {
      return [box.left + p.x, box.top + p.y, f.properties.name];
    }
  }
  return null;
}"""


def rendered(page, layer: str) -> int:
    return page.evaluate(
        f"window.landbridge.map.queryRenderedFeatures({{layers: ['{layer}']}}).length"
    )


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def plan_json(page, body: dict) -> dict:
    return page.evaluate(
        "async (body) => (await fetch('/api/routes', {method: 'POST', headers: "
        "{'Content-Type': 'application/json'}, body: JSON.stringify(body)})).json()",
        body,
    )


def cells(page, column: int) -> list[str]:
    """Texts of a column of the options table (option labels without their ⚠ / closed mark)."""
    texts = page.locator(f"#options-table tbody tr td:nth-child({column})").all_inner_texts()
    return [t.removesuffix(" ⚠").removesuffix(" (closed)") for t in texts]


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def page(desktop):
    """One page load for the module: a shared link to an answer, second option selected."""
    page = desktop.open("/?from=Xi%27an&to=Duisburg&size=2&opt=2&per=feu")
    page.locator("#options-table tbody tr").first.wait_for()
    return page


def test_page_loads_offline_and_restores_a_shared_url(page, desktop) -> None:
    assert rendered(page, "land") > 0 and rendered(page, "rail") > 0 and rendered(page, "yards") > 0
    gauges = page.evaluate(
        "[...new Set(window.landbridge.map.queryRenderedFeatures({layers: ['rail']})"
        ".map(f => f.properties.gauge_mm))]"
    )
    assert {1435, 1520} <= set(gauges)
    assert page.get_by_label("From", exact=True).input_value() == "Xi'an"
    assert page.get_by_label("To", exact=True).input_value() == "Duisburg"
    assert page.get_by_label("Boxes", exact=True).input_value() == "2"
    rows = page.locator("#options-table tbody tr")
    assert rows.count() >= 2
    assert rows.nth(1).get_attribute("aria-selected") == "true"
    assert page.locator("#option-details").is_visible()
    assert page.get_by_label("Per FEU", exact=True).is_checked()
    assert "USD/FEU" in page.locator("#cost-head").inner_text()
    assert "2.0 FEU" in page.locator("#plan-status").inner_text()
    wait_until(
        page, "window.landbridge.map.queryRenderedFeatures({layers: ['route-lines']}).length > 0"
    )
    assert desktop.outside == []


def test_pareto_marks_match_the_api(page) -> None:
    answer = plan_json(page, {"origin": "Xi'an", "destination": "Duisburg", "feu": 2})
    stars = [("★" in text) for text in cells(page, 1)]
    assert stars == [o["pareto"] for o in answer["options"]]
    assert any(stars) and "Pareto-optimal" in page.locator("#options-table caption").inner_text()


def test_toggle_between_per_feu_and_whole_shipment(page) -> None:
    answer = plan_json(page, {"origin": "Xi'an", "destination": "Duisburg", "feu": 2})
    first = answer["options"][0]
    assert number(cells(page, 5)[0]) == pytest.approx(first["cost_usd"] / 2, abs=1)
    assert number(cells(page, 6)[0]) == pytest.approx(first["co2e_kg"] / 1000 / 2, abs=0.01)
    page.get_by_label("Whole shipment", exact=True).check()
    assert page.locator("#cost-head").inner_text() == "USD"
    assert page.locator("#co2-head").inner_text() == "t CO2e"
    assert number(cells(page, 5)[0]) == pytest.approx(first["cost_usd"], abs=1)
    assert number(cells(page, 6)[0]) == pytest.approx(first["co2e_kg"] / 1000, abs=0.1)
    assert "per" not in query(page)


def test_chart_totals_are_the_table_p50(page) -> None:
    totals = page.eval_on_selector_all(
        "#breakdown-chart text.total", "nodes => nodes.map(n => n.textContent)"
    )
    assert totals == cells(page, 3)
    caption = page.locator("#chart-caption").inner_text()
    assert "p50" in caption and "do not add up" in caption


def test_exports_of_the_options(page, tmp_path: Path) -> None:
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.startswith("landbridge-") and path.suffix == ".csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["option"] for r in rows] == cells(page, 2)
    columns = {"transit_p50_d", "cost_usd", "cost_usd_per_feu", "co2e_t", "co2e_t_per_feu"}
    assert columns <= set(rows[0])
    with page.expect_download() as info:
        page.get_by_role("button", name="GeoJSON").click()
    geo = json.loads(Path(info.value.path()).read_text())
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) >= 2
    assert {f["geometry"]["type"] for f in geo["features"]} == {"LineString"}
    assert geo["features"][0]["properties"]["option"] in cells(page, 2)


def test_click_a_route_then_a_facility_for_details(page) -> None:
    point = page.evaluate(ROUTE_POINT_JS, 0)
    assert point, "option 0 is drawn somewhere clickable"
    page.mouse.click(*point)
    rows = page.locator("#options-table tbody tr")
    assert rows.nth(0).get_attribute("aria-selected") == "true"
    details = page.locator("#option-details")
    assert cells(page, 2)[0] in details.inner_text()
    text = details.inner_text()
    assert "Days" in text and "Borders, gauge changes and ports" in text
    assert query(page)["opt"] == "1"
    hit = page.evaluate(FACILITY_POINT_JS, "yards")
    assert hit, "a gauge-change yard is clickable"
    page.mouse.click(hit[0], hit[1])
    popup = page.locator(".maplibregl-popup")
    popup.filter(has_text="Sources:").wait_for()
    text = popup.inner_text()
    assert hit[2] in text and "Dwell p50 / p90" in text and "gauge-change yard" in text
    page.evaluate("document.querySelectorAll('.maplibregl-popup').forEach(p => p.remove())")
    # a facility with an event in the events table: its popup lists it (the Dostyk quota)
    page.evaluate(
        """(async () => {
          const m = await import('/static/js/map.js');
          const map = window.landbridge.map;
          const f = map.querySourceFeatures('yards').find(x => x.id === 'alashankou-dostyk');
          await m.facilityPopup(map, {...f, source: 'yards', id: f.id},
                                {lng: f.geometry.coordinates[0], lat: f.geometry.coordinates[1]});
        })()"""
    )
    popup.filter(has_text="Events:").wait_for()
    assert "quota" in popup.inner_text().split("Events:", 1)[1]
    page.evaluate("document.querySelectorAll('.maplibregl-popup').forEach(p => p.remove())")


def test_every_cli_input_and_the_url_keeps_them(page) -> None:
    page.get_by_label("Via", exact=True).fill("Aktau")
    page.get_by_label("Corridor", exact=True).select_option("middle")
    page.get_by_label("Boxes", exact=True).fill("4")
    page.get_by_label("Unit", exact=True).select_option("teu")
    page.get_by_label("t per TEU", exact=True).fill("12")
    page.get_by_label("Departure", exact=True).fill("2027-03-01")
    page.get_by_label("Avoid countries", exact=True).fill("RU")
    page.get_by_role("button", name="Plan routes").click()
    wait_until(page, "!document.getElementById('plan-button').disabled")
    assert "2.0 FEU" in page.locator("#plan-status").inner_text()
    labels = cells(page, 2)
    assert labels and all(label.startswith("Middle") for label in labels)
    q = query(page)
    assert q == {"from": "Xi'an", "to": "Duisburg", "via": "Aktau", "size": "4", "unit": "teu",
                 "tpt": "12", "depart": "2027-03-01", "corridor": "middle",
                 "avoid": "RU"}  # fmt: skip
    page.locator("#options-table tbody tr").first.click()
    details = page.locator("#option-details").inner_text()
    assert "Arrival" in details and "Aktau" in details
    assert "RU" not in details.split("Countries", 1)[1].split("\n")[1]


def test_keyboard_moves_between_tabs_and_rows_with_visible_focus(page) -> None:
    page.locator("#tab-plan").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-bottlenecks").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-bottlenecks"
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); "
        "return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2
    assert query(page)["tab"] == "bottlenecks"
    page.keyboard.press("ArrowLeft")
    assert page.locator("#panel-plan").is_visible()
    rows = page.locator("#options-table tbody tr")
    rows.first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert rows.nth(1).get_attribute("aria-selected") == "true"


def test_screenshot(page, tmp_path: Path) -> None:
    """docs/screenshot.png (LANDBRIDGE_UPDATE_SCREENSHOT=1), before Bottlenecks colours the map."""
    page.get_by_role("tab", name="Plan").click()
    for label in ("Via", "t per TEU", "Departure", "Avoid countries"):
        page.get_by_label(label).fill("")
    page.get_by_label("Corridor", exact=True).select_option("")
    page.get_by_label("Unit", exact=True).select_option("feu")
    page.get_by_label("Boxes", exact=True).fill("2")
    page.get_by_role("button", name="Plan routes").click()
    wait_until(page, "!document.getElementById('plan-button').disabled")
    assert page.locator("#options-table tbody tr").count() > 3
    page.locator("#options-table tbody tr").nth(0).click()
    page.evaluate("document.getElementById('panels').scrollTop = 0")
    wait_until(
        page, "window.landbridge.map.loaded() && window.landbridge.map.areTilesLoaded()"
    )
    shot = tmp_path / "planner.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("LANDBRIDGE_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, REPO / "docs" / "screenshot.png")


@pytest.mark.slow
def test_bottlenecks_show_job_progress_and_a_utilization_scale(page) -> None:
    page.get_by_role("tab", name="Bottlenecks").click()
    page.evaluate("window.landbridge.progress.length = 0")
    page.get_by_role("button", name="Compute flows").click()
    rows = page.locator("#bottleneck-table tbody tr")
    rows.first.wait_for(timeout=JOB_MS)
    seen = page.evaluate("window.landbridge.progress")
    assert any(0 < p < 1 for p in seen), seen  # the job's own fractions, not a stuck 0 %
    assert "%" in rows.first.locator("td").nth(2).inner_text()
    legend = page.locator("#util-legend")
    assert legend.is_visible() and "Utilization" in legend.inner_text()
    assert "≥100 %" in legend.inner_text()
    coloured = page.evaluate(
        """['crossings', 'yards', 'ports'].flatMap(layer =>
             window.landbridge.map.querySourceFeatures(layer)
               .filter(f => window.landbridge.map.getFeatureState({source: layer, id: f.id}).flows)
               .map(f => f.id))"""
    )
    assert len(set(coloured)) >= 1
    kind_colours = page.evaluate(
        "['crossings','ports','yards'].map(l => window.landbridge.map.getPaintProperty(l, "
        "'circle-color')[3])"
    )
    assert "#800026" not in kind_colours and "#e31a1c" not in kind_colours


@pytest.mark.slow
def test_two_scenarios_compared_with_labels_and_what_changed(page, shared) -> None:
    page.get_by_role("tab", name="Scenarios").click()
    wait_until(page, "document.querySelectorAll('#scenario-a option').length > 1")
    page.get_by_label("Scenario A", exact=True).select_option("baseline-2023")
    page.get_by_label("Scenario B", exact=True).select_option("khorgos-closed-one-week")
    titles = page.evaluate(
        "[...document.querySelectorAll('#scenario-b option')].map(o => [o.value, o.textContent])"
    )
    title_b = dict(titles)["khorgos-closed-one-week"]
    page.get_by_role("button", name="Run and compare").click()
    page.locator("#scenario-status").filter(has_text="stored").wait_for(timeout=2 * JOB_MS)
    out = page.locator("#compare-results")
    assert title_b in out.locator(".compare-head").inner_text()
    assert "Best option per origin–destination" in out.inner_text()
    assert "What changed from A to B" in out.inner_text()
    assert out.locator("svg rect").count() >= 2
    panel = page.locator("#panels").bounding_box()
    chart = out.locator(".chart svg").bounding_box()
    assert chart["x"] + chart["width"] <= panel["x"] + panel["width"] + 1
    q = query(page)
    shared.update(ra=q["ra"], rb=q["rb"])  # for the phone tests


@pytest.mark.parametrize("path, ready", [("/docs", ".swagger-ui .info .title"),
                                         ("/redoc", "h1")])  # fmt: skip
def test_api_docs_render_from_local_assets(desktop, path: str, ready: str) -> None:
    page = desktop.page
    page.goto(desktop.server_url + path)
    page.locator(ready).first.wait_for()
    assert "landbridge" in page.locator(ready).first.inner_text()
    assert desktop.outside == []
