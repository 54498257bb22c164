"""Where bundled data and user caches live. No network access, ever."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
RAW_DIR = DATA_DIR / "raw"


def cache_dir() -> Path:
    """User cache for built artefacts (the compiled network). ``LANDBRIDGE_CACHE`` overrides."""
    env = os.environ.get("LANDBRIDGE_CACHE")
    if env:
        base = Path(env)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "landbridge"
    with contextlib.suppress(OSError):  # a cache that cannot be made costs a rebuild; writers warn
        base.mkdir(parents=True, exist_ok=True)
    return base


def user_data_dir() -> Path:
    """User data folder for the results store. ``LANDBRIDGE_HOME`` overrides."""
    env = os.environ.get("LANDBRIDGE_HOME")
    if env:
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")
        base = Path(xdg) / "landbridge"
    base.mkdir(parents=True, exist_ok=True)
    return base
