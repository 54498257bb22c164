"""A crossing gateway is the crossing, not a line section named after it.

The bundled network has a line-section facility "Dostyk–Moyinty" (the line's capacity) on 76
rail edges from Dostyk to Moyinty, which Khorgos trains also use between Aktogay and Moyinty.
Matched by the pattern "dostyk", it was part of the "Northern via Dostyk" pin (a path touching
the line anywhere counted as "via Dostyk": Mangystau -> Istanbul was offered a detour of
8,908 km to touch it) and a Khorgos path on it failed "not via Dostyk" (Khorgos -> Tashkent had
no Dostyk option). Here the toy network's Almaty–Petropavl line carries such a section.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from test_routing_toy import build_network

from landbridge.costs.params import load_default_params
from landbridge.network.facilities import FacilityTable
from landbridge.routing import prepared
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import plan_options
from landbridge.routing.variant_table import gateway
from landbridge.schema.route import RouteRequest

PARAMS = load_default_params()
ALMATY, PETROPAVL = 5, 6


def with_section():
    net = build_network()
    section = pd.DataFrame([dict(facility_id="dostyk-moyinty", name="Dostyk–Moyinty",
                                 kind="section", countries="KZ",
                                 source_ids="landbridge-assumption", assumption="")])  # fmt: skip
    fac = FacilityTable.from_frame(pd.concat([net.facilities.to_frame(), section],
                                             ignore_index=True))  # fmt: skip
    edge_facility = net.edge_facility.copy()
    line = ((net.edge_src == ALMATY) & (net.edge_dst == PETROPAVL)) | (
        (net.edge_src == PETROPAVL) & (net.edge_dst == ALMATY)
    )
    edge_facility[line] = len(fac) - 1
    return dataclasses.replace(net, facilities=fac, edge_facility=edge_facility), line


def test_the_dostyk_pin_is_the_crossing_and_a_khorgos_path_on_the_section_is_not_via_dostyk():
    net, line = with_section()
    prepared.forget_prepared()
    planned = plan_options(
        RouteRequest(origin="Xi'an", destination="Duisburg"), network=net, params=PARAMS,
        resolver=resolve_on_network,
    )  # fmt: skip
    crossing = np.flatnonzero(net.facilities["facility_id"] == "alashankou-dostyk")[0]
    pin = planned.prep.pin_edges(gateway("dostyk").facility_ids)
    assert len(pin) and (net.edge_facility[pin] == crossing).all()
    assert "Northern via Khorgos–Altynkol" not in planned.blocked
    khorgos = [
        p for o, p in zip(planned.options, planned.paths, strict=True)
        if o.label == "Northern via Khorgos–Altynkol"
    ]  # fmt: skip
    assert len(khorgos) == 1 and line[khorgos[0]].any()  # it runs on the section
    prepared.forget_prepared()
