"""What a place query may be: its length, its cleaning, coordinate pairs, unknown-place errors."""

from __future__ import annotations

import re

from landbridge.errors import InvalidInputError, UnknownPlaceError
from landbridge.places.names import normalize
from landbridge.schema.place import Place, PlaceMatch

MAX_QUERY_CHARS = 200  # longer than any place name or coordinate pair; bounds the search work
SUGGESTIONS = 5
_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"
_COORDINATE = re.compile(
    rf"^\s*(?P<a>{_NUMBER})\s*°?\s*(?P<ah>[NSEWnsew])?\s*(?:[,;/]|\s)\s*"
    rf"(?P<b>{_NUMBER})\s*°?\s*(?P<bh>[NSEWnsew])?\s*$"
)


def check_query(query: str) -> str:
    """``query`` cleaned, or ``InvalidInputError`` when it is not text, too long or empty."""
    if not isinstance(query, str):
        raise InvalidInputError(f"a place query must be text, got {type(query).__name__}")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInputError(
            f"place query too long ({len(query)} characters, at most {MAX_QUERY_CHARS}): "
            "give a place name, a UN/LOCODE or 'lat,lon'"
        )
    text = clean_query(query)
    if not text:
        raise InvalidInputError(
            "empty place query: give a place name (e.g. 'Dostyk'), a UN/LOCODE (e.g. 'DEDUI') "
            "or 'lat,lon' (e.g. '51.43,6.76')"
        )
    return text


def clean_query(query: str) -> str:
    """``query`` with control characters as spaces and runs of whitespace collapsed."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in query).split())


def parse_coordinate(text: str) -> tuple[float, float] | None:
    """(lat, lon) in degrees if ``text`` is a coordinate pair, else None.

    Accepts "51.43,6.76", "51.43 6.76", "51.43; 6.76", "51.43N 6.76E" and "6.76E 51.43N".
    Raises ``InvalidInputError`` when the pair is out of range.
    """
    m = _COORDINATE.match(text)
    if m is None:
        return None
    a, b = (float(m[g].replace(",", ".")) for g in ("a", "b"))
    ah, bh = (m[g].upper() if m[g] else "" for g in ("ah", "bh"))
    if ah in ("E", "W") or bh in ("N", "S"):
        a, b, ah, bh = b, a, bh, ah
    if ah == "S":
        a = -abs(a)
    if bh == "W":
        b = -abs(b)
    if not -90.0 <= a <= 90.0:
        raise InvalidInputError(
            f"latitude {a:g} out of range in '{clean_query(text)}': latitude must be within "
            "-90..90 "
            "and comes first ('lat,lon', e.g. '51.43,6.76')"
        )
    if not -180.0 <= b <= 180.0:
        raise InvalidInputError(
            f"longitude {b:g} out of range in '{clean_query(text)}': longitude must be within "
            "-180..180 ('lat,lon', e.g. '51.43,6.76')"
        )
    return a, b


def _label(place: Place) -> str:
    return f"{place.name} ({place.country})" if place.country else place.name


def suggestion_labels(matches: list[PlaceMatch], limit: int = SUGGESTIONS) -> list[str]:
    """Distinct display labels ("Dostyk (KZ)") of the first matches, for error messages."""
    labels: list[str] = []
    for m in matches:
        label = _label(m.place)
        if label not in labels:
            labels.append(label)
    return labels[:limit]


def unknown_place(query: str, matches: list[PlaceMatch]) -> UnknownPlaceError:
    """The error for a query no place answers well enough, with the nearest matches."""
    reason = "" if normalize(query) else "it has no letters or digits"
    return UnknownPlaceError(clean_query(query), suggestion_labels(matches), reason=reason)
