"""Closed-form queueing results the simulation must reproduce; also a quick bottleneck check."""

from __future__ import annotations

import math

from landbridge.errors import InvalidInputError


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C).

    ``offered_load`` is a = λ/μ in Erlangs; needs a < servers (a stable queue).
    """
    if servers < 1 or not 0 <= offered_load < servers:
        raise InvalidInputError(
            f"Erlang C needs servers >= 1 and 0 <= load < servers "
            f"(got c={servers}, a={offered_load})"
        )
    # Summed as a ratio of terms to stay finite for large c.
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    last = term * offered_load / servers / (1.0 - offered_load / servers)
    return last / (total + last)


def mmc_mean_wait_h(arrivals_per_h: float, mean_service_h: float, servers: int) -> float:
    """Mean time in queue (before service), hours, of an M/M/c queue: C(c, a) / (cμ − λ)."""
    load = arrivals_per_h * mean_service_h
    return erlang_c(servers, load) / (servers / mean_service_h - arrivals_per_h)


def batch_waits_h(headway_h: float, capacity: int, max_wait_h: float, n: int) -> list[float]:
    """Waits of ``n`` evenly spaced 1-unit arrivals at a ferry that always has a vessel in port.

    The vessel sails when ``capacity`` units are aboard or ``max_wait_h`` after the first
    boarded, whichever comes first (D/D batching). The last, partial batch sails at max wait.
    """
    if headway_h <= 0 or capacity < 1 or max_wait_h <= 0:
        raise InvalidInputError("batching needs headway > 0, capacity >= 1, max wait > 0")
    per_batch = min(capacity, math.floor(max_wait_h / headway_h) + 1)
    waits = []
    for j in range(n):
        first = (j // per_batch) * per_batch
        last = min(first + per_batch, n) - 1
        sail = first * headway_h + max_wait_h
        if last - first + 1 == capacity:
            sail = min(sail, last * headway_h)
        waits.append(sail - j * headway_h)
    return waits
