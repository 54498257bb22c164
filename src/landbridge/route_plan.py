"""``landbridge.plan``: route options between two places in one call, as a typed result
(``RoutePlan``, the route JSON contract with ``to_frame()``); the README shows it in use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

from landbridge.errors import InvalidInputError, validation_text
from landbridge.schema.route import Corridor, RouteRequest, RouteResponse

if TYPE_CHECKING:
    import pandas as pd

KG_PER_T = 1000.0


class RoutePlan(RouteResponse):
    """The answer of ``plan``: ``RouteResponse`` (origin, destination, shipment, options ranked
    Pareto first, assumptions, sources) plus ``to_frame()``."""

    def to_frame(self) -> pd.DataFrame:
        """One row per option: days, cost and CO2e for the whole shipment and per FEU."""
        import pandas as pd

        feu = self.shipment.feu
        rows = [
            {
                "option": o.label,
                "corridor": o.corridor,
                "pareto": o.pareto,
                "transit_p50_d": o.transit_days.p50,
                "transit_p90_d": o.transit_days.p90,
                "cost_usd": o.cost_usd,
                "cost_usd_per_feu": o.cost_usd / feu,
                "co2e_t": o.co2e_kg / KG_PER_T,
                "co2e_kg_per_feu": o.co2e_kg / feu,
                "distance_km": o.distance_km.total,
                "countries": "-".join(o.countries),
                "via": " → ".join(o.via),
            }
            for o in self.options
        ]
        return pd.DataFrame(rows)


def plan(
    origin: str,
    destination: str,
    *,
    feu: float | None = None,
    teu: float | None = None,
    tonnes_per_teu: float | None = None,
    depart: dt.date | str | None = None,
    avoid: Sequence[str] = (),
    via: str | None = None,
    corridor: Corridor | None = None,
) -> RoutePlan:
    """Every corridor option from ``origin`` to ``destination`` (as ``landbridge route``).

    Raises ``InvalidInputError`` for a bad argument, ``UnknownPlaceError`` for an unknown place
    and ``UnreachableError`` when no option exists.
    """
    from landbridge.routing.plan import plan_routes

    fields = {"origin": origin, "destination": destination, "feu": feu, "teu": teu,
              "tonnes_per_teu": tonnes_per_teu, "depart": depart, "avoid": list(avoid),
              "via": via, "corridor": corridor}  # fmt: skip
    try:
        request = RouteRequest(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = str(err["loc"][0]) if err["loc"] else "request"
        raise InvalidInputError(f"{where}: {validation_text(err)}") from None
    return RoutePlan.model_validate(plan_routes(request), from_attributes=True)
