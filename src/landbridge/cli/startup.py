"""Start-up work of a command: array libraries loaded lean, cyclic GC paused while it starts.

Kept apart from the commands: these are workarounds for process start-up cost, not behaviour.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def import_array_libraries() -> None:
    """Import numpy and scipy's graph module the way a one-shot route wants them:

    - one OpenBLAS thread unless the user chose a count: routing does no BLAS work, and the
      pools both libraries start on import spin for ~0.2 s CPU on a 2-core machine;
    - ``numpy.f2py``, ``numpy.testing`` and ``numpy.polynomial`` as lazy modules
      (``importlib.util.LazyLoader``, executed on first use): importing ``scipy.sparse`` makes
      scipy's bundled array-api-compat touch every numpy attribute, which imports them
      (~110 ms); routing uses none of them.
    """
    if "numpy" in sys.modules:
        return
    chosen = "OPENBLAS_NUM_THREADS" in os.environ
    if not chosen:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy

        for name in _UNUSED_NUMPY_SUBMODULES:
            _register_lazy(numpy, name)
        import scipy.sparse.csgraph  # noqa: F401
    finally:
        if not chosen:
            del os.environ["OPENBLAS_NUM_THREADS"]  # child processes get the default again


_UNUSED_NUMPY_SUBMODULES = ("f2py", "testing", "polynomial")


def _register_lazy(package: Any, name: str) -> None:
    """``package.name`` as a module that is executed on its first attribute access."""
    import importlib.util

    full = f"{package.__name__}.{name}"
    spec = importlib.util.find_spec(full)
    if full in sys.modules or spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    loader.exec_module(module)
    setattr(package, name, module)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Cyclic garbage collection off while a command's module is imported and its options are
    built (pydantic and its schemas: ~100 collections, ~15 ms CPU of a cold start), then as it
    was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Cyclic garbage collection off while one route is planned, and what that made frozen
    (``gc.freeze``) before it is switched back on. The imports and the network load make
    hundreds of thousands of long-lived objects that each collection, and the one at exit,
    would walk again: ~0.25 s CPU of a cold ``landbridge route``. Objects still free by
    reference count; only cycles made during the command stay until the process ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
