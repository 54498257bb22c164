"""Demand places by name: any place the gazetteer knows, snapped to a demand region.

The corridor's demand lives on the representative places of ``regions.csv``. A user's OD table
may name a region id (``eu-duisburg``) or any place of the gazetteer (``Hamburg``, ``Almaty-1``,
``52.2,21.0``): the place is resolved and snapped to the nearest region of its own country, or
the nearest region anywhere when its country has none. The mapping is returned so every face
can print it: the flows run on the region, not on the place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from landbridge.units import EARTH_RADIUS_KM


@dataclass(frozen=True)
class Snapped:
    query: str
    place: str  # the gazetteer's label of the resolved place
    region: str
    distance_km: float
    own_country: bool

    def describe(self) -> str:
        where = "" if self.own_country else ", the nearest region (none in its country)"
        return (
            f"'{self.query}' = {self.place} -> region {self.region} "
            f"({self.distance_km:,.0f} km{where})"
        )


def snap_place(query: str, regions: pd.DataFrame) -> Snapped:
    """Resolve ``query`` with the gazetteer and snap it to a region (module docstring).

    Raises ``UnknownPlaceError`` (with suggestions) when the gazetteer does not know it.
    """
    from landbridge.places.gazetteer import resolve

    place = resolve(query)
    lat = np.radians(regions.lat.to_numpy(float))
    lon = np.radians(regions.lon.to_numpy(float))
    plat, plon = np.radians(place.lat), np.radians(place.lon)
    hav = np.sin((lat - plat) / 2) ** 2 + np.cos(lat) * np.cos(plat) * np.sin((lon - plon) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    own = regions.country.astype(str).to_numpy() == place.country
    pick = np.where(own, km, np.inf) if own.any() else km
    i = int(np.argmin(pick))
    return Snapped(
        query=query, place=f"{place.name} ({place.country})", region=str(regions.index[i]),
        distance_km=float(km[i]), own_country=bool(own.any()),
    )  # fmt: skip
