"""Place search and resolution over HTTP: the gazetteer's answers, the CLI's error messages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.endpoints.places import MAX_PLACE_HITS
from landbridge.api.settings import ApiSettings
from landbridge.errors import LandbridgeError
from landbridge.places import gazetteer


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(ApiSettings()))


def test_search_returns_the_gazetteer_matches_in_order(client: TestClient) -> None:
    response = client.get("/api/places", params={"q": "Duisburg", "limit": 3})
    assert response.status_code == 200
    expected = [m.model_dump(mode="json") for m in gazetteer.search("Duisburg", limit=3)]
    assert response.json() == expected
    assert response.json()[0]["place"]["country"] == "DE"


def test_search_in_another_script(client: TestClient) -> None:
    hits = client.get("/api/places", params={"q": "西安"}).json()
    assert hits and hits[0]["place"]["locode"] == "CNXAN"


def test_resolve_gives_one_place(client: TestClient) -> None:
    place = client.get("/api/places/resolve", params={"q": "Xi'an"}).json()
    assert place["country"] == "CN"
    assert place == gazetteer.resolve("Xi'an").model_dump(mode="json")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/places/resolve", "Duisbrug"),  # typo: 404 with suggestions
        ("/api/places", ""),  # empty: 422
        ("/api/places", "x" * 300),  # too long: 422
        ("/api/places", "95,200"),  # coordinate out of range: 422
    ],
)
def test_errors_carry_the_cli_message_and_status(client: TestClient, path: str, query: str) -> None:
    with pytest.raises(LandbridgeError) as info:
        (gazetteer.resolve if path.endswith("resolve") else gazetteer.search)(query)
    response = client.get(path, params={"q": query})
    assert response.status_code == info.value.http_status
    assert response.json() == {"detail": str(info.value), "error": type(info.value).__name__}


def test_typo_suggests_the_right_place(client: TestClient) -> None:
    response = client.get("/api/places/resolve", params={"q": "Duisbrug"})
    assert response.status_code == 404
    assert "Did you mean: Duisburg" in response.json()["detail"]


def test_limit_is_bounded(client: TestClient) -> None:
    assert (
        client.get("/api/places", params={"q": "Al", "limit": MAX_PLACE_HITS + 1}).status_code
        == 422
    )
    assert client.get("/api/places", params={"q": "Al", "limit": 0}).status_code == 422
    assert client.get("/api/places").status_code == 422  # q missing
