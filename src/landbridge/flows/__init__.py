"""flows layer: corridor demand, equilibrium assignment and capacity limits.

- ``vdf``: BPR and queueing volume-delay functions on arrays.
- ``shortest``: all-or-nothing loading (scipy Dijkstra trees, numba loading).
- ``assignment``: AON, MSA, FW, CFW, BFW; ``assign(...) -> AssignmentResult``.
- ``demand``: OD tables rebuilt from published aggregates (``data/demand/``).
- ``pathset``: corridor-option path sets (cheapest path and cheapest through each gateway).
- ``logit``: logit shares and the stochastic user equilibrium on path flows (successive averages).
- ``route_choice``: the corridor's choice sets, logit dispersion and Russia-avoiding class.
- ``corridor``: the network prepared for assignment, demand classes, UE and logit assignment.
- ``run``: ``run_flows(year, growth_pct, network, params, demand, ..., route_choice,
  dispersion, avoid_share) -> FlowsResult``.
- ``usage``: bottleneck table and corridor shares; ``published``: the comparison with published
  volumes.
- ``calibration``: gateway constants and route-defined segments; ``estimate``: their estimator.
- ``throughput``: maximum throughput over every corridor option under hard capacities.

Modules are imported on demand so that reading demand tables stays light.
"""
