"""Maximum corridor throughput under hard capacities (HiGHS LP) over every corridor option.

The program runs on the choice set of ``flows.route_choice``: for each (class, OD) entry, the
cheapest path and the cheapest path through each gateway, whether or not the equilibrium uses it.
Variables are path flows; each entry carries at most its demand, and each capacitated element
(a crossing's two directions, a port, a ferry line, one direction of a line section) at most its
capacity. Maximise the carried total. The duals of the capacity rows are shadow prices: extra
t/yr carried per extra t/yr of capacity; a positive one marks a binding facility.

Facilities on the offered paths without a capacity figure cannot bind: they are listed in
``uncapacitated`` rather than silently counted as unlimited.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from landbridge.errors import InvalidInputError
from landbridge.flows.corridor import CorridorModel
from landbridge.flows.route_choice import ChoiceSet
from landbridge.schema.flows import BindingFacility, Throughput

BINDING_PRICE = 1e-9
"""Shadow price above which a capacity counts as binding (solver tolerance)."""


def max_throughput(model: CorridorModel, choice: ChoiceSet) -> Throughput:
    """Largest demand the corridor options carry with every capacity as a hard limit."""
    net = model.network
    fac = net.facilities
    inc = choice.incidence
    n_paths = inc.shape[0]
    demand = np.where(choice.no_path, 0.0, choice.entry_demand)
    total = float(demand.sum())
    k = model.vdf.capacity.size
    has = np.flatnonzero(model.edge_element >= 0)
    element_of = sp.csr_matrix(
        (np.ones(has.size), (has, model.edge_element[has])), shape=(net.n_edges, k)
    )
    crossings = (inc @ element_of).T.tocsr()  # [k, n_paths]: passages of each path
    live = np.flatnonzero(np.asarray(crossings.sum(axis=1)).ravel() > 0)
    n_entries = demand.size
    per_entry = sp.csr_matrix(
        (np.ones(n_paths), (choice.entry, np.arange(n_paths))), shape=(n_entries, n_paths)
    )
    a_ub = sp.vstack([per_entry, crossings[live]]).tocsr()
    b_ub = np.concatenate([demand, model.vdf.capacity[live]])
    carried, prices = 0.0, np.zeros(live.size)
    if n_paths:
        # scipy-stubs type A_ub as dense only; HiGHS takes the sparse matrix as it is
        res = linprog(  # type: ignore[call-overload]
            -np.ones(n_paths), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs"
        )
        if res.status != 0:
            raise InvalidInputError(f"throughput program failed: {res.message}")
        carried = float(-res.fun)
        prices = np.maximum(-np.asarray(res.ineqlin.marginals)[n_entries:], 0.0)
        flow_elem = crossings[live] @ res.x
    binding = []
    best: dict[int, int] = {}
    for j in np.argsort(-prices, kind="stable"):
        if prices[j] <= BINDING_PRICE:
            break
        frow = int(model.element_facility[live[j]])
        if frow in best:
            continue  # a section's other direction: report the facility once
        best[frow] = j
        binding.append(BindingFacility(
            facility_id=str(fac["facility_id"][frow]), name=str(fac["name"][frow]),
            capacity_t=float(model.vdf.capacity[live[j]]), flow_t=float(flow_elem[j]),
            shadow_price=float(prices[j]),
        ))  # fmt: skip
    return Throughput(
        demand_t=total, carried_t=carried,
        carried_share=carried / total if total > 0 else 1.0, binding=binding, paths=n_paths,
        uncapacitated=uncapacitated(model, choice),
    )  # fmt: skip


def uncapacitated(model: CorridorModel, choice: ChoiceSet) -> list[str]:
    """Facility ids on the offered paths that have no capacity figure."""
    net = model.network
    on_path = np.asarray(choice.incidence.sum(axis=0)).ravel() > 0
    rows = net.edge_facility[on_path & (model.edge_element < 0)]
    rows = np.unique(rows[rows >= 0])
    return sorted(str(net.facilities["facility_id"][int(r)]) for r in rows)
