"""Prices as quoted: block train against single box, eastbound against westbound (rate_factors)."""

from __future__ import annotations

import dataclasses

import pytest
from test_routing_plan import PARAMS, by_label, plan

from landbridge.costs.params import load_params, parse_override
from landbridge.costs.rate_basis import TABLE, rate_basis, rate_factors
from landbridge.data import load_sources, split_source_ids
from landbridge.errors import ParameterError

NORTHERN = "Northern via Alashankou–Dostyk"
FACTORS = rate_factors(PARAMS)
UNIONS = {"DE": "EU", "PL": "EU", "KZ": "EAEU"}
CENT = 0.05  # legs are rounded to cents


def _per_feu(option, feu: float) -> tuple[float, float]:
    """Rail line haul and everything else, per FEU."""
    rail = option.cost_breakdown_usd["rail"]
    return rail / feu, (option.cost_usd - rail) / feu


def test_a_train_of_boxes_pays_the_block_rate_per_box_exactly() -> None:
    assert FACTORS.block_min_feu == 40
    one = by_label(plan(feu=1))[NORTHERN]
    train = by_label(plan(feu=40))[NORTHERN]
    short = by_label(plan(feu=39))[NORTHERN]
    rail_1, rest_1 = _per_feu(one, 1)
    rail_40, rest_40 = _per_feu(train, 40)
    rail_39, _ = _per_feu(short, 39)
    assert rail_40 == pytest.approx(rail_1 * FACTORS.block, abs=CENT)
    assert rest_40 == pytest.approx(rest_1, abs=CENT)  # borders and transfers are not discounted
    assert rail_39 == pytest.approx(rail_1, abs=CENT)  # one box short of a train: single-box rate
    assert train.cost_usd / 40 < one.cost_usd
    assert (one.rate_basis.booking, train.rate_basis.booking) == ("single_box", "block_train")
    assert train.rate_basis.factor == FACTORS.block
    assert "booking_block_train" not in " ".join(one.rate_basis.source_ids)


def test_eastbound_costs_the_westbound_rate_times_the_direction_factor() -> None:
    west = by_label(plan(origin="Xi'an", destination="Duisburg"))[NORTHERN]
    east = by_label(plan(origin="Duisburg", destination="Xi'an"))[NORTHERN]
    assert west.rate_basis.direction == "westbound" and west.rate_basis.factor == 1.0
    assert east.rate_basis.direction == "eastbound"
    assert east.rate_basis.factor == FACTORS.eastbound == 0.8
    assert east.distance_km.rail == west.distance_km.rail
    rail_w, rest_w = _per_feu(west, 1)
    rail_e, rest_e = _per_feu(east, 1)
    assert rail_e == pytest.approx(rail_w * FACTORS.eastbound, abs=CENT)
    assert rest_e == pytest.approx(rest_w, abs=CENT)
    east_train = by_label(plan(origin="Duisburg", destination="Xi'an", feu=40))[NORTHERN]
    assert _per_feu(east_train, 40)[0] == pytest.approx(
        rail_w * FACTORS.eastbound * FACTORS.block, abs=CENT
    )


def test_the_sea_option_and_other_pairs_keep_the_base_rate() -> None:
    sea = [o for o in plan(feu=40).options if "sea" in o.label.lower()]
    assert sea and all(o.rate_basis.factor == 1.0 for o in sea)
    basis = rate_basis(FACTORS, "KZ", "DE", 1, UNIONS)
    assert (basis.direction, basis.factor) == ("other", 1.0)
    assert rate_basis(FACTORS, "DE", "CN", 1, UNIONS).direction == "eastbound"
    assert rate_basis(FACTORS, "CN", "PL", 1, UNIONS).direction == "westbound"


def test_every_factor_row_has_sources_bounds_and_an_assumption_where_it_is_one() -> None:
    frame = PARAMS.tables[TABLE].to_frame()
    known = set(load_sources().index)
    for key, row in frame.iterrows():
        ids = split_source_ids(row["source_ids"])
        assert len([s for s in ids if s != "landbridge-assumption"]) >= 2, key
        assert set(ids) <= known, key
        assert row["lower"] <= row["value"] <= row["upper"], key
        if "landbridge-assumption" in ids:
            assert row["assumption"].strip(), key


def _with_row(key: str, **cells) -> object:
    table = PARAMS.tables[TABLE]
    for col, value in cells.items():
        if col in table.numbers:
            table = table.with_number(key, col, value)
        else:
            texts = list(table.texts[col])
            texts[table.row(key)] = value
            table = dataclasses.replace(table, texts={**table.texts, col: tuple(texts)})
    return dataclasses.replace(PARAMS, tables={**PARAMS.tables, TABLE: table})


@pytest.mark.parametrize(
    ("key", "cells", "message"),
    [
        ("direction_eastbound", {"value": 0.5}, "outside its sourced bounds [0.6, 1]"),
        ("booking_block_train", {"value": 1.2, "upper": 1.5}, "must be in (0, 1]"),
        ("booking_block_train", {"lower": 1.1}, "lower 1.1 is above upper 1"),
        ("block_train_min_feu", {"source_ids": " "}, "no source_ids"),
    ],
)
def test_bad_factor_rows_are_refused(key: str, cells: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=r"rate_factors\." + key) as err:
        rate_factors(_with_row(key, **cells))
    assert message in str(err.value)


def test_a_missing_row_and_an_override_beyond_one_are_refused(tmp_path) -> None:
    table = PARAMS.tables[TABLE]
    kept = [i for i, k in enumerate(table.keys) if k != "booking_block_train"]
    table = dataclasses.replace(
        table, keys=tuple(table.keys[i] for i in kept),
        numbers={c: tuple(v[i] for i in kept) for c, v in table.numbers.items()},
        texts={c: tuple(v[i] for i in kept) for c, v in table.texts.items()},
    )  # fmt: skip
    with pytest.raises(ParameterError, match="no row for"):
        rate_factors(dataclasses.replace(PARAMS, tables={**PARAMS.tables, TABLE: table}))
    with pytest.raises(ParameterError, match="rate_factors.direction_eastbound"):
        parse_override({"rate_factors": {"direction_eastbound": 1.5}}, "my.yaml")
    file = tmp_path / "p.yaml"
    file.write_text("rate_factors:\n  booking_block_train: 0.5\n", encoding="utf-8")
    params = load_params(file)
    assert rate_factors(params).block == 0.5  # a file may test a value outside the bounds
    response = plan(params=params, feu=40)
    assert by_label(response)[NORTHERN].rate_basis.factor == 0.5
    assert any("rate_factors.booking_block_train.value set by" in a for a in response.assumptions)
