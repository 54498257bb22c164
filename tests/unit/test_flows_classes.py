"""Demand classes are named records: the transit and Russia-avoiding rows follow from them."""

from __future__ import annotations

import pandas as pd

from landbridge.flows.corridor import (
    AVOIDING_CLASS,
    CLASS_NAMES,
    DEMAND_CLASSES,
    TRANSIT_CLASSES,
    class_of,
)


def test_class_rows_follow_the_records() -> None:
    assert [CLASS_NAMES[i] for i in TRANSIT_CLASSES] == ["transit", "transit_avoiding_ru_by"]
    assert CLASS_NAMES[AVOIDING_CLASS] == "transit_avoiding_ru_by"
    assert DEMAND_CLASSES[AVOIDING_CLASS].transit
    assert len(set(CLASS_NAMES)) == len(CLASS_NAMES)


def test_every_od_row_gets_a_named_class() -> None:
    rows = [
        dict(cargo_class="bulk", origin_group="KZ", destination_group="CN", avoids_ru_by=False),
        dict(cargo_class="container", origin_group="CN", destination_group="KZ",
             avoids_ru_by=False),
        dict(cargo_class="container", origin_group="CN", destination_group="EU",
             avoids_ru_by=False),
        dict(cargo_class="container", origin_group="CN", destination_group="EU",
             avoids_ru_by=True),
    ]  # fmt: skip
    got = [class_of(pd.Series(r)) for r in rows]
    assert got == ["bulk", "container", "transit", "transit_avoiding_ru_by"]
    assert [DEMAND_CLASSES[CLASS_NAMES.index(g)].transit for g in got] == [
        False, False, True, True,
    ]  # fmt: skip
