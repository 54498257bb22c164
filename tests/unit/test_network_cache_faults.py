"""The network cache under faults: damaged bytes never give another network, and processes
that find no cache at the same moment share one build."""

from __future__ import annotations

import multiprocessing
import random
import warnings
from pathlib import Path

import numpy as np
from test_network_compile import compiled

from landbridge.errors import NetworkDataError
from landbridge.network import cache as cache_mod

DAMAGE_CASES = 40
# Generous bound for the forked loaders; a slow machine only waits longer.
WAIT_S = 120.0


def same_network(a, b) -> bool:
    return (
        all(np.array_equal(getattr(a, f), getattr(b, f)) for f in cache_mod.ARRAY_FIELDS)
        and list(a.node_name) == list(b.node_name)
        and a.countries == b.countries
        and a.facilities.equals(b.facilities)
    )


def test_damaged_cache_bytes_are_refused_or_harmless(tmp_path: Path) -> None:
    """Truncations and flipped bytes anywhere in the file: a NetworkDataError, or (a byte zip
    never reads) the very same network; never a network with other numbers."""
    net = compiled()
    good = tmp_path / "good.npz"
    cache_mod.save_network(net, good)
    data = good.read_bytes()
    rng = random.Random(8)
    bad = tmp_path / "bad.npz"
    refused = 0
    for case in range(DAMAGE_CASES):
        damaged = bytearray(data)
        at = rng.randrange(len(data))
        if case % 2:
            damaged = damaged[:at]
        else:
            damaged[at] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(damaged))
        try:
            back = cache_mod.read_network(bad, expected_hash="test")
        except NetworkDataError as exc:
            assert str(bad) in str(exc)
            refused += 1
            continue
        assert same_network(back, net), f"case {case}: byte {at} changed the network"
    assert refused >= DAMAGE_CASES // 2


def _load_in_child(cache: str, builds: str, out: multiprocessing.Queue) -> None:
    import os
    import time

    os.environ["LANDBRIDGE_CACHE"] = cache

    def slow_build(progress=None):
        with open(builds, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        time.sleep(1.0)  # long enough for the other process to find no cache either
        return compiled()

    cache_mod.build_network = slow_build
    cache_mod.inputs_hash = lambda: "test"
    cache_mod._memo.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a half-written cache would be read as corrupted
        net = cache_mod.load_network()
    out.put(int(net.n_edges))


def test_processes_without_a_cache_share_one_build(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    builds = tmp_path / "builds.txt"
    out = ctx.Queue()
    children = [
        ctx.Process(target=_load_in_child, args=(str(tmp_path), str(builds), out)) for _ in range(3)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(WAIT_S)
    assert [c.exitcode for c in children] == [0, 0, 0]
    edges = {out.get(timeout=WAIT_S) for _ in children}
    assert edges == {compiled().n_edges}
    assert len(builds.read_text().split()) == 1  # one process built, the others read its file
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind


def test_a_cache_that_cannot_be_written_costs_a_warning_not_the_answer(
    tmp_path: Path, monkeypatch
) -> None:
    """A full disk (or read-only cache folder) while saving: the network built in memory is
    returned with a warning naming the reason, and no partial cache file is left."""
    import errno

    import pytest

    net = compiled()
    monkeypatch.setattr(cache_mod, "cache_path", lambda *_: tmp_path / "network.npz")
    monkeypatch.setattr(cache_mod, "build_network", lambda progress=None: net)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.warns(cache_mod.CacheRebuildWarning, match="disk is full.*built in memory"):
        got = cache_mod.load_network(rebuild=True)
    assert got is net
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".lock"] == []


def test_a_cache_folder_that_cannot_be_created_costs_a_warning_not_the_answer(
    tmp_path: Path, monkeypatch
) -> None:
    """LANDBRIDGE_CACHE under a regular file (the folder can never exist, whoever runs it, root
    included): the network is built in memory, with one warning, and nothing is written."""
    import pytest

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(blocker / "cache"))
    net = compiled()
    monkeypatch.setattr(cache_mod, "inputs_hash", lambda: "test")
    monkeypatch.setattr(cache_mod, "build_network", lambda progress=None: net)
    cache_mod._memo.clear()
    with pytest.warns(cache_mod.CacheRebuildWarning, match="Not a directory.*built in memory"):
        got = cache_mod.load_network()
    assert got is net
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_a_read_only_cache_folder_costs_a_warning_not_the_answer(
    tmp_path: Path, monkeypatch
) -> None:
    """EROFS on every write (as root, chmod would not stop a write, so the fault is injected):
    the lock cannot be opened, the temporary file cannot be made; a warning, the answer."""
    import errno
    import os
    import tempfile

    import pytest

    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    net = compiled()
    monkeypatch.setattr(cache_mod, "inputs_hash", lambda: "test")
    monkeypatch.setattr(cache_mod, "build_network", lambda progress=None: net)
    cache_mod._memo.clear()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    monkeypatch.setattr("builtins.open", read_only)  # the build lock's "a+b"
    with pytest.warns(cache_mod.CacheRebuildWarning, match="read-only.*built in memory"):
        got = cache_mod.load_network()
    assert got is net
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_shows_a_cache_warning_as_one_line(monkeypatch) -> None:
    from landbridge import cli

    monkeypatch.setattr(warnings, "formatwarning", warnings.formatwarning)  # restored after
    monkeypatch.setattr(cli, "app", lambda: None)
    cli.main()
    shown = warnings.formatwarning(
        cache_mod.CacheRebuildWarning("cannot write the network cache x"),
        cache_mod.CacheRebuildWarning, "/src/landbridge/routing/plan.py", 233, "load_network()",
    )
    assert shown == "warning: cannot write the network cache x\n"


def test_the_gazetteer_cache_on_a_full_disk_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch
) -> None:
    """Written through the output guard: the failed write's temporary file is removed (the
    gazetteer's own writer left it behind), and the places still resolve."""
    import errno

    from landbridge.paths import DATA_DIR
    from landbridge.places import gazetteer as module
    from landbridge.places.gazetteer import Gazetteer

    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path / "cache"))
    table = tmp_path / "places.csv"
    table.write_bytes((DATA_DIR / "places" / "places.csv").read_bytes())
    real = Path.write_bytes

    def full_disk(self: Path, data: bytes) -> int:
        if self.name.endswith(".tmp"):
            real(self, data[:100])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    module._load_cached.cache_clear()
    try:
        assert Gazetteer.load(table).resolve("Dostyk").place_id == "terminal:dostyk"
    finally:
        module._load_cached.cache_clear()
    assert list((tmp_path / "cache").iterdir()) == []
