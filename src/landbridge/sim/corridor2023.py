"""The bundled 2023 corridor: sourced train services from sim.csv on routing's paths.

Train classes (trains a year per crossing and direction) come from ``data/params/sim.csv``,
built from sourced 2023 facts alone (train counts at Alashankou and Horgos, the UTLC
China–Europe share, TITR trains); see its ``note`` column. Each class runs between two places
(``origin``, ``destination``, optionally ``via`` a third) on routing's first-ranked option
that passes the facilities of its ``route`` in order (the sourced crossings, ports and lines
of the service); its stops, running legs and facilities are built from that path as
``sim.option_classes`` builds every simulated class, so the simulation runs on the parts the
planner prices (lengths, the delay factor of each network and region, dwells).
With ``demand="od-2023"`` (or ``od-2024``) the train rates come instead from the flows layer's
OD tables (``flows.demand.load_demand``): each class carries ``demand_share`` of the container
TEU of its ``demand_segments``, in block trains of ``feu_per_train`` FEU. With
``demand="network"`` the whole corridor (OD classes, routes, running times, gateway split) is
built from the network, routing and flows layers instead (``sim.network_corridor``).

Each crossing is split by direction (``alashankou-dostyk:west`` and ``:east``): westbound
boxes are transloaded on the Kazakh side and eastbound ones on the Chinese side, and the
tables' daily capacities are per direction (e.g. the quota into China).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from landbridge.costs.params import Params, load_default_params
from landbridge.errors import InvalidInputError, LandbridgeError, ParameterError
from landbridge.sim.corridor_tables import (
    DIRECTIONS,
    SIM_CSV,
    facility_tables,
    load_sim_table,
    sim_params,
)
from landbridge.sim.option_classes import (
    ClassBuilder,
    OptionStops,
    routing_options,
    tonnes_per_train,
)
from landbridge.sim.system import CorridorSystem, make_system
from landbridge.units import TEU_PER_FEU

if TYPE_CHECKING:
    from landbridge.network.model import Network

SYSTEM_NAME = "corridor-2023"
DEMAND_TRAINS = "trains"
DEMAND_OD_PREFIX = "od-"
DEMAND_NETWORK = "network"


def _split(cell: str, what: str, key: str) -> list[str]:
    parts = [p.strip() for p in cell.split(";") if p.strip()]
    if not parts:
        raise ParameterError(f"{SIM_CSV.name}: class '{key}' has no {what}")
    return parts


def system_name(demand: str = DEMAND_TRAINS) -> str:
    return SYSTEM_NAME if demand == DEMAND_TRAINS else f"{SYSTEM_NAME}/{demand}"


def _trains_per_yr(frame: pd.DataFrame, demand: str, feu_per_train: float) -> list[float]:
    classes = frame[frame["row_type"] == "class"]
    if demand == DEMAND_TRAINS:
        return [float(v) for v in classes["value"]]
    if not demand.startswith(DEMAND_OD_PREFIX) or not demand[len(DEMAND_OD_PREFIX) :].isdigit():
        raise InvalidInputError(
            f"unknown demand '{demand}': use '{DEMAND_NETWORK}' (OD demand routed on the network), "
            f"'{DEMAND_TRAINS}' (sourced 2023 train counts) or 'od-2023' / 'od-2024' (the flows "
            "layer's OD tables on the sourced train routes)"
        )
    from landbridge.flows.demand import load_demand

    od = load_demand(int(demand[len(DEMAND_OD_PREFIX) :]))
    teu = od.groupby("segment")["teu_per_yr"].sum()
    out = []
    for key, segs, share in zip(
        classes["key"], classes["demand_segments"], classes["demand_share"], strict=True
    ):
        names = _split(segs, "demand_segments", key)
        missing = [s for s in names if s not in teu.index]
        if missing:
            raise ParameterError(f"{SIM_CSV.name}: class '{key}' names unknown segments {missing}")
        out.append(float(teu[names].sum()) * float(share) / (TEU_PER_FEU * feu_per_train))
    return out


def build_corridor_2023(demand: str = DEMAND_TRAINS) -> CorridorSystem:
    """The 2023 corridor as a validated ``CorridorSystem`` (see the module docstring).

    ``demand``: ``"trains"`` (sourced 2023 train counts, the default), ``"od-YYYY"`` (the
    flows layer's OD table of that year on the sourced routes) or ``"network"`` (the 2023 OD
    demand routed on the network, ``sim.network_corridor``).
    """
    if demand == DEMAND_NETWORK:
        from landbridge.sim.network_corridor import build_network_corridor

        return build_network_corridor(2023).system()
    frame = load_sim_table()
    trains_per_yr = _trains_per_yr(frame, demand, sim_params(frame)["feu_per_train"])
    params = load_default_params()
    builder = sourced_builder(params)
    class_rows = frame[frame["row_type"] == "class"].reset_index(drop=True)
    for c, (_, row) in enumerate(class_rows.iterrows()):
        key = row["key"]
        direction = key.rsplit("-", 1)[-1]
        if direction not in DIRECTIONS:
            raise ParameterError(f"{SIM_CSV.name}: class '{key}' must end in -west or -east")
        option = service_option(builder, row, params)
        builder.add(option, key, row["corridor"] or key, direction, trains_per_yr[c])
    return make_system(list(builder.facilities.values()), builder.classes)


def sourced_builder(params: Params, net: Network | None = None) -> ClassBuilder:
    """A ``ClassBuilder`` on the bundled network and tables (routing's undated edge costs)."""
    from landbridge.network import tables
    from landbridge.routing.plan import edge_costs, load_bundled_network

    net = net if net is not None else load_bundled_network()
    sim = sim_params(load_sim_table())
    return ClassBuilder(
        net, edge_costs(net, params), facility_tables(),
        tables.load_crossings().set_index("facility_id"), sim, tonnes_per_train(params, sim),
    )  # fmt: skip


def service_option(builder: ClassBuilder, row: pd.Series, params: Params) -> OptionStops:
    """Routing's first-ranked option of a ``sim.csv`` class that passes its ``route`` in order."""
    from landbridge.schema.route import RouteRequest

    key = row["key"]
    wanted = _split(row["route"], "route", key)
    unknown = [fid for fid in wanted if fid not in builder.known]
    if unknown:
        raise ParameterError(
            f"{SIM_CSV.name}: class '{key}' names facilities {unknown}, which are in none of "
            "crossings.csv, ports.csv (as port-<id>), sea_links.csv"
        )
    try:
        request = RouteRequest(
            origin=row["origin"], destination=row["destination"], via=row["via"] or None
        )
        found = routing_options(request, builder.net, params)
    except (ValueError, LandbridgeError) as exc:
        raise ParameterError(f"{SIM_CSV.name}: class '{key}': {exc}") from None
    options = [builder.stops(f) for f in found]
    for option in options:
        if _in_order(wanted, builder.stop_ids(option)):
            return option
    seen = "; ".join(f"{o.label}: {', '.join(builder.stop_ids(o))}" for o in options)
    raise ParameterError(
        f"{SIM_CSV.name}: class '{key}': no option of routing from {row['origin']} to "
        f"{row['destination']} passes {', '.join(wanted)} in this order (options: {seen})"
    )


def _in_order(wanted: list[str], stops: list[str]) -> bool:
    """Whether ``wanted`` is a subsequence of ``stops``."""
    it = iter(stops)
    return all(fid in it for fid in wanted)
