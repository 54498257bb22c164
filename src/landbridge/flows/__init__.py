"""flows layer: corridor demand, equilibrium assignment and capacity limits.

- ``vdf``: BPR and queueing volume-delay functions on arrays.
- ``shortest``: all-or-nothing loading (scipy Dijkstra trees, numba loading).
- ``assignment``: AON, MSA, FW, CFW, BFW; ``assign(...) -> AssignmentResult``.
- ``capacity_lp``: hard-capacity multicommodity LP (HiGHS) with bottleneck duals.
- ``demand``: OD tables rebuilt from published aggregates (``data/demand/``).
- ``corridor``: ``run_flows(year, growth_pct, network, params, demand) -> FlowsResult``.
- ``throughput``: maximum throughput of the routes in use under hard capacities.

Modules are imported on demand so that reading demand tables stays light.
"""
