"""What is derived from one ``Network`` object and kept while it lives: the facility text the
routing reads, the customs columns, the snap index, the dated-value base, edge masks, the
prepared networks, ...

The values live on the network itself (``Network.derived_store``), so they go with it and a
copy of a network starts without them; no module-level cache keyed by ``id(network)``. The
network is immutable, so whatever is built from it stays valid; ``build`` must be a pure
function of it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from landbridge.network.model import DerivedStore, Network

T = TypeVar("T")

# The stores holding a value, only so that ``forget_derived`` can reach them; weak: a store
# goes with its network.
_FILLED: weakref.WeakSet[DerivedStore] = weakref.WeakSet()


def derived(net: Network, key: str, build: Callable[[Network], T]) -> T:
    """``build(net)``, made once per network object and ``key``."""
    store = net.derived_store
    values: dict[str, Any] = store.values
    if key not in values:
        _FILLED.add(store)
        values[key] = build(net)
    return values[key]


def derived_values(key: str) -> list[Any]:
    """The value of ``key`` of every network that has one (benchmarks, tests)."""
    return [store.values[key] for store in list(_FILLED) if key in store.values]


def forget_derived(key: str) -> None:
    """Drop ``key`` from every network's store (tests that count what is built)."""
    for store in list(_FILLED):
        store.values.pop(key, None)
