"""Places people name (terminals, stations, cities, ports, crossings, coordinates), search hits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PlaceKind = Literal["terminal", "station", "city", "port", "crossing", "coordinate"]


class Place(BaseModel):
    """A named point users can route from or to. Coordinates in degrees (WGS84)."""

    model_config = ConfigDict(frozen=True)

    place_id: str = Field(description="stable id, e.g. 'terminal:dostyk', 'osm:4025083258'")
    name: str = Field(min_length=1)
    kind: PlaceKind
    country: str = Field(default="", pattern=r"^([A-Z]{2})?$", description="ISO2; '' if unknown")
    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)
    aliases: tuple[str, ...] = ()
    locode: str = Field(default="", pattern=r"^([A-Z]{2}[A-Z2-9]{3})?$", description="UN/LOCODE")
    population: int | None = Field(default=None, ge=0)
    curated: bool = Field(default=False, description="from the curated terminals table")
    source: str = Field(default="", description="source id(s) in data/sources/*.csv, ';'-separated")


class PlaceMatch(BaseModel):
    """One search hit: the place, how well it matched (0..1) and the spelling that matched."""

    model_config = ConfigDict(frozen=True)

    place: Place
    score: float = Field(ge=0.0, le=1.0)
    matched: str
