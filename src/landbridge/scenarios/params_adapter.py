"""The one place where scenarios touch the costs layer's parameter set (``costs.params.Params``).

``set_tariff`` on a country changes that country's rail tariff (USD per FEU-km) through
``Params.with_overrides``, so the change shows in the route's assumptions like a ``--params``
file would.
"""

from __future__ import annotations

from landbridge.costs.params import Params
from landbridge.errors import ParameterError
from landbridge.schema.params import ParamsOverride


def set_country_rail_tariff(
    params: Params | None, iso2: str, value: float | None, factor: float | None,
    origin: str = "scenario",
) -> Params:
    """A copy of ``params`` with the country's rail tariff set to ``value`` or scaled by ``factor``.

    Raises ``ValueError`` with a user-facing reason when the parameter set cannot take it.
    """
    code = iso2.upper()
    if params is None:
        raise ValueError("no parameter set was given to change")
    try:
        if value is None:
            value = params.value("rail_tariff", code) * float(factor or 0.0)
        override = ParamsOverride.model_validate(
            {"rail_tariff": {code: {"usd_per_feu_km": float(value)}}}
        )
        return params.with_overrides(override, origin)
    except ParameterError as exc:
        raise ValueError(str(exc)) from None
