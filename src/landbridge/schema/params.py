"""The ``--params`` override file (YAML): which parameter of which table to replace.

Every table of ``data/params/`` can be patched by row key (ISO2 country, facility kind, factor
key) and column; facility parameters are patched by ``facility_id``. Example::

    rail_speed:
      KZ: {speed_p50_kmh: 45, speed_p90_kmh: 38}
    rail_tariff:
      KZ: {usd_per_feu_km: 0.45}
    facilities:
      alashankou-dostyk: {dwell_p50_h: 8, cost_usd_per_feu: 250}
    scalars:
      tonnes_per_teu: 12
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from landbridge.schema.route import MAX_TONNES_PER_TEU

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
Positive = Field(default=None, gt=0)
NonNegative = Field(default=None, ge=0)


class RailSpeedPatch(BaseModel):
    model_config = _STRICT
    speed_p50_kmh: float | None = Positive
    speed_p90_kmh: float | None = Positive


class RailTariffPatch(BaseModel):
    model_config = _STRICT
    usd_per_feu_km: float | None = NonNegative


class FacilityPatch(BaseModel):
    """Facility parameters (per kind in ``facility_defaults``, or per ``facility_id``)."""

    model_config = _STRICT
    dwell_p50_h: float | None = NonNegative
    dwell_p90_h: float | None = NonNegative
    cost_usd_per_feu: float | None = NonNegative
    headway_h: float | None = NonNegative
    speed_kmh: float | None = Positive


class ElectricSharePatch(BaseModel):
    model_config = _STRICT
    electric_share: float | None = Field(default=None, ge=0, le=1)


class GridIntensityPatch(BaseModel):
    model_config = _STRICT
    g_co2e_per_kwh: float | None = NonNegative


class EmissionFactorsPatch(BaseModel):
    model_config = _STRICT
    rail_diesel: float | None = NonNegative
    rail_electric: float | None = NonNegative
    ferry: float | None = NonNegative
    feeder: float | None = NonNegative
    ocean: float | None = NonNegative


class ScalarsPatch(BaseModel):
    model_config = _STRICT
    tonnes_per_teu: float | None = Field(default=None, gt=0, le=MAX_TONNES_PER_TEU)
    ocean_freight_usd_per_feu_km: float | None = NonNegative
    value_of_time_usd_per_feu_h: float | None = NonNegative
    ferry_closure_mean_h: float | None = NonNegative


class ParamsOverride(BaseModel):
    """A whole ``--params`` file. Unknown tables or columns are errors that name the key."""

    model_config = _STRICT
    rail_speed: dict[str, RailSpeedPatch] = Field(default_factory=dict)
    rail_tariff: dict[str, RailTariffPatch] = Field(default_factory=dict)
    facility_defaults: dict[str, FacilityPatch] = Field(default_factory=dict)
    electric_share: dict[str, ElectricSharePatch] = Field(default_factory=dict)
    grid_intensity: dict[str, GridIntensityPatch] = Field(default_factory=dict)
    emission_factors: EmissionFactorsPatch = Field(default_factory=EmissionFactorsPatch)
    scalars: ScalarsPatch = Field(default_factory=ScalarsPatch)
    facilities: dict[str, FacilityPatch] = Field(default_factory=dict)
