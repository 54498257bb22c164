"""Hypothesis: sizes scale answers linearly; valid params files route, bad ones are refused."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_routing_toy import build_network  # noqa: E402

from landbridge.costs.params import load_default_params, parse_override  # noqa: E402
from landbridge.costs.rate_basis import rate_factors
from landbridge.errors import ParameterError  # noqa: E402
from landbridge.routing.places import resolve_on_network  # noqa: E402
from landbridge.routing.plan import plan_routes  # noqa: E402
from landbridge.schema.params import MAX_USD_PER_FEU_KM  # noqa: E402
from landbridge.schema.route import MAX_FEU, MIN_FEU, RouteRequest  # noqa: E402

NET = build_network()
PARAMS = load_default_params()
BASE = plan_routes(
    RouteRequest(origin="Xi'an", destination="Duisburg"),
    network=NET,
    params=PARAMS,
    resolver=resolve_on_network,
)
BASE_BY_LABEL = {o.label: o for o in BASE.options}
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


BLOCK_MIN_FEU = rate_factors(PARAMS).block_min_feu
BLOCK = plan_routes(
    RouteRequest(origin="Xi'an", destination="Duisburg", feu=BLOCK_MIN_FEU),
    network=NET, params=PARAMS, resolver=resolve_on_network,
)  # fmt: skip
BLOCK_BY_LABEL = {o.label: o for o in BLOCK.options}


@FAST
@given(feu=st.floats(min_value=MIN_FEU, max_value=MAX_FEU, allow_nan=False))
def test_cost_and_co2e_scale_with_feu_and_time_does_not(feu: float) -> None:
    """Linear in the FEU count on each rate basis: single boxes below a block train's worth,
    the block-train rate from it on (``rate_factors.csv``)."""
    resp = plan_routes(
        RouteRequest(origin="Xi'an", destination="Duisburg", feu=feu),
        network=NET, params=PARAMS, resolver=resolve_on_network,
    )  # fmt: skip
    assert resp.shipment.tonnes == pytest.approx(20.0 * feu)
    block = feu >= BLOCK_MIN_FEU
    base, per = (BLOCK_BY_LABEL, BLOCK_MIN_FEU) if block else (BASE_BY_LABEL, 1.0)
    for option in resp.options:
        ref = base[option.label]
        assert option.cost_usd == pytest.approx(ref.cost_usd / per * feu, rel=1e-6, abs=0.02)
        assert option.co2e_kg == pytest.approx(ref.co2e_kg / per * feu, rel=1e-6, abs=0.02)
        assert option.transit_days == ref.transit_days
    assert [o.pareto for o in resp.options] == [
        o.pareto for o in (BLOCK if block else BASE).options
    ]


def test_a_block_train_pays_less_per_box_than_single_boxes() -> None:
    for label, option in BLOCK_BY_LABEL.items():
        single = BASE_BY_LABEL[label].cost_usd
        assert option.cost_usd / BLOCK_MIN_FEU <= single + 1e-6
    assert any(o.cost_usd / BLOCK_MIN_FEU < BASE_BY_LABEL[o.label].cost_usd - 1.0
               for o in BLOCK.options)  # fmt: skip


@FAST
@given(
    size=st.one_of(
        st.floats(max_value=MIN_FEU, exclude_max=True),
        st.floats(min_value=MAX_FEU * 1.0001, max_value=1e12),
    )
)
def test_sizes_out_of_range_are_refused(size: float) -> None:
    with pytest.raises(ValidationError):
        RouteRequest(origin="a", destination="b", feu=size)


COUNTRIES = st.sampled_from(
    ["CN", "KZ", "RU", "BY", "PL", "DE", "AZ", "GE", "TR", "TM", "IR", "UZ"]
)
POSITIVE = st.floats(min_value=0.01, max_value=500.0, allow_nan=False)
valid_override = st.fixed_dictionaries(
    {},
    optional={
        "rail_tariff": st.dictionaries(
            COUNTRIES,
            st.fixed_dictionaries({"usd_per_feu_km": st.floats(0.01, MAX_USD_PER_FEU_KM)}),
            max_size=3,
        ),
        "grid_intensity": st.dictionaries(
            COUNTRIES, st.fixed_dictionaries({"g_co2e_per_kwh": POSITIVE}), max_size=3
        ),
        "electric_share": st.dictionaries(
            COUNTRIES, st.fixed_dictionaries({"electric_share": st.floats(0.0, 1.0)}), max_size=3
        ),
        "scalars": st.fixed_dictionaries({}, optional={"tonnes_per_teu": st.floats(0.5, 30.0)}),
        "facilities": st.dictionaries(
            st.sampled_from(["alashankou-dostyk", "port-aktau", "ferry-aktau-baku"]),
            st.fixed_dictionaries({"cost_usd_per_feu": st.floats(0.0, 5000.0)}),
            max_size=2,
        ),
    },
)


@FAST
@given(data=valid_override)
def test_any_valid_params_file_routes_and_is_reported(data: dict) -> None:
    params = PARAMS.with_overrides(
        parse_override(yaml.safe_load(yaml.safe_dump(data)), "p.yaml"), "p.yaml"
    )
    resp = plan_routes(
        RouteRequest(origin="Xi'an", destination="Duisburg"), network=NET, params=params,
        resolver=resolve_on_network,
    )  # fmt: skip
    assert resp.options
    assert all(o.cost_usd >= 0 and o.co2e_kg >= 0 for o in resp.options)
    touched = any(
        data.get(k)
        for k in ("rail_tariff", "grid_intensity", "electric_share", "scalars", "facilities")
    )
    if touched and any(data.get("scalars", {}).values()):
        assert any("p.yaml" in a for a in resp.assumptions)


@FAST
@given(
    table=st.sampled_from(["rail_speed", "rail_tariff", "grid_intensity"]),
    key=COUNTRIES,
    column=st.text(min_size=1, max_size=12),
    value=st.one_of(st.floats(max_value=-0.01), st.text(alphabet="abcxyz-", max_size=5)),
)
def test_bad_cells_are_refused_with_the_key_named(
    table: str, key: str, column: str, value: object
) -> None:
    with pytest.raises(ParameterError, match=rf"p\.yaml: {table}\.{key}"):
        parse_override({table: {key: {column: value}}}, "p.yaml")


@FAST
@given(day=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2026, 11, 28)))
def test_any_departure_prices_the_sea_option_at_the_lane_sample_of_its_date(day: dt.date) -> None:
    from test_routing_dates import LANE, dated_network

    from landbridge.costs.dated import ocean_sample
    from landbridge.costs.weather import closure_share, weather_wait_h

    net = DATED_NET.setdefault("net", dated_network())
    resp = plan_routes(
        RouteRequest(origin="Xi'an", destination="Duisburg", depart=day),
        network=net, params=PARAMS, resolver=resolve_on_network,
    )  # fmt: skip
    sea = next(o for o in resp.options if o.corridor == "sea")
    (at,) = [i for i, g in enumerate(sea.legs) if g.mode == "ocean"]
    # the rate of the day the box reaches the ocean leg (after the legs before it)
    reached = day + dt.timedelta(hours=sum(g.hours for g in sea.legs[:at]))
    assert sea.legs[at].cost_usd == pytest.approx(
        ocean_sample(LANE, reached).usd_per_feu, abs=0.01
    )
    # the middle option's ferry wait over the plain network's is the winter wait or nothing
    plain = BASE_BY_LABEL["Middle via Aktau port, Poti port"].time_breakdown_h.ferry_wait
    middle = next(o for o in resp.options if o.label == "Middle via Aktau port, Poti port")
    extra = middle.time_breakdown_h.ferry_wait - plain
    waits = [v for v in resp.dated_values if v.parameter == "weather_wait_h"]
    if waits:
        month = int(waits[0].note.split("reached about ")[1][5:7])
        assert month in (12, 1, 2)
        assert extra == pytest.approx(waits[0].value, abs=0.011)
        assert 0 < extra <= weather_wait_h(closure_share(10, dt.date(2023, 2, 1)), 48.0) + 0.01
    else:
        assert extra == pytest.approx(0.0, abs=0.011)


DATED_NET: dict = {}
