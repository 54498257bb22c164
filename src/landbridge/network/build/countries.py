"""Country of every point, from the Natural Earth 1:50m polygons clipped to the study countries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import shape

from landbridge.errors import NetworkDataError
from landbridge.network.build.inputs import COUNTRIES_FILE

# Railways along coasts and rivers fall just outside the 1:50m polygons (their lines are
# generalised by several km); such points take the nearest country within this distance.
NEAREST_COUNTRY_MAX_DEG = 0.15
NO_COUNTRY = -1


@dataclass(frozen=True)
class CountryPolygons:
    iso2: tuple[str, ...]
    geoms: np.ndarray  # shapely geometries, one (Multi)Polygon per country
    boundary_index: cKDTree  # polygon vertices in degrees, for points just outside every polygon
    boundary_country: np.ndarray  # int16, country of each boundary vertex

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index into ``iso2`` of the country holding each point; ``NO_COUNTRY`` outside all."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        out = np.full(len(lon), NO_COUNTRY, dtype=np.int16)
        for i, geom in enumerate(self.geoms):
            x0, y0, x1, y1 = shapely.bounds(geom)
            cand = np.flatnonzero(
                (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (out == NO_COUNTRY)
            )
            if len(cand):
                out[cand[shapely.contains_xy(geom, lon[cand], lat[cand])]] = i
        x0, y0, x1, y1 = shapely.total_bounds(self.geoms)
        pad = NEAREST_COUNTRY_MAX_DEG
        missing = np.flatnonzero(
            (out == NO_COUNTRY)
            & (lon >= x0 - pad)
            & (lon <= x1 + pad)
            & (lat >= y0 - pad)
            & (lat <= y1 + pad)
        )
        if len(missing):
            dist, idx = self.boundary_index.query(
                np.column_stack([lon[missing], lat[missing]]), distance_upper_bound=pad
            )
            near = np.isfinite(dist)
            out[missing[near]] = self.boundary_country[np.asarray(idx)[near]]
        return out

    def boundary_crossing(
        self, country: int, lon0: float, lat0: float, lon1: float, lat1: float
    ) -> tuple[float, float]:
        """Where the segment p0→p1 leaves ``country`` (first boundary hit; midpoint if none)."""
        seg = shapely.linestrings([[lon0, lat0], [lon1, lat1]])
        hit = shapely.intersection(seg, shapely.boundary(self.geoms[country]))
        pts = shapely.get_coordinates(hit)
        if len(pts) == 0:
            return (lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0
        d = (pts[:, 0] - lon0) ** 2 + (pts[:, 1] - lat0) ** 2
        best = pts[int(np.argmin(d))]
        return float(best[0]), float(best[1])


def load_countries(
    path: Path = COUNTRIES_FILE, only: tuple[str, ...] | None = None
) -> CountryPolygons:
    """The study-area country polygons (``only`` restricts to these ISO2 codes, in that order)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except FileNotFoundError:
        raise NetworkDataError(
            f"country polygons missing: {path}; restore the file from the repository"
        ) from None
    except (ValueError, KeyError) as exc:
        raise NetworkDataError(f"country polygons unreadable ({exc}): {path}") from None
    by_iso = {f["properties"]["iso2"]: shape(f["geometry"]) for f in features}
    codes = tuple(only) if only is not None else tuple(sorted(by_iso))
    missing = [c for c in codes if c not in by_iso]
    if missing:
        raise NetworkDataError(f"no Natural Earth polygon for {missing} in {path.name}")
    geoms = np.array([by_iso[c] for c in codes], dtype=object)
    shapely.prepare(geoms)
    rings = shapely.get_coordinates(shapely.boundary(geoms), return_index=True)
    vertices, owner = rings
    return CountryPolygons(
        iso2=codes,
        geoms=geoms,
        boundary_index=cKDTree(vertices),
        boundary_country=owner.astype(np.int16),
    )
