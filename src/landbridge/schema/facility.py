"""The facility schema: every column of ``Network.facilities`` with its type, unit and meaning.

Facilities are the places where a train stops for work or a box changes mode: border crossings,
gauge-change yards, capacitated line sections, ports and sea links (ferry, feeder, ocean). The
network build (``network/compile.py``, ``network/sea.py``) fills one row per facility; the
table (``network/facilities.FacilityTable``) checks each column against this schema once, when
it is built or read from the cache, so no reader needs to coerce a cell again.

Column types (how a missing value is held):
- ``text``: ``str``; ``''`` when the row has none.
- ``number``: ``float64``; ``NaN`` when the table gives no figure (the costs layer then takes the
  default of the facility's kind, ``params/facility_defaults.csv``).
- ``flag``: ``bool``; ``False`` when not given.
- ``optional_flag``: yes, no or unknown (``int8`` 1 / 0 / -1; ``pandas`` ``boolean`` with ``NA``
  in ``to_frame``).

Plain Python (no pydantic): the route command reads the schema at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "number", "flag", "optional_flag"]


@dataclass(frozen=True)
class FacilityColumn:
    """One column of the facility table."""

    name: str
    type: ColumnType
    unit: str  # '' for text, ids and flags
    doc: str


FACILITY_SCHEMA: tuple[FacilityColumn, ...] = (
    # --- every facility ---
    FacilityColumn("facility_id", "text", "", "stable slug, unique; the id scenario files use"),
    FacilityColumn("name", "text", "", "display name, e.g. 'Alashankou–Dostyk'"),
    FacilityColumn("kind", "text", "", "crossing | gauge_change | section | port | ferry | "
                   "feeder | ocean"),  # fmt: skip
    FacilityColumn("countries", "text", "", "ISO2 codes joined by '-' (one for a port or a "
                   "section, two for a border)"),  # fmt: skip
    FacilityColumn("lat", "number", "degrees", "latitude (midpoint for lines)"),
    FacilityColumn("lon", "number", "degrees", "longitude (midpoint for lines)"),
    FacilityColumn("dwell_p50_h", "number", "h", "median processing time per train (crossings, "
                   "yards) or per call (ports)"),  # fmt: skip
    FacilityColumn("dwell_p90_h", "number", "h", "90th-percentile processing time"),
    FacilityColumn("cost_usd_per_feu", "number", "USD/FEU", "fixed charge per FEU passing the "
                   "facility; for a sea link the freight rate"),  # fmt: skip
    FacilityColumn("capacity_trains_per_day", "number", "trains/day", "sourced capacity, one "
                   "direction"),  # fmt: skip
    FacilityColumn("capacity_t_per_yr", "number", "t/yr", "sourced capacity in tonnes"),
    FacilityColumn("servers", "number", "count", "tracks, cranes or berths working in "
                   "parallel (queueing)"),  # fmt: skip
    FacilityColumn("headway_h", "number", "h", "interval between sailings of a sea link"),
    FacilityColumn("vessel_capacity_feu", "number", "FEU", "boxes one sailing carries"),
    FacilityColumn("fleet", "number", "vessels", "vessels serving a ferry line"),
    FacilityColumn("speed_kmh", "number", "km/h", "sailing speed of a sea link"),
    FacilityColumn("source_ids", "text", "", "ids of data/sources rows joined by ';'"),
    FacilityColumn("assumption", "text", "", "what was assumed where no source gives a figure"),
    FacilityColumn("closed", "flag", "", "closed to traffic (data/facilities/closed_borders.csv, "
                   "crossings.csv or a scenario); routing uses none of its edges"),  # fmt: skip
    FacilityColumn("gauge_change", "flag", "", "joins two gauge families (its edges are "
                   "TRANSFER)"),  # fmt: skip
    FacilityColumn("customs", "flag", "", "a customs border (not inside a customs union)"),
    # --- ports (sea layer) ---
    FacilityColumn("port_id", "text", "", "port slug of a port row ('port-' + id)"),
    FacilityColumn("locode", "text", "", "UN/LOCODE"),
    FacilityColumn("country", "text", "", "ISO2 code of a port"),
    FacilityColumn("region", "text", "", "sea region a port belongs to (links name regions)"),
    FacilityColumn("rail_served", "optional_flag", "", "a port with a rail connection"),
    FacilityColumn("rail_lat", "number", "degrees", "latitude of the port's rail point"),
    FacilityColumn("rail_lon", "number", "degrees", "longitude of the port's rail point"),
    FacilityColumn("capacity_teu_per_yr", "number", "TEU/yr", "sourced port or line capacity"),
    FacilityColumn("wpi_index", "number", "", "World Port Index number of the port"),
    FacilityColumn("wci_lane", "text", "", "Drewry WCI lane whose rates price the port's ocean "
                   "legs"),  # fmt: skip
    FacilityColumn("year", "number", "year", "year the figures of the row are for"),
    # --- sea links (ferry, feeder, ocean) ---
    FacilityColumn("link_id", "text", "", "sea link slug"),
    FacilityColumn("from_port", "text", "", "port_id the link sails from"),
    FacilityColumn("to_port", "text", "", "port_id the link sails to"),
    FacilityColumn("via", "text", "", "named passage or variant of the link (suez, cape, ...)"),
    FacilityColumn("length_km", "number", "km", "sailing distance"),
    FacilityColumn("sailing_h", "number", "h", "sailing time"),
    FacilityColumn("weather_closure_days_per_month", "number", "days/month", "days a ferry "
                   "line does not sail in a month of params/weather_months.csv"),  # fmt: skip
)

# Columns a scenario adds (``scenarios/``) and the flows layer reads (``flows/capacity.py``).
OPEN_SHARE_COLUMN = "open_share_of_year"
"""Share (0-1) of the year a facility is open, after a scenario closes it for a while."""
SET_BY_SCENARIO = "capacity_set_by_scenario"
"""1.0 on a row whose capacity a scenario set (the flows layer then takes it as given)."""
QUOTA_PREFIX = "quota_trains_per_day_into_"
"""``QUOTA_PREFIX + ISO2``: a limit on trains per day into that country through the facility."""

SCENARIO_COLUMNS: tuple[FacilityColumn, ...] = (
    FacilityColumn(OPEN_SHARE_COLUMN, "number", "share", "share of the year the facility is open"),
    FacilityColumn(SET_BY_SCENARIO, "number", "", "1.0 where a scenario set the capacity"),
)
COLUMNS: dict[str, FacilityColumn] = {c.name: c for c in (*FACILITY_SCHEMA, *SCENARIO_COLUMNS)}


def facility_column(name: str) -> FacilityColumn | None:
    """The schema of column ``name`` (a quota column included); ``None`` if it has none."""
    if name in COLUMNS:
        return COLUMNS[name]
    if name.startswith(QUOTA_PREFIX) and len(name) == len(QUOTA_PREFIX) + 2:
        return FacilityColumn(name, "number", "trains/day",
                              f"limit on trains into {name[len(QUOTA_PREFIX):]}")  # fmt: skip
    return None
