"""The API's flows job is ``landbridge flows``: the same request fields (route choice, logit
dispersion, Russia-avoiding share) and the same answer, on the hand-made two-crossing network."""

from __future__ import annotations

import json

import pytest
from test_flows_corridor import _od, toy_network
from typer.testing import CliRunner

import landbridge.flows.demand as dem
import landbridge.network as network_pkg
from landbridge.api import job_targets
from landbridge.api.models import FlowsJobRequest
from landbridge.cli import app


@pytest.fixture()
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    net = toy_network()
    od = _od([
        ("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 10e6),
        ("cn-urumqi", "ca-tashkent", "CN", "CA", "container", 2e6),
    ])  # fmt: skip
    monkeypatch.setattr(network_pkg, "load_network", lambda *a, **k: net)
    monkeypatch.setattr(dem, "load_demand", lambda year: od)


@pytest.mark.parametrize(
    ("fields", "args"),
    [
        ({"route_choice": "ue"}, ["--route-choice", "ue"]),
        ({"dispersion": 0.5, "avoid_share": 0.3}, ["--dispersion", "0.5", "--avoid-share", "0.3"]),
    ],
)
def test_the_api_job_answers_as_the_cli(toy: None, fields: dict, args: list[str]) -> None:
    cli = CliRunner().invoke(app, ["flows", "--year", "2024", *args, "--json"])
    assert cli.exit_code == 0, cli.output
    payload = FlowsJobRequest(year=2024, **fields).model_dump(mode="json")
    api = job_targets.flows(payload, lambda _fraction: None)
    assert api == json.loads(cli.stdout)
    default = job_targets.flows(FlowsJobRequest(year=2024).model_dump(mode="json"), lambda _f: None)
    assert api["bottlenecks"] != default["bottlenecks"]  # the fields reach the assignment
