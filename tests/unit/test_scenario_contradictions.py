"""Contradictions and no-ops in a scenario are refused naming both modifications; yes/no values
are not numbers."""

from __future__ import annotations

import pytest

from landbridge.errors import ScenarioError
from landbridge.network import load_network
from landbridge.scenarios.apply import apply_scenario
from landbridge.scenarios.load import parse_scenario

X = "alashankou-dostyk"


def refused(mods: list[str], year: int = 2023) -> str:
    text = f"name: c\nbase: {{year: {year}}}\nmodifications:\n" + "".join(
        f"  - {m}\n" for m in mods
    )
    with pytest.raises(ScenarioError) as info:
        apply_scenario(parse_scenario(text, source="c.yaml"), load_network(), None, None, "c.yaml")
    return str(info.value)


def test_closed_then_changed_names_both() -> None:
    message = refused(
        [
            f"{{type: close_crossing, facility: {X}}}",
            f"{{type: set_capacity, facility: {X}, value: 40, unit: trains_per_day}}",
        ]
    )
    assert "modification 1 (set_capacity)" in message
    assert "modification 0 (close_crossing) closes for good" in message


def test_a_closure_before_the_scenario_year_does_nothing() -> None:
    message = refused(
        [f"{{type: close_crossing, facility: {X}, from_date: 1990-01-01, to_date: 1990-02-01}}"]
    )
    assert (
        "modification 0 (close_crossing)" in message
        and "before the scenario's year 2023" in message
    )


def test_the_same_setting_twice_is_refused() -> None:
    cap = f"{{type: set_capacity, facility: {X}, value: 20, unit: trains_per_day}}"
    message = refused([cap, cap.replace("20", "30")])
    assert "modification 1 (set_capacity) sets what modification 0 (set_capacity)" in message


def test_a_dated_closure_and_a_capacity_may_go_together() -> None:
    text = (
        "name: c\nbase: {year: 2023}\nmodifications:\n"
        f"  - {{type: close_crossing, facility: {X}, from_date: 2023-03-01, to_date: 2023-03-07}}\n"
        f"  - {{type: set_capacity, facility: {X}, value: 20, unit: trains_per_day}}\n"
    )
    apply_scenario(parse_scenario(text), load_network(), None, None)


def test_true_is_not_a_number() -> None:
    text = (
        "name: c\nbase: {year: 2023}\nmodifications:\n"
        f"  - {{type: set_capacity, facility: {X}, value: true, unit: servers}}\n"
    )
    with pytest.raises(ScenarioError, match="modification 0 .*yes/no value"):
        parse_scenario(text, source="c.yaml")
