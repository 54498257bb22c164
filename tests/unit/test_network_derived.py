"""Derived values live on the network object: made once, dropped with it, not shared by a copy."""

from __future__ import annotations

import dataclasses
import gc
import weakref

from tests.unit.test_sea_passage_rows import ocean_network

from landbridge.network.derived import derived, forget_derived


def test_a_value_is_built_once_per_network_and_not_shared_by_a_copy() -> None:
    net = ocean_network(["a"], ["suez"])
    calls: list[int] = []

    def build(n: object) -> int:
        calls.append(1)
        return len(calls)

    assert derived(net, "t-count", build) == 1
    assert derived(net, "t-count", build) == 1
    copy = dataclasses.replace(net)
    assert derived(copy, "t-count", build) == 2  # a copy starts with an empty store
    forget_derived("t-count")
    assert derived(net, "t-count", build) == 3


def test_the_store_goes_with_its_network() -> None:
    net = ocean_network(["a"], ["suez"])
    derived(net, "t-big", lambda n: bytearray(10))
    store = weakref.ref(net.derived_store)
    del net
    gc.collect()
    assert store() is None
