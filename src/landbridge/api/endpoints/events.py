"""The events table on a date: closures, quotas, tariff changes, wars and openings with sources."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from landbridge.api.models import ERROR_RESPONSES
from landbridge.costs.dated import today
from landbridge.events import events_on
from landbridge.schema.event import EventOut

router = APIRouter(tags=["events"])


@router.get("/events", response_model=list[EventOut], responses=ERROR_RESPONSES)
def list_events(
    date: Annotated[dt.date | None, Query(description="YYYY-MM-DD (default: today).")] = None,
    where: Annotated[
        str | None, Query(description="A country (code or name) or facility id.")
    ] = None,
) -> list[EventOut]:
    """Events in force or announced on ``date`` (as ``landbridge events --json`` lists them)."""
    return events_on(date or today(), where)
