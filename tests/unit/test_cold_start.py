"""What a cold ``landbridge route`` skips: the inputs' hash remembered beside the cache, the
network's arrays memory-mapped instead of copied, the transit draws kept in the cache folder,
Rich and scipy.special never imported for ``--json``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from landbridge.network import cache as cache_mod
from landbridge.network.build import inputs as build_inputs


@pytest.fixture
def one_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of its own and one input file, no hash remembered in the process."""
    data = tmp_path / "a.csv"
    data.write_text("x\n1\n", encoding="utf-8")
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(build_inputs, "input_paths", lambda: [data])
    monkeypatch.setattr(build_inputs, "_last", {})
    return data


def test_the_inputs_hash_is_remembered_across_processes(one_input: Path) -> None:
    first = cache_mod.inputs_hash()
    assert first == build_inputs.inputs_hash()
    memo = Path(os.environ["LANDBRIDGE_CACHE"]) / cache_mod.HASH_MEMO
    stored = json.loads(memo.read_text(encoding="utf-8"))
    assert stored["inputs_sha256"] == first
    # a fresh process reads the memo, not the files: a memo for this signature is believed
    memo.write_text(json.dumps({**stored, "inputs_sha256": "f" * 64}), encoding="utf-8")
    build_inputs._last.clear()
    assert cache_mod.inputs_hash() == "f" * 64


def test_a_changed_input_or_a_damaged_memo_is_hashed_again(one_input: Path) -> None:
    first = cache_mod.inputs_hash()
    memo = Path(os.environ["LANDBRIDGE_CACHE"]) / cache_mod.HASH_MEMO
    memo.write_text("{not json", encoding="utf-8")
    build_inputs._last.clear()
    assert cache_mod.inputs_hash() == first
    one_input.write_text("x\n2\n", encoding="utf-8")
    st = one_input.stat()
    os.utime(one_input, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    build_inputs._last.clear()
    changed = cache_mod.inputs_hash()
    assert changed != first
    assert changed == json.loads(memo.read_text(encoding="utf-8"))["inputs_sha256"]


def test_memory_mapped_arrays_are_the_saved_ones_and_private(tmp_path: Path) -> None:
    from test_network_compile import compiled

    net = compiled()
    path = tmp_path / "net.npz"
    cache_mod.save_network(net, path)
    with np.load(path, allow_pickle=False) as z:
        copied = {k: z[k] for k in z.files}
    mapped = cache_mod.read_arrays(path)
    assert mapped.keys() == copied.keys()
    for name, array in copied.items():
        assert mapped[name].dtype == array.dtype and mapped[name].shape == array.shape, name
        assert np.array_equal(mapped[name], array, equal_nan=array.dtype.kind == "f"), name
    # copy-on-write: a process that writes into an array changes neither the file nor others
    mapped["edge_length_km"][:] = -1.0
    again = cache_mod.read_arrays(path)
    assert np.array_equal(again["edge_length_km"], copied["edge_length_km"])


def test_route_json_imports_no_rich_pandas_or_scipy_special() -> None:
    """Rich and pandas never; scipy.special not once the transit draws are in the cache folder
    (the first run may write them)."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sys.modules)))\n"
        "from landbridge.cli import main\n"
        "sys.argv = ['landbridge', 'route', \"Xi'an\", 'Duisburg', '--json']\n"
        "main()\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=env, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["options"]
        modules = set(done.stderr.rsplit("MODULES ", 1)[1].split())
        assert not {m.split(".")[0] for m in modules} & {"rich", "pandas"}
    assert "scipy.special" not in modules


def test_shared_draws_are_kept_in_the_cache_folder(tmp_path: Path, monkeypatch) -> None:
    from landbridge.costs import time as time_model

    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    seed, draws, rho = time_model.SEED, time_model.DRAWS, 0.37
    time_model._shared_block.cache_clear()
    computed = time_model._shared_rows(seed, draws, "uniform", 40, rho).copy()
    assert len(list(tmp_path.glob("shared-draws-v*.bin"))) == 1

    def refuse(*_args):
        raise AssertionError("the draws were computed again")

    time_model._shared_block.cache_clear()  # a fresh process
    monkeypatch.setattr(time_model, "_rows", refuse)
    mapped = time_model._shared_rows(seed, draws, "uniform", 40, rho)
    assert np.array_equal(mapped, computed) and not mapped.flags.writeable
    time_model._shared_block.cache_clear()
