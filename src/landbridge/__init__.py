"""landbridge: an open digital twin of the China–Europe rail land bridge through Kazakhstan.

``landbridge.plan(origin, destination, feu=...)`` answers like ``landbridge route``; the layers
(``landbridge.network``, ``landbridge.routing``, ``landbridge.flows``, ...) are importable too.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["RoutePlan", "__version__", "plan"]


def __getattr__(name: str) -> Any:
    # imported on first use: `import landbridge` (and so the CLI) stays light
    if name in ("plan", "RoutePlan"):
        from landbridge import route_plan

        return getattr(route_plan, name)
    raise AttributeError(f"module 'landbridge' has no attribute {name!r}")
