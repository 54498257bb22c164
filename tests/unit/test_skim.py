"""Skims on the hand-made network: each row is the planner's best option of its family."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from test_routing_toy import build_network
from typer.testing import CliRunner

import landbridge.routing.plan as plan_module
from landbridge.app.skim import SKIM_COLUMNS, skim
from landbridge.cli import app
from landbridge.costs.params import load_default_params
from landbridge.errors import InvalidInputError, UnknownPlaceError, UnreachableError
from landbridge.routing.places import resolve_on_network
from landbridge.schema.route import RouteRequest

NET = build_network()
PARAMS = load_default_params()
PAIRS = [("Xi'an", "Duisburg"), ("Almaty", "Istanbul")]


@pytest.fixture(autouse=True)
def toy_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "load_bundled_network", lambda: NET)
    monkeypatch.setattr(plan_module, "resolve_with_gazetteer", resolve_on_network)


def test_each_row_is_the_first_ranked_option_of_its_family() -> None:
    frame = skim(PAIRS, network=NET, params=PARAMS)
    assert tuple(frame.columns) == SKIM_COLUMNS
    for origin, destination in PAIRS:
        options = plan_module.plan_routes(
            RouteRequest(origin=origin, destination=destination, feu=1), NET, PARAMS
        ).options
        mine = frame[(frame.origin == origin) & (frame.destination == destination)]
        assert set(mine.family) == {o.corridor for o in options} | set(frame.family)
        for row in mine.itertuples():
            of_family = [o for o in options if o.corridor == row.family]
            assert row.family_options == len(of_family)
            if not of_family:
                assert row.status == "no option" and math.isnan(row.p50_days)
                continue
            best = of_family[0]
            assert row.status == "ok" and row.label == best.label
            assert row.p50_days == pytest.approx(best.transit_days.p50)
            assert row.p90_days == pytest.approx(best.transit_days.p90)
            assert row.cost_usd_per_feu == pytest.approx(best.cost_usd)
            assert row.co2e_kg_per_feu == pytest.approx(best.co2e_kg)
            assert row.distance_km == pytest.approx(best.distance_km.total)
            assert row.gateways == ";".join(best.via)


def test_families_filter_and_unknown_family() -> None:
    frame = skim(PAIRS, families=["sea", "northern"], network=NET, params=PARAMS)
    assert list(frame.family) == ["sea", "northern"] * len(PAIRS)
    with pytest.raises(InvalidInputError, match="unknown corridor family 'arctic'.*northern"):
        skim(PAIRS, families=["arctic"], network=NET, params=PARAMS)


def test_an_unreachable_pair_gets_no_route_rows_and_the_others_still_come(monkeypatch) -> None:
    real = plan_module.plan_options

    def plan(request, *args, **kwargs):
        if request.destination == "Istanbul":
            raise UnreachableError("no line to Istanbul today")
        return real(request, *args, **kwargs)

    monkeypatch.setattr(plan_module, "plan_options", plan)
    frame = skim(PAIRS, families=["northern", "sea"], network=NET, params=PARAMS)
    lost = frame[frame.destination == "Istanbul"]
    assert list(lost.status) == ["no route", "no route"]
    assert set(lost.label) == {"no line to Istanbul today"}
    assert (frame[frame.destination == "Duisburg"].status == "ok").all()


def test_unknown_place_is_an_error_with_suggestions() -> None:
    with pytest.raises(UnknownPlaceError) as exc:
        skim([("Xi'an", "Duisbrug")], network=NET, params=PARAMS)
    assert "Duisburg" in exc.value.suggestions


def test_cli_writes_parquet_and_csv_that_read_back(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    od.write_text("origin,destination\nXi'an,Duisburg\nAlmaty,Istanbul\n")
    expected = skim(PAIRS, network=NET, params=PARAMS)
    runner = CliRunner()
    for name in ("skim.parquet", "skim.csv"):
        out = tmp_path / name
        result = runner.invoke(app, ["skim", "--od", str(od), "--out", str(out)])
        assert result.exit_code == 0, result.output
        back = pd.read_parquet(out) if name.endswith("parquet") else pd.read_csv(out)
        pd.testing.assert_frame_equal(
            back.drop(columns=["label", "gateways", "countries"]),
            expected.drop(columns=["label", "gateways", "countries"]),
            check_dtype=False,
        )
    result = runner.invoke(app, ["skim", "--od", str(od), "--out", str(tmp_path / "s.txt")])
    assert result.exit_code == 2 and ".parquet or .csv" in result.output
    result = runner.invoke(app, ["skim", "--od", str(od), "--depart", "2025-13-01"])
    assert result.exit_code == 2 and "not a date" in result.output


def test_bad_families_and_out_fail_before_any_route_is_planned(monkeypatch, tmp_path) -> None:
    def plan(*args, **kwargs):
        raise AssertionError("a route was planned")

    monkeypatch.setattr(plan_module, "plan_options", plan)
    with pytest.raises(InvalidInputError, match="unknown corridor family"):
        skim(PAIRS, families=["arctic"], network=NET, params=PARAMS)
    od = tmp_path / "od.csv"
    od.write_text("origin,destination\nXi'an,Duisburg\n")
    result = CliRunner().invoke(app, ["skim", "--od", str(od), "--out", str(tmp_path / "s.txt")])
    assert result.exit_code == 2 and ".parquet or .csv" in result.output


def test_a_skim_in_worker_processes_is_the_skim_of_one_process() -> None:
    ends = ("Istanbul", "Baku", "Duisburg")
    pairs = [(o, d) for o in ("Xi'an", "Almaty", "Duisburg") for d in ends if o != d]
    one = skim(pairs, network=NET, params=PARAMS, workers=1)
    two = skim(pairs, network=NET, params=PARAMS, workers=2)
    assert len(one) >= 2 * len(pairs) and (one.status == "ok").sum() >= len(pairs)
    pd.testing.assert_frame_equal(one, two)


def test_an_unknown_place_in_a_worker_process_is_the_same_error() -> None:
    pairs = [("Xi'an", "Istanbul")] * 4 + [("Xi'an", "Atlantis")] + [("Almaty", "Baku")] * 3
    with pytest.raises(UnknownPlaceError) as one:
        skim(pairs, network=NET, params=PARAMS, workers=1)
    with pytest.raises(UnknownPlaceError) as two:
        skim(pairs, network=NET, params=PARAMS, workers=2)
    assert str(two.value) == str(one.value)
