"""Corridor families and their variants, as constraint sets over the network.

- northern: all rail via Alashankou–Dostyk or Khorgos–Altynkol, through Russia/Belarus; no sea.
- middle (Trans-Caspian): Aktau or Kuryk -> Baku/Alat by ferry, Georgia, then Poti/Batumi by
  sea or Kars by rail; never through Russia, Belarus, Turkmenistan or Iran.
- southern: Kazakhstan–Turkmenistan–Iran–Turkey by rail (inland ferries such as Lake Van allowed).
- sea: all-sea from a Chinese port via Suez or via the Cape (the passage of the departure
  date, ``routing.passage``); rail only to and from the ports.
Variants differ by the crossing or port they are pinned to; identical paths are merged later.
The label an option shows is read from its path (``routing.families``), not from the variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from landbridge.network.model import EdgeMode
from landbridge.routing.constraints import (
    AvoidCountries,
    AvoidModes,
    AvoidPassage,
    AvoidSeaTouching,
    Constraint,
    NotVia,
    RequireAnyCountry,
    RequireFacility,
    RequireMode,
    all_of,
)
from landbridge.routing.variant_table import Gateway, gateway

BLACK_SEA_COUNTRIES = ("GE", "TR", "RO", "BG", "UA")
# Shores whose sea legs would make a southern option Caspian or Black Sea instead.
SOUTHERN_NO_SEA = ("KZ", "TM", "IR", "RO", "BG", "UA")
# Countries the land bridge itself crosses: the all-sea reference may not use their railways.
LAND_BRIDGE_COUNTRIES = ("KZ", "RU", "BY", "MN", "KG", "UZ", "TM", "IR", "AZ", "GE")
RAIL_MODES = (EdgeMode.RAIL, EdgeMode.TRANSFER, EdgeMode.BORDER)


@dataclass(frozen=True)
class Variant:
    """One corridor variant: edge masks and path checks, plus an optional pinned facility.

    ``pin`` lists the facility ids of the crossing or port the variant must pass;
    the search routes origin -> best edge of that facility -> destination.
    """

    family: str
    key: str
    label: str
    constraint: Constraint
    pin: tuple[str, ...] = ()
    fallback: bool = False  # searched only if no other variant of the family connects


def _northern(via: Gateway, other: Gateway) -> Constraint:
    return all_of(
        AvoidModes((EdgeMode.SEA, EdgeMode.OCEAN, EdgeMode.PORT)),
        AvoidCountries(("AZ", "GE", "TM", "IR")),
        NotVia(other.facility_ids, other.name),
        RequireFacility(via.facility_ids, via.name),
    )


def _middle(port: Gateway, other_port: Gateway, exit_kars: bool | None) -> Constraint:
    """Middle corridor through ``port``; ``exit_kars`` picks the exit from Georgia (None: any,
    for places in the Caucasus that need no exit)."""
    exit_rule: tuple[Constraint, ...] = ()
    kars, poti = gateway("kars"), gateway("poti-batumi")
    if exit_kars is True:
        exit_rule = (
            AvoidSeaTouching(BLACK_SEA_COUNTRIES),
            RequireFacility(kars.facility_ids, kars.name),
        )
    elif exit_kars is False:
        exit_rule = (
            AvoidCountries(("TR",), RAIL_MODES),
            RequireFacility(poti.facility_ids, poti.name),
        )
    return all_of(
        AvoidModes((EdgeMode.OCEAN,)),
        AvoidCountries(("RU", "BY", "TM", "IR")),
        NotVia(other_port.facility_ids, "the other Caspian port"),
        RequireMode(EdgeMode.SEA),
        RequireFacility(port.facility_ids, port.name),
        *exit_rule,
    )


@cache
def variants() -> tuple[Variant, ...]:
    """Every corridor variant, built on first use (the gateway table is read then, once)."""
    dostyk, altynkol = gateway("dostyk"), gateway("altynkol")
    aktau, kuryk = gateway("aktau"), gateway("kuryk")
    return (
        Variant(
            "northern",
            "dostyk",
            "Northern via Alashankou–Dostyk",
            _northern(dostyk, altynkol),
            dostyk.facility_ids,
        ),
        Variant(
            "northern",
            "altynkol",
            "Northern via Khorgos–Altynkol",
            _northern(altynkol, dostyk),
            altynkol.facility_ids,
        ),
        Variant(
            "middle",
            "aktau-poti",
            "Middle via Aktau, Poti/Batumi",
            _middle(aktau, kuryk, False),
            aktau.facility_ids,
        ),
        Variant(
            "middle",
            "aktau-kars",
            "Middle via Aktau, Kars",
            _middle(aktau, kuryk, True),
            aktau.facility_ids,
        ),
        Variant(
            "middle",
            "kuryk-poti",
            "Middle via Kuryk, Poti/Batumi",
            _middle(kuryk, aktau, False),
            kuryk.facility_ids,
        ),
        Variant(
            "middle",
            "kuryk-kars",
            "Middle via Kuryk, Kars",
            _middle(kuryk, aktau, True),
            kuryk.facility_ids,
        ),
        Variant(
            "middle",
            "aktau",
            "Middle via Aktau",
            _middle(aktau, kuryk, None),
            aktau.facility_ids,
            True,
        ),
        Variant(
            "middle",
            "kuryk",
            "Middle via Kuryk",
            _middle(kuryk, aktau, None),
            kuryk.facility_ids,
            True,
        ),
        Variant(
            "southern",
            "tm-ir",
            "Southern via Turkmenistan–Iran",
            all_of(
                AvoidModes((EdgeMode.OCEAN,)),
                AvoidCountries(("RU", "BY", "AZ", "GE")),
                # inland ferries (Lake Van, Tatvan–Van) stay usable; Caspian, Black Sea legs do not
                AvoidSeaTouching(SOUTHERN_NO_SEA),
                RequireAnyCountry(("TM", "IR")),
            ),
        ),
        Variant(
            "sea",
            "suez",
            "All-sea via Suez",
            all_of(
                AvoidCountries(LAND_BRIDGE_COUNTRIES, RAIL_MODES),
                AvoidPassage("cape"),
                RequireMode(EdgeMode.OCEAN),
            ),
        ),
        Variant(
            "sea",
            "cape",
            "All-sea via the Cape",
            all_of(
                AvoidCountries(LAND_BRIDGE_COUNTRIES, RAIL_MODES),
                AvoidPassage("suez"),
                RequireMode(EdgeMode.OCEAN),
            ),
        ),
    )


SEA_PASSAGE_KEYS = ("suez", "cape")


def variants_for(corridor: str | None, passage: str = "suez") -> tuple[Variant, ...]:
    """The variants of ``corridor`` (all without one); the sea variant of ``passage`` only."""
    return tuple(
        v
        for v in variants()
        if (corridor is None or v.family == corridor)
        and (v.key not in SEA_PASSAGE_KEYS or v.key == passage)
    )
