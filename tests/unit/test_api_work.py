"""Work endpoints: simulation and flows jobs give the library's numbers; scenarios validate and run;
stored runs list, compare and export; limits and the token hold."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.settings import ApiSettings
from landbridge.network import load_network
from landbridge.scenarios.load import bundled_names, load_scenario

# How long a test waits for a job it expects to finish (spawn, imports, numba compile included);
# a bound on waiting, not an assertion about speed.
JOB_WAIT_S = 300.0
YAML = {"Content-Type": "application/yaml"}
JSON = "application/json"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ApiSettings(), network_loader=load_network)) as c:
        yield c


def wait_for(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + JOB_WAIT_S
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} unfinished after {JOB_WAIT_S:g} s")


@pytest.mark.slow
def test_simulation_job_reports_what_the_library_reports(client: TestClient) -> None:
    from landbridge.sim.corridor2023 import DEMAND_NETWORK, build_corridor_2023, system_name
    from landbridge.sim.run import run_simulation

    body = {"days": 30, "replications": 2, "seed": 7}
    job = client.post("/api/simulations", json=body)
    assert job.status_code == 202
    assert job.json()["kind"] == "simulation"
    status = wait_for(client, job.json()["job_id"])
    assert status["state"] == "done", status
    assert status["progress"] == 1.0
    result = client.get(f"/api/simulations/{job.json()['job_id']}/result").json()
    expected = run_simulation(
        build_corridor_2023(DEMAND_NETWORK), 30, 2, 7, 1, system_name=system_name(DEMAND_NETWORK)
    ).report()
    assert result == expected.model_dump(mode="json") | {"notes": []}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"replications": 1001}, "at most 1,000 per API job"),
        ({"replications": 0}, "replications"),
        ({"days": 100_000}, "days"),
        ({"engine": "quantum"}, "engine"),
        ({"scenario": "../../etc/passwd"}, None),  # accepted as a name, refused by the job
    ],
)
def test_absurd_simulations_are_refused_with_a_message(
    client: TestClient, body: dict, words
) -> None:
    response = client.post("/api/simulations", json=body)
    if words is None:
        status = wait_for(client, response.json()["job_id"])
        assert status["state"] == "failed"
        assert status["http_status"] == 422
        assert "Unknown scenario '../../etc/passwd'; bundled scenarios:" in status["message"]
        return
    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_running_job_result_is_409_then_cancel(client: TestClient) -> None:
    job = client.post("/api/simulations", json={"days": 3650, "replications": 1000}).json()
    early = client.get(f"/api/simulations/{job['job_id']}/result")
    assert early.status_code == 409
    assert "poll its status" in early.json()["detail"]
    assert client.get(f"/api/flows/{job['job_id']}/result").status_code == 404  # other kind
    stranger = client.delete(f"/api/jobs/{job['job_id']}")  # not the submitter: refused
    assert stranger.status_code == 403 and "X-Job-Key" in stranger.json()["detail"]
    assert client.get(f"/api/jobs/{job['job_id']}").json()["cancel_key"] is None  # never shown
    client.delete(f"/api/jobs/{job['job_id']}", headers={"X-Job-Key": job["cancel_key"]})
    assert wait_for(client, job["job_id"])["state"] == "cancelled"
    assert client.get("/api/jobs/not-a-job").status_code == 404


def test_work_endpoints_need_the_token_when_one_is_set() -> None:
    token = "t0ken-" + "abcdefghijklmnopqrstuvwxyz0123456789"
    app = create_app(ApiSettings(host="0.0.0.0", token=token), network_loader=load_network)
    client = TestClient(app)
    calls = [
        ("post", "/api/simulations", {"json": {}}),
        ("post", "/api/flows", {"json": {}}),
        ("post", "/api/scenarios/baseline-2023/run", {"json": {}}),
        ("delete", "/api/jobs/abc", {}),
        ("get", "/api/runs/20261128T052100Z-x-1a2b3c4d/export", {}),
    ]
    for method, path, kwargs in calls:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 401, path
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.post("/api/simulations", json={"days": 1}, headers=auth)
    assert ok.status_code == 202
    client.delete(f"/api/jobs/{ok.json()['job_id']}", headers=auth)  # the token holder cancels
    assert client.get("/api/scenarios").status_code == 401  # with a token, reading needs it too
    assert client.get("/api/scenarios", headers=auth).status_code == 200


@pytest.mark.slow
def test_flows_job_gives_the_library_result(client: TestClient) -> None:
    from landbridge.app.flows import run_flows
    from landbridge.schema.flows import FlowsRequest

    job = client.post("/api/flows", json={"year": 2024})
    assert job.status_code == 202
    status = wait_for(client, job.json()["job_id"])
    assert status["state"] == "done", status
    result = client.get(f"/api/flows/{job.json()['job_id']}/result").json()
    assert result == run_flows(FlowsRequest(year=2024)).model_dump(mode="json")
    assert result["bottlenecks"][0]["rank"] == 1


def test_flows_bad_year_fails_the_job_with_the_cli_message(client: TestClient) -> None:
    job = client.post("/api/flows", json={"year": 1999}).json()
    status = wait_for(client, job["job_id"])
    assert status["state"] == "failed" and status["http_status"] == 422
    assert "no demand for year 1999" in status["message"]
    result = client.get(f"/api/flows/{job['job_id']}/result")
    assert result.status_code == 422 and result.json()["detail"] == status["message"]


def test_scenarios_are_the_bundled_ones(client: TestClient) -> None:
    listed = client.get("/api/scenarios").json()
    assert [s["name"] for s in listed] == bundled_names()
    one = client.get("/api/scenarios/khorgos-closed-one-week").json()
    assert one == load_scenario("khorgos-closed-one-week").model_dump(mode="json")
    missing = client.get("/api/scenarios/nope")
    assert missing.status_code == 422 and "bundled scenarios: " in missing.json()["detail"]


def test_validate_accepts_a_bundled_file_as_yaml_and_as_json(client: TestClient) -> None:
    from landbridge.scenarios.load import resolve_scenario

    text = resolve_scenario("khorgos-closed-one-week").read_text(encoding="utf-8")
    as_yaml = client.post("/api/scenarios/validate", content=text, headers=YAML)
    assert as_yaml.status_code == 200 and as_yaml.json()["valid"] is True
    spec = load_scenario("khorgos-closed-one-week").model_dump(mode="json")
    assert client.post("/api/scenarios/validate", json=spec).json()["scenario"] == spec


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "name: x\nbase: {year: 2024}\nmodifications:\n"
            "  - {type: close_crossing, facility: nowhere}\n",
            "field 'facility': unknown facility 'nowhere'",
        ),
        ("name: x\nbase: {year: 2024}\nmodifications:\n  - {type: teleport}\n", "teleport"),
        ("name: x\nbase: {year: 1066}\n", "year"),
        ("!!python/object/apply:os.system ['echo owned']\n", "not valid YAML"),
        ("a: &a [*a, *a]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b, *b]\n", "<posted scenario>"),
        ("- just\n- a list\n", "must be a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_validate_names_what_is_wrong(client: TestClient, text: str, words: str) -> None:
    response = client.post("/api/scenarios/validate", content=text, headers=YAML)
    assert response.status_code == 422
    assert response.json()["error"] == "ScenarioError"
    assert words in response.json()["detail"]


def test_validate_refuses_bodies_that_are_not_json_or_utf8(client: TestClient) -> None:
    assert (
        "not valid JSON"
        in client.post(
            "/api/scenarios/validate", content=b"{nope", headers={"Content-Type": JSON}
        ).json()["detail"]
    )
    bad = client.post("/api/scenarios/validate", content=b"\xff\xfe", headers=YAML)
    assert bad.status_code == 422 and "UTF-8" in bad.json()["detail"]


@pytest.mark.slow
def test_scenario_runs_are_stored_listed_compared_and_exported(client: TestClient) -> None:
    from landbridge.store.db import Store

    run_ids = []
    for name in ("baseline-2023", "khorgos-closed-one-week"):
        job = client.post(f"/api/scenarios/{name}/run", json={})
        assert job.status_code == 202
        assert wait_for(client, job.json()["job_id"])["state"] == "done"
        result = client.get(f"/api/scenarios/jobs/{job.json()['job_id']}/result").json()
        assert result["scenario"] == name and result["results"]["route_options"]
        run_ids.append(result["run_id"])
    listed = [r["run_id"] for r in client.get("/api/runs").json()]
    assert set(run_ids) <= set(listed)
    shown = client.get(f"/api/runs/{run_ids[1]}").json()
    assert shown["scenario_name"] == "khorgos-closed-one-week"
    cmp = client.get("/api/runs/compare", params={"a": run_ids[0], "b": run_ids[1]}).json()
    assert (cmp["a"], cmp["b"]) == ("baseline-2023", "khorgos-closed-one-week")
    assert cmp["runs"] == {"a": run_ids[0], "b": run_ids[1]}
    # run apart, the baseline departs today and the closure on its own date: the answer says so
    assert cmp["notes"]["both"] == [
        "the stored runs depart on different dates (A today, B 2023-07-05)"
    ]
    assert cmp["best"] and {"od", "best_a", "best_b"} <= set(cmp["best"][0])
    exported = client.get(f"/api/runs/{run_ids[0]}/export", params={"format": "geojson"})
    assert exported.headers["content-type"] == "application/zip"
    assert exported.headers["content-disposition"] == (
        f'attachment; filename="{run_ids[0]}-geojson.zip"'
    )
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert f"{run_ids[0]}/route_options.geojson" in names
    assert not Store().exports_dir.exists()  # nothing is kept on the server


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("get", "/api/runs/..%2F..%2Fetc%2Fpasswd", 404, "Not Found"),  # no route, nothing read
        ("get", "/api/runs/..passwd", 422, "is not a run id"),
        ("get", "/api/runs/20261128T052100Z-none-1a2b3c4d", 404, "No run"),
        ("get", "/api/runs/20261128T052100Z-none-1a2b3c4d/export?format=exe", 422, "format"),
        ("get", "/api/runs/compare?a=x&b=y", 422, "is not a run id"),
    ],
)
def test_store_errors_carry_the_cli_message(
    client: TestClient, method, path, status, words
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert words in response.json()["detail"]
