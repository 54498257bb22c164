"""The corridor built from the network, routing and flows layers (``simulate --demand network``).

- Demand: the container OD rows of the flows layer's table of the year (``flows.demand``), in
  block trains of ``feu_per_train`` FEU (``sim.csv``); bulk is not containerised and left out.
- Options: every corridor option ``routing.plan_routes`` finds between the OD's regions (snapped
  to the network as the flows layer snaps them), all-sea options excepted (the flows layer does
  not assign ocean legs either). Each train class is one (OD, option).
- Split: the flows layer does not publish path flows, so an OD's trains go to its options in
  proportion to the share of China's transit that ``run_flows`` puts through the option's gateway
  (its China border crossing, or the Caspian Sea for middle options), each gateway's share
  divided equally among the OD's options through it. An OD whose options have no such share
  (no China crossing, e.g. Kazakh cargo to the Caucasus) rides routing's first-ranked option.
- Stops, running legs and capacities: as ``sim.option_classes`` builds a class from an option
  path (the same rule as the sourced services of ``sim.corridor2023``); a stop is west when the
  destination lies west of the origin.

Building the real corridor runs the flows assignment and about 200 route plans (half a minute),
so the records are cached under the user cache, keyed by the network inputs, the tables read
and the code of the layers involved (a change to any of them rebuilds).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.errors import InvalidInputError, OutputError, UnreachableError
from landbridge.network.model import Network
from landbridge.outputs import write_text
from landbridge.paths import cache_dir
from landbridge.sim.corridor_tables import (
    DIRECTIONS,
    FerryLine,
    facility_tables,
    load_sim_table,
    sim_params,
)
from landbridge.sim.option_classes import (
    ClassBuilder,
    Found,
    OptionStops,
    routing_options,
    tonnes_per_train,
)
from landbridge.sim.system import CorridorSystem, FacilitySpec, TrainClassSpec, make_system
from landbridge.units import TEU_PER_FEU

if TYPE_CHECKING:
    from landbridge.costs.edges import EdgeCosts
    from landbridge.costs.params import Params
    from landbridge.schema.flows import FlowsResult

#: Routing families whose options the simulation carries (all-sea is not the land bridge).
SIMULATED_FAMILIES = ("northern", "middle", "southern")
#: Demand groups whose OD pairs are reported as the China–Kazakhstan corridor.
REGIONAL_GROUPS = frozenset({"CN", "KZ", "CA"})
REGIONAL_CORRIDOR = "china-kazakhstan"
#: Bump when the records built here change meaning (invalidates the cache).
CACHE_VERSION = 5


def option_weights(options: list[OptionStops], shares: dict[str, float]) -> np.ndarray:
    """Share of an OD's trains on each option (see the module docstring); sums to 1."""
    gateways = [o.gateway for o in options]
    count = {g: gateways.count(g) for g in set(gateways)}
    w = np.array(
        [shares.get(g, 0.0) / count[g] if g is not None else 0.0 for g in gateways], dtype=float
    )
    if w.sum() <= 0:
        w = np.zeros(len(options))
        w[0] = 1.0
    return w / w.sum()


def _direction(net: Network, origin: int, destination: int) -> str:
    return DIRECTIONS[0] if net.node_lon[destination] < net.node_lon[origin] else DIRECTIONS[1]


def corridor_of(origin_group: str, destination_group: str, family: str) -> str:
    """Reporting corridor of a class: regional pairs apart, else the routing family."""
    if {origin_group, destination_group} <= REGIONAL_GROUPS:
        return REGIONAL_CORRIDOR
    return family


@dataclass(frozen=True)
class NetworkCorridor:
    """The specs of the network-derived corridor, and what was left out."""

    facilities: list[FacilitySpec]
    classes: list[TrainClassSpec]
    notes: list[str]

    def system(self) -> CorridorSystem:
        return make_system(self.facilities, self.classes)


def build_records(
    net: Network,
    costs: EdgeCosts,
    od: pd.DataFrame,
    nodes: dict[str, int],
    plan: Callable[[int, int], list[Found]],
    shares: dict[str, float],
    params: dict[str, float],
    known: dict[str, FacilitySpec | FerryLine],
    defaults: pd.DataFrame,
    t_per_train: float,
) -> NetworkCorridor:
    """Records of the corridor: one class per (OD row with TEU, simulated option).

    ``plan(origin_node, destination_node)`` returns routing's options as ``(family, label,
    edges)`` in routing's rank order; it may raise ``UnreachableError`` or
    ``InvalidInputError`` (same node), and such ODs are left out with a note. ``t_per_train``
    turns a facility's t/yr capacity into trains (``option_classes.sourced_servers``).
    """
    builder = ClassBuilder(net, costs, known, defaults, params, t_per_train)
    left_out: list[str] = []
    left_teu = 0.0
    plans: dict[tuple[int, int], list[OptionStops]] = {}
    rows = od[od["teu_per_yr"].astype(float) > 0]
    for r in rows.to_dict("records"):
        key = f"{r['origin']}>{r['destination']}"
        teu = float(r["teu_per_yr"])
        if r["origin"] not in nodes or r["destination"] not in nodes:
            left_out.append(key)
            left_teu += teu
            continue
        o, d = nodes[r["origin"]], nodes[r["destination"]]
        if (o, d) not in plans:
            try:
                found = plan(o, d)
            except (UnreachableError, InvalidInputError):
                found = []
            plans[(o, d)] = [builder.stops(f) for f in found if f[0] in SIMULATED_FAMILIES]
        options = plans[(o, d)]
        if not options:
            left_out.append(key)
            left_teu += teu
            continue
        direction = _direction(net, o, d)
        trains_per_yr = teu / (TEU_PER_FEU * params["feu_per_train"])
        for option, weight in zip(options, option_weights(options, shares), strict=True):
            if weight > 0:
                builder.add(
                    option, f"{key} {option.label}",
                    corridor_of(r["origin_group"], r["destination_group"], option.family),
                    direction, trains_per_yr * weight,
                )  # fmt: skip
    notes = []
    if left_out:
        notes.append(
            f"{left_teu:,.0f} TEU/yr of container demand ({len(left_out)} OD rows) has no "
            f"simulated rail option and is left out: {', '.join(left_out[:5])}"
            + (" ..." if len(left_out) > 5 else "")
        )
    return NetworkCorridor(list(builder.facilities.values()), builder.classes, notes)


def gateway_shares(flows_result: FlowsResult) -> dict[str, float]:
    """Gateway name -> share of China's transit, from a ``FlowsResult``."""
    return {s.corridor: float(s.share) for s in flows_result.corridor_shares}


def _cache_key(net: Network, year: int) -> str:
    """Digest of everything the build reads: network inputs, tables and the layers' code."""
    from landbridge.flows.demand import DEMAND_DIR
    from landbridge.paths import DATA_DIR, PACKAGE_DIR

    h = hashlib.sha256()
    h.update(json.dumps([CACHE_VERSION, year, net.meta.get("inputs_sha256", "")]).encode())
    files = [
        *DEMAND_DIR.glob("*.csv"),
        *(DATA_DIR / "params").glob("*.csv"),
        *(DATA_DIR / "facilities").glob("*.csv"),
        *(PACKAGE_DIR / "sim").glob("*.py"),
        *(PACKAGE_DIR / "flows").glob("*.py"),
        *(PACKAGE_DIR / "routing").glob("*.py"),
        *(PACKAGE_DIR / "costs").glob("*.py"),
    ]
    for path in sorted(files):
        h.update(str(path.relative_to(PACKAGE_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_network_corridor(
    year: int = 2023,
    network: Network | None = None,
    params: Params | None = None,
    flows_result: FlowsResult | None = None,
) -> NetworkCorridor:
    """The corridor of ``year`` from the network, routing and flows layers.

    With no arguments besides ``year`` the bundled network and parameters are used and the
    records are cached (``<cache>/sim/``). ``flows_result`` skips the flows run (its gateway
    shares are used as they are).
    """
    from landbridge.flows import demand as dem

    if year not in dem.YEARS:
        raise InvalidInputError(
            f"no demand for year {year}; available: {', '.join(map(str, dem.YEARS))}"
        )
    bundled = network is None and params is None and flows_result is None
    if network is None:
        from landbridge.network import load_network

        network = load_network()
    cache = None
    if bundled:
        cache = cache_dir() / "sim" / f"network-corridor-{year}-{_cache_key(network, year)}.json"
        if cache.is_file():
            try:
                data = json.loads(cache.read_text())
                return NetworkCorridor(
                    [FacilitySpec(**f) for f in data["facilities"]],
                    [TrainClassSpec(**c) for c in data["classes"]],
                    data["notes"],
                )
            except (OSError, ValueError, KeyError, TypeError, InvalidInputError):
                pass  # rebuilt below and written again
    if params is None:
        from landbridge.costs.params import load_default_params

        params = load_default_params()
    if flows_result is None:
        from landbridge.flows.run import run_flows

        flows_result = run_flows(year, network=network, params=params)
    corridor = _build(network, params, dem.load_demand(year), gateway_shares(flows_result))
    if cache is not None:
        _write_cache(cache, corridor, year)
    return corridor


def _write_cache(cache: Path, corridor: NetworkCorridor, year: int) -> None:
    """Write atomically (a per-process temporary file renamed into place) and drop stale builds.

    A cache that cannot be written only costs the next run a rebuild.
    """
    records = dict(
        facilities=[dataclasses.asdict(f) for f in corridor.facilities],
        classes=[dataclasses.asdict(c) for c in corridor.classes],
        notes=corridor.notes,
    )
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text(cache, json.dumps(records), "simulation corridor cache")
        for stale in cache.parent.glob(f"network-corridor-{year}-*.json"):
            if stale != cache:
                stale.unlink(missing_ok=True)
    except (OSError, OutputError):
        pass  # the next run rebuilds it


def _build(
    net: Network, params: Params, od: pd.DataFrame, shares: dict[str, float]
) -> NetworkCorridor:
    from landbridge.flows.corridor import snap_regions
    from landbridge.network import tables
    from landbridge.routing.plan import edge_costs
    from landbridge.schema.route import Endpoint, RouteRequest

    od = od[od["teu_per_yr"].astype(float) > 0]
    nodes = snap_regions(net, sorted(set(od.origin) | set(od.destination)), True)
    by_node = {f"node:{n}": n for n in nodes.values()}

    def resolve(query: str, network: Network) -> Endpoint:
        n = by_node[query]
        return Endpoint(
            name=query, node=n, lat=float(network.node_lat[n]), lon=float(network.node_lon[n]),
            country="",
        )  # fmt: skip

    def plan(o: int, d: int) -> list[Found]:
        return routing_options(
            RouteRequest(origin=f"node:{o}", destination=f"node:{d}"), net, params, resolve
        )

    sim = sim_params(load_sim_table())
    return build_records(
        net, edge_costs(net, params), od, nodes, plan, shares, sim,
        facility_tables(), tables.load_crossings().set_index("facility_id"),
        tonnes_per_train(params, sim),
    )  # fmt: skip
