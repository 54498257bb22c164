"""Demand tables: rebuilt from the published aggregates, totals that match the sources."""

from __future__ import annotations

import pandas as pd
import pytest

from landbridge.errors import InvalidInputError
from landbridge.flows import demand as dem

T_PER_TEU = 10.0  # routing's scalars.csv value (IMO EEOI), used to build the bundled tables
BORDER_SEGMENTS = (
    "kz_exports_cn", "cn_imports_kz", "cn_eu_west", "cn_eu_east", "cn_titr_west",
    "cn_titr_east", "cn_rest_west", "cn_rest_east",
)  # fmt: skip


@pytest.mark.parametrize("year", dem.YEARS)
def test_bundled_tables_are_reproducible_from_raw_figures(year, tmp_path):
    dem.write_demand_tables(T_PER_TEU, tmp_path)
    rebuilt = pd.read_csv(tmp_path / f"od_{year}.csv", keep_default_na=False)
    bundled = dem.load_demand(year)
    pd.testing.assert_frame_equal(rebuilt, bundled)


def test_2024_border_demand_equals_published_china_kazakhstan_total():
    od = dem.build_demand(2024, T_PER_TEU)
    border = od[od.segment.isin(BORDER_SEGMENTS)].t_per_yr.sum()
    assert border == pytest.approx(32_000_000)
    assert od[od.segment == "kz_exports_cn"].t_per_yr.sum() == pytest.approx(13_700_000)
    transit = od[od.segment.str.startswith("cn_") & (od.segment != "cn_imports_kz")]
    assert transit.t_per_yr.sum() == pytest.approx(15_300_000)
    assert od[od.segment == "kz_titr"].t_per_yr.sum() == pytest.approx(0.72 * 4_484_000)


def test_2023_totals_follow_published_growth_rates():
    od = dem.build_demand(2023, T_PER_TEU)
    border = od[od.segment.isin(BORDER_SEGMENTS)].t_per_yr.sum()
    assert border == pytest.approx(32_000_000 / 1.131)
    transit = od[od.segment.str.startswith("cn_") & (od.segment != "cn_imports_kz")]
    assert transit.t_per_yr.sum() == pytest.approx(15_300_000 / 1.19)
    eu = (
        od[od.segment == "cn_eu_west"].t_per_yr.sum()
        + od[od.segment == "cn_eu_east"].t_per_yr.sum()
    )
    assert eu == pytest.approx(211_100 * T_PER_TEU)


def test_2025_reproduces_the_2025_aggregates_it_is_built_from():
    od = dem.build_demand(2025, T_PER_TEU)
    border = od[od.segment.isin(BORDER_SEGMENTS)].t_per_yr.sum()
    assert border == pytest.approx(32_000_000 * 1.10)  # Jan–Aug 2025 growth, applied to the year
    transit = od[od.segment.str.startswith("cn_") & (od.segment != "cn_imports_kz")]
    assert transit.t_per_yr.sum() == pytest.approx(15_300_000 * 33.0 / 27.4)
    west = od[od.segment == "cn_eu_west"]
    assert west.teu_per_yr.sum() == pytest.approx(412_000 * (1 - 0.18))
    titr = od[od.segment.isin(("cn_titr_west", "cn_titr_east", "kz_titr"))].t_per_yr.sum()
    assert titr == pytest.approx(4_119_000)
    assert set(od.year) == {2025}


def test_2025_calibration_rows_use_the_published_altynkol_year():
    from landbridge.flows.published import published_calibration

    rows = {r["element"]: r for r in published_calibration(2025)}
    assert rows["Altynkol–Khorgos"]["published"] == pytest.approx(16_100_000)
    assert rows["Dostyk–Alashankou"]["published"] == pytest.approx(35_200_000 - 16_100_000)
    assert rows["Middle Corridor (TITR)"]["published"] == pytest.approx(4_119_000)


def test_europe_westbound_is_utlc_teu_and_eastbound_follows_the_ratio():
    od = dem.build_demand(2024, T_PER_TEU)
    west = od[od.segment == "cn_eu_west"]
    assert west.teu_per_yr.sum() == pytest.approx(412_000)
    east = od[od.segment == "cn_eu_east"].t_per_yr.sum()
    assert east == pytest.approx(0.15 * west.t_per_yr.sum())
    assert set(west.origin_group) == {"CN"} and set(west.destination_group) == {"EU"}


def test_bulk_rows_carry_no_teu_and_containers_do():
    od = dem.build_demand(2024, T_PER_TEU)
    assert (od[od.cargo_class == "bulk"].teu_per_yr == 0).all()
    box = od[od.cargo_class == "container"]
    assert (box.teu_per_yr * T_PER_TEU).to_numpy() == pytest.approx(box.t_per_yr.to_numpy())


def test_region_shares_sum_to_one_and_keep_the_sourced_xian_share():
    china = dem.region_shares("china")
    assert china.sum() == pytest.approx(1.0)
    assert china["cn-xian"] == pytest.approx(0.30)
    rest = dem.region_shares("transit_rest")
    assert rest.sum() == pytest.approx(1.0)
    assert rest["by-minsk"] == pytest.approx(0.1)
    assert rest[[r for r in rest.index if r.startswith("ru-")]].sum() == pytest.approx(0.4)


def test_every_weight_is_sourced_or_marked_as_assumption():
    w = dem.load_weights()
    bare = w[(w.source_ids.str.strip() == "") & (w.assumption.str.strip() == "")]
    assert bare.empty, bare


def test_unknown_year_is_a_typed_error():
    with pytest.raises(InvalidInputError, match="available: 2023, 2024, 2025"):
        dem.load_demand(2019)
    with pytest.raises(InvalidInputError, match="tonnes_per_teu"):
        dem.segments(2024, 0.0)


def test_scenario_demand_sets_map_to_bundled_years():
    assert dem.demand_year("default", 2023) == 2023
    assert dem.demand_year("default", 2028) == 2025
    assert dem.demand_year("od-2023", 2030) == 2023
    with pytest.raises(InvalidInputError, match="bundled sets: default, od-2023, od-2024, od-2025"):
        dem.demand_year("od-2019", 2019)
