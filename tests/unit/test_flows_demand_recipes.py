"""Demand-year recipes: each method on hand-made figures, the sources rule, the bundled table."""

from __future__ import annotations

import pytest

from landbridge.errors import InvalidInputError, ParameterError
from landbridge.flows import demand as dem
from landbridge.flows import demand_recipes as rec

HEADER = "year,quantity,method,figure_id,base_year,factor_id,derivation,note\n"
FIGURES = {
    ("tot", 2030): (100.0, "s-tot"), ("exp", 2030): (30.0, "s-exp"), ("tr", 2030): (50.0, "s-tr"),
    ("g", 2030): (25.0, "s-g"), ("g", 2031): (10.0, "s-g31"), ("all", 2030): (40.0, "s-a30"),
    ("all", 2031): (50.0, "s-a31"), ("both", 2031): (230.0, "s-both"),
    ("east", 2030): (15.0, "s-e"),
}  # fmt: skip
ROWS = """2030,total,published,tot,,,published,
2030,exports,published,exp,,,published,
2030,transit,published,tr,,,published,
2030,imports,remainder,,,,total - exports - transit ({year}),
2029,total,growth,,2030,g,{base_year} total / (1 + {factor:g}%),
2029,transit,growth,,2030,g,{base_year} transit / (1 + {factor:g}%),
2029,exports,share,,2030,,(total - transit) x {base_year} export share,
2029,imports,share,,2030,,(total - transit) x {base_year} import share,
2031,total,growth,,2030,g,{base_year} total x (1 + {factor:g}%),
2031,transit,ratio,,2030,all,{base_year} transit x {factor:.3f},
2031,exports,share,,2030,,x,
2031,imports,share,,2030,,x,
2030,eastbound_per_100_westbound,published,east,,,published,
2031,eastbound_per_100_westbound,held,east,2030,,the {base_year} figure,
2031,eu_westbound_teu,westbound_share,both,,,both x westbound share,
"""


@pytest.fixture
def table(tmp_path, monkeypatch):
    path = tmp_path / "year_recipes.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")

    def fake_figure(figure_id: str, year: int) -> tuple[float, str]:
        if (figure_id, year) not in FIGURES:
            raise ParameterError(f"no {figure_id} in {year}")
        return FIGURES[(figure_id, year)]

    monkeypatch.setattr(rec, "RECIPES_CSV", path)
    monkeypatch.setattr(rec, "figure", fake_figure)
    rec.load_recipes.cache_clear()
    rec._evaluate.cache_clear()
    yield path
    rec.load_recipes.cache_clear()
    rec._evaluate.cache_clear()


def test_published_and_remainder(table):
    assert rec.year_value("total", 2030) == rec.Derived(100.0, "published", "s-tot")
    imports = rec.year_value("imports", 2030)
    assert imports.value == 20.0 and imports.derivation == "total - exports - transit (2030)"
    assert imports.source_ids == "s-tot;s-exp;s-tr"  # a derived total cites the year's four


def test_growth_back_and_forward_use_the_later_years_growth(table):
    back = rec.year_value("total", 2029)
    assert back.value == pytest.approx(100 / 1.25) and back.derivation == "2030 total / (1 + 25%)"
    assert rec.year_value("total", 2031).value == pytest.approx(100 * 1.10)


def test_share_splits_what_total_and_transit_leave_by_the_base_years_share(table):
    exports, imports = rec.year_value("exports", 2029), rec.year_value("imports", 2029)
    bilateral = 100 / 1.25 - 50 / 1.25
    assert exports.value == pytest.approx(bilateral * 30 / 50)
    assert imports.value == pytest.approx(bilateral * 20 / 50)
    assert exports.source_ids == "s-tot;s-g;s-tr;s-exp"


def test_ratio_and_its_sources(table):
    transit = rec.year_value("transit", 2031)
    assert transit.value == pytest.approx(50 * 50 / 40)
    assert transit.derivation == "2030 transit x 1.250"
    # derived with the total: every figure the year's four totals read
    assert transit.source_ids == "s-tot;s-g31;s-tr;s-a31;s-a30;s-exp"


def test_held_and_westbound_share(table):
    assert rec.year_value("eastbound_per_100_westbound", 2031).value == 15.0
    west = rec.year_value("eu_westbound_teu", 2031)
    assert west.value == pytest.approx(230 * 100 / 115) and west.source_ids == "s-both"


def test_a_year_without_a_recipe_names_the_years(table):
    with pytest.raises(InvalidInputError, match="2029, 2030, 2031"):
        rec.year_value("titr_t", 2030)


def test_a_bad_method_or_a_missing_base_year_names_the_line(table):
    table.write_text(HEADER + "2030,total,guess,tot,,,x,\n", encoding="utf-8")
    rec.load_recipes.cache_clear()
    with pytest.raises(ParameterError, match="line 2: method must be one of"):
        rec.load_recipes()
    table.write_text(HEADER + "2030,total,growth,,,g,x,\n", encoding="utf-8")
    rec.load_recipes.cache_clear()
    with pytest.raises(ParameterError, match="line 2: method 'growth' needs a base_year"):
        rec.load_recipes()


def test_the_bundled_table_has_every_quantity_of_every_demand_year():
    recipes = rec.load_recipes()
    assert rec.recipe_years() == dem.YEARS
    for year in dem.YEARS:
        for quantity in rec.QUANTITIES:
            assert (year, quantity) in recipes
            assert rec.year_value(quantity, year).source_ids
