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

from landbridge.schema.route import MAX_FEU, MAX_TONNES_PER_TEU

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
# Plausibility bounds: they refuse typos and unit mistakes (1e300, km/day for km/h), at least ten
# times beyond any figure in the sourced tables; they are not model values.
MIN_SPEED_KMH = 1.0
MAX_SPEED_KMH = 300.0
MAX_HOURS = 8760.0  # one year of dwell, headway or closure
MAX_USD_PER_FEU = 1_000_000.0
MAX_USD_PER_FEU_KM = 100.0
MAX_G_CO2E_PER_KWH = 3000.0
MAX_PER_TKM = 10.0  # kg CO2e/t-km, or kWh/t-km for rail_electric
MAX_USD_PER_FEU_H = 100_000.0
Speed = Field(default=None, ge=MIN_SPEED_KMH, le=MAX_SPEED_KMH)
Hours = Field(default=None, ge=0, le=MAX_HOURS)
UsdPerFeu = Field(default=None, ge=0, le=MAX_USD_PER_FEU)
UsdPerFeuKm = Field(default=None, ge=0, le=MAX_USD_PER_FEU_KM)
PerTkm = Field(default=None, ge=0, le=MAX_PER_TKM)


class RailSpeedPatch(BaseModel):
    model_config = _STRICT
    speed_p50_kmh: float | None = Speed
    speed_p90_kmh: float | None = Speed


class RailTariffPatch(BaseModel):
    model_config = _STRICT
    usd_per_feu_km: float | None = UsdPerFeuKm


class FacilityPatch(BaseModel):
    """Facility parameters (per kind in ``facility_defaults``, or per ``facility_id``)."""

    model_config = _STRICT
    dwell_p50_h: float | None = Hours
    dwell_p90_h: float | None = Hours
    cost_usd_per_feu: float | None = UsdPerFeu
    headway_h: float | None = Hours
    speed_kmh: float | None = Speed


class ElectricSharePatch(BaseModel):
    model_config = _STRICT
    electric_share: float | None = Field(default=None, ge=0, le=1)


class GridIntensityPatch(BaseModel):
    model_config = _STRICT
    g_co2e_per_kwh: float | None = Field(default=None, ge=0, le=MAX_G_CO2E_PER_KWH)


class EmissionFactorsPatch(BaseModel):
    model_config = _STRICT
    rail_diesel: float | None = PerTkm
    rail_electric: float | None = PerTkm
    ferry: float | None = PerTkm
    feeder: float | None = PerTkm
    ocean: float | None = PerTkm


class ScalarsPatch(BaseModel):
    model_config = _STRICT
    tonnes_per_teu: float | None = Field(default=None, gt=0, le=MAX_TONNES_PER_TEU)
    ocean_freight_usd_per_feu_km: float | None = UsdPerFeuKm
    value_of_time_usd_per_feu_h: float | None = Field(default=None, ge=0, le=MAX_USD_PER_FEU_H)
    ferry_closure_mean_h: float | None = Hours


class TransitTimePatch(BaseModel):
    """The declared transit-time parameters (``transit_time.csv``); their sourced bounds are
    not enforced here, so a file can test values outside them."""

    model_config = _STRICT
    delay_factor_cn: float | None = Field(default=None, gt=0, le=100)
    delay_factor_kz: float | None = Field(default=None, gt=0, le=100)
    delay_factor_ru_by: float | None = Field(default=None, gt=0, le=100)
    delay_factor_eu: float | None = Field(default=None, gt=0, le=100)
    delay_factor_other: float | None = Field(default=None, gt=0, le=100)
    cn_kz_dwell_p50_h: float | None = Hours
    eu_entry_dwell_p50_h: float | None = Hours
    caspian_wait_scale: float | None = Field(default=None, gt=0, le=100)
    corridor_rho: float | None = Field(default=None, ge=0, le=1)
    pre_carriage_h: float | None = Hours
    on_carriage_h: float | None = Hours


class RateFactorsPatch(BaseModel):
    """Rail rate factors (``rate_factors.csv``); like the transit-time rows, their sourced
    bounds are not enforced here, so a file can test values outside them."""

    model_config = _STRICT
    direction_eastbound: float | None = Field(default=None, gt=0, le=1)
    booking_block_train: float | None = Field(default=None, gt=0, le=1)
    block_train_min_feu: float | None = Field(default=None, ge=1, le=MAX_FEU)


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
    transit_time: TransitTimePatch = Field(default_factory=TransitTimePatch)
    rate_factors: RateFactorsPatch = Field(default_factory=RateFactorsPatch)
    facilities: dict[str, FacilityPatch] = Field(default_factory=dict)
