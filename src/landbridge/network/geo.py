"""Spherical geometry on lon/lat arrays: great-circle lengths and nearest-point search."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from landbridge.units import EARTH_RADIUS_KM


def haversine_km(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> np.ndarray:
    """Great-circle distance in km between lon/lat points in degrees (broadcasting)."""
    x1, y1, x2, y2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((y2 - y1) / 2.0) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """3-D unit vectors [n, 3] for lon/lat degrees (chord ~ great-circle at short range)."""
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def km_to_chord(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km (2 beyond half a
    circumference: no two points are farther apart)."""
    return 2.0 * float(np.sin(min(km / (2.0 * EARTH_RADIUS_KM), np.pi / 2)))


def chord_to_km(chord: npt.ArrayLike) -> np.ndarray:
    """Great-circle km for unit-sphere chord lengths (``inf`` stays ``inf``)."""
    c = np.asarray(chord, dtype=np.float64)
    km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(c / 2.0, 0.0, 1.0))
    return np.where(np.isfinite(c), km, np.inf)


class PointIndex:
    """Nearest-neighbour search over lon/lat points (k-d tree on unit vectors)."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray) -> None:
        from scipy.spatial import cKDTree  # slow to import; the route command only needs haversine

        self.tree = cKDTree(unit_vectors(np.asarray(lon, float), np.asarray(lat, float)))

    def nearest(
        self, lon: np.ndarray, lat: np.ndarray, k: int = 1, max_km: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distances (km) and indices of the ``k`` nearest points to each query point. With
        ``max_km`` the search stops there (much faster for far queries): distance ``inf`` and
        index ``n`` where nothing is that close."""
        bound = np.inf if max_km is None else km_to_chord(max_km)
        chord, idx = self.tree.query(
            unit_vectors(np.atleast_1d(lon), np.atleast_1d(lat)), k=k, distance_upper_bound=bound
        )
        return chord_to_km(chord), np.asarray(idx)
