"""Rail prices as the market quotes them: by direction and by booking size (``rate_factors.csv``).

Two factors scale the rail line-haul charge of a shipment (the ERAI-based per-km rates of
``rail_tariff.csv``; border, transshipment, port and sea charges are not scaled):

- direction: a box from the EU into China (eastbound, the weak direction of the China-Europe
  market) pays ``direction_eastbound`` x the westbound rate; every other pair pays the one rate
  (the published directional rates are for China-EU only);
- booking: a shipment of at least ``block_train_min_feu`` FEU (one train's worth) pays the
  block-train rate, ``booking_block_train`` x the single-box rate per box. A step, not a curve:
  the market quotes these two bases and no source gives a rate between them.

The direction is read from the path (the countries it starts and ends in), not from a flag.
An option with an ocean leg keeps factor 1: its rail legs are pre- and on-carriage to a port,
not the land-bridge trains the sources price.
"""

from __future__ import annotations

from dataclasses import dataclass

from landbridge.costs.params import Params, RowRef
from landbridge.data import split_source_ids
from landbridge.errors import ParameterError

TABLE = "rate_factors"
EASTBOUND, BLOCK, BLOCK_MIN_FEU = (
    "direction_eastbound",
    "booking_block_train",
    "block_train_min_feu",
)
FACTOR_KEYS = (EASTBOUND, BLOCK)
CHINA = "CN"
EUROPE_UNION = "EU"  # the customs union whose members count as Europe for the directional rate


@dataclass(frozen=True)
class RateFactors:
    eastbound: float
    block: float
    block_min_feu: float
    source_ids: dict[str, tuple[str, ...]]  # row key -> its source ids


@dataclass(frozen=True)
class RateBasis:
    """The rate basis one option's rail legs were priced on."""

    direction: str  # westbound (China -> EU), eastbound (EU -> China) or other
    booking: str  # block_train or single_box
    factor: float  # multiplies the rail line-haul charge
    note: str
    refs: tuple[RowRef, ...]  # the rate_factors rows that set it
    source_ids: tuple[str, ...]


def rate_factors(params: Params) -> RateFactors:
    """The factors of ``rate_factors.csv``; a row outside its bounds or without sources is
    refused with ``ParameterError``."""
    frame = params.tables[TABLE]
    missing = [k for k in (*FACTOR_KEYS, BLOCK_MIN_FEU) if k not in frame]
    if missing:
        raise ParameterError(f"{TABLE}.csv: no row for {missing}")
    for key in (*FACTOR_KEYS, BLOCK_MIN_FEU):
        value, lower, upper = (frame.number(key, c) for c in ("value", "lower", "upper"))
        if not lower <= upper:
            raise ParameterError(f"{TABLE}.{key}: lower {lower:g} is above upper {upper:g}")
        overridden = (TABLE, f"{key}.value") in params.overridden
        if not overridden and not lower <= value <= upper:
            raise ParameterError(
                f"{TABLE}.{key}: value {value:g} is outside its sourced bounds "
                f"[{lower:g}, {upper:g}]"
            )
        if not frame.text(key, "source_ids").strip():
            raise ParameterError(f"{TABLE}.{key}: no source_ids")
    for key in FACTOR_KEYS:
        value = frame.number(key, "value")
        if not 0.0 < value <= 1.0:
            raise ParameterError(
                f"{TABLE}.{key}: factor {value:g} must be in (0, 1] (a discount on the base rate)"
            )
    if frame.number(BLOCK_MIN_FEU, "value") < 1.0:
        raise ParameterError(f"{TABLE}.{BLOCK_MIN_FEU}: a train holds at least 1 FEU")
    return RateFactors(
        eastbound=frame.number(EASTBOUND, "value"),
        block=frame.number(BLOCK, "value"),
        block_min_feu=frame.number(BLOCK_MIN_FEU, "value"),
        source_ids={
            key: tuple(split_source_ids(frame.text(key, "source_ids")))
            for key in (*FACTOR_KEYS, BLOCK_MIN_FEU)
        },
    )


def is_block_train(factors: RateFactors, feu: float) -> bool:
    """A shipment of ``feu`` FEU books a block train (else single boxes)."""
    return feu >= factors.block_min_feu


def rate_basis(
    factors: RateFactors,
    origin_country: str,
    destination_country: str,
    feu: float,
    union: dict[str, str],
    by_ocean: bool = False,
) -> RateBasis:
    """The rate basis of a shipment of ``feu`` FEU from ``origin_country`` to
    ``destination_country`` (ISO2; ``union`` maps a country to its customs union); ``by_ocean``
    for an option with an ocean leg."""
    in_europe = {c: union.get(c) == EUROPE_UNION for c in (origin_country, destination_country)}
    if origin_country == CHINA and in_europe[destination_country]:
        direction, direction_factor = "westbound", 1.0
    elif in_europe[origin_country] and destination_country == CHINA:
        direction, direction_factor = "eastbound", factors.eastbound
    else:
        direction, direction_factor = "other", 1.0
    block = is_block_train(factors, feu)
    booking = "block_train" if block else "single_box"
    if by_ocean:
        note = "an option with an ocean leg: rail to and from the ports at the base rate"
        return RateBasis(direction, booking, 1.0, note, (), ())
    refs = [RowRef(TABLE, BLOCK_MIN_FEU)]
    if block:
        refs.append(RowRef(TABLE, BLOCK))
    if direction != "other":
        refs.append(RowRef(TABLE, EASTBOUND))
    factor = direction_factor * (factors.block if block else 1.0)
    parts = [f"{direction} x{direction_factor:g}"] if direction != "other" else []
    parts.append(
        f"block train (>= {factors.block_min_feu:g} FEU) x{factors.block:g}"
        if block
        else f"single box (< {factors.block_min_feu:g} FEU)"
    )
    return RateBasis(
        direction=direction,
        booking=booking,
        factor=factor,
        note=f"rail line haul x{factor:.4g}: " + ", ".join(parts),
        refs=tuple(refs),
        source_ids=tuple(dict.fromkeys(s for r in refs for s in factors.source_ids[r.key])),
    )
