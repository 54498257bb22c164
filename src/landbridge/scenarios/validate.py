"""Check a scenario against the base network (and demand) before anything runs.

Every unknown facility, place or country, and every facility of the wrong kind, becomes one line
of a single ``ScenarioError`` naming the file, the modification (index and type), the field, and
what is allowed (near matches first). What each type checks is its rule's ``resolve``
(``scenarios.modifications``).
"""

from __future__ import annotations

import pandas as pd

from landbridge.errors import ScenarioError
from landbridge.network.model import Network
from landbridge.scenarios.contradictions import contradictions
from landbridge.scenarios.load import modification_label
from landbridge.scenarios.modifications import Base, rule_of
from landbridge.scenarios.network_index import NetworkIndex
from landbridge.schema.scenario import Scenario


def validate_scenario(
    scenario: Scenario,
    net: Network,
    demand: pd.DataFrame | None = None,
    source: str = "<scenario>",
) -> NetworkIndex:
    """Raise ``ScenarioError`` listing every problem; return the lookups on success."""
    index = NetworkIndex.of(net)
    problems: list[str] = contradictions(scenario)
    known = set(index.facility_row)
    for i, mod in enumerate(scenario.modifications):
        label = modification_label(i, mod.type)
        rule = rule_of(mod)
        for field, message in rule.resolve(mod, Base(net, index, demand, set(known))):
            problems.append(f"{label}: field '{field}': {message}")
        known.update(rule.adds(mod))
    if problems:
        raise ScenarioError(f"{source}: " + "\n  ".join(problems))
    return index
