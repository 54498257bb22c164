"""The ``route`` command on the hand-made network: table, JSON, exit codes and messages."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_routing_toy import build_network
from typer.testing import CliRunner

import landbridge.routing.plan as plan_module
from landbridge.cli import app
from landbridge.routing.places import resolve_on_network
from landbridge.schema.route import RouteResponse

runner = CliRunner()
NET = build_network()


@pytest.fixture(autouse=True)
def toy_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "load_bundled_network", lambda: NET)
    monkeypatch.setattr(plan_module, "resolve_with_gazetteer", resolve_on_network)


def run(*args: str):
    return runner.invoke(app, ["route", *args])


def test_table_lists_every_option_and_marks_pareto(monkeypatch: pytest.MonkeyPatch) -> None:
    # COLUMNS, not console.width: undoing a width setattr would pin every later test to 80 columns
    monkeypatch.setenv("COLUMNS", "220")
    result = run("Xi'an", "Duisburg")
    assert result.exit_code == 0, result.output
    assert "Northern via Alashankou–Dostyk" in result.output
    assert "Rail + sea via Suez" in result.output
    assert "★" in result.output
    assert "--avoid RU,BY" in result.output  # how to ask for another shipment


def test_json_output_is_the_contract() -> None:
    result = run("Xi'an", "Duisburg", "--teu", "4", "--depart", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    response = RouteResponse.model_validate(json.loads(result.stdout))
    assert response.shipment.feu == 2.0 and response.shipment.tonnes == 40.0
    assert response.options[0].arrival is not None
    assert json.loads(result.stdout)["options"][0]["legs"][0]["from"] == "Xi'an"


def test_avoid_and_corridor_options() -> None:
    result = run("Xi'an", "Duisburg", "--avoid", "ru, by", "--json")
    assert result.exit_code == 0, result.output
    corridors = {o["corridor"] for o in json.loads(result.stdout)["options"]}
    assert corridors == {"middle", "southern", "sea"}
    result = run("Xi'an", "Duisburg", "--corridor", "sea", "--json")
    assert {o["corridor"] for o in json.loads(result.stdout)["options"]} == {"sea"}


def test_a_repeated_avoid_adds_countries_instead_of_replacing_them() -> None:
    repeated = run("Xi'an", "Duisburg", "--avoid", "RU", "--avoid", "TM", "--json")
    assert repeated.exit_code == 0, repeated.output
    listed = run("Xi'an", "Duisburg", "--avoid", "RU,TM", "--json")
    assert json.loads(repeated.stdout)["options"] == json.loads(listed.stdout)["options"]
    assert {o["corridor"] for o in json.loads(repeated.stdout)["options"]} == {"middle", "sea"}


def test_params_file_changes_the_answer(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("scalars:\n  tonnes_per_teu: 5\n", encoding="utf-8")
    base = json.loads(run("Xi'an", "Duisburg", "--json").stdout)
    light = json.loads(run("Xi'an", "Duisburg", "--params", str(path), "--json").stdout)
    assert light["shipment"]["tonnes"] == 10.0
    assert light["options"][0]["co2e_kg"] == pytest.approx(
        base["options"][0]["co2e_kg"] / 2, rel=1e-3
    )
    assert any("tonnes_per_teu" in a and str(path) in a for a in light["assumptions"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("Xi'an", "Duisbrg"), 2, "Unknown place 'Duisbrg'. Did you mean: Duisburg"),
        (("Xi'an", "Duisburg", "--feu", "-1"), 2, "--feu: must be positive"),
        (("Xi'an", "Duisburg", "--feu", "0"), 2, "--feu: must be positive"),
        (("Xi'an", "Duisburg", "--feu", "1e-300"), 2, "--feu: must be at least 0.5 FEU (one TEU"),
        (("Xi'an", "Duisburg", "--teu", "0.4"), 2, "--teu: must be at least 1 TEU"),
        (("Xi'an", "Duisburg", "--feu", "20000"), 2, "at most 10,000"),
        (("Xi'an", "Duisburg", "--feu", "1", "--teu", "2"), 2, "request: give either feu or teu"),
        (("Xi'an", "Duisburg", "--depart", "tomorrow"), 2, "--depart:"),
        (("Xi'an", "Duisburg", "--avoid", "Russia"), 2, "--avoid: 'RUSSIA' is not an ISO"),
        (("Xi'an", "Duisburg", "--corridor", "arctic"), 2, "--corridor:"),
        (("Xi'an", "Duisburg", "--params", "/nonexistent.yaml"), 2, "parameter file not found"),
        (
            ("Xi'an", "Duisburg", "--avoid", "CN"),
            3,
            "Avoiding CN leaves no route between Xi'an and Duisburg",
        ),
    ],
)
def test_errors_exit_with_a_message(args: tuple[str, ...], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_collection_is_switched_back_on_after_a_route() -> None:
    import gc

    assert gc.isenabled()
    assert run("Xi'an", "Duisburg", "--json").exit_code == 0
    assert run("Xi'an", "Nowhere").exit_code == 2
    assert gc.isenabled()  # paused only while the route was planned, even when it failed


def test_array_libraries_load_with_one_blas_thread_and_without_f2py() -> None:
    import subprocess
    import sys

    script = (
        "import os, sys, threadpoolctl\n"
        "from landbridge.cli.startup import import_array_libraries as load\n"
        "load()\n"
        "pools = threadpoolctl.threadpool_info()\n"
        "print(sorted({p['num_threads'] for p in pools if p['internal_api'] == 'openblas'}))\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
        "print({'numpy.f2py.crackfortran', 'numpy.polynomial.polynomial'} & set(sys.modules))\n"
        "import numpy\n"
        "numpy.testing.assert_equal(numpy.arange(2), [0, 1])\n"
        "print(numpy.f2py.crackfortran.__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout.split("\n")
    assert out[:2] == ["[1]", "None"]  # numpy's and scipy's OpenBLAS: one thread; env as before
    assert out[2] == "set()"  # scipy's import no longer runs numpy.f2py ...
    assert out[3] == "numpy.f2py.crackfortran"  # ... which still loads when used
    chosen = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        env={**env, "OPENBLAS_NUM_THREADS": "2"},
    ).stdout.split("\n")  # fmt: skip
    assert chosen[:3] == ["[2]", "2", "set()"]  # the user's thread count stands


def test_collection_is_on_again_once_a_command_is_built() -> None:
    import gc

    from landbridge.cli import LazyCommands

    assert gc.isenabled()
    group = LazyCommands(name="landbridge")
    assert group.get_command(None, "places") is not None  # imported and built with GC paused
    assert gc.isenabled()
