"""Country codes a user gives are checked against the ISO 3166-1 codes of the bundled map:
--avoid EU|UK|SU|AN|AB and a parameter row rail_speed: {QQ: ...} are refused with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.country_codes import country_codes, unknown_country
from landbridge.errors import ParameterError
from landbridge.schema.route import RouteRequest


@pytest.mark.parametrize(
    ("code", "hint"),
    [("EU", "member states"), ("UK", "GB"), ("SU", "successors"), ("AN", "dissolved"),
     ("AB", "did you mean"), ("QQ", "did you mean")],
)  # fmt: skip
def test_non_codes_are_refused_with_a_hint(code: str, hint: str) -> None:
    reason = unknown_country(code)
    assert reason is not None and hint in reason
    with pytest.raises(ValidationError, match=code):
        RouteRequest(origin="Xi'an", destination="Duisburg", avoid=[code])


def test_the_study_countries_and_kosovo_are_codes() -> None:
    for code in ("CN", "KZ", "RU", "BY", "PL", "DE", "GE", "AZ", "TR", "IR", "XK", "GB"):
        assert unknown_country(code) is None, code
    assert len(country_codes()) > 200


def test_cli_avoid_eu_is_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["route", "Xi'an", "Duisburg", "--avoid", "RU,EU"])
    assert res.exit_code == 2 and "European Union is not a country" in res.output


def test_a_params_row_for_no_country_is_refused(tmp_path: Path) -> None:
    from landbridge.costs.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text("rail_speed:\n  QQ: {speed_p50_kmh: 50, speed_p90_kmh: 40}\n")
    with pytest.raises(ParameterError, match=r"p.yaml: rail_speed.QQ: 'QQ' is not an ISO"):
        load_params(path)
    path.write_text("rail_speed:\n  FR: {speed_p50_kmh: 50, speed_p90_kmh: 40}\n")
    assert load_params(path).tables["rail_speed"].number("FR", "speed_p50_kmh") == 50


@pytest.mark.parametrize("code", ["EU", "UK", "SU", "AN", "AB"])
def test_every_non_code_is_refused_by_the_cli_and_the_api(code: str, api_client) -> None:
    res = CliRunner().invoke(app, ["route", "Xi'an", "Duisburg", "--avoid", code])
    assert res.exit_code == 2 and code in res.output and "Traceback" not in res.output
    response = api_client.post(
        "/api/routes", json={"origin": "Xi'an", "destination": "Duisburg", "avoid": [code]}
    )
    assert response.status_code == 422 and code in response.json()["detail"]


@pytest.fixture(scope="module")
def api_client():
    from fastapi.testclient import TestClient

    from landbridge.api.app import create_app
    from landbridge.api.settings import ApiSettings
    from landbridge.network import load_network

    with TestClient(create_app(ApiSettings(), network_loader=load_network)) as client:
        yield client
