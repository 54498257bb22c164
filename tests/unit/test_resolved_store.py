"""Place names remembered on disk (``places.resolved_store``): the same endpoints as resolved
ones, read without the gazetteer, damaged lines and other keys never trusted."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from landbridge.errors import UnknownPlaceError
from landbridge.network.cache import load_network
from landbridge.network.model import Network
from landbridge.places import gazetteer, resolved_store
from landbridge.routing.places import resolve_with_gazetteer


@pytest.fixture
def net(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    """The bundled network (from the usual cache), then a cache folder of its own for the
    store and no names read in this process."""
    loaded = load_network()
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    monkeypatch.setattr(resolved_store, "_read", {})
    yield loaded


def without_gazetteer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process that may not load the gazetteer: the names must come from the file."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the gazetteer was loaded")

    monkeypatch.setattr(resolved_store, "_read", {})
    monkeypatch.setattr(gazetteer.Gazetteer, "load", refuse)


def test_a_name_resolved_before_is_read_back_the_same(net: Network, monkeypatch) -> None:
    first = [resolve_with_gazetteer(q, net) for q in ("Xi'an", "Duisburg", "Dostyk")]
    without_gazetteer(monkeypatch)
    assert [resolve_with_gazetteer(q, net) for q in ("Xi'an", "Duisburg", "Dostyk")] == first


def test_unknown_names_are_not_remembered(net: Network, monkeypatch) -> None:
    with pytest.raises(UnknownPlaceError):
        resolve_with_gazetteer("Nowhereville", net)
    key = resolved_store.store_key(net)
    assert key is not None and resolved_store.remembered(key, "Nowhereville") is None


def test_damaged_lines_and_other_keys_are_not_trusted(net: Network, monkeypatch) -> None:
    resolve_with_gazetteer("Xi'an", net)
    good = resolve_with_gazetteer("Duisburg", net)
    key = resolved_store.store_key(net)
    path = resolved_store.path_of(key)
    fields = good.model_dump()
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"query": "Dostyk", "fields": {"name": "Dostyk", "node": "7"}}\n')  # wrong type
        fh.write('{"query": "Xuzhou", "fields": {"name": "X", "node": 1, "lat"')  # cut short
    without_gazetteer(monkeypatch)
    assert resolved_store.remembered(key, "Duisburg") == fields
    assert resolved_store.remembered(key, "Dostyk") is None
    assert resolved_store.remembered(key, "Xuzhou") is None
    # a file under another key (first line) is not read, and is replaced when a name is added
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([json.dumps({"key": "another"}), *lines[1:]]) + "\n", "utf-8")
    monkeypatch.setattr(resolved_store, "_read", {})
    assert resolved_store.remembered(key, "Duisburg") is None
    resolved_store.remember(key, "Duisburg", fields)
    monkeypatch.setattr(resolved_store, "_read", {})
    assert resolved_store.remembered(key, "Duisburg") == fields


def test_only_the_loaded_network_is_remembered(net: Network) -> None:
    assert resolved_store.store_key(net) is not None
    assert resolved_store.store_key(dataclasses.replace(net)) is None
