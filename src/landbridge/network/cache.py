"""Build once, load fast: the compiled network as one ``.npz`` in the user cache.

The file holds every array, the facility table (one array per column, in the column types of
``schema/facility.py``: text as fixed-width unicode, no pickles, no Parquet, so that reading it
needs numpy only) and the build meta (JSON, with the SHA-256 of the inputs); its name carries
that hash, so builds of other inputs live side by side. ``load_network`` rebuilds, with a warning
that says why, when the file is missing, truncated, of another format, or built from other
inputs. The inputs' hash is remembered beside the cache (``HASH_MEMO``), for the file signature
(names, sizes, modification times) it was computed for.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import math
import mmap
import os
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from landbridge.errors import NetworkDataError, OutputError
from landbridge.network.build import inputs as build_inputs
from landbridge.network.facilities import FacilityTable
from landbridge.network.model import Network
from landbridge.outputs import atomic_file, output_error
from landbridge.paths import cache_dir

CACHE_FORMAT = 2  # 2: the facility table as typed column arrays (1: Parquet bytes)
FACILITY_PREFIX = "facility__"
ARRAY_FIELDS = (
    "node_lat", "node_lon", "node_country", "node_gauge_mm", "node_kind",
    "indptr", "edge_src", "edge_dst", "edge_length_km", "edge_mode", "edge_country",
    "edge_gauge_mm", "edge_facility", "edge_reverse", "edge_geom_offset", "geom_lonlat",
)  # fmt: skip


HASH_MEMO = "network-inputs-hash.json"
"""The inputs' hash and the signature of the files it was computed from: a fresh process (a
cold ``landbridge route``) does not read and hash the ~10 MB of inputs again (~9 ms)."""


def inputs_hash() -> str:
    """``build.inputs.inputs_hash``, remembered across processes in ``HASH_MEMO`` while no input
    file changes its size or modification time (the rule ``inputs_hash`` keeps in a process)."""
    stats = []
    for p in build_inputs.input_paths():
        try:
            st = os.stat(p)
            stats.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            stats.append((str(p), -1, -1))
    key = hashlib.sha256(repr((build_inputs.BUILD_VERSION, stats)).encode()).hexdigest()
    memo = cache_dir() / HASH_MEMO
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known["signature"] == key and len(known["inputs_sha256"]) == 64:
            return str(known["inputs_sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: hash the files and write it again
    digest = build_inputs.inputs_hash()
    text = json.dumps({"signature": key, "inputs_sha256": digest})
    # a cache folder that cannot take it costs the next process the hashing
    with contextlib.suppress(OutputError), atomic_file(memo, "network inputs hash") as tmp:
        tmp.write_text(text, encoding="utf-8")
    return digest


class CacheRebuildWarning(UserWarning):
    """The network cache was missing, stale or corrupted and has been rebuilt."""


KEEP_BUILDS = 4
"""Builds of other inputs kept beside the current one, so that switching between versions of
the data or the build code (branches, ``--params`` experiments) does not rebuild each time."""


def cache_path(inputs_sha256: str | None = None) -> Path:
    """The cache file of the network built from these inputs (default: the current ones)."""
    key = (inputs_sha256 or inputs_hash())[:16]
    return cache_dir() / f"network-v{CACHE_FORMAT}-{key}.npz"


def _prune_builds(keep: Path) -> None:
    """Remove all but the ``KEEP_BUILDS`` most recently used cache files (``keep`` stays)."""
    others = sorted(
        (p for p in keep.parent.glob(f"network-v{CACHE_FORMAT}-*.npz") if p != keep),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in others[KEEP_BUILDS - 1 :]:
        with contextlib.suppress(OSError):  # another process may be pruning too
            old.unlink()


def save_network(net: Network, path: Path) -> None:
    """Write ``net`` to ``path`` atomically (a temporary file renamed into place)."""
    payload = {f: getattr(net, f) for f in ARRAY_FIELDS}
    payload["node_name"] = np.asarray(net.node_name, dtype=str)
    payload["countries"] = np.asarray(net.countries, dtype=str)
    payload.update(_facility_arrays(net.facilities))
    payload["meta_json"] = np.frombuffer(
        json.dumps({**net.meta, "cache_format": CACHE_FORMAT}).encode(), dtype=np.uint8
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, path, "network cache") from None
    with atomic_file(path, "network cache") as tmp, tmp.open("wb") as fh:
        np.savez(fh, **payload)


def read_network(path: Path, expected_hash: str | None = None) -> Network:
    """Read a cache file; ``NetworkDataError`` says what is wrong with it."""
    try:
        data = read_arrays(path)
    except FileNotFoundError:
        raise NetworkDataError(f"no network cache at {path}") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise NetworkDataError(
            f"network cache {path} is corrupted ({type(exc).__name__}: {exc})"
        ) from None
    missing = [
        k
        for k in (*ARRAY_FIELDS, "node_name", "countries", *FACILITY_FIELDS, "meta_json")
        if k not in data
    ]
    if missing:
        raise NetworkDataError(f"network cache {path} is incomplete (missing {missing})")
    try:
        meta = json.loads(bytes(data["meta_json"]).decode())
        facilities = _read_facilities(data)
    except (ValueError, OSError, KeyError) as exc:
        raise NetworkDataError(f"network cache {path} is corrupted ({exc})") from None
    if meta.get("cache_format") != CACHE_FORMAT:
        raise NetworkDataError(
            f"network cache {path} has format {meta.get('cache_format')}, expected {CACHE_FORMAT}"
        )
    if expected_hash is not None and meta.get("inputs_sha256") != expected_hash:
        raise NetworkDataError(
            f"network cache {path} is stale (built from other input data or build version)"
        )
    net = Network(
        **{f: data[f] for f in ARRAY_FIELDS},
        node_name=data["node_name"].astype(object),
        countries=tuple(str(c) for c in data["countries"]),
        facilities=facilities,
        meta=meta,
    )
    validate_network(net)
    return net


FACILITY_FIELDS = ("facility_columns", "facility_rows")
ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra lengths


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a ``.npz`` cache file, memory-mapped copy-on-write instead of copied out
    of the zip (~20 ms less per load; processes that load the same file share its pages). Each
    member's CRC-32 is checked, as ``np.load`` does, so damaged bytes are refused; a file with
    compressed members is read with ``np.load``."""
    with open(path, "rb") as fh:
        with zipfile.ZipFile(fh) as zf:
            members = zf.infolist()
        if any(m.compress_type != zipfile.ZIP_STORED for m in members):
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
    view = memoryview(buf)
    arrays = {}
    for m in members:
        local = view[m.header_offset : m.header_offset + ZIP_LOCAL_HEADER.size]
        if len(local) < ZIP_LOCAL_HEADER.size:
            raise EOFError(f"{m.filename}: header past the end of the file")
        signature, name_len, extra_len = ZIP_LOCAL_HEADER.unpack(local)
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{m.filename}: no local file header")
        begin = m.header_offset + ZIP_LOCAL_HEADER.size + name_len + extra_len
        member = view[begin : begin + m.file_size]
        if len(member) != m.file_size:
            raise EOFError(f"{m.filename}: data past the end of the file")
        if zlib.crc32(member) != m.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {m.filename!r}")
        arrays[m.filename.removesuffix(".npy")] = _npy_array(buf, begin, member)
    return arrays


def _npy_array(buf: mmap.mmap, begin: int, member: memoryview) -> np.ndarray:
    """The array of one ``.npy`` member at ``begin`` of ``buf``, over ``buf``'s bytes."""
    size_bytes = 2 if member[6:7] == b"\x01" else 4  # format 1.0: 2-byte header length
    header_end = 8 + size_bytes + int.from_bytes(member[8 : 8 + size_bytes], "little")
    header = io.BytesIO(member[:header_end])
    version = np.lib.format.read_magic(header)
    shape, fortran, dtype = (
        np.lib.format.read_array_header_1_0(header)
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0(header)
    )
    count = math.prod(shape)
    if dtype.hasobject or header_end + count * dtype.itemsize != len(member):
        raise ValueError(f"array of {dtype} {shape} does not fill its member")
    if not count:
        return np.empty(shape, dtype=dtype)
    flat = np.frombuffer(buf, dtype=dtype, count=count, offset=begin + header_end)
    return flat.reshape(shape, order="F" if fortran else "C")


def _facility_arrays(table: FacilityTable) -> dict[str, np.ndarray]:
    """The facility table as plain arrays: text as unicode, the rest as stored."""
    out = {
        "facility_columns": np.asarray(table.columns, dtype=str),
        "facility_rows": np.array([len(table)], dtype=np.int64),
    }
    for name in table.columns:
        column = table[name]
        out[FACILITY_PREFIX + name] = np.asarray(column.tolist(), dtype=str) if (
            column.dtype == object
        ) else column  # fmt: skip
    return out


def _read_facilities(data: dict[str, np.ndarray]) -> FacilityTable:
    """The facility table of a cache file's arrays (checked against the facility schema)."""
    names = [str(n) for n in data["facility_columns"]]
    return FacilityTable({n: data[FACILITY_PREFIX + n] for n in names},
                         n_rows=int(data["facility_rows"][0]))  # fmt: skip


def build_network(progress: Callable[[str], None] | None = None) -> Network:
    """``landbridge.network.build.build_network``, imported only when a build is needed."""
    from landbridge.network.build.pipeline import build_network as build

    return build(progress)


def validate_network(net: Network) -> None:
    """Check the array invariants of the contract (shapes, CSR order, reverse pairs, indices)."""
    n, m = net.n_nodes, net.n_edges
    problems = []
    for name in ("node_lon", "node_country", "node_gauge_mm", "node_kind", "node_name"):
        if len(getattr(net, name)) != n:
            problems.append(f"{name} has {len(getattr(net, name))} entries for {n} nodes")
    for name in (
        "edge_dst",
        "edge_length_km",
        "edge_mode",
        "edge_country",
        "edge_gauge_mm",
        "edge_facility",
        "edge_reverse",
    ):
        if len(getattr(net, name)) != m:
            problems.append(f"{name} has {len(getattr(net, name))} entries for {m} edges")
    if problems:
        raise NetworkDataError("inconsistent network arrays: " + "; ".join(problems))
    if (
        len(net.indptr) != n + 1
        or net.indptr[0] != 0
        or net.indptr[-1] != m
        or np.any(np.diff(net.indptr) < 0)
    ):
        problems.append("indptr is not a CSR index over the edges")
    elif np.any(np.repeat(np.arange(n), np.diff(net.indptr)) != net.edge_src):
        problems.append("edges are not in CSR order by source")
    if m and (net.edge_dst.min() < 0 or net.edge_dst.max() >= n):
        problems.append("edge_dst out of range")
    rev = net.edge_reverse
    if m and (
        rev.min() < 0
        or rev.max() >= m
        or np.any(rev[rev] != np.arange(m))
        or np.any(net.edge_src[rev] != net.edge_dst)
    ):
        problems.append("edge_reverse does not pair opposite edges")
    off = net.edge_geom_offset
    if (
        len(off) != m + 1
        or off[0] != 0
        or off[-1] != len(net.geom_lonlat)
        or np.any(np.diff(off) < 0)
    ):
        problems.append("edge_geom_offset does not index geom_lonlat")
    fac = net.edge_facility
    if m and (fac.min() < -1 or fac.max() >= len(net.facilities)):
        problems.append("edge_facility points outside the facilities table")
    if np.any(~np.isfinite(net.edge_length_km)) or np.any(net.edge_length_km < 0):
        problems.append("edge lengths must be finite and non-negative")
    if problems:
        raise NetworkDataError("inconsistent network arrays: " + "; ".join(problems))


_memo: dict[tuple[str, int, int], Network] = {}


def load_network(rebuild: bool = False, progress: Callable[[str], None] | None = None) -> Network:
    """The compiled network: from the cache when it is current, else built (a few seconds) and
    cached. A stale or corrupted cache is rebuilt with a ``CacheRebuildWarning`` saying why.
    Concurrent processes share one build: the others wait for it and then read the cache."""
    expected = inputs_hash()
    path = cache_path(expected)
    if not rebuild:
        net = _read_current(path, expected, warn=False)
        if net is not None:
            return net
    with _build_lock(path):
        if not rebuild:
            net = _read_current(path, expected, warn=True)  # another process may have built it
            if net is not None:
                return net
        net = build_network(progress)
        try:
            save_network(net, path)
        except OutputError as exc:  # a full disk or read-only cache only costs the next run
            warnings.warn(f"{exc}; the network built in memory is used", CacheRebuildWarning,
                          stacklevel=2)  # fmt: skip
            return net
        _prune_builds(path)
    st = path.stat()
    _memo.clear()
    _memo[(str(path), st.st_mtime_ns, st.st_size)] = net
    return net


def loaded_build(net: Network) -> str | None:
    """The inputs' hash of the cache file that ``net`` is the network of: ``net`` must be the
    very object ``load_network`` returned (None for a copy, an edited network of a scenario or
    a hand-made one, whose ``meta`` may still name the bundled build)."""
    if any(known is net for known in _memo.values()):
        build = net.meta.get("inputs_sha256")
        return build if isinstance(build, str) else None
    return None


def _read_current(path: Path, expected: str, warn: bool) -> Network | None:
    """The cached network if it is current; ``None`` (with a warning if ``warn``) otherwise."""
    try:
        st = path.stat()
    except OSError:  # none yet, or a cache folder that cannot exist (a file in its path)
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key in _memo and _memo[key].meta.get("inputs_sha256") == expected:
        return _memo[key]
    try:
        net = read_network(path, expected)
    except NetworkDataError as exc:
        if warn:
            warnings.warn(f"{exc}; rebuilding it", CacheRebuildWarning, stacklevel=3)
        return None
    _memo.clear()
    _memo[key] = net
    return net


@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """An exclusive lock in the cache folder, held while one process builds."""
    lock = path.with_name(f"network-v{CACHE_FORMAT}.lock")
    try:
        fh = open(lock, "a+b")  # noqa: SIM115 (closed below)
    except OSError:  # a read-only cache folder: nobody can write the cache there either
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
