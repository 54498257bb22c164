"""The one place where scenarios touch the costs layer's parameter set.

``set_tariff`` on a country changes that country's rail tariff (USD per FEU-km). The parameter
set is owned by the costs layer; this adapter works on a mapping with a
``rail_tariff_usd_per_feu_km`` table keyed by ISO2 code and raises ``ValueError`` otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

RAIL_TARIFF_KEY = "rail_tariff_usd_per_feu_km"


def set_country_rail_tariff(
    params: Any, iso2: str, value: float | None, factor: float | None
) -> Any:
    """A copy of ``params`` with the country's rail tariff set to ``value`` or scaled."""
    code = iso2.upper()
    if params is None:
        raise ValueError("no parameter set was given to change")
    if not isinstance(params, Mapping) or RAIL_TARIFF_KEY not in params:
        raise ValueError(f"the parameter set has no {RAIL_TARIFF_KEY} table")
    out = copy.deepcopy(dict(params))
    table = dict(out[RAIL_TARIFF_KEY])
    if value is not None:
        table[code] = float(value)
    else:
        if code not in table:
            raise ValueError(
                f"no rail tariff for {code} to scale; known: {', '.join(sorted(table))}"
            )
        table[code] = float(table[code]) * float(factor or 0.0)
    out[RAIL_TARIFF_KEY] = table
    return out
