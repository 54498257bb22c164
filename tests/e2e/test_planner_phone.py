"""The planner on a phone (390×844) in headless Debian chromium: no sideways scroll, every tab
reachable, the answer visible with the map still on screen, the legend folded, exports, details,
the utilization scale and the comparison fitting the width; no request outside the server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.e2e.conftest import PHONE
from tests.e2e.test_planner import JOB_MS, ROUTE_POINT_JS

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
PHONE_SHOT = REPO / "docs" / "screenshot-phone.png"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width} px wide"


def inside_viewport(box: dict) -> bool:
    return box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 0.5


@pytest.fixture(scope="module")
def page(phone):
    page = phone.open("/?from=Xi%27an&to=Duisburg&size=2")
    page.locator("#options-table tbody tr").first.wait_for()
    return page


def test_answer_visible_with_the_map_on_screen(page, tmp_path: Path) -> None:
    no_sideways_scroll(page)
    map_box = page.locator("#map").bounding_box()
    assert map_box["y"] >= 0 and map_box["height"] >= 0.3 * PHONE["height"]
    first_row = page.locator("#options-table tbody tr").first.bounding_box()
    assert inside_viewport(first_row) and inside_viewport(map_box)
    legend = page.locator("#legend-box")
    assert legend.get_attribute("open") is None  # folded on a phone
    assert legend.bounding_box()["height"] * legend.bounding_box()["width"] < 0.1 * (
        map_box["height"] * map_box["width"]
    )
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("LANDBRIDGE_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, PHONE_SHOT)


def test_every_tab_is_reachable(page) -> None:
    for name, panel in (("Bottlenecks", "#panel-bottlenecks"), ("Scenarios", "#panel-scenarios"),
                        ("Plan", "#panel-plan")):  # fmt: skip
        tab = page.get_by_role("tab", name=name)
        assert inside_viewport(tab.bounding_box())
        tab.click()
        assert page.locator(panel).is_visible()
        no_sideways_scroll(page)


def test_the_narrowest_phone_360_px(page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"page is {width} px wide at 360 px"
        for name in ("Plan", "Bottlenecks", "Scenarios"):
            box = page.get_by_role("tab", name=name).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, name
        row = page.locator("#options-table tbody tr").first.bounding_box()
        assert row["x"] + row["width"] <= 360
    finally:
        page.set_viewport_size(PHONE)


def test_inputs_toggle_exports_and_details_fit(page) -> None:
    for label in ("From", "To", "Via", "Boxes", "Unit", "t per TEU", "Departure", "Corridor",
                  "Avoid countries"):  # fmt: skip
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], label
    page.get_by_label("Per FEU", exact=True).check()
    assert page.locator("#cost-head").inner_text() == "USD/FEU"
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    assert info.value.suggested_filename.endswith(".csv")
    point = page.evaluate(ROUTE_POINT_JS, 0)
    assert point
    page.mouse.click(*point)
    details = page.locator("#option-details")
    details.wait_for()
    assert "Days" in details.inner_text()
    no_sideways_scroll(page)


@pytest.mark.slow
def test_bottlenecks_and_scale_on_a_phone(page) -> None:
    page.get_by_role("tab", name="Bottlenecks").click()
    page.get_by_role("button", name="Compute flows").click()
    page.locator("#bottleneck-table tbody tr").first.wait_for(timeout=JOB_MS)
    page.locator("#legend-box summary").click()
    assert page.locator("#util-legend").is_visible()
    no_sideways_scroll(page)


@pytest.mark.slow
def test_stored_comparison_fits_a_phone(phone, shared) -> None:
    if not shared:
        pytest.skip("needs the desktop comparison's runs (tests/e2e/test_planner.py)")
    page = phone.open(f"/?tab=scenarios&ra={shared['ra']}&rb={shared['rb']}")
    out = page.locator("#compare-results")
    out.locator("table").first.wait_for()
    assert "What changed from A to B" in out.inner_text()
    no_sideways_scroll(page)
    widths = page.eval_on_selector_all(
        "#compare-results .tablewrap", "els => els.map(e => [e.scrollWidth, e.clientWidth])"
    )
    assert widths and all(scroll <= client for scroll, client in widths), widths  # tables fit
    chart = out.locator(".chart svg").bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= PHONE["width"]
    texts = out.locator(".chart svg text")
    boxes = [texts.nth(i).bounding_box() for i in range(min(texts.count(), 40))]
    for upper, lower in zip(boxes, boxes[1:], strict=False):
        if upper["x"] == lower["x"]:  # labels of one column never overlap
            assert upper["y"] + upper["height"] <= lower["y"] + 1 or upper["y"] >= lower["y"]
