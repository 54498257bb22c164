"""Scenario modifications as objects: one module per type, each with ``resolve(mod, base) ->
problems`` and ``apply(mod, state) -> state`` (``base.Rule``). A new modification type is a
schema model (``schema/scenario.py``), one module here and one line in ``RULES``."""

from __future__ import annotations

from landbridge.scenarios.modifications import (
    add_link,
    avoid_country,
    close_crossing,
    scale_demand,
    set_capacity,
    set_dwell,
    set_ferry_fleet,
    set_tariff,
)
from landbridge.scenarios.modifications.base import Applied, Base, Problem, Rule
from landbridge.schema.scenario import Modification

__all__ = ["RULES", "Applied", "Base", "Problem", "Rule", "rule_of"]

RULES: dict[str, Rule] = {
    m.RULE.type: m.RULE
    for m in (
        close_crossing, set_capacity, set_dwell, set_ferry_fleet, set_tariff, avoid_country,
        scale_demand, add_link,
    )
}  # fmt: skip


def rule_of(mod: Modification) -> Rule:
    """The rule of a modification's type."""
    return RULES[mod.type]
