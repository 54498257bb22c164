"""Objects whose arrays are memory-mapped from a file in the cache folder: what a fresh process
would otherwise compute (the prepared network's arrays, the transit Monte Carlo's shared draws).

A file holds the key it was written for, a pickle (protocol 5) whose arrays are stored out of
band after it, page-cache friendly (aligned to ``ALIGN``), and a CRC-32 of each part. ``load``
maps the file copy-on-write (a process may write into the arrays; the file and other processes
never see it; processes that map one file share its pages) and gives None for a file that is
missing, damaged, of another format or of another key: the caller computes and ``save``s again.
Writes are atomic (a temporary file renamed into place), so processes writing at the same
moment each write a whole file and a reader never sees half of one; they are not synced to the
disk (the checks catch what a crash leaves). Each kind keeps its
``keep`` most recently used files. Keys say what the object is a pure function of (callers
build them, e.g. with ``paths.code_and_tables_signature``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import pickle
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from landbridge.paths import cache_dir

STORE_FORMAT = 1
MAGIC = b"landbridge-prepared\n"
SIZES = struct.Struct("<QQQ")  # after MAGIC: the pickle's length, the header's offset and length
ALIGN = 64  # every array starts on a multiple of this many bytes


def path_of(key: str, kind: str) -> Path:
    """The file of ``key``: ``kind-vFORMAT-digest.bin`` in the cache folder."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return cache_dir() / f"{kind}-v{STORE_FORMAT}-{digest}.bin"


def load(key: str, kind: str) -> Any | None:
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


def save(key: str, obj: Any, kind: str, keep: int) -> None:
    """Store ``obj`` under ``key`` (atomically), keeping the ``keep`` most recently used files of
    ``kind``; a cache folder that cannot take it only costs the next process the computing."""
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
    # no fsync (it cost 30-100 ms per file on the 2-core machine, more than the computing): a
    # file that a crash leaves short or empty fails its checks and is written again
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + SIZES.pack(len(pickled), offset, len(header)) + pickled)
            for (at, _, _), raw in zip(placed, raws, strict=True):
                fh.write(b"\0" * (at - fh.tell()))
                fh.write(raw)
            fh.write(header.encode())
        os.replace(tmp, path)
    except OSError:
        return
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _prune(path, kind, keep)


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


STALE_TEMPORARY_S = 3600.0  # a temporary file this old belongs to a writer that died


def _prune(current: Path, kind: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently used files of ``kind`` (``current`` stays),
    and the temporary files of writers that died."""

    def used(p: Path) -> int:
        try:
            return p.stat().st_mtime_ns
        except OSError:  # removed by another process meanwhile
            return 0

    # files of earlier formats too: none is read again
    others = sorted((p for p in current.parent.glob(f"{kind}-v*-*.bin") if p != current),
                    key=used, reverse=True)  # fmt: skip
    for old in others[keep - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()
    for tmp in current.parent.glob(f".{kind}-v*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > STALE_TEMPORARY_S:
                tmp.unlink()
