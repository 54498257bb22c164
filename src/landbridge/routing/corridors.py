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

from landbridge.network.model import EdgeMode
from landbridge.routing.constraints import (
    AvoidCountries,
    AvoidFacilities,
    AvoidModes,
    AvoidSeaTouching,
    Constraint,
    NotVia,
    RequireAnyCountry,
    RequireFacility,
    RequireMode,
    all_of,
)
from landbridge.routing.variant_table import Gateway, gateway

DOSTYK = gateway("dostyk")
ALTYNKOL = gateway("altynkol")
AKTAU = gateway("aktau")
KURYK = gateway("kuryk")
POTI_BATUMI = gateway("poti-batumi")
KARS = gateway("kars")
# Name fragments of the generated mainline ocean legs ("Shanghai – Rotterdam (Cape)"), one per
# port pair and passage: a passage, not a gateway, so not listed by id.
CAPE = ("cape",)  # mainline legs round Africa
SUEZ = ("suez",)  # mainline legs through the Suez Canal
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
    if exit_kars is True:
        exit_rule = (
            AvoidSeaTouching(BLACK_SEA_COUNTRIES),
            RequireFacility(KARS.facility_ids, KARS.name),
        )
    elif exit_kars is False:
        exit_rule = (
            AvoidCountries(("TR",), RAIL_MODES),
            RequireFacility(POTI_BATUMI.facility_ids, POTI_BATUMI.name),
        )
    return all_of(
        AvoidModes((EdgeMode.OCEAN,)),
        AvoidCountries(("RU", "BY", "TM", "IR")),
        NotVia(other_port.facility_ids, "the other Caspian port"),
        RequireMode(EdgeMode.SEA),
        RequireFacility(port.facility_ids, port.name),
        *exit_rule,
    )


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "northern",
        "dostyk",
        "Northern via Alashankou–Dostyk",
        _northern(DOSTYK, ALTYNKOL),
        DOSTYK.facility_ids,
    ),
    Variant(
        "northern",
        "altynkol",
        "Northern via Khorgos–Altynkol",
        _northern(ALTYNKOL, DOSTYK),
        ALTYNKOL.facility_ids,
    ),
    Variant(
        "middle",
        "aktau-poti",
        "Middle via Aktau, Poti/Batumi",
        _middle(AKTAU, KURYK, False),
        AKTAU.facility_ids,
    ),
    Variant(
        "middle",
        "aktau-kars",
        "Middle via Aktau, Kars",
        _middle(AKTAU, KURYK, True),
        AKTAU.facility_ids,
    ),
    Variant(
        "middle",
        "kuryk-poti",
        "Middle via Kuryk, Poti/Batumi",
        _middle(KURYK, AKTAU, False),
        KURYK.facility_ids,
    ),
    Variant(
        "middle",
        "kuryk-kars",
        "Middle via Kuryk, Kars",
        _middle(KURYK, AKTAU, True),
        KURYK.facility_ids,
    ),
    Variant(
        "middle", "aktau", "Middle via Aktau", _middle(AKTAU, KURYK, None), AKTAU.facility_ids, True
    ),
    Variant(
        "middle", "kuryk", "Middle via Kuryk", _middle(KURYK, AKTAU, None), KURYK.facility_ids, True
    ),
    Variant(
        "southern",
        "tm-ir",
        "Southern via Turkmenistan–Iran",
        all_of(
            AvoidModes((EdgeMode.OCEAN,)),
            AvoidCountries(("RU", "BY", "AZ", "GE")),
            # inland ferries (Lake Van, Tatvan–Van) stay usable; Caspian and Black Sea legs do not
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
            AvoidFacilities(CAPE),
            RequireMode(EdgeMode.OCEAN),
        ),
    ),
    Variant(
        "sea",
        "cape",
        "All-sea via the Cape",
        all_of(
            AvoidCountries(LAND_BRIDGE_COUNTRIES, RAIL_MODES),
            AvoidFacilities(SUEZ),
            RequireMode(EdgeMode.OCEAN),
        ),
    ),
)
SEA_PASSAGE_KEYS = ("suez", "cape")


def variants_for(corridor: str | None, passage: str = "suez") -> tuple[Variant, ...]:
    """The variants of ``corridor`` (all without one); the sea variant of ``passage`` only."""
    return tuple(
        v
        for v in VARIANTS
        if (corridor is None or v.family == corridor)
        and (v.key not in SEA_PASSAGE_KEYS or v.key == passage)
    )
