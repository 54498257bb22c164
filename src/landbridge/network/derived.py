"""What is derived from one ``Network`` object and kept while it lives: the facility text the
routing reads, the customs columns, the snap index, the dated-value base, edge masks, ...

One store per network object, dropped with the network (a weak reference), instead of one
module-level cache per kind of derived data keyed by ``id(network)``. The network is
immutable, so whatever is built from it stays valid; ``build`` must be a pure function of it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from landbridge.network.model import Network

T = TypeVar("T")

_STORES: dict[int, tuple[weakref.ref[Network], dict[str, Any]]] = {}


def derived(net: Network, key: str, build: Callable[[Network], T]) -> T:
    """``build(net)``, made once per network object and ``key``."""
    store = _store(net)
    if key not in store:
        store[key] = build(net)
    return store[key]


def _store(net: Network) -> dict[str, Any]:
    key = id(net)
    entry = _STORES.get(key)
    if entry is None or entry[0]() is not net:
        # the callback runs when the network is freed, before its id can be reused
        def drop(_ref: weakref.ref[Network], k: int = key) -> None:
            _STORES.pop(k, None)

        entry = (weakref.ref(net, drop), {})
        _STORES[key] = entry
    return entry[1]


def forget_derived(key: str) -> None:
    """Drop ``key`` from every network's store (tests that count what is built)."""
    for _, store in list(_STORES.values()):
        store.pop(key, None)
