"""Scenario files under fuzzing: any text, any data, wrong types, unknown modifications, unknown
facilities, places and countries give a ``ScenarioError`` (or a valid scenario), never another
exception; valid scenarios round-trip through YAML and apply to a copy with the CSR form intact."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_scenario_toy import check_csr, toy_demand, toy_network  # noqa: E402

from landbridge.errors import ScenarioError  # noqa: E402
from landbridge.scenarios.apply import apply_scenario  # noqa: E402
from landbridge.scenarios.contradictions import contradictions  # noqa: E402
from landbridge.scenarios.load import (  # noqa: E402
    parse_scenario,
    scenario_from_data,
    scenario_to_yaml,
)
from landbridge.schema.scenario import MODIFICATION_TYPES, Scenario  # noqa: E402

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NET = toy_network()
DEMAND = toy_demand()
FACILITIES = list(NET.facilities["facility_id"])
PLACES = [str(n) for n in NET.node_name]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates().map(str),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=25,
)


def _outcome(call: Any) -> Scenario | None:
    try:
        return call()
    except ScenarioError as exc:
        assert str(exc), "an empty message helps no one"
        return None


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_is_a_scenario_or_a_scenario_error(text: str) -> None:
    _outcome(lambda: parse_scenario(text, source="fuzz.yaml"))


@SETTINGS
@given(json_like)
def test_any_data_is_a_scenario_or_a_scenario_error(data: Any) -> None:
    _outcome(lambda: scenario_from_data(data, source="fuzz.yaml"))


modification = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(MODIFICATION_TYPES), st.text(max_size=15))},
    optional={
        "facility": st.one_of(st.sampled_from(FACILITIES), st.text(max_size=20), scalars),
        "country": st.one_of(st.sampled_from(["KZ", "RU", "XX", "kz", "Kazakhstan"]), scalars),
        "value": st.one_of(st.floats(), st.integers(), st.text(max_size=5)),
        "unit": st.one_of(st.sampled_from(["trains_per_day", "mt_per_yr", "usd_per_feu"]), scalars),
        "factor": st.one_of(st.floats(), st.text(max_size=5)),
        "pct": st.floats(),
        "fleet": st.one_of(st.integers(), st.floats()),
        "from_date": st.one_of(st.dates().map(str), scalars),
        "to_date": st.one_of(st.dates().map(str), scalars),
        "dwell_p50_h": st.floats(),
        "from_place": st.one_of(st.sampled_from(PLACES), st.text(max_size=20)),
        "to_place": st.one_of(st.sampled_from(PLACES), st.text(max_size=20)),
        "length_km": st.floats(),
        "gauge_mm": st.one_of(st.sampled_from([1435, 1520, 1000]), scalars),
        "capacity": st.one_of(
            st.fixed_dictionaries({"value": st.floats(), "unit": st.sampled_from(["t_per_yr"])}),
            scalars,
        ),
        "od": st.one_of(
            st.fixed_dictionaries({"origin": st.sampled_from(["Urumqi", "Nowhere"])}), scalars
        ),
        "surprise": scalars,
    },
)


@SETTINGS
@given(st.lists(modification, max_size=6), st.integers(min_value=1990, max_value=2110))
def test_random_modifications_validate_apply_or_refuse(mods: list[dict], year: int) -> None:
    data = {"name": "fuzz", "base": {"year": year}, "modifications": mods}
    scenario = _outcome(lambda: scenario_from_data(data, source="fuzz.yaml"))
    if scenario is None:
        return
    assert parse_scenario(scenario_to_yaml(scenario)) == scenario
    try:
        out, _, _ = apply_scenario(scenario, NET, None, DEMAND, source="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml: ")
        return
    check_csr(out)
    assert out.n_edges <= NET.n_edges + 4 * len(mods)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.builds(
                lambda f, v: {
                    "type": "set_capacity",
                    "facility": f,
                    "value": v,
                    "unit": "t_per_yr",
                },
                st.sampled_from(FACILITIES),
                st.floats(min_value=1, max_value=1e9),  # 0 is refused (use close_crossing)
            ),
            st.builds(
                lambda f: {"type": "close_crossing", "facility": f}, st.sampled_from(FACILITIES)
            ),
            st.builds(
                lambda c: {"type": "avoid_country", "country": c},
                st.sampled_from(["AZ", "RU", "CN"]),
            ),
            st.builds(
                lambda k: {"type": "scale_demand", "factor": k},
                st.floats(min_value=0, max_value=10),
            ),
        ),
        max_size=5,
    )
)
def test_valid_scenarios_never_touch_the_base(mods: list[dict]) -> None:
    before_edges = NET.edge_src.copy()
    before_fac = NET.facilities.to_frame()
    scenario = scenario_from_data({"name": "ok", "base": {"year": 2023}, "modifications": mods})
    assume(not contradictions(scenario))  # those are refused (test_scenario_contradictions)
    text = yaml.safe_dump(scenario.model_dump(mode="json"))
    assert parse_scenario(text) == scenario
    out, _, demand = apply_scenario(scenario, NET, None, DEMAND)
    check_csr(out)
    assert (NET.edge_src == before_edges).all()
    assert NET.facilities.to_frame().equals(before_fac)
    assert demand is not None and (demand["t_per_yr"] >= 0).all()
