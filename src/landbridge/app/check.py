"""``landbridge scenario check`` and the API's ``POST /api/scenarios/validate``: one check.

A scenario is checked by loading its base (parameter set, demand) and applying every
modification to a copy of the network, without running anything. A scenario posted to the API
may name bundled bases only: the server never reads a file a request names (``base.params:
/etc/shadow`` is refused there, and in the CLI too when it is not a parameter file).
"""

from __future__ import annotations

from landbridge.app.base import BUNDLED_PARAMS, bundled_demand
from landbridge.errors import ScenarioError
from landbridge.network.model import Network
from landbridge.schema.scenario import Scenario


def refuse_files(scenario: Scenario, source: str) -> None:
    """``ScenarioError`` when the base names a file instead of a bundled set."""
    base = scenario.base
    named = [
        (field, value)
        for field, value, bundled in (
            ("base.params", base.params, base.params in BUNDLED_PARAMS),
            ("base.demand", base.demand, bundled_demand(base.demand)),
        )
        if not bundled
    ]
    if named:
        field, value = named[0]
        raise ScenarioError(
            f"{source}: {field} '{value[:100]}' names a file; a scenario sent to the server may "
            "use bundled sets only (base.params: default; base.demand: default or od-<year>). "
            "Check a scenario with its own files with `landbridge scenario check FILE`."
        )


def check_scenario(
    scenario: Scenario, source: str, network: Network | None = None, read_files: bool = True
) -> tuple[Network, Network]:
    """Load the base and apply every modification to a copy of the network; returns the base
    network and the modified copy. ``network`` defaults to the bundled one (``load_base``).

    ``read_files=False`` (the API) refuses bases that name files before anything is read."""
    from landbridge.app import base
    from landbridge.scenarios.apply import apply_scenario

    if not read_files:
        refuse_files(scenario, source)
    if network is None:
        network, params, demand = base.load_base(scenario)
    else:
        params = base.base_params(scenario)
        demand = base.base_demand(scenario, params.scalar("tonnes_per_teu"))
    out, _, _ = apply_scenario(scenario, network, params, demand, source=source)
    return network, out
