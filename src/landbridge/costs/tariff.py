"""Money per leg: line-haul tariffs per FEU-km and fixed charges per FEU (pure functions)."""

from __future__ import annotations

import numpy as np


def line_haul_usd_per_feu(
    length_km: np.ndarray | float, usd_per_feu_km: np.ndarray | float
) -> np.ndarray:
    """Rail or ocean line-haul charge per FEU: distance times the per-km rate."""
    return np.asarray(length_km, dtype=float) * np.asarray(usd_per_feu_km, dtype=float)


def shipment_usd(usd_per_feu: np.ndarray | float, feu: float) -> np.ndarray:
    """Charge for a shipment of ``feu`` FEU (tariffs here are per box, so linear in FEU)."""
    return np.asarray(usd_per_feu, dtype=float) * feu
