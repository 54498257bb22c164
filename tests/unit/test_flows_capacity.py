"""Facility capacities: units, the observed floor, estimates, and the bundled network's figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landbridge.costs.params import load_default_params
from landbridge.flows import capacity as capmod
from landbridge.flows.demand import figure
from landbridge.network import load_network

T_PER_TRAIN = 1100.0


def _fac(**cols) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    n = len(next(iter(cols.values())))
    base = {"facility_id": [f"f{i}" for i in range(n)], "kind": ["crossing"] * n}
    return pd.DataFrame({**base, **cols})


def test_units_tonnes_then_teu_then_trains():
    fac = _fac(
        capacity_t_per_yr=[5e6, np.nan, np.nan], capacity_teu_per_yr=[1e5, 2e5, np.nan],
        capacity_trains_per_day=[10, 10, 10],
    )  # fmt: skip
    cap = capmod.sourced_capacity_t(fac, T_PER_TRAIN, 10.0)
    assert cap.tolist() == [5e6, 2e6, 10 * 365 * T_PER_TRAIN]


def test_estimates_by_method_and_the_port_as_its_lines():
    fac = pd.DataFrame({
        "facility_id": ["x-crossing", "x-yard", "x-ferry", "x-feeder", "port-a", "port-z"],
        "kind": ["crossing", "gauge_change", "ferry", "feeder", "port", "port"],
        "headway_h": [np.nan, np.nan, 96.0, 240.0, np.nan, np.nan],
        "fleet": [np.nan, np.nan, 2.0, np.nan, np.nan, np.nan],
        "vessel_capacity_feu": [np.nan, np.nan, 50.0, np.nan, np.nan, np.nan],
        "port_id": ["", "", "", "", "a", "z"],
        "from_port": ["", "", "a", "a", "", ""],
        "to_port": ["", "", "b", "c", "", ""],
    })  # fmt: skip
    caps = capmod.facility_capacities(fac, T_PER_TRAIN, 10.0)
    ferry = 2 * 50 * 8760 / 96 * 20
    feeder = 1 * 105 * 8760 / 240 * 20  # one 105-FEU ship: the table's default
    assert caps.t_per_yr[:4] == pytest.approx(
        [1 * 24 * 365 * T_PER_TRAIN, 1 * 14 * 365 * T_PER_TRAIN, ferry, feeder]
    )
    assert caps.t_per_yr[4] == pytest.approx(ferry + feeder)
    assert np.isnan(caps.t_per_yr[5])  # no line calls at port z: nothing to estimate from
    assert caps.basis.tolist()[:5] == [
        "estimate (line)", "estimate (line)", "estimate (vessel)", "estimate (vessel)",
        "estimate (sea lines calling)",
    ]  # fmt: skip


def test_observed_floor_raises_a_figure_below_what_crossed():
    fac = pd.DataFrame({
        "facility_id": ["khorgos-altynkol", "alashankou-dostyk"], "kind": ["gauge_change"] * 2,
        "capacity_trains_per_day": [20.0, np.nan], "capacity_t_per_yr": [np.nan, 20e6],
    })  # fmt: skip
    caps = capmod.facility_capacities(fac, T_PER_TRAIN, 10.0)
    assert caps.t_per_yr.tolist() == [16.1e6, 20e6]
    assert caps.basis.tolist() == ["observed floor", "sourced"]


@pytest.fixture(scope="module")
def bundled() -> tuple[pd.DataFrame, capmod.Capacities]:
    params = load_default_params()
    t_per_teu = float(params.scalar("tonnes_per_teu"))
    feu, _ = figure("feu_per_train", 2021)
    fac = load_network().facilities.to_frame()
    return fac, capmod.facility_capacities(fac, feu * 2 * t_per_teu, t_per_teu)


def test_no_facility_capacity_below_its_observed_throughput(bundled):
    fac, caps = bundled
    observed = capmod.load_observed()
    ids = fac["facility_id"].astype(str).to_numpy()
    assert set(observed.facility_id) <= set(ids)
    for row in observed.itertuples():
        assert caps.t_per_yr[ids == row.facility_id][0] >= row.t_per_yr, row


def test_every_land_and_caspian_facility_has_a_capacity(bundled):
    """What --max-throughput reports as uncapacitated: none. Ocean legs are not assigned, so a
    port that only ocean legs call at is on no offered path."""
    fac, caps = bundled
    lines = fac[fac.kind.isin(("ferry", "feeder"))]
    called = set(lines.from_port.astype(str)) | set(lines.to_port.astype(str))
    ocean_only = (fac.kind == "port") & ~fac.port_id.astype(str).isin(called)
    land = (fac.kind != "ocean") & ~ocean_only
    missing = fac.facility_id[land.to_numpy() & ~np.isfinite(caps.t_per_yr)]
    assert missing.tolist() == []
