"""The prepared network's shared arrays on disk (``routing.prepared_store``): the same answers
as computed ones, never trusted when damaged or of another network, whole under concurrent
writers."""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from landbridge.costs.params import load_default_params
from landbridge.network.cache import load_network
from landbridge.network.model import Network
from landbridge.routing import prepared, prepared_store
from landbridge.routing.plan import plan_routes
from landbridge.schema.route import RouteRequest

REQUEST = RouteRequest(origin="Xi'an", destination="Duisburg", depart="2026-01-15")
DAMAGE_CASES = 24
WRITERS = 4


@pytest.fixture
def net(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    """The bundled network, loaded from the usual cache; then a cache folder of its own
    (``tmp_path``) for the store."""
    loaded = load_network()
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    prepared.forget_prepared()
    yield loaded
    prepared.forget_prepared()


def computing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of ``compute_edge_costs`` made by ``prepare``."""
    calls: list[int] = []
    real = prepared.compute_edge_costs

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(prepared, "compute_edge_costs", counted)
    return calls


def answer(net: Network) -> str:
    return plan_routes(REQUEST, network=net, params=load_default_params()).model_dump_json()


def only_file(folder: Path) -> Path:
    (path,) = folder.glob("prepared-v*.bin")
    return path


def test_stored_costs_give_the_same_answer_byte_for_byte(
    net: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = computing(monkeypatch)
    computed = answer(net)
    assert len(calls) >= 1 and only_file(tmp_path).stat().st_size > 0
    before = len(calls)
    prepared.forget_prepared()
    assert answer(net) == computed
    assert len(calls) == before  # read from the file, not computed
    params = load_default_params()
    costs = prepared.prepare(net, params).costs
    assert costs.weight.flags.writeable  # copy-on-write: as writable as computed arrays
    assert np.array_equal(costs.weight, prepared.compute_edge_costs(net, params, None).weight)


def test_stored_masks_give_the_same_answer(
    net: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from landbridge.routing.constraints import AllOf

    computed = answer(net)
    masks = list(tmp_path.glob("edge-mask-v*.bin"))
    assert len(masks) >= 3  # the user's graph and the variants'

    def refuse(self, _net):
        raise AssertionError("a mask was computed again")

    monkeypatch.setattr(AllOf, "edge_mask", refuse)
    prepared.forget_prepared()
    assert answer(net) == computed


def test_a_damaged_file_is_computed_again_never_trusted(
    net: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = computing(monkeypatch)
    computed = answer(net)
    path = only_file(tmp_path)
    good = path.read_bytes()
    key = prepared_store.store_key(net, load_default_params(), None)
    prepared.prepare(net, load_default_params())  # the undated key's file
    undated = prepared_store.path_of(key).read_bytes()
    reference = prepared_store.load(key)
    rng = random.Random(17)
    refused = 0
    for case in range(DAMAGE_CASES):
        damaged = bytearray(undated)
        at = rng.randrange(len(damaged))
        if case % 2:
            damaged = damaged[:at]
        else:
            damaged[at] ^= 1 << rng.randrange(8)
        prepared_store.path_of(key).write_bytes(bytes(damaged))
        back = prepared_store.load(key)
        if back is None:
            refused += 1
        else:  # a byte no part covers (alignment padding): the same arrays
            assert np.array_equal(back[0].weight, reference[0].weight), f"case {case}: byte {at}"
            assert np.array_equal(back[1].pair_edge, reference[1].pair_edge)
    assert refused >= DAMAGE_CASES // 2
    path.write_bytes(good[: len(good) // 2])
    prepared.forget_prepared()
    before = len(calls)
    assert answer(net) == computed
    assert len(calls) == before + 1  # computed again, and the file made whole again
    assert path.read_bytes() == good


def test_only_the_loaded_network_under_the_bundled_tables_is_stored(net: Network) -> None:
    params = load_default_params()
    assert prepared_store.store_key(net, params, None) is not None
    edited = dataclasses.replace(net)  # a scenario's copy: the same build hash in its meta
    assert edited.meta["inputs_sha256"] == net.meta["inputs_sha256"]
    assert prepared_store.store_key(edited, params, None) is None
    other = params.with_overrides(params_override(), "t.yaml")
    assert prepared_store.store_key(net, other, None) is None


def params_override():
    from landbridge.schema.params import ParamsOverride

    return ParamsOverride.model_validate({"scalars": {"value_of_time_usd_per_feu_h": 1.0}})


def _write_often(folder: str, rounds: int) -> None:
    import os

    os.environ["LANDBRIDGE_CACHE"] = folder
    payload = (np.arange(200_000, dtype=np.float64), {"text": "x" * 1000})
    for _ in range(rounds):
        prepared_store.save("concurrent", payload)


def test_concurrent_writers_leave_a_whole_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_write_often, args=(str(tmp_path), 10)) for _ in range(WRITERS)]
    for w in writers:
        w.start()
    seen = 0
    while any(w.is_alive() for w in writers):
        back = prepared_store.load("concurrent")
        if back is not None:  # never half a file: none yet, or a whole one
            assert np.array_equal(back[0], np.arange(200_000, dtype=np.float64))
            seen += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    back = prepared_store.load("concurrent")
    assert back is not None and back[1] == {"text": "x" * 1000}
    assert not list(tmp_path.glob("*.tmp"))
