"""CO2e well-to-wheel per leg, ISO 14083 / GLEC style: tonne-km times a factor per mode.

Rail: ``electric_share * kWh_per_tkm * grid_intensity + (1 - electric_share) * diesel_WTW``,
per country. Ships: one WTW factor per vessel type (Ro-Pax ferry, feeder, ocean mainline).
Cargo tonnes come from the shipment (``tonnes_per_teu``, IMO default 10 t per loaded TEU).
Hub (terminal, yard) emissions are not counted.
"""

from __future__ import annotations

import numpy as np

G_PER_KG = 1000.0


def rail_kg_per_tkm(
    electric_share: np.ndarray | float,
    grid_g_co2e_per_kwh: np.ndarray | float,
    electric_kwh_per_tkm: float,
    diesel_kg_per_tkm: float,
) -> np.ndarray:
    """WTW rail factor in kg CO2e per tonne-km for a traction mix (array over countries)."""
    share = np.asarray(electric_share, dtype=float)
    electric = electric_kwh_per_tkm * np.asarray(grid_g_co2e_per_kwh, dtype=float) / G_PER_KG
    return share * electric + (1.0 - share) * diesel_kg_per_tkm


def co2e_kg(
    tonnes: float, length_km: np.ndarray | float, kg_per_tkm: np.ndarray | float
) -> np.ndarray:
    """Emissions in kg CO2e of carrying ``tonnes`` over ``length_km``."""
    return tonnes * np.asarray(length_km, dtype=float) * np.asarray(kg_per_tkm, dtype=float)


def shipment_tonnes(teu: float, tonnes_per_teu: float) -> float:
    """Cargo mass of a shipment in tonnes."""
    return teu * tonnes_per_teu
