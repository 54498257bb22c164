"""network layer: the compiled rail (and sea) network, its cache, checks and facility tables;
the build pipeline is the subpackage ``network.build``.

``load_network()`` returns the cached ``Network`` (building it on first use);
``build_network()`` builds it from the bundled data without touching the cache. Both are
imported on first use, so that ``import landbridge.network.model`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_network", "load_network"]


def __getattr__(name: str) -> Any:
    if name == "load_network":
        from landbridge.network.cache import load_network

        return load_network
    if name == "build_network":
        from landbridge.network.build.pipeline import build_network

        return build_network
    raise AttributeError(f"module 'landbridge.network' has no attribute {name!r}")
