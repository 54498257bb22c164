"""The parts of a prepared network that every request shares, on disk: the per-edge costs and
the search base of the bundled network under the bundled parameters and one set of dated
values, and the edge masks of the constraint sets (a function of the network and the
constraints only). The first process that makes them writes them; the next ones map them
instead of computing them (~30 ms and ~10 ms of a cold ``landbridge route``), and processes
that map one file share its pages.

One file per key in the cache folder (``LANDBRIDGE_CACHE``). The key is what the arrays are a
pure function of: the network build (the SHA-256 of its inputs), the dated values (their
``DatedPatch.key``, as ``prepare`` keys them in memory) and the signature (names, sizes,
modification times) of the bundled tables and of the package's code, with the numpy and Python
versions; a mask's key is the build, that signature and the masking constraints (frozen
dataclasses of the package, by their ``repr``). Only the very network object ``load_network``
returned is stored (a scenario's edited copy keeps the build hash in its ``meta``), and its
costs only under the bundled parameters; other networks and ``--params`` costs stay in memory.
The file holds the key, a pickle (protocol 5) whose arrays are stored out of band after it, and
a CRC-32 of each part: a file that is damaged, of another format or of another key is not
trusted but computed again and rewritten. Writes are atomic (a temporary file renamed into
place), so processes preparing at the same moment each write a whole file and a reader never
sees half of one. The ``KEEP_FILES`` most recently used files of each kind are kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import mmap
import os
import pickle
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from landbridge.costs.dated import DatedPatch
from landbridge.costs.params import Params, load_default_params
from landbridge.errors import OutputError
from landbridge.network.cache import loaded_build
from landbridge.network.model import Network
from landbridge.outputs import atomic_file
from landbridge.paths import cache_dir, code_and_tables_signature

STORE_FORMAT = 1
MAGIC = b"landbridge-prepared\n"
SIZES = struct.Struct("<QQQ")  # after MAGIC: the pickle's length, the header's offset and length
ALIGN = 64  # every array starts on a multiple of this many bytes
KEEP_FILES = {"prepared": 8, "mask": 256}  # ~7 MB and ~60 kB each for the bundled network
PREFIX = {"prepared": "prepared", "mask": "edge-mask"}  # file names: PREFIX-vFORMAT-digest.bin


def store_key(net: Network, params: Params, dated: DatedPatch | None) -> str | None:
    """The key of ``net`` prepared under ``params`` and ``dated``; None when it is not stored
    (a network other than the one ``load_network`` read, parameters other than the bundled
    ones)."""
    build = loaded_build(net)
    if build is None or params is not load_default_params():
        return None
    return repr((
        STORE_FORMAT, build, dated.key if dated is not None else None,
        code_and_tables_signature(), np.__version__, sys.version,
    ))  # fmt: skip


def mask_key(net: Network, parts: tuple[Any, ...]) -> str | None:
    """The key of the edge mask of the masking constraints ``parts`` on ``net``; None when it
    is not stored (another network; a constraint that is not a dataclass of the package, whose
    ``repr`` may not say all it masks)."""
    build = loaded_build(net)
    plain = all(
        dataclasses.is_dataclass(p) and type(p).__module__.startswith("landbridge.") for p in parts
    )
    if build is None or not plain:
        return None
    return repr((STORE_FORMAT, "mask", build, code_and_tables_signature(), parts))


def path_of(key: str, kind: str = "prepared") -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return cache_dir() / f"{PREFIX[kind]}-v{STORE_FORMAT}-{digest}.bin"


def load(key: str, kind: str = "prepared") -> Any | None:
    """The object stored under ``key``, its arrays mapped copy-on-write from the file (None:
    no file, or one that cannot be trusted)."""
    path = path_of(key, kind)
    try:
        with path.open("rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
        obj = _unpack(memoryview(buf), key)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, struct.error):
        return None
    with contextlib.suppress(OSError):  # most recently used: kept by the pruning
        os.utime(path)
    return obj


def _unpack(view: memoryview, key: str) -> Any | None:
    start = len(MAGIC) + SIZES.size
    if bytes(view[: len(MAGIC)]) != MAGIC:
        return None
    pickle_len, header_at, header_len = SIZES.unpack(view[len(MAGIC) : start])
    header = json.loads(bytes(view[header_at : header_at + header_len]))
    if header.get("key") != key:
        return None
    parts = [(start, pickle_len, header["pickle_crc32"]), *header["buffers"]]
    for offset, size, crc in parts:
        part = view[offset : offset + size]
        if len(part) != size or zlib.crc32(part) != crc:
            return None
    try:
        return pickle.loads(
            view[start : start + pickle_len],
            buffers=[view[o : o + n] for o, n, _ in header["buffers"]],
        )
    except Exception:  # noqa: BLE001 - a file that does not unpickle is computed again
        return None


def save(key: str, obj: Any, kind: str = "prepared") -> None:
    """Store ``obj`` under ``key`` (atomically); a cache folder that cannot take it only costs
    the next process the computing."""
    buffers: list[pickle.PickleBuffer] = []
    pickled = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    offset = len(MAGIC) + SIZES.size + len(pickled)
    placed = []
    for raw in raws:
        offset = _aligned(offset)
        placed.append([offset, raw.nbytes, zlib.crc32(raw)])
        offset += raw.nbytes
    header = json.dumps({"key": key, "pickle_crc32": zlib.crc32(pickled), "buffers": placed})
    path = path_of(key, kind)
    try:
        with atomic_file(path, "prepared network cache") as tmp, tmp.open("wb") as fh:
            fh.write(MAGIC + SIZES.pack(len(pickled), offset, len(header)) + pickled)
            for (at, _, _), raw in zip(placed, raws, strict=True):
                fh.write(b"\0" * (at - fh.tell()))
                fh.write(raw)
            fh.write(header.encode())
    except OutputError:
        return
    _prune(path, kind)


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def _prune(keep: Path, kind: str) -> None:
    """Remove all but the ``KEEP_FILES`` most recently used files of ``kind`` (``keep``
    stays)."""

    def used(p: Path) -> int:
        try:
            return p.stat().st_mtime_ns
        except OSError:  # removed by another process meanwhile
            return 0

    # files of earlier formats too: none is read again
    others = sorted((p for p in keep.parent.glob(f"{PREFIX[kind]}-v*-*.bin") if p != keep),
                    key=used, reverse=True)  # fmt: skip
    for old in others[KEEP_FILES[kind] - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()
