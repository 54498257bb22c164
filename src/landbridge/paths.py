"""Where bundled data and user caches live. No network access, ever."""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
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


def files_signature(root: Path, suffix: str = "", skip: Path | None = None) -> str:
    """SHA-256 of the names, sizes and modification times of the files under ``root`` whose
    names end in ``suffix`` (outside ``skip`` and the bytecode folders): what a disk cache of
    something computed from them is keyed by, without reading them."""
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and Path(folder, d) != skip)
        for name in sorted(files):
            if name.endswith(suffix):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_and_tables_signature() -> str:
    """``files_signature`` of the package's code and of its bundled tables (the raw network
    inputs aside: the network's build hash covers them), taken once per process."""
    tables = files_signature(DATA_DIR, skip=RAW_DIR)
    code = files_signature(PACKAGE_DIR, ".py", skip=DATA_DIR)
    return hashlib.sha256(f"{tables}|{code}".encode()).hexdigest()
