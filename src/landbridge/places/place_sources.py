"""Build the compact places table (``data/places/places.csv``) from the bundled raw sources.

Inputs: OSM stations of Central Asia (GeoPackage, read with sqlite3), Natural Earth populated
places, searoute ports and the curated ``data/places/terminals.csv``. Run
``python -m landbridge.places.place_sources`` after changing any of them; a test checks that
the committed table equals a fresh build.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from landbridge.errors import NetworkDataError
from landbridge.paths import DATA_DIR, RAW_DIR
from landbridge.places.names import has_cyrillic, normalize, transliterate

PLACES_DIR = DATA_DIR / "places"
PLACES_TABLE = PLACES_DIR / "places.csv"
COUNTRIES_TABLE = PLACES_DIR / "countries.csv"
TERMINALS_TABLE = PLACES_DIR / "terminals.csv"
ALIASES_TABLE = PLACES_DIR / "aliases.csv"
OSM_STATIONS = RAW_DIR / "osm-central-asia-stations" / "stations_central_asia_osm.gpkg"
NE_PLACES = RAW_DIR / "natural-earth" / "ne_50m_populated_places_simple.json"
SEAROUTE_PORTS = RAW_DIR / "searoute" / "ports.geojson"

PLACE_COLUMNS = (
    "place_id", "name", "kind", "country", "lat", "lon", "locode",
    "population", "curated", "aliases", "source", "keys",
)  # fmt: skip
ALIAS_SEPARATOR = "|"
COORD_DECIMALS = 6

OSM_COUNTRY_ISO2 = {
    "kazakhstan": "KZ", "turkmenistan": "TM", "kyrgyzstan": "KG", "tajikistan": "TJ",
    "afghanistan": "AF",
}  # fmt: skip
# GeoPackage binary header: envelope size in bytes by the envelope-indicator bits of the flags.
_GPKG_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_WKB_POINT = 1
# searoute lists Turkmenbashy twice; 'TKMRW' has Tokelau's prefix but the port is in Turkmenistan.
LOCODE_COUNTRY_FIXES = {"TKMRW": "TM"}
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


@dataclass
class PlaceRow:
    """One row of the places table (plain data; the gazetteer turns hits into ``Place`` models)."""

    place_id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    locode: str = ""
    population: int | None = None
    curated: bool = False
    aliases: list[str] = field(default_factory=list)
    source: str = ""

    def as_csv(self) -> list[str]:
        return [
            self.place_id, self.name, self.kind, self.country,
            f"{self.lat:.{COORD_DECIMALS}f}", f"{self.lon:.{COORD_DECIMALS}f}", self.locode,
            "" if self.population is None else str(self.population), "1" if self.curated else "0",
            ALIAS_SEPARATOR.join(self.aliases), self.source,
            ALIAS_SEPARATOR.join(normalize(t) for t in (self.name, *self.aliases)),
        ]  # fmt: skip


def gpkg_point(blob: bytes) -> tuple[float, float]:
    """(lon, lat) of a GeoPackage point geometry blob (header + WKB), without GDAL."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise NetworkDataError("not a GeoPackage geometry blob (missing 'GP' magic)")
    flags = blob[3]
    envelope = _GPKG_ENVELOPE_BYTES.get((flags >> 1) & 0x07)
    if envelope is None:
        raise NetworkDataError(f"GeoPackage geometry with invalid envelope flags {flags:#04x}")
    wkb = blob[8 + envelope :]
    order = "<" if wkb[0] == 1 else ">"
    (geom_type,) = struct.unpack(order + "I", wkb[1:5])
    if geom_type % 1000 != _WKB_POINT:
        raise NetworkDataError(f"expected a WKB Point, got geometry type {geom_type}")
    lon, lat = struct.unpack(order + "dd", wkb[5:21])
    return lon, lat


def _slug(text: str) -> str:
    return normalize(text).replace(" ", "-") or "place"


def _unique(ids: set[str], base: str) -> str:
    candidate, n = base, 1
    while candidate in ids:
        n += 1
        candidate = f"{base}-{n}"
    ids.add(candidate)
    return candidate


def _aliases(name: str, extra: Iterable[str]) -> list[str]:
    out: list[str] = []
    for alias in [*extra, transliterate(name) if has_cyrillic(name) else ""]:
        alias = alias.strip()
        if alias and alias != name and alias not in out:
            out.append(alias)
    return out


def read_osm_stations(path: Path = OSM_STATIONS) -> list[PlaceRow]:
    """Named OSM stations and halts; Cyrillic names get a Latin transliteration alias."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        (table,) = con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
        ).fetchone()
        rows = con.execute(
            f'SELECT osm_id, name, country, geom FROM "{table}" '
            "WHERE name IS NOT NULL AND trim(name) != '' ORDER BY CAST(osm_id AS INTEGER)"
        ).fetchall()
    ids: set[str] = set()
    out = []
    for osm_id, name, country, geom in rows:
        lon, lat = gpkg_point(geom)
        out.append(
            PlaceRow(
                place_id=_unique(ids, f"osm:{osm_id}"), name=name.strip(), kind="station",
                country=OSM_COUNTRY_ISO2.get(str(country).lower(), ""), lat=lat, lon=lon,
                aliases=_aliases(name.strip(), []), source="osm-central-asia-stations",
            )
        )  # fmt: skip
    return out


def read_ne_places(path: Path = NE_PLACES) -> list[PlaceRow]:
    """Natural Earth populated places (cities) with population ``pop_max``."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    ids: set[str] = set()
    out = []
    for feature in features:
        p = feature["properties"]
        iso2 = p.get("iso_a2") or ""
        iso2 = iso2 if re.fullmatch(r"[A-Z]{2}", iso2) else ""
        alt = [
            a for part in (p.get("namealt") or "").split("|") for a in (part, part.split(",")[0])
        ]
        pop = p.get("pop_max")
        out.append(
            PlaceRow(
                place_id=_unique(ids, f"ne:{_slug(p['nameascii'] or p['name'])}-{iso2.lower()}"),
                name=p["name"], kind="city", country=iso2,
                lat=float(p["latitude"]), lon=float(p["longitude"]),
                population=int(pop) if pop and pop > 0 else None,
                aliases=_aliases(p["name"], [p.get("nameascii") or "", *alt]),
                source="natural-earth-populated-places",
            )
        )  # fmt: skip
    return out


def read_searoute_ports(path: Path = SEAROUTE_PORTS) -> list[PlaceRow]:
    """searoute ports with their UN/LOCODE (worldwide)."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    ids: set[str] = set()
    out = []
    for feature in features:
        p = feature["properties"]
        locode = str(p.get("port") or "").upper()
        if not _LOCODE.match(locode) or not p.get("name"):
            continue
        lon, lat = feature["geometry"]["coordinates"][:2]
        iso2 = LOCODE_COUNTRY_FIXES.get(locode, locode[:2])
        out.append(
            PlaceRow(
                place_id=_unique(ids, f"port:{locode}"), name=p["name"].strip(), kind="port",
                country=iso2, lat=float(lat), lon=float(lon), locode=locode,
                aliases=_aliases(p["name"].strip(), []), source="searoute-ports",
            )
        )  # fmt: skip
    return out


def _lookup_ref(
    ref: str, osm: list[PlaceRow], ne: list[PlaceRow], ports: list[PlaceRow]
) -> PlaceRow:
    prefix, _, key = ref.partition(":")
    if prefix == "osm":
        hits = [r for r in osm if r.place_id == f"osm:{key}"]
    elif prefix == "searoute":
        hits = [r for r in ports if r.locode == key]
    elif prefix == "ne":
        name, _, iso2 = key.partition("@")
        hits = [r for r in ne if r.country == iso2 and normalize(name) in {
            normalize(r.name), *(normalize(a) for a in r.aliases)}]  # fmt: skip
    else:
        hits = []
    if not hits:
        raise NetworkDataError(f"terminals.csv: reference '{ref}' matches no raw record")
    return hits[0]


def read_terminals(
    osm: list[PlaceRow], ne: list[PlaceRow], ports: list[PlaceRow], path: Path = TERMINALS_TABLE
) -> list[PlaceRow]:
    """Curated terminals; a row with a ``ref`` takes its coordinates from that raw record."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["ref"]:
                record = _lookup_ref(row["ref"], osm, ne, ports)
                lat, lon = record.lat, record.lon
            elif row["lat"] and row["lon"]:
                lat, lon = float(row["lat"]), float(row["lon"])
            else:
                raise NetworkDataError(
                    f"terminals.csv: {row['place_id']} has neither ref nor lat/lon"
                )
            out.append(
                PlaceRow(
                    place_id=f"terminal:{row['place_id']}", name=row["name"], kind=row["kind"],
                    country=row["country"], lat=lat, lon=lon, locode=row["locode"], curated=True,
                    aliases=_aliases(row["name"], row["aliases"].split(ALIAS_SEPARATOR)),
                    source=row["source_id"],
                )
            )  # fmt: skip
    return out


# Country names users type that Natural Earth v4 (2017) does not carry.
COUNTRY_NAME_ALIASES = {"Türkiye": "TR", "Turkiye": "TR", "UK": "GB", "USA": "US", "PRC": "CN"}


def read_country_names(path: Path = NE_PLACES) -> list[tuple[str, str, str]]:
    """(ISO2, country name, source id): Natural Earth ``adm0name`` by its places' majority
    ``iso_a2``, plus the few names Natural Earth lacks."""
    votes: dict[str, Counter[str]] = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        p = feature["properties"]
        iso2 = p.get("iso_a2") or ""
        if p.get("adm0name") and re.fullmatch(r"[A-Z]{2}", iso2):
            votes.setdefault(p["adm0name"], Counter())[iso2] += 1
    ne = "natural-earth-populated-places"
    rows = {(c.most_common(1)[0][0], name, ne) for name, c in votes.items()}
    rows |= {
        (iso2, name, "landbridge-place-aliases") for name, iso2 in COUNTRY_NAME_ALIASES.items()
    }
    return sorted(rows)


def add_aliases(
    osm: list[PlaceRow], ne: list[PlaceRow], ports: list[PlaceRow], path: Path = ALIASES_TABLE
) -> None:
    """Extra spellings for raw records (``aliases.csv``: ref, aliases, source_id), in place."""
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            record = _lookup_ref(row["ref"], osm, ne, ports)
            record.aliases = _aliases(
                record.name, [*record.aliases, *row["aliases"].split(ALIAS_SEPARATOR)]
            )
            sources = record.source.split(";")
            record.source = ";".join(
                [*sources, *(s for s in [row["source_id"]] if s not in sources)]
            )


def build_places_table() -> list[PlaceRow]:
    """All places: curated terminals first, then cities, stations and ports."""
    osm, ne, ports = read_osm_stations(), read_ne_places(), read_searoute_ports()
    add_aliases(osm, ne, ports)
    return [*read_terminals(osm, ne, ports), *ne, *osm, *ports]


def render_places_csv(rows: list[PlaceRow]) -> str:
    """The places table as CSV text (deterministic, LF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(PLACE_COLUMNS)
    writer.writerows(row.as_csv() for row in rows)
    return buf.getvalue()


def render_countries_csv(rows: list[tuple[str, str, str]]) -> str:
    """The country names table (``iso2,name,source``) as CSV text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("iso2", "name", "source"))
    writer.writerows(rows)
    return buf.getvalue()


def write_places_table(path: Path = PLACES_TABLE, countries: Path = COUNTRIES_TABLE) -> int:
    """Rebuild ``places.csv`` and ``countries.csv``; returns the number of places written."""
    rows = build_places_table()
    path.write_text(render_places_csv(rows), encoding="utf-8")
    countries.write_text(render_countries_csv(read_country_names()), encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    print(f"wrote {write_places_table()} places to {PLACES_TABLE}")
