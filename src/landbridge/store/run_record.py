"""A run's metadata record and its id (``20261128T052100Z-<scenario>-<8 hex>``)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from landbridge import __version__
from landbridge.errors import InvalidInputError

RUN_ID_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9-]{1,80}-[0-9a-f]{8}$")
RUN_STATUSES = ("complete", "failed")


@dataclass(frozen=True)
class RunRecord:
    """Metadata of one run; ``parameters`` and ``timings_s`` are stored as JSON."""

    scenario_name: str
    scenario_hash: str
    scenario_yaml: str
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    status: str = "complete"
    message: str = ""
    run_id: str = ""
    created_utc: dt.datetime | None = None
    package_version: str = __version__


def new_run_id(scenario_name: str, now: dt.datetime | None = None) -> str:
    """``20261128T052100Z-<scenario>-<8 hex>``: sortable by time, safe as a file name."""
    now = now or dt.datetime.now(dt.UTC)
    slug = re.sub(r"[^a-z0-9-]+", "-", scenario_name.casefold()).strip("-")[:80] or "run"
    return f"{now:%Y%m%dT%H%M%SZ}-{slug}-{uuid.uuid4().hex[:8]}"


def check_run_id(run_id: str) -> str:
    if not RUN_ID_PATTERN.match(run_id):
        raise InvalidInputError(
            f"'{run_id[:100]}' is not a run id (they look like 20261128T052100Z-baseline-2023-"
            "1a2b3c4d; see `landbridge runs list`)."
        )
    return run_id
