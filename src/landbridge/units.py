"""Unit constants: the one copy of each, imported wherever a quantity changes unit."""

from __future__ import annotations

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0
HOURS_PER_YEAR = HOURS_PER_DAY * DAYS_PER_YEAR
"""8,760 h: annual capacities become hourly service rates with it (leap days ignored)."""

TEU_PER_FEU = 2.0
"""A 40-ft box (FEU) is two twenty-foot equivalent units by definition."""

EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius, for great-circle distances."""
