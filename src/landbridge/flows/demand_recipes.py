"""How each demand year's totals come from the published figures: ``data/demand/year_recipes.csv``.

One row per year and quantity names a method and the figures it reads (``aggregates.csv`` ids);
``year_value`` is the one function that evaluates them. Methods:

- ``published``: the figure of the year; ``held``: the figure of ``base_year`` (an assumption,
  said in the row's note).
- ``growth``: the ``base_year`` value grown by a growth figure (percent on the year before, the
  row of the later year): divided by 1 + g going back a year, multiplied going forward.
- ``ratio``: the ``base_year`` value times the factor figure of the year over that of the base.
- ``remainder``: imports = total - exports - transit of the year.
- ``share``: exports or imports = (total - transit) x the ``base_year`` share of each in the
  bilateral trade.
- ``westbound_share``: a both-directions figure x the westbound share of the year's
  ``eastbound_per_100_westbound`` (whose source the segments built on it cite).

Sources: a published or held value cites its figure, a grown one its base and growth figures.
The four China–Kazakhstan totals are derived together (exports and imports split what total and
transit leave), so a derived one cites every figure the year's four are read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from landbridge.csv_rows import read_text_rows
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.flows.demand_figures import DEMAND_DIR, figure

RECIPES_CSV = DEMAND_DIR / "year_recipes.csv"
RECIPE_COLUMNS = ("year", "quantity", "method", "figure_id", "base_year", "factor_id", "derivation")
METHODS = ("published", "held", "growth", "ratio", "remainder", "share", "westbound_share")
CN_KZ = ("total", "exports", "transit", "imports")
QUANTITIES = (*CN_KZ, "eu_westbound_teu", "eastbound_per_100_westbound", "titr_t",
              "titr_kz_share_pct")  # fmt: skip


@dataclass(frozen=True)
class Recipe:
    year: int
    quantity: str
    method: str
    figure_id: str  # '' when the method reads no figure of its own
    base_year: int | None
    factor_id: str
    derivation: str  # str.format template: {year}, {base_year}, {factor}


@dataclass(frozen=True)
class Derived:
    """A year's value of a quantity, how it was derived and the source ids it cites."""

    value: float
    derivation: str
    source_ids: str


@dataclass(frozen=True)
class _Value:
    value: float
    derivation: str
    read: tuple[tuple[str, int], ...]  # the aggregates.csv figures read, in order


@lru_cache(maxsize=1)
def load_recipes() -> dict[tuple[int, str], Recipe]:
    """The recipe table by (year, quantity); a bad method or a missing base year raises."""
    if not RECIPES_CSV.is_file():
        raise ParameterError(f"demand table {RECIPES_CSV} is missing; reinstall landbridge")
    out: dict[tuple[int, str], Recipe] = {}
    for line, row in enumerate(read_text_rows(RECIPES_CSV, RECIPE_COLUMNS, ParameterError), 2):
        where = f"{RECIPES_CSV.name} line {line}"
        if row["method"] not in METHODS or row["quantity"] not in QUANTITIES:
            raise ParameterError(
                f"{where}: method must be one of {METHODS} and quantity one of {QUANTITIES}"
            )
        base = int(row["base_year"]) if row["base_year"] else None
        if base is None and row["method"] in ("held", "growth", "ratio", "share"):
            raise ParameterError(f"{where}: method '{row['method']}' needs a base_year")
        key = (int(row["year"]), row["quantity"])
        if key in out:
            raise ParameterError(f"{where}: a second row for {key[1]} in {key[0]}")
        out[key] = Recipe(key[0], key[1], row["method"], row["figure_id"], base,
                          row["factor_id"], row["derivation"])  # fmt: skip
    return out


def recipe_years() -> tuple[int, ...]:
    """The years the table has recipes for."""
    return tuple(sorted({year for year, _ in load_recipes()}))


def year_value(quantity: str, year: int) -> Derived:
    """The value of ``quantity`` in ``year`` by its recipe, with derivation and sources."""
    v = _evaluate(quantity, year)
    method = _recipe(quantity, year).method
    if quantity in CN_KZ and method not in ("published", "held"):
        read = tuple(r for q in CN_KZ for r in _evaluate(q, year).read)
    else:
        read = v.read
    sources = (figure(fid, y)[1] for fid, y in read)
    cited = ";".join(dict.fromkeys(s for text in sources for s in text.split(";") if s))
    return Derived(v.value, v.derivation, cited)


def _recipe(quantity: str, year: int) -> Recipe:
    recipes = load_recipes()
    if (year, quantity) not in recipes:
        years = ", ".join(map(str, recipe_years()))
        raise InvalidInputError(f"no demand recipe for {quantity} in {year}; years: {years}")
    return recipes[(year, quantity)]


@cache
def _evaluate(quantity: str, year: int) -> _Value:
    r = _recipe(quantity, year)
    base = r.base_year
    text = r.derivation
    if r.method in ("published", "held"):
        at = year if r.method == "published" else base
        assert at is not None
        return _Value(figure(r.figure_id, at)[0], text.format(year=year, base_year=at),
                      ((r.figure_id, at),))  # fmt: skip
    if r.method == "westbound_share":
        east = _evaluate("eastbound_per_100_westbound", year).value
        both = figure(r.figure_id, year)[0]
        return _Value(both * (100 / (100 + east)), text, ((r.figure_id, year),))
    if r.method == "remainder":
        total, exports, transit = (_evaluate(q, year) for q in ("total", "exports", "transit"))
        return _Value(total.value - exports.value - transit.value, text.format(year=year),
                      total.read + exports.read + transit.read)  # fmt: skip
    assert base is not None
    if r.method == "share":
        total, transit = _evaluate("total", year), _evaluate("transit", year)
        exports, imports = _evaluate("exports", base), _evaluate("imports", base)
        share = exports.value / (exports.value + imports.value)
        part = share if quantity == "exports" else 1 - share
        read = total.read + transit.read + exports.read + imports.read
        return _Value((total.value - transit.value) * part, text.format(base_year=base), read)
    before = _evaluate(quantity, base)
    if r.method == "ratio":
        now, then = figure(r.factor_id, year)[0], figure(r.factor_id, base)[0]
        read = (*before.read, (r.factor_id, year), (r.factor_id, base))
        return _Value(before.value * now / then, text.format(base_year=base, factor=now / then),
                      read)  # fmt: skip
    if abs(year - base) != 1:
        raise ParameterError(f"{RECIPES_CSV.name}: growth of {quantity} in {year} needs an "
                             "adjacent base_year")  # fmt: skip
    at = max(year, base)  # a growth figure is the later year's, on the year before
    growth = figure(r.factor_id, at)[0]
    value = before.value / (1 + growth / 100) if base > year else before.value * (1 + growth / 100)
    return _Value(value, text.format(base_year=base, factor=growth),
                  (*before.read, (r.factor_id, at)))  # fmt: skip
