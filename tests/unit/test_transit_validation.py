"""The model against published end-to-end transit times (a model regression test), the stored
calibration, the published figure beside the planner's, and the simulation on the same parts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from landbridge.costs import transit
from landbridge.costs.params import load_default_params
from landbridge.validation.cases import CASES_CSV, load_cases
from landbridge.validation.transit import case_paths, metrics, result

PARAMS = load_default_params()
TABLE = PARAMS.tables[transit.TABLE].to_frame()


@pytest.fixture(scope="module")
def paths():
    return case_paths(PARAMS)


def test_calibrated_parameters_sit_inside_their_sourced_bounds() -> None:
    case_ids = {c.case for c in load_cases()}
    assert (TABLE["lower"] <= TABLE["upper"]).all()
    calibrated = TABLE[TABLE["status"] == "calibrated"]
    assert len(calibrated) >= 5
    fitted = TABLE[TABLE["kind"].isin(["running", "dwell", "wait", "corridor"])]
    assert len(fitted) <= 10  # a small declared set
    for key, row in TABLE.iterrows():
        assert row["lower"] <= row["value"] <= row["upper"], key
        assert row["source_ids"].strip(), key
    for key, row in calibrated.iterrows():
        used = set(row["cases"].split(";"))
        assert used and used <= case_ids, key


@pytest.mark.slow
def test_model_matches_the_published_transit_times(paths) -> None:
    """Fails when the model drifts from the published figures: MAE > 15% (the regression
    limit; issue 12's target of 10% is not met on the 30 cases, docs/validation.md), and the
    issue's targets that are met, |bias| <= 5% and the published value inside [p10, p90] in
    >= 80% of the cases."""
    summary = metrics([result(p) for p in paths])
    assert summary.n == len(load_cases()) >= 12
    assert summary.mae <= 0.15
    assert abs(summary.bias) <= 0.05
    assert summary.inside_share >= 0.80


def test_a_record_is_compared_with_the_p10_and_other_figures_with_the_p50() -> None:
    from landbridge.validation.transit import CaseResult

    cases = {c.evidence: c for c in load_cases()}
    record, observed = cases["record"], cases["observed"]
    assert record.quantile == 0 and observed.quantile == 1
    days = (0.8 * record.mid_days, record.mid_days, 1.5 * record.mid_days)
    assert CaseResult(record, "", *days).error == pytest.approx(-0.2)
    days = (0.8 * observed.mid_days, observed.mid_days, 1.5 * observed.mid_days)
    assert CaseResult(observed, "", *days).error == pytest.approx(0.0)


def test_every_case_has_a_source_a_scope_and_a_year() -> None:
    frame = pd.read_csv(CASES_CSV, keep_default_na=False)
    assert frame["case"].is_unique
    assert (frame["source_ids"].str.strip() != "").all()
    assert (frame["scope"].str.strip() != "").all()
    assert frame["year"].between(2010, 2026).all()


@pytest.mark.slow
def test_published_figure_stands_beside_the_option() -> None:
    from landbridge.routing.plan import plan_routes
    from landbridge.schema.route import RouteRequest

    response = plan_routes(RouteRequest(origin="Xi'an", destination="Duisburg"))
    northern = [o for o in response.options if o.corridor == "northern"]
    assert northern and all(o.published is not None for o in northern)
    assert northern[0].published.case == "C01"
    assert northern[0].published.low_days == 12 and northern[0].published.high_days == 14
    assert all(o.published is None for o in response.options if o.corridor != "northern")


@pytest.mark.slow
def test_simulation_and_planner_agree_on_china_europe_p50() -> None:
    """One train a day on the planner's Xi'an - Duisburg path, no queues: the simulated p50 is
    the planner's within 10% (same running legs and dwells; only the correlation differs)."""
    from landbridge.network import tables
    from landbridge.routing.plan import edge_costs, load_bundled_network, plan_routes_with_paths
    from landbridge.schema.route import RouteRequest
    from landbridge.sim import option_classes as oc
    from landbridge.sim.corridor_tables import facility_tables
    from landbridge.sim.run import run_simulation
    from landbridge.sim.system import FacilitySpec, TrainClassSpec, make_system

    net = load_bundled_network()
    response, found = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg", corridor="northern"), net, PARAMS
    )
    option, edges = response.options[0], found[0]
    table = oc.StopTable.of(net, set())
    stops = oc.option_stops(
        net, edge_costs(net, PARAMS, response.as_of), edges, option.corridor, option.label, table
    )
    known, defaults = facility_tables(), tables.load_crossings().set_index("facility_id")
    specs = [oc.facility_spec(net, row, known, defaults) for row in stops.facility_rows]
    assert all(isinstance(s, FacilitySpec) for s in specs)  # no ferry on the northern path
    facilities = [
        dataclasses.replace(s, id=str(table.ids[row]), servers=99)
        for s, row in zip(specs, stops.facility_rows, strict=True)
    ]
    system = make_system(
        facilities,
        [TrainClassSpec(id="xian-duisburg", corridor="northern", per_day=1.0, feu=55,
                        route=tuple(f.id for f in facilities), legs_p50_h=stops.legs_p50_h,
                        legs_p90_h=stops.legs_p90_h)],
    )  # fmt: skip
    report = run_simulation(system, 365, 2, 0, 1).report()
    simulated = report.corridors[0].transit_days.p50
    assert simulated == pytest.approx(option.transit_days.p50, rel=0.10)
    assert np.isfinite(simulated)


def test_validate_prints_every_case_within_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console
    from typer.testing import CliRunner

    from landbridge.cli import app, common

    monkeypatch.setenv("COLUMNS", "80")
    # Rich reads COLUMNS when a console is made: the shared one may have been made by an earlier
    # test at another width (the CLI imports it on the first command), so this test makes its own
    monkeypatch.setattr(common, "console", Console())
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    for case in load_cases():  # one line per case: the row starts with its id
        assert sum(line.split()[:1] == [case.case] and "→" in line for line in lines) == 1


def test_simulated_chinese_legs_run_at_the_planners_regional_factors() -> None:
    """A sim.csv leg over two networks (``cn+cn_xj``) is priced part by part as routing prices
    them: the Xinjiang km at the CN-XJ delay factor, the rest at the rest-of-China one."""
    from landbridge.sim.corridor2023 import build_corridor_2023

    tt = transit.transit_time(PARAMS)
    speed_kmh = PARAMS.value("rail_speed", "CN", "speed_p50_kmh")
    xj_h, _ = transit.running_h(PARAMS, "CN-XJ", 1000.0)
    assert xj_h == pytest.approx(1000.0 / speed_kmh * tt.value[tt.index("delay_factor_cn_xj")])
    rest_h, _ = transit.running_h(PARAMS, "CN", 2140.0)
    assert rest_h == pytest.approx(2140.0 / speed_kmh * tt.value[tt.index("delay_factor_cn")])
    system = build_corridor_2023()
    c = list(system.class_id).index("dostyk-eu-west")
    first_leg_h = system.leg_run_p50_h[system.leg_indptr[c]]
    assert first_leg_h == pytest.approx(rest_h + transit.running_h(PARAMS, "CN-XJ", 1191.0)[0])
