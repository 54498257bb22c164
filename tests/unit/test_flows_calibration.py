"""Calibrated route choice: path constants in the logit, offered sets, the bundled constants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from landbridge.flows import calibration as cal
from landbridge.flows import estimate
from landbridge.flows.logit import solve_sue
from landbridge.flows.route_choice import ChoiceSet
from landbridge.flows.vdf import VolumeDelay


def _no_queue() -> VolumeDelay:
    return VolumeDelay(
        free_time=np.zeros(0), capacity=np.zeros(0), alpha=np.zeros(0), beta=np.zeros(0),
        kind=np.zeros(0, dtype=np.int8),
    )  # fmt: skip


def test_path_constant_shifts_the_logit_share_as_a_cost():
    """Routes of cost 10 and 12, a constant of -3 on the second: shares of costs 10 and 9."""
    res = solve_sue(
        sp.csr_matrix(np.eye(2)), np.array([0, 0]), np.array([100.0]), np.array([0.5]),
        fixed_cost=np.array([10.0, 12.0]), edge_element=np.array([-1, -1]), vdf=_no_queue(),
        path_constant=np.array([0.0, -3.0]),
    )  # fmt: skip
    share = 1 / (1 + math.exp(-0.5 * (10.0 - 9.0)))
    assert res.path_flow[1] == pytest.approx(100 * share, rel=1e-10)


def _choice(free: list[float], entry: list[int]) -> ChoiceSet:
    n = len(free)
    n_entries = max(entry) + 1
    return ChoiceSet(
        incidence=sp.csr_matrix(np.eye(n)), entry=np.array(entry), free_cost=np.array(free),
        entry_class=np.zeros(n_entries, dtype=np.int64),
        entry_origin=np.zeros(n_entries, dtype=np.int64),
        entry_destination=np.ones(n_entries, dtype=np.int64),
        entry_demand=np.ones(n_entries), entry_best=np.full(n_entries, min(free)),
        no_path=np.zeros(n_entries, dtype=bool),
    )  # fmt: skip


def _terms(khorgos, caspian, route, entry_route) -> cal.PathTerms:
    return cal.PathTerms(
        {cal.KHORGOS: np.array(khorgos), cal.CASPIAN: np.array(caspian)},
        np.array(route), np.array(entry_route),
    )  # fmt: skip


def test_a_constant_adds_an_option_and_never_removes_one():
    """Paths 100 (Dostyk), 140 (Khorgos), 170 (Caspian); bound 1.5 x 100 = 150."""
    choice = _choice([100.0, 140.0, 170.0], [0, 0, 0])
    terms = _terms([False, True, False], [False, False, True], [1, 1, 3], [0])
    zero = cal.offer(choice, terms, cal.RouteConstants.zero(), 1.5)
    assert zero.choice.free_cost.tolist() == [100.0, 140.0]
    cheap_sea = cal.RouteConstants({cal.KHORGOS: -60.0, cal.CASPIAN: -45.0}, "t", "")
    off = cal.offer(choice, terms, cheap_sea, 1.5)
    # perceived: 100, 80, 125; best 80, slack 50: all three offered, Dostyk kept on real cost
    assert off.choice.free_cost.tolist() == [100.0, 140.0, 170.0]
    assert off.path_constant.tolist() == [0.0, -60.0, -45.0]


def test_route_defined_entries_keep_only_paths_through_their_gateways():
    """Entry 0 must cross CN–KZ and the Caspian (bits 3); entry 1 is free."""
    choice = _choice([100.0, 110.0, 100.0, 110.0], [0, 0, 1, 1])
    terms = _terms([False] * 4, [False, True, False, True], [1, 3, 0, 3], [3, 0])
    off = cal.offer(choice, terms, cal.RouteConstants.zero(), 1.5)
    assert off.choice.entry.tolist() == [0, 1, 1]
    assert off.choice.free_cost.tolist() == [110.0, 100.0, 110.0]
    assert off.choice.entry_best.tolist() == [110.0, 100.0]  # the logit's scale cost


def test_route_requirement_of_bundled_and_user_segments():
    od = pd.DataFrame({"segment": ["kz_exports_cn", "cn_titr_west", "kz_titr", "user"]})
    assert cal.route_requirement(od).tolist() == [1, 3, 2, 0]


def test_bundled_constants_are_calibrated_inside_their_bounds():
    frame = pd.read_csv(cal.CONSTANTS_PATH, keep_default_na=False)
    assert sorted(frame.key) == sorted(cal.TERMS)
    assert (frame.status == "calibrated").all()
    assert (frame.lower_usd_per_t <= frame.value_usd_per_t).all()
    assert (frame.value_usd_per_t <= frame.upper_usd_per_t).all()
    assert all(frame.elements.astype(str).str.len() > 0)
    assert cal.load_constants().status == "calibrated"


def test_estimator_recovers_the_published_split_on_a_toy_corridor():
    """Two crossings, China–Kazakhstan trade of the bundled size: the Khorgos constant found
    puts the published 2023 Altynkol tonnage on Khorgos; 2024 is then predicted, not fitted."""
    from test_flows_corridor import _od, toy_network

    from landbridge.costs.params import load_default_params
    from landbridge.flows.published import published_calibration

    def trade(total: float) -> pd.DataFrame:
        od = _od([("kz-almaty", "cn-urumqi", "KZ", "CN", "bulk", total)])
        od["segment"] = "kz_exports_cn"
        return od

    totals = {y: sum(p["published"] for p in published_calibration(y)[:2]) for y in (2023, 2024)}
    est = estimate.estimate(
        toy_network(), load_default_params(), demand={y: trade(t) for y, t in totals.items()}
    )
    lo, hi = est.bounds[cal.KHORGOS]
    assert lo < est.constants.values[cal.KHORGOS] < hi and not est.at_bound[cal.KHORGOS]
    fit = {r["element"]: r for r in est.fits[0].rows}
    assert fit["Altynkol–Khorgos"]["error_pct"] == pytest.approx(0.0, abs=0.05)
    assert fit["Dostyk–Alashankou"]["error_pct"] == pytest.approx(0.0, abs=0.05)
    assert est.at_bound[cal.CASPIAN]  # no Caspian on the toy: nothing to fit, reported as such
    assert est.fits[1].year == 2024 and est.without[0].rows[1]["modelled"] != pytest.approx(
        fit["Altynkol–Khorgos"]["modelled"]
    )
