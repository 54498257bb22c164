"""network layer: the compiled rail (and sea) network, its cache and checks.

``load_network()`` returns the cached ``Network`` (building it on first use);
``build_network()`` builds it from the bundled data without touching the cache.
"""

from landbridge.network.build import build_network
from landbridge.network.cache import load_network

__all__ = ["build_network", "load_network"]
