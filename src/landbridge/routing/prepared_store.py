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
The files are ``landbridge.mapped_store``'s: checked, mapped copy-on-write, written atomically;
a file that cannot be trusted is computed again and rewritten. The ``KEEP_FILES`` most recently
used files of each kind are kept.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import numpy as np

from landbridge import mapped_store
from landbridge.costs.dated import DatedPatch
from landbridge.costs.params import Params, load_default_params
from landbridge.network.cache import loaded_build
from landbridge.network.model import Network
from landbridge.paths import code_and_tables_signature

STORE_FORMAT = 1
KEEP_FILES = {"prepared": 8, "edge-mask": 256}  # ~7 MB and ~60 kB each for the bundled network


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
    return mapped_store.path_of(key, kind)


def load(key: str, kind: str = "prepared") -> Any | None:
    """The object stored under ``key`` (None: not stored, or a file that cannot be trusted)."""
    return mapped_store.load(key, kind)


def save(key: str, obj: Any, kind: str = "prepared") -> None:
    mapped_store.save(key, obj, kind, KEEP_FILES[kind])
