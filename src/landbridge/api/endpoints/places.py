"""Place search for autocomplete, and resolution of one query to one place (gazetteer)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from landbridge.api.models import ERROR_RESPONSES
from landbridge.places import gazetteer
from landbridge.schema.place import Place, PlaceMatch

router = APIRouter(tags=["places"])

# Autocomplete shows a handful; 50 is the most a client may ask for in one call.
MAX_PLACE_HITS = 50


@router.get("/places", response_model=list[PlaceMatch], responses=ERROR_RESPONSES)
def search_places(
    q: str = Query(description="Name in any script, UN/LOCODE or 'lat,lon'."),
    limit: int = Query(10, ge=1, le=MAX_PLACE_HITS),
) -> list[PlaceMatch]:
    """Places matching ``q``, best first; an empty list when nothing matches."""
    return gazetteer.search(q, limit=limit)


@router.get("/places/resolve", response_model=Place, responses=ERROR_RESPONSES)
def resolve_place(
    q: str = Query(description="Name in any script, UN/LOCODE or 'lat,lon'."),
) -> Place:
    """The one place ``q`` means, or 404 with near matches (as ``landbridge places`` says)."""
    return gazetteer.resolve(q)
