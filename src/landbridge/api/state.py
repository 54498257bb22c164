"""Per-app state: the network (loaded once, on first use) and cached serialized layers."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

from landbridge.network.model import Network


class CachedJson:
    """Serialized JSON bytes with a strong ETag."""

    def __init__(self, obj: Any) -> None:
        self.body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


class ServerState:
    """Lazily loads the network and caches whatever is derived from it, once per process."""

    def __init__(self, network_loader: Callable[[], Network]) -> None:
        self._network_loader = network_loader
        self._network: Network | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, CachedJson] = {}

    @property
    def network(self) -> Network:
        with self._lock:
            if self._network is None:
                self._network = self._network_loader()
            return self._network

    def cached(self, key: str, build: Callable[[], Any]) -> CachedJson:
        """Build and serialize ``key`` once; later calls return the same bytes."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        value = CachedJson(build())
        with self._lock:
            return self._cache.setdefault(key, value)
