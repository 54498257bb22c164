"""The model against published end-to-end transit times (a model regression test), the stored
calibration and the published figure beside the planner's (the simulation on the same parts:
``test_sim_planner_agreement``)."""

from __future__ import annotations

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


def test_validate_prints_every_case_within_80_columns() -> None:
    from typer.testing import CliRunner

    from landbridge.cli import app

    result = CliRunner().invoke(app, ["validate"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    for case in load_cases():  # one line per case: the row starts with its id
        assert sum(line.split()[:1] == [case.case] and "→" in line for line in lines) == 1
