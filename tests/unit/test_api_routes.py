"""Route options over HTTP: the library's answer unchanged, map lines that are the priced paths,
and the CLI's messages for every kind of bad request."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.settings import ApiSettings
from landbridge.errors import LandbridgeError
from landbridge.network import load_network
from landbridge.routing.plan import plan_routes
from landbridge.schema.route import RouteRequest

XIAN_DUISBURG = {"origin": "Xi'an", "destination": "Duisburg", "feu": 2}
EARTH_RADIUS_KM = 6371.0088
# Drawn lines are simplified (LINE_SIMPLIFY_DEG) and the network's lengths follow the track;
# a line within 5 % of the option's distance is that path, a different corridor is >= 400 km off.
LENGTH_TOLERANCE = 0.05
# The path starts and ends at the network nodes the places snap to.
ENDPOINT_TOLERANCE_KM = 60.0


def great_circle_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def line_km(coords: list[list[float]]) -> float:
    c = np.asarray(coords)
    return float(great_circle_km(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1]).sum())


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(ApiSettings(), network_loader=load_network))


def test_route_answer_is_the_library_answer(client: TestClient) -> None:
    response = client.post("/api/routes", json=XIAN_DUISBURG)
    assert response.status_code == 200
    expected = plan_routes(RouteRequest(**XIAN_DUISBURG), network=load_network())
    assert response.json() == expected.model_dump(mode="json", by_alias=True)
    assert len(response.json()["options"]) >= 2
    assert response.json()["shipment"]["feu"] == 2


def test_each_option_is_drawn_along_its_own_path(client: TestClient) -> None:
    plan = client.post("/api/routes", json=XIAN_DUISBURG).json()
    lines = client.post("/api/routes/geojson", json=XIAN_DUISBURG).json()
    assert lines["type"] == "FeatureCollection"
    drawn = {f["properties"]["option"]: f for f in lines["features"]}
    assert sorted(drawn) == list(range(len(plan["options"])))
    origin, destination = plan["origin"], plan["destination"]
    for i, option in enumerate(plan["options"]):
        feature = drawn[i]
        assert feature["properties"]["label"] == option["label"]
        coords = feature["geometry"]["coordinates"]
        start, end = coords[0], coords[-1]
        assert (
            great_circle_km(start[0], start[1], origin["lon"], origin["lat"])
            < ENDPOINT_TOLERANCE_KM
        )
        assert (
            great_circle_km(end[0], end[1], destination["lon"], destination["lat"])
            < ENDPOINT_TOLERANCE_KM
        )
        km = line_km(coords)
        assert (
            abs(km - option["distance_km"]["total"])
            < LENGTH_TOLERANCE * option["distance_km"]["total"]
        )


def test_avoiding_a_country_changes_the_answer_like_the_library(client: TestClient) -> None:
    body = {**XIAN_DUISBURG, "avoid": ["ru"]}
    response = client.post("/api/routes", json=body)
    try:
        expected = plan_routes(RouteRequest(**body), network=load_network()).model_dump(
            mode="json", by_alias=True
        )
    except LandbridgeError as exc:
        assert response.status_code == exc.http_status
        assert response.json()["detail"] == str(exc)
        return
    assert response.json() == expected
    assert all("RU" not in o["countries"] for o in response.json()["options"])


@pytest.mark.parametrize(
    "body",
    [
        {"origin": "Xi'an", "destination": "Duisbrug"},  # unknown place, with suggestions
        {"origin": "Duisburg", "destination": "Duisburg"},  # same point
        {"origin": "Xi'an", "destination": "Duisburg", "avoid": ["KZ", "RU", "CN"]},  # unreachable
    ],
)
def test_library_errors_keep_status_and_message(client: TestClient, body: dict) -> None:
    with pytest.raises(LandbridgeError) as info:
        plan_routes(RouteRequest(**body), network=load_network())
    for path in ("/api/routes", "/api/routes/geojson"):
        response = client.post(path, json=body)
        assert response.status_code == info.value.http_status
        assert response.json() == {"detail": str(info.value), "error": type(info.value).__name__}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"origin": "Xi'an", "destination": "Duisburg", "feu": -1}, ("feu", "positive")),
        (
            {"origin": "Xi'an", "destination": "Duisburg", "feu": 1_000_000},
            "feu must be at most 10,000",
        ),
        ({"origin": "Xi'an", "destination": "Duisburg", "feu": 1, "teu": 2}, ("feu", "teu")),
        (
            {"origin": "Xi'an", "destination": "Duisburg", "avoid": ["Russia"]},
            ("Russia", "ISO 3166-1"),
        ),
        ({"origin": "Xi'an", "destination": "Duisburg", "depart": "2025-02-30"}, ("depart",)),
        ({"origin": "Xi'an", "destination": "Duisburg", "colour": "red"}, ("colour",)),
        ({"origin": "", "destination": "Duisburg"}, ("origin",)),
        ({"destination": "Duisburg"}, ("origin: Field required",)),
    ],
)
def test_invalid_requests_are_422_with_a_readable_message(
    client: TestClient, body: dict, words: tuple[str, ...]
) -> None:
    response = client.post("/api/routes", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"
    detail = response.json()["detail"]
    assert all(w.lower() in detail.lower() for w in words), detail


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/routes", content=b"origin=Xian", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
