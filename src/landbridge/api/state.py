"""Per-app state: the network (loaded on first use) and cached serialized layers."""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.network.model import Network
from landbridge.paths import cache_dir

# Version of the layer files written to the user cache; bump when their content changes form.
LAYER_CACHE_FORMAT = 3
# gzip level for cached layers: level 6 is zlib's default trade of size against time.
GZIP_LEVEL = 6


class CachedJson:
    """Serialized JSON bytes; their gzip form and a strong ETag are made on first use."""

    def __init__(self, body: bytes, gzipped: bytes | None = None) -> None:
        self.body = body
        if gzipped is not None:  # made elsewhere (a worker process)
            self.__dict__["gzipped"] = gzipped

    @functools.cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)

    @functools.cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @classmethod
    def of(cls, obj: Any) -> CachedJson:
        return cls(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())


def network_fingerprint(net: Network) -> str | None:
    """Stable id of a built network (its input hash and build version); None for hand-made ones."""
    inputs = net.meta.get("inputs_sha256")
    if not inputs:
        return None
    return f"{str(inputs)[:16]}-v{net.meta.get('build_version', 0)}"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ServerState:
    """Lazily loads the network and caches whatever is derived from it, once per process.

    Layers of a built network are also kept in the user cache (``layers/`` under
    ``landbridge.paths.cache_dir()``), keyed by the network's input hash, so a restart does
    not simplify the geometry again.
    """

    def __init__(self, network_loader: Callable[[], Network]) -> None:
        self._network_loader = network_loader
        self._network: Network | None = None
        self._lock = threading.Lock()
        self._build_locks: dict[str, threading.Lock] = {}
        self._cache: dict[str, CachedJson] = {}

    @property
    def network(self) -> Network:
        with self._lock:
            if self._network is None:
                self._network = self._network_loader()
            return self._network

    def peek(self, key: str) -> CachedJson | None:
        """What is kept under ``key``, without building it."""
        with self._lock:
            return self._cache.get(key)

    def put(self, key: str, value: CachedJson) -> None:
        with self._lock:
            self._cache.setdefault(key, value)

    def cached(
        self, key: str, build: Callable[[], Any], *, per_network: bool = False
    ) -> CachedJson:
        """Build and serialize ``key`` once (one builder at a time per key); later calls reuse it.

        With ``per_network`` the bytes are also stored in the user cache for this network.
        """
        with self._lock:
            hit = self._cache.get(key)
            build_lock = self._build_locks.setdefault(key, threading.Lock())
        if hit is not None:
            return hit
        with build_lock:
            with self._lock:
                hit = self._cache.get(key)
            if hit is not None:
                return hit
            value = self._load_or_build(key, build, per_network)
            with self._lock:
                self._cache[key] = value
            return value

    def _load_or_build(self, key: str, build: Callable[[], Any], per_network: bool) -> CachedJson:
        fingerprint = network_fingerprint(self.network) if per_network else None
        if fingerprint is None:
            return CachedJson.of(build())
        safe_key = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key)
        path = cache_dir() / "layers" / f"{fingerprint}-f{LAYER_CACHE_FORMAT}-{safe_key}.json"
        try:
            return CachedJson(path.read_bytes())
        except OSError:
            pass
        value = CachedJson.of(build())
        with contextlib.suppress(OSError):  # a read-only cache only costs a rebuild next time
            _write_atomic(path, value.body)
        return value
