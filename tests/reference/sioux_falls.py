"""Load the Sioux Falls fixture (see README.md) into the flows layer's array types."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landbridge.flows.assignment import DemandClass, od_to_node_demand
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import VolumeDelay

DATA = Path(__file__).resolve().parent / "data"
N_NODES = 24
BEST_KNOWN_OBJECTIVE = 4_231_335.287107


def load() -> tuple[PairGraph, VolumeDelay, DemandClass]:
    net = pd.read_csv(DATA / "sioux_falls_net.csv")
    trips = pd.read_csv(DATA / "sioux_falls_trips.csv")
    graph = PairGraph(net.a_node.to_numpy() - 1, net.b_node.to_numpy() - 1, N_NODES)
    vdf = VolumeDelay.bpr(
        net.free_flow_time.to_numpy(float),
        net.capacity.to_numpy(float),
        net.b.to_numpy(float),
        net.power.to_numpy(float),
    )
    origins, table = od_to_node_demand(
        trips.origin.to_numpy() - 1,
        trips.destination.to_numpy() - 1,
        trips.trips.to_numpy(),
        N_NODES,
    )
    return graph, vdf, DemandClass("car", origins, table)


def best_known_flows() -> np.ndarray:
    """Published equilibrium link flows, in the order of ``sioux_falls_net.csv``."""
    net = pd.read_csv(DATA / "sioux_falls_net.csv")
    ref = pd.read_csv(DATA / "sioux_falls_flow.tntp", sep=r"\s+")
    ref.columns = ["a", "b", "flow", "cost"]
    merged = net.merge(ref, left_on=["a_node", "b_node"], right_on=["a", "b"], how="left")
    assert merged.flow.notna().all()
    return merged.flow.to_numpy(float)
